"""`etablering data import` against careless and hostile files (issue 9): the year from the
content (item 5), impossible values (11), unbounded input (12), malformed files that used to
end in a traceback (8), and the minor items (UTF-16, duplicated rows, messages, permissions).
Every refused import leaves the earlier tables exactly as they were."""

import os
import shutil
import stat
import time
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from etablering.core.errors import ParseError
from etablering.data import importer, store
from etablering.data.importer import import_dir
from etablering.data.parse import sheet
from etablering.run.cli import main

MV = "migrationsverket-2018-via-infovislabb"
KOMMUNTAL = "Anvisningar_enligt_kommuntalen_2018.csv"
MOTTAGNA = "Kommunmottagna_enligt_ersattningsforordningen_2018.csv"
POPULATION = "scb-population-via-kamilovna/population_2025_raw.xlsx"
LANSTAL = "transcribed-official/lanstal_2017_2026_transcribed.csv"
SERIES = "transcribed-official/lulea_N00973_work_or_studies_90d_transcribed.csv"
DUMP = "kolada-values-via-open-numbers"


def quiet(*_args) -> None:
    pass


@pytest.fixture
def data(processed, tmp_path, monkeypatch) -> Path:
    """A private copy of the imported snapshot; `data import` through the CLI writes here."""
    copy = tmp_path / "processed"
    shutil.copytree(processed, copy)
    monkeypatch.setenv("ETABLERING_DATA", str(copy))
    return copy


@pytest.fixture
def folder(tmp_path) -> Path:
    new = tmp_path / "nya-filer"
    new.mkdir()
    return new


def _tables(data_dir: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(data_dir.iterdir())}


def _refused(data_dir: Path, folder: Path, capsys, code: int = 1) -> str:
    """Import through the CLI as a user would; it must fail cleanly and change nothing."""
    before = _tables(data_dir)
    assert main(["data", "import", str(folder)]) == code
    err = capsys.readouterr().err
    assert err.startswith("fel: ") and "Traceback" not in err
    assert _tables(data_dir) == before, "a refused import changed the tables"
    return err


# --- item 5: the year comes from the content ---------------------------------------------------


def test_a_2018_file_renamed_2019_is_refused(raw_dir, data, folder, capsys):
    shutil.copy(raw_dir / MV / MOTTAGNA, folder / MOTTAGNA.replace("2018", "2019"))
    err = _refused(data, folder, capsys)
    assert "filnamnet säger 2019 men filens rubrik säger 2018" in err


def test_a_kommuntal_file_renamed_is_caught_by_the_lanstal(raw_dir, data, folder, capsys):
    # the kommuntal file states no year inside; its län sums are 2018's länstal
    shutil.copy(raw_dir / MV / KOMMUNTAL, folder / KOMMUNTAL.replace("2018", "2019"))
    err = _refused(data, folder, capsys)
    assert "länstalen för 2018, inte 2019" in err


def test_the_same_file_under_two_years_is_refused(raw_dir, data, folder, capsys):
    shutil.copy(raw_dir / MV / KOMMUNTAL, folder / KOMMUNTAL)
    shutil.copy(raw_dir / MV / KOMMUNTAL, folder / KOMMUNTAL.replace("2018", "2021"))
    err = _refused(data, folder, capsys)
    assert "samma fil (byte för byte)" in err


def test_the_same_file_imported_again_later_as_another_year_is_refused(
    raw_dir, data, folder, capsys, monkeypatch
):
    # no länstal to compare with: the manifest remembers which year these bytes were
    monkeypatch.setattr(importer, "_check_kommuntal_year", lambda *a: None)
    shutil.copy(raw_dir / MV / KOMMUNTAL, folder / KOMMUNTAL.replace("2018", "2021"))
    err = _refused(data, folder, capsys)
    assert "redan importerad" in err and "2018" in err and "2021" in err


def test_a_folder_with_only_a_new_year_adds_to_what_is_there(raw_dir, data, folder):
    text = (raw_dir / MV / MOTTAGNA).read_text(encoding="utf-8-sig")
    assert "ersättningsförordningen 2018" in text
    new_year = folder / MOTTAGNA.replace("2018", "2019")
    new_year.write_text(
        text.replace("ersättningsförordningen 2018", "ersättningsförordningen 2019")
    )
    kommuntal_before = store.read_table("kommuntal", data)
    import_dir(folder, data, log=quiet)
    mottagna = store.read_table("kommunmottagna", data)
    assert sorted(set(mottagna["year"])) == [2018, 2019]
    assert len(mottagna) == 2 * 1450
    pd.testing.assert_frame_equal(store.read_table("kommuntal", data), kommuntal_before)
    for table in ("population", "lanstal", "kpi_values", "area_groups"):
        assert store.has_table(table, data)


# --- item 11: impossible values ------------------------------------------------------------------


