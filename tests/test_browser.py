"""The site in a real headless Chromium: no console errors, every image and local link works,
the search box and the län filter filter, and a name with <script> stays text. And `make lab`'s
JupyterLab: a notebooks/*.py opens as a notebook and runs."""

import functools
import http.server
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import headless
import pytest
from local_server import QuietServer

from etablering.data.registry import Area
from etablering.run.batch import plan, run_batch
from etablering.run.site import write_site

pytestmark = pytest.mark.notebook
ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
headless.require()

from selenium.common.exceptions import TimeoutException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

EVIL = "<script>window.__injected = 1</script>Skriptköping"


@pytest.fixture(scope="module")
def site(processed, registry, tmp_path_factory):
    out = tmp_path_factory.mktemp("site") / "reports"
    areas = [registry.get("0680"), registry.get("2580"), Area("0114", EVIL, "kommun", "01")]
    jobs = plan(
        areas,
        ["01-mottagande", "02-etablering", "03-forsorjningsstod"],
        {"year": 2018, "data_dir": str(processed)},
        "v1",
    )
    jobs += plan(
        [registry.get("0006")], ["03-forsorjningsstod"], {"data_dir": str(processed)}, "v1"
    )
    manifest = run_batch(jobs, out, "v1", workers=2, progress=False)
    assert all(r["status"] == "ok" for r in manifest["results"]), manifest["results"]
    write_site(out, {a.lan_code: a.name for a in registry.lan()}, "v1")
    return out


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def server(site):
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    driver = headless.start(tmp_path_factory.mktemp("chrome"))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()


def _check_page(browser, url: str, shot: str) -> list[str]:
    """Open, screenshot, and assert: no console errors, all images loaded. Returns local links."""
    browser.get(url)
    browser.save_screenshot(str(ARTIFACTS / shot))
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, errors
    broken = browser.execute_script(
        "return [...document.images].filter(i => !(i.complete && i.naturalWidth > 0)).length"
    )
    assert broken == 0
    assert browser.execute_script("return window.__injected === undefined")
    hrefs = browser.execute_script(
        "return [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))"
    )
    return [
        urljoin(url, h)
        for h in hrefs
        if not h.startswith(("http:", "https:", "data:", "#", "mailto:"))
    ]


def _resolves(link: str) -> bool:
    with urllib.request.urlopen(link) as response:
        return response.status == 200


def test_index_page(browser, server):
    links = _check_page(browser, server + "index.html", "index.png")
    assert links and all(_resolves(link) for link in links)
    rows = browser.find_elements(By.CSS_SELECTOR, "tr.kommun")
    assert len(rows) == 4  # three kommuner and Jönköpings län
    assert EVIL in browser.find_element(By.ID, "sammanstallning").text  # shown as text


def test_search_box_and_lan_filter(browser, server):
    browser.get(server + "index.html")
    box = browser.find_element(By.ID, "sok")
    box.send_keys("jonk")
    visible = [
        r.text for r in browser.find_elements(By.CSS_SELECTOR, "tr.kommun") if r.is_displayed()
    ]
    assert len(visible) == 2 and all("Jönköping" in v for v in visible)  # kommun and län
    browser.save_screenshot(str(ARTIFACTS / "index-search.png"))
    box.clear()
    box.send_keys(" ")  # clear() fires no input event
    box.clear()
    Select(browser.find_element(By.ID, "lan")).select_by_value("25")
    browser.execute_script("document.getElementById('sok').dispatchEvent(new Event('input'))")
    visible = [
        r.text for r in browser.find_elements(By.CSS_SELECTOR, "tr.kommun") if r.is_displayed()
    ]
    assert visible == [v for v in visible if "Luleå" in v] and len(visible) == 1


