"""Hostile names in imported files reach real kommuner's reports, rendered through the batch and
opened in headless Chromium (issue 9, items 1 and 7): no script from data runs, and the names
show as text.

A copy of the project's snapshot is changed as a careless or hostile publisher could: the
kommun Habo (0643) gets a name with a <script>, an <img onerror>, a Markdown javascript: link
and a leading '=' (SCB's code list and Migrationsverket's file), Jönköpings län a name with an
<img onerror>, and Kolada's peer group for Jönköping (rKolada's sysdata.rda, edited in its R
serialisation) a title with a <script>. Then Jönköping's and Habo's reports 02 and 03 are
rendered by `etablering report`, the län's report 03 by the batch, and every page is opened.
(Report 01 is being rewritten in another branch; its text goes through the same display.text.)
"""

import base64
import bz2
import csv
import io
import json
import os
import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import headless
import openpyxl
import pytest

from etablering.data import store
from etablering.data.importer import import_dir
from etablering.data.registry import Registry
from etablering.run.batch import plan, run_batch
from etablering.run.site import write_site

pytestmark = pytest.mark.notebook

headless.require()

SCRIPT = "<script>window.__pwned = 1</script>"
IMG = '<img src=x onerror="window.__pwned = 2">'
LINK = "[klicka här](javascript:window.__pwned=3)"
KOMMUN = '=HYPERLINK("http://evil.example";"Habo")' + SCRIPT + IMG + LINK
LAN = "Jönköpings län" + IMG.replace("= 2", "= 4")
PEER_OLD = "Liknande kommuner arbetsmarknad, Jönköping, 2024"
PEER = PEER_OLD + " <script>window.__pwned = 5</script>[x](javascript:window.__pwned=6)"

CODE_LIST = "geo-sjbrg-swedish-geodata/scb_kommunlankod-2026_via_kamilovna.xlsx"
MOTTAGNA = (
    "migrationsverket-2018-via-infovislabb/Kommunmottagna_enligt_ersattningsforordningen_2018.csv"
)
SYSDATA = "kolada-metadata-rKolada/rKolada_R_sysdata.rda"


def _rename_in_code_list(path: Path) -> None:
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    for code, name in sheet.iter_rows(min_row=1, max_col=2):
        if code.value == "0643":
            name.value = KOMMUN
            name.data_type = "s"  # text, not a formula: what a CSV import into Excel keeps
        elif code.value == "06":
            name.value = LAN
    book.save(path)


def _rename_in_migrationsverket(path: Path) -> None:
    text = path.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    for row in rows:
        if row and row[0] == "JÖNKÖPINGS LÄN":
            row[0] = LAN.upper()
        for i, cell in enumerate(row):
            if cell == "HABO":
                row[i] = KOMMUN.upper()
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8-sig")


def _retitle_in_sysdata(path: Path) -> None:
    """Edit one string of the R serialisation (XDR: flags, length, bytes) and recompress."""
    data = bz2.decompress(path.read_bytes())
    old, new = PEER_OLD.encode(), PEER.encode()
    at = data.index(old)
    assert struct.unpack(">i", data[at - 4 : at])[0] == len(old)
    data = data[: at - 4] + struct.pack(">i", len(new)) + new + data[at + len(old) :]
    path.write_bytes(bz2.compress(data))