def _population_with(raw_dir: Path, target: Path, code: str, value) -> Path:
    book = openpyxl.load_workbook(raw_dir / POPULATION)
    sheet_ = book.worksheets[0]
    for row in sheet_.iter_rows(min_row=4):
        if str(row[0].value).startswith(code):
            row[1].value = value
            break
    path = target / "population_2025_raw.xlsx"
    book.save(path)
    return path


@pytest.mark.parametrize("value", [0, -148152])
def test_population_zero_or_negative_is_refused_with_file_row_and_column(
    raw_dir, data, folder, capsys, value
):
    _population_with(raw_dir, folder, "0680", value)
    err = _refused(data, folder, capsys)
    assert "population_2025_raw.xlsx, rad 66, kolumn '2025'" in err
    assert "omöjlig" in err or "inte ett antal" in err


def test_a_negative_count_is_refused_with_file_row_and_column(raw_dir, data, folder, capsys):
    text = (raw_dir / MV / KOMMUNTAL).read_text(encoding="utf-8-sig")
    bad = text.replace("JÖNKÖPINGS LÄN,HABO,6,0643,36,33", "JÖNKÖPINGS LÄN,HABO,6,0643,-36,33")
    (folder / KOMMUNTAL).write_text(bad, encoding="utf-8")
    err = _refused(data, folder, capsys)
    assert f"{KOMMUNTAL}, rad 54, kolumn 'Tal'" in err and "'-36' är inte ett antal" in err


def test_population_zero_never_reaches_the_lan_per_1000(raw_dir, data, folder, capsys):
    _population_with(raw_dir, folder, "0643", 0)
    before = store.read_table("population", data)
    _refused(data, folder, capsys)
    pd.testing.assert_frame_equal(store.read_table("population", data), before)


# --- item 12: bounded input ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "population_2031.xlsx",
        "lanstal_2031.csv",
        f"{DUMP}/ddf--datapoints--n00973--by--geo--year.csv",
    ],
)
def test_a_link_to_dev_zero_is_refused_at_once(raw_dir, data, folder, capsys, name):
    if "ddf" in name:
        (folder / DUMP).mkdir()
        shutil.copy(raw_dir / DUMP / "ddf--concepts.csv", folder / DUMP)
    (folder / name).symlink_to("/dev/zero")
    started = time.monotonic()
    err = _refused(data, folder, capsys)
    assert time.monotonic() - started < 10
    assert "ingen vanlig fil" in err and "enhet" in err


def test_an_oversized_file_is_refused(raw_dir, data, folder, capsys, monkeypatch):
    monkeypatch.setattr(importer, "MAX_FILE_BYTES", 10_000)
    shutil.copy(raw_dir / LANSTAL, folder / "lanstal_x.csv")
    err = _refused(data, folder, capsys)
    assert "MB" in err and "lanstal_x.csv" in err


def test_reads_are_bounded_even_after_the_size_check(tmp_path):
    big = tmp_path / "stor.csv"
    big.write_bytes(b"a;b\n" * 1000)
    with pytest.raises(ParseError, match="större än"):
        sheet.read_bounded(big, limit=100)


# --- item 8: malformed files end in a clear message, not a traceback -----------------------------


def _write(folder: Path, name: str, data: bytes) -> None:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("Anvisningar_enligt_kommuntalen_2019.csv", os.urandom(3000) + b"\0", "ingen textfil"),
        ("Anvisningar_enligt_kommuntalen_2019.csv", b"L\x81n,\x90\n1,2\n", "okänd teckenkodning"),
        ("lanstal_x.csv", b"", "filen är tom"),
        (
            "lanstal_x.csv",
            b"year,lan_code,lan_name,lanstal,national_total,sfs,version,source_url\n",
            "bara rubrikraden",
        ),
        ("lulea_N00973_x_transcribed.csv", b"", "filen är tom"),
        (
            "lulea_N00973_x_transcribed.csv",
            b"kpi_id,area_code,area_name,gender,year,value_pct,source_url\n",
            "bara rubrikraden",
        ),
        (f"{DUMP}/ddf--concepts.csv", b"", "filen är tom"),
        (
            f"{DUMP}/ddf--concepts.csv",
            b"concept,concept_type,name,description,is_divided_by_gender\n",
            "inga nyckeltal",
        ),
        ("kolada/sysdata.rda", b"", "kunde inte läsa R-datafilen"),
        ("kolada/sysdata.rda", os.urandom(500), "kunde inte läsa R-datafilen"),
        ("population_2031.xlsx", os.urandom(200), "kunde inte läsa Excel-filen"),
        ("population_2031.xlsx", b"", "kunde inte läsa Excel-filen"),
    ],
    ids=[
        "binary-csv",
        "not-cp1252",
        "empty-lanstal",
        "header-only-lanstal",
        "empty-kpi-series",
        "header-only-kpi-series",
        "empty-catalogue",
        "header-only-catalogue",
        "empty-groups-rda",
        "garbage-groups-rda",
        "garbage-xlsx",
        "empty-xlsx",
    ],
)
def test_malformed_files_are_refused_clearly(data, folder, capsys, name, content, message):
    _write(folder, name, content)
    if "ddf--concepts" in name:
        _write(
            folder,
            f"{DUMP}/ddf--datapoints--n00973--by--geo--year.csv",
            b"geo,year,n00973\n0680,2018,40\n",
        )
    err = _refused(data, folder, capsys)
    assert message in err, err
    assert Path(name).name in err