@pytest.mark.parametrize(
    ("path", "shot"),
    [
        ("0680-jonkoping/index.html", "kommun.png"),
        ("0680-jonkoping/01-mottagande.html", "01-mottagande.png"),
        ("2580-lulea/02-etablering.html", "02-etablering.png"),
        ("0680-jonkoping/03-forsorjningsstod.html", "03-forsorjningsstod.png"),
        ("0006-jonkopings-lan/03-forsorjningsstod.html", "03-lan.png"),
    ],
)
def test_kommun_and_report_pages(browser, server, path, shot):
    links = _check_page(browser, server + path, shot)
    assert any(link.endswith("/index.html") for link in links)  # a way back
    assert all(_resolves(link) for link in links)
    assert "Dataversion v1" in browser.find_element(By.TAG_NAME, "footer").text


@dataclass(frozen=True)
class Lab:
    url: str
    log: Path


@pytest.fixture(scope="module")
def lab(processed, tmp_path_factory):
    """JupyterLab as `make lab` starts it, on a copy of notebooks/ (running saves the .py)."""
    home = tmp_path_factory.mktemp("lab")
    shutil.copytree(ROOT / "notebooks", home / "notebooks")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {
        **os.environ,
        "ETABLERING_DATA": str(processed),
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0",
            *(["--allow-root"] if os.geteuid() == 0 else []),  # as `make lab` (CI runs as root)
            "--IdentityProvider.token=",
            f"--ServerApp.root_dir={home / 'notebooks'}",
            f"--LabApp.app_settings_dir={home / 'notebooks' / '.jupyterlab'}",
            f"--LabApp.user_settings_dir={home / 'user-settings'}",
            f"--LabApp.workspaces_dir={home / 'workspaces'}",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(home / "lab.log", "w"),
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url + "api/status")
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail("JupyterLab did not start: " + (home / "lab.log").read_text()[-2000:])
            time.sleep(0.5)
    yield Lab(url, home / "lab.log")
    server.terminate()
    server.wait(timeout=30)


STDERR = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"


def _kernel_state(lab: Lab, path: str) -> str | None:
    """The execution state of the kernel of the notebook at `path`, as the server knows it."""
    sessions = json.loads(urllib.request.urlopen(lab.url + "api/sessions").read())
    states = [s["kernel"]["execution_state"] for s in sessions if s["path"].endswith(path)]
    return states[0] if states else None


def _run_all_in_lab(browser, lab, name: str):
    """Open notebooks/<name>.py in JupyterLab, Run › Run All Cells, wait; the notebook element."""
    # a workspace of its own: only this notebook open, none restored from an earlier test
    browser.get(lab.url + f"lab/workspaces/{name}/tree/{name}.py?reset")
    wait = WebDriverWait(browser, 90)
    notebook = wait.until(
        EC.visibility_of_element_located((By.CSS_SELECTOR, f"{PANEL} .jp-Notebook"))
    )
    assert not browser.find_elements(By.CSS_SELECTOR, ".jp-FileEditor")  # not opened as text
    wait.until(lambda _: len(notebook.find_elements(By.CSS_SELECTOR, ".jp-CodeCell")) >= 3)
    # as a user does: run once the notebook's kernel has started and is idle
    wait.until(lambda _: _kernel_state(lab, f"{name}.py") == "idle")
    menu = [
        m for m in browser.find_elements(By.CSS_SELECTOR, ".lm-MenuBar-item") if m.text == "Run"
    ]
    menu[0].click()
    wait.until(
        EC.element_to_be_clickable(
            (By.CSS_SELECTOR, 'li.lm-Menu-item[data-command="runmenu:run-all"]')
        )
    ).click()

    def finished(_):  # every code cell numbered, or a cell failed (run-all stops there)
        prompts = notebook.find_elements(By.CSS_SELECTOR, ".jp-CodeCell .jp-InputArea-prompt")
        done = all(re.fullmatch(r"\[\d+\]:", p.text.strip()) for p in prompts)
        return done or notebook.find_elements(By.CSS_SELECTOR, STDERR)

    try:
        WebDriverWait(browser, 240).until(finished)
    except TimeoutException:  # say what the page and the server showed
        browser.save_screenshot(str(ARTIFACTS / f"jupyterlab-{name}-timeout.png"))
        prompts = [p.text for p in notebook.find_elements(By.CSS_SELECTOR, ".jp-InputPrompt")]
        kernels = urllib.request.urlopen(lab.url + "api/kernels").read().decode()
        pytest.fail(
            f"Run All unfinished after 240 s; prompts {prompts}; kernels {kernels};"
            f" server log:\n{lab.log.read_text()[-3000:]}"
        )
    browser.save_screenshot(str(ARTIFACTS / f"jupyterlab-{name}.png"))
    assert not [e.text for e in notebook.find_elements(By.CSS_SELECTOR, STDERR)]
    return notebook