@pytest.fixture(scope="module")
def hostile_site(raw_dir, tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    raw = root / "raw"
    shutil.copytree(raw_dir, raw)
    _rename_in_code_list(raw / CODE_LIST)
    _rename_in_migrationsverket(raw / MOTTAGNA)
    _retitle_in_sysdata(raw / SYSDATA)
    processed = root / "processed"
    import_dir(raw, processed, log=lambda *a: None)
    registry = Registry.load(processed)
    habo, lan = registry.get("0643"), registry.get("0006")
    assert habo.name == KOMMUN and lan.name == LAN  # the import kept the names as published
    groups = store.read_table("area_groups", processed)
    assert (groups["group_title"] == PEER).any()

    out = root / "reports"
    env = {**os.environ, "ETABLERING_DATA": str(processed)}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "etablering.run.cli",
            "report",
            "0680",
            "0643",
            "--notebooks",
            "02-etablering",
            "03-forsorjningsstod",
            "--out",
            str(out),
            "--jobs",
            "2",
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    version = store.data_version(processed)
    jobs = plan([lan], ["03-forsorjningsstod"], {"data_dir": str(processed)}, version)
    manifest = run_batch(jobs, out, version, workers=1, progress=False, data_dir=processed)
    assert [r["status"] for r in manifest["results"]] == ["ok"], manifest["results"]
    write_site(out, {a.lan_code: a.name for a in registry.lan()}, version)
    return out, habo, lan


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    driver = headless.start(tmp_path_factory.mktemp("chrome"))
    yield driver
    driver.quit()


INSPECT = """
return {
  pwned: window.__pwned === undefined ? null : window.__pwned,
  injectedScripts: [...document.scripts].filter(s => s.textContent.includes('__pwned')).length,
  onerror: document.querySelectorAll('[onerror]').length,
  xImages: [...document.images].filter(i => i.getAttribute('src') === 'x').length,
  jsLinks: [...document.querySelectorAll('a[href]')].filter(
      a => a.getAttribute('href').trim().toLowerCase().startsWith('javascript')).length,
  text: document.body.innerText,
  title: document.title,
};
"""


def _open(browser, path: Path) -> dict:
    browser.get(path.as_uri())
    seen = browser.execute_script(INSPECT)
    assert seen["pwned"] is None, f"script from data ran in {path.name}: {seen['pwned']}"
    assert seen["injectedScripts"] == 0 and seen["onerror"] == 0, path
    assert seen["xImages"] == 0 and seen["jsLinks"] == 0, path
    return seen


def test_the_neighbours_reports_show_hostile_names_as_text(hostile_site, browser):
    out, _, _ = hostile_site
    for notebook in ("02-etablering", "03-forsorjningsstod"):
        seen = _open(browser, out / "0680-jonkoping" / f"{notebook}.html")
        assert "Jönköping" in seen["title"] and "pwned" not in seen["title"]
        if notebook == "02-etablering":  # the län by name, and Kolada's peer group title
            assert LAN in seen["text"]
            assert PEER in seen["text"]


def test_the_hostile_kommuns_own_reports_show_its_name_as_text(hostile_site, browser):
    out, habo, _ = hostile_site
    folder = out / habo.slug
    for notebook in ("02-etablering", "03-forsorjningsstod"):
        seen = _open(browser, folder / f"{notebook}.html")
        assert KOMMUN in seen["text"], notebook
        assert KOMMUN in seen["title"]  # the <title> holds it as text too
    _open(browser, folder / "index.html")


def test_the_hostile_lans_report_and_pages(hostile_site, browser):
    out, _, lan = hostile_site
    seen = _open(browser, out / lan.slug / "03-forsorjningsstod.html")
    assert LAN in seen["text"]
    _open(browser, out / lan.slug / "index.html")
    index = _open(browser, out / "index.html")
    assert KOMMUN in index["text"] and LAN in index["text"]


def test_no_raw_markup_from_data_in_any_written_file(hostile_site):
    out, _, _ = hostile_site
    for page in out.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        for needle in ("<script>window.__pwned", "<img src=x", 'href="javascript'):
            assert needle not in html, (page, needle)


def test_every_csv_keeps_the_formula_name_as_text(hostile_site):
    out, habo, _ = hostile_site
    summary = (out / "sammanstallning.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(summary), delimiter=";"))
    names = {row[0].split(" ")[0]: row[1] for row in rows[1:]}
    assert names["0643"] == "'" + KOMMUN
    for row in rows[1:]:
        assert not any(cell[:1] in "=+@" for cell in row if cell)
    downloads = 0
    for page in (out / habo.slug).glob("*.html"):
        for blob in re.findall(r'href="data:text/csv;base64,([^"]+)"', page.read_text()):
            downloads += 1
            table = base64.b64decode(blob).decode("utf-8-sig")
            for row in csv.reader(io.StringIO(table), delimiter=";"):
                assert not any(cell[:1] in "=+@" for cell in row if cell), row
    assert downloads, "no CSV download in Habo's reports"
    meta = json.loads((out / habo.slug / "02-etablering.meta.json").read_text())
    assert meta["name"] == KOMMUN  # the record keeps the name as published; pages escape it