def test_empty_and_header_only_datapoints(raw_dir, data, folder, capsys):
    (folder / DUMP).mkdir()
    shutil.copy(raw_dir / DUMP / "ddf--concepts.csv", folder / DUMP)
    _write(folder, f"{DUMP}/ddf--datapoints--n00973--by--geo--year.csv", b"")
    assert "filen är tom" in _refused(data, folder, capsys)


@pytest.mark.parametrize("kind", ["dangling", "loop"])
def test_broken_symlinks_are_refused_clearly(data, folder, capsys, kind):
    if kind == "dangling":
        (folder / "population_2031.xlsx").symlink_to(folder / "finns-inte.xlsx")
        expected = "som inte finns"
    else:
        (folder / "population_2031.xlsx").symlink_to(folder / "population_2032.xlsx")
        (folder / "population_2032.xlsx").symlink_to(folder / "population_2031.xlsx")
        expected = "pekar i cirkel"
    assert expected in _refused(data, folder, capsys)


def test_a_folder_that_links_to_itself_does_not_hang(raw_dir, data, folder):
    shutil.copy(raw_dir / LANSTAL, folder / "lanstal_x.csv")
    (folder / "sub").mkdir()
    (folder / "sub" / "upp").symlink_to(folder)
    import_dir(folder, data, log=quiet)  # the same länstal again: nothing new, no hang


def test_import_of_a_file_or_an_empty_path(data, tmp_path, capsys):
    (tmp_path / "fil.csv").write_text("x")
    assert main(["data", "import", str(tmp_path / "fil.csv")]) == 2
    assert "är en fil, inte en mapp" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main(["data", "import", ""])
    assert exit_.value.code == 2
    assert "tom sökväg" in capsys.readouterr().err


# --- minor items ---------------------------------------------------------------------------------


def test_utf16_files_import_as_their_utf8_originals(raw_dir, tmp_path):
    for name in (KOMMUNTAL, MOTTAGNA):
        text = (raw_dir / MV / name).read_text(encoding="utf-8-sig")
        for encoding in ("utf-16", "utf-16-le"):
            path = tmp_path / encoding / name
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(text.encode(encoding))
            assert sheet.read_rows(path) == sheet.read_rows(raw_dir / MV / name), encoding


def test_a_duplicated_kommun_row_is_named_in_its_own_file(raw_dir, data, folder, capsys):
    text = (raw_dir / MV / KOMMUNTAL).read_text(encoding="utf-8-sig")
    line = "JÖNKÖPINGS LÄN,JÖNKÖPING,6,0680,199,199"
    (folder / KOMMUNTAL).write_text(text.rstrip("\n") + "\n" + line + "\n", encoding="utf-8")
    err = _refused(data, folder, capsys)
    assert "0680 Jönköping står två gånger i filen (rad 55 och" in err
    assert "flera filer" not in err


def test_a_duplicated_population_row_is_named_with_its_rows(raw_dir, data, folder, capsys):
    book = openpyxl.load_workbook(raw_dir / POPULATION)
    ws = book.worksheets[0]
    ws.append(["0680 Jönköping", 148152])
    book.save(folder / "population_2025_raw.xlsx")
    err = _refused(data, folder, capsys)
    assert "0680 står 2 gånger för 2025 (rad 66" in err and "i samma fil" in err


def test_schema_failures_name_column_and_value_not_a_row_index():
    frame = pd.DataFrame(
        {
            "year": [2018, 2018],
            "kommun_code": ["0680", "0680"],
            "kommuntal": [1, -5],
            "mottagna_anvisade": [1, 1],
            "origin": ["migrationsverket_fil"] * 2,
        }
    )
    with pytest.raises(Exception) as exc:
        store.validate("kommuntal", frame)
    message = str(exc.value)
    assert "kolumnen 'kommuntal': -5" in message
    assert "samma uppgift (year, kommun_code) finns flera gånger: 2018, 0680" in message
    assert "index" not in message


def test_processed_tables_are_readable_by_the_group_and_others(raw_dir, tmp_path):
    old = os.umask(0o022)
    try:
        target = tmp_path / "delad" / "processed"
        folder = tmp_path / "in"
        folder.mkdir()
        shutil.copy(
            raw_dir / "geo-sjbrg-swedish-geodata/scb_kommunlankod-2026_via_kamilovna.xlsx", folder
        )
        import_dir(folder, target, log=quiet)
    finally:
        os.umask(old)
    assert stat.S_IMODE(target.stat().st_mode) == 0o755
    assert all(stat.S_IMODE(p.stat().st_mode) & 0o044 == 0o044 for p in target.iterdir())