def test_lab_opens_a_py_notebook_and_runs_it(browser, lab):
    notebook = _run_all_in_lab(browser, lab, "01-mottagande")
    assert 'kommun = "0680"' in notebook.text  # the parameters cell
    assert "Jupyter news" not in browser.page_source  # no news prompt (overrides.json)
    # year = None: the latest year with data (2022 in the snapshot)
    assert "Mottagande av nyanlända – Jönköping 2022" in notebook.text
    assert "241" in notebook.text


def test_lab_explore_widgets_update_the_comparison(browser, lab):
    notebook = _run_all_in_lab(browser, lab, "00-utforska")
    result = notebook.find_element(By.CSS_SELECTOR, ".widget-html-content")
    wait = WebDriverWait(browser, 60)
    wait.until(lambda _: "Jönköping" in result.text and "per 1 000" in result.text)
    assert "folkmängd 31 december 2022" in result.text

    def picker(label: str) -> Select:
        for box in notebook.find_elements(By.CSS_SELECTOR, ".widget-dropdown"):
            if box.find_element(By.TAG_NAME, "label").text == label:
                return Select(box.find_element(By.TAG_NAME, "select"))
        raise AssertionError(f"no dropdown {label}")

    picker("Län").select_by_visible_text("Norrbottens län")
    wait.until(lambda _: "Luleå" in result.text and "Jönköping" not in result.text)
    picker("Mått").select_by_visible_text(
        "Kvinnor i arbete/studier efter etableringen (%), senaste år"
    )
    wait.until(lambda _: "Kvinnor i arbete" in result.text and "2024" in result.text)
    browser.save_screenshot(str(ARTIFACTS / "jupyterlab-utforska-norrbotten.png"))


# --- printing: A4, running header, page numbers, nothing cut off -----------------------------

A4 = (595.28, 841.89)  # points
# the page's content box at 96 px per inch: A4 (210 mm) less @page's left and right margins
CONTENT_PX = round((210 - 2 * 14) / 25.4 * 96)


def _print_pdf(browser, url: str) -> bytes:
    """The page printed as Chromium's print dialog does (CSS @page size and margins)."""
    import base64

    browser.get(url)
    result = browser.execute_cdp_cmd(
        "Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True}
    )
    return base64.b64decode(result["data"])


@pytest.mark.parametrize(
    ("path", "running", "most_pages"),
    [
        ("0680-jonkoping/01-mottagande.html", "Jönköping (0680) – Mottagande mot kommuntal", 8),
        ("2580-lulea/02-etablering.html", "Luleå (2580) – Etablering efter kön", 14),
        ("0680-jonkoping/03-forsorjningsstod.html", "Jönköping (0680) – Försörjningsstöd", 12),
        (
            "0006-jonkopings-lan/03-forsorjningsstod.html",
            "Jönköpings län (06) – Försörjningsstöd",
            12,
        ),
    ],
)
def test_reports_print_on_a4_with_header_and_page_numbers(
    browser, server, path, running, most_pages
):
    import io

    from pypdf import PdfReader

    pdf = _print_pdf(browser, server + path)
    name = path.replace("/", "-").replace(".html", ".pdf")
    (ARTIFACTS / name).write_bytes(pdf)
    pages = PdfReader(io.BytesIO(pdf)).pages
    sizes = {(float(p.mediabox.width), float(p.mediabox.height)) for p in pages}
    # A4 to within a point (Chromium rounds to whole points), not US Letter (612 × 792)
    assert all(abs(w - A4[0]) < 1 and abs(h - A4[1]) < 1 for w, h in sizes), sizes
    n = len(pages)
    assert 1 < n <= most_pages, n
    for number, page in enumerate(pages, start=1):
        text = " ".join(page.extract_text().split())
        assert f"Sida {number} av {n}" in text, (number, text[-200:])
        squeezed = text.replace(" ", "")  # pdf text loses some spaces around dashes
        assert running.replace(" ", "") in squeezed and "Dataversionv1" in squeezed, text[:200]


@pytest.mark.parametrize(
    "path",
    [
        "0680-jonkoping/01-mottagande.html",
        "2580-lulea/02-etablering.html",
        "0680-jonkoping/03-forsorjningsstod.html",
        "0006-jonkopings-lan/03-forsorjningsstod.html",
    ],
)
def test_no_table_or_chart_is_cut_off_on_paper(browser, server, path):
    """In print media at the width of an A4 page's content box every table and chart fits, and
    every table cell's text is in the printed PDF."""
    import io

    from pypdf import PdfReader

    pdf = _print_pdf(browser, server + path)
    printed = "".join("".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": CONTENT_PX, "height": 1200, "deviceScaleFactor": 1, "mobile": False},
    )
    try:
        browser.get(server + path)
        overflow = browser.execute_script(
            """
            const page = document.documentElement.clientWidth;
            return [...document.querySelectorAll('table.etablering-table, img.etablering-chart')]
              .filter(e => e.offsetParent !== null || e.closest('details'))
              .filter(e => e.scrollWidth > e.clientWidth + 1
                           || e.getBoundingClientRect().right > page + 1)
              .map(e => (e.tagName + ' ' + (e.alt || e.innerText.slice(0, 60))));
            """
        )
        assert not overflow, overflow
        cells = browser.execute_script(
            """
            return [...document.querySelectorAll('table.etablering-table td, table.etablering-table th')]
              .filter(c => c.closest('details.etablering-appendix:not([open])') === null)
              .map(c => c.innerText);
            """
        )
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    missing = [c for c in cells if "".join(c.split()) not in printed]
    assert cells and not missing, missing[:10]


def test_index_sorts_by_a_column_and_finds_hyphens_and_lan_names(browser, server):
    browser.get(server + "index.html")
    box = browser.find_element(By.ID, "sok")
    box.send_keys("Norrbotten")  # a län's name finds its kommuner
    shown = [
        r.text for r in browser.find_elements(By.CSS_SELECTOR, "tr.kommun") if r.is_displayed()
    ]
    assert len(shown) == 1 and "Luleå" in shown[0]
    box.clear()
    box.send_keys("jön-köping")  # hyphens count as spaces, as in 'Upplands-Väsby'
    browser.execute_script("document.getElementById('sok').value = 'Jonkopings-lan'")
    browser.execute_script("document.getElementById('sok').dispatchEvent(new Event('input'))")
    shown = [
        r.text for r in browser.find_elements(By.CSS_SELECTOR, "tr.kommun") if r.is_displayed()
    ]
    assert shown and all("Jönköping" in s for s in shown)
    browser.execute_script("document.getElementById('sok').value = ''")
    browser.execute_script("document.getElementById('sok').dispatchEvent(new Event('input'))")
    header = browser.find_element(By.XPATH, "//th[button[starts-with(., 'Kommunmottagna')]]")
    column = browser.execute_script(
        "return [...arguments[0].parentNode.children].indexOf(arguments[0])", header
    )

    def values():
        return browser.execute_script(
            "return [...document.querySelectorAll('#sammanstallning tbody tr')]"
            ".map(r => r.cells[arguments[0]].dataset.sort)",
            column,
        )

    header.find_element(By.TAG_NAME, "button").click()
    numbers = [float(v) for v in values() if v]
    assert numbers == sorted(numbers) and header.get_attribute("aria-sort") == "ascending"
    header.find_element(By.TAG_NAME, "button").click()
    numbers = [float(v) for v in values() if v]
    assert numbers == sorted(numbers, reverse=True)
    assert values()[-1] == "" or all(values())  # missing figures last
    browser.save_screenshot(str(ARTIFACTS / "index-sorted.png"))
