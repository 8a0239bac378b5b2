"""`etablering data import` on the real offline snapshot, and the parquet store behind it."""

import hashlib
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from etablering.core import paths
from etablering.core.errors import EtableringError, MissingDataError, ParseError
from etablering.data import store
from etablering.data.importer import import_dir

MV_DIR = "migrationsverket-2018-via-infovislabb"
KOMMUNTAL_CSV = "Anvisningar_enligt_kommuntalen_2018.csv"
MOTTAGNA_CSV = "Kommunmottagna_enligt_ersattningsforordningen_2018.csv"

EXPECTED_ROWS = {
    "areas": 312,
    "kommuntal": 267,
    "kommunmottagna": 1450,
    "population": 1740,
    "lanstal": 147,
    # the Kolada dump (263 884 rows) and the transcribed Luleå series (40), less 246 flagged
    "kpi_values": 263_678,
    "kpi_flags": 246,
    "kpi_catalogue": 6099 + 2039,  # rKolada 2026-03 and the dump's 2024-08 concepts
    "area_groups": 26573,
}


def quiet(*_args) -> None:
    pass


@pytest.fixture(scope="module")
def snapshot(raw_dir) -> Path:
    return raw_dir


@pytest.fixture(scope="module")
def imported(snapshot, tmp_path_factory) -> tuple[Path, dict[str, int]]:
    """The snapshot imported once into a private data dir. Tests must not write to it."""
    target = tmp_path_factory.mktemp("import") / "processed"
    counts = import_dir(snapshot, target, log=quiet)
    return target, counts


@pytest.fixture
def data_dir(imported, tmp_path) -> Path:
    """A private copy of the imported data dir that a test may change."""
    target = tmp_path / "processed"
    shutil.copytree(imported[0], target)
    return target


def staging_leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(".processed-"))


def kolada_rows() -> pd.DataFrame:
    """Two rows as `data fetch` would store them from the Kolada API (SCB's 2023 population)."""
    return pd.DataFrame(
        {
            "kpi": ["N01951", "N01951"],
            "area_code": ["0680", "0114"],
            "year": [2023, 2023],
            "gender": ["T", "T"],
            "value": [146_161.0, 50_110.0],
            "count": [1.0, float("nan")],
            "status": ["", ""],
            "origin": ["kolada_api", "kolada_api"],
            "retrieved": ["2026-01-15T10:00:00Z", "2026-01-15T10:00:00Z"],
            "source_file": ["", ""],
        }
    )


# --- import of the snapshot ---------------------------------------------------------------------
def test_import_dir_returns_expected_row_counts(imported):
    data, counts = imported
    assert counts == EXPECTED_ROWS
    manifest = store.read_manifest(data)
    assert {name: entry["rows"] for name, entry in manifest["tables"].items()} == EXPECTED_ROWS
    for name, rows in EXPECTED_ROWS.items():
        assert len(store.read_table(name, data)) == rows, name


def test_manifest_lists_source_files_with_sha256_and_rows(imported, snapshot):
    data, _ = imported
    tables = store.read_manifest(data)["tables"]
    kommuntal_file = snapshot / MV_DIR / KOMMUNTAL_CSV
    assert tables["kommuntal"]["sources"] == [
        {
            "path": f"{MV_DIR}/{KOMMUNTAL_CSV}",
            "sha256": hashlib.sha256(kommuntal_file.read_bytes()).hexdigest(),
            "rows": 267,
            "years": [2018],  # what a later import of the same bytes under another year is held to
        }
    ]
    mottagna = tables["kommunmottagna"]["sources"]
    assert [(Path(s["path"]).name, s["rows"]) for s in mottagna] == [(MOTTAGNA_CSV, 1450)]
    assert re.fullmatch(r"[0-9a-f]{64}", mottagna[0]["sha256"])
    # SCB's two exports feed population: 290 kommuner x 2020–2024 and x 2025
    population = {Path(s["path"]).name: s["rows"] for s in tables["population"]["sources"]}
    assert population == {"population_2020-24_raw.xlsx": 1450, "population_2025_raw.xlsx": 290}
    dump = tables["kpi_values"]["sources"]
    assert {"path": "kolada-values-via-open-numbers", "files": 62, "rows": 263_884} in dump
    # tidy derivatives are never imported
    all_sources = [s.get("path", "") for entry in tables.values() for s in entry["sources"]]
    assert not [p for p in all_sources if "_tidy" in p]
    # content_sha256 is the hash of the parquet file as written
    parquet = data / "kommuntal.parquet"
    assert tables["kommuntal"]["content_sha256"] == hashlib.sha256(parquet.read_bytes()).hexdigest()


def test_data_version_is_12_hex_and_same_after_identical_reimport(imported, data_dir, snapshot):
    version = store.data_version(imported[0])
    assert re.fullmatch(r"[0-9a-f]{12}", version)
    assert store.data_version(data_dir) == version
    import_dir(snapshot, data_dir, log=quiet)
    assert store.data_version(data_dir) == version


def test_data_version_changes_when_a_table_changes(data_dir):
    before = store.data_version(data_dir)
    kommuntal = store.read_table("kommuntal", data_dir)
    jonkoping = kommuntal["kommun_code"] == "0680"
    assert kommuntal.loc[jonkoping, "kommuntal"].tolist() == [199]
    kommuntal.loc[jonkoping, "kommuntal"] = 200
    store.write_table("kommuntal", kommuntal, [{"path": "edited in a test"}], data_dir)
    after = store.data_version(data_dir)
    assert re.fullmatch(r"[0-9a-f]{12}", after)
    assert after != before
    assert store.read_table("kommuntal", data_dir)["kommuntal"].sum() == 15_201
    manifest = store.read_manifest(data_dir)["tables"]
    assert manifest["kommuntal"]["rows"] == 267
    assert manifest["kommuntal"]["sources"] == [{"path": "edited in a test"}]
    assert manifest["kommunmottagna"]["rows"] == 1450  # other entries kept


# --- population ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("year", "riket"), [(2020, 10_379_295), (2025, 10_605_520)])
def test_population_riket_sum_per_year(imported, year, riket):
    population = store.read_table("population", imported[0])
    one_year = population[population["year"] == year]
    assert len(one_year) == 290
    assert one_year["population"].sum() == riket


def test_codes_stay_four_character_strings_after_parquet_round_trip(imported):
    data, _ = imported
    raw_parquet = pd.read_parquet(data / "population.parquet")  # no schema in between
    assert "0114" in set(raw_parquet["area_code"])
    assert raw_parquet["area_code"].map(type).eq(str).all()
    assert raw_parquet["area_code"].str.len().eq(4).all()
    population = store.read_table("population", data)
    vasby = population[(population["area_code"] == "0114") & (population["year"] == 2020)]
    assert vasby["population"].tolist() == [47_184]
    for table, column in [
        ("kommuntal", "kommun_code"),
        ("kommunmottagna", "kommun_code"),
        ("areas", "code"),
        ("kpi_values", "area_code"),
    ]:
        codes = store.read_table(table, data)[column]
        assert codes.str.fullmatch(r"\d{4}").all(), table
    areas = store.read_table("areas", data).set_index("code")
    assert areas.loc["0114", "name"] == "Upplands Väsby"
    assert areas.loc["0000", "kind"] == "riket"


# --- atomicity ----------------------------------------------------------------------------------
def test_failed_import_keeps_previous_tables_and_leaves_no_staging(data_dir, snapshot, tmp_path):
    before_version = store.data_version(data_dir)
    before = store.read_table("kommunmottagna", data_dir)
    before_manifest = store.read_manifest(data_dir)

    broken = tmp_path / "raw-broken"
    shutil.copytree(snapshot, broken)
    bad_file = broken / MV_DIR / MOTTAGNA_CSV
    text = bad_file.read_bytes().decode("utf-8")
    good_line = "BLEKINGE LÄN;;KARLSHAMN;6;;11;1;28;6;13;7;112;;170;14"
    assert text.count(good_line) == 1
    bad_file.write_bytes(
        text.replace(good_line, good_line.replace(";6;;11;", ";sex;;11;")).encode()
    )

    with pytest.raises(ParseError) as exc:
        import_dir(broken, data_dir, log=quiet)
    message = str(exc.value)
    assert message.startswith(str(bad_file))
    assert "kolumn 'kvot'" in message
    assert "'sex' är inte ett antal" in message

    assert store.data_version(data_dir) == before_version
    assert store.read_manifest(data_dir) == before_manifest
    pd.testing.assert_frame_equal(store.read_table("kommunmottagna", data_dir), before)
    assert store.read_table("kommunmottagna", data_dir)["persons"].sum() == 44_216
    assert store.read_table("kommuntal", data_dir)["kommuntal"].sum() == 15_200
    assert staging_leftovers(data_dir.parent) == []


def test_failed_write_all_keeps_previous_tables_and_removes_staging(data_dir):
    """A table that fails validation half-way through writing: the swap never happens."""
    before_version = store.data_version(data_dir)
    areas = store.read_table("areas", data_dir)
    bad = store.read_table("kommuntal", data_dir)
    bad.loc[bad["kommun_code"] == "0127", "kommun_code"] = "127"
    with pytest.raises(EtableringError, match="Tabellen 'kommuntal' klarar inte sin kontroll"):
        store.write_all({"areas": areas, "kommuntal": bad}, {}, data_dir)
    assert staging_leftovers(data_dir.parent) == []
    assert store.data_version(data_dir) == before_version
    assert "0127" in set(store.read_table("kommuntal", data_dir)["kommun_code"])


# --- validation ---------------------------------------------------------------------------------
def good_kommuntal() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "year": [2018, 2018],
            "kommun_code": ["0127", "0680"],
            "kommuntal": [92, 199],
            "mottagna_anvisade": [92, 199],
            "origin": ["migrationsverket_fil", "migrationsverket_fil"],
        }
    )


def test_validate_accepts_a_good_kommuntal_table():
    assert len(store.validate("kommuntal", good_kommuntal())) == 2


@pytest.mark.parametrize(
    ("defect", "shown"),
    [
        pytest.param(lambda f: f.assign(kommun_code=["127", "0680"]), "127", id="3-digit-code"),
        pytest.param(lambda f: f.assign(kommuntal=[92, -5]), "-5", id="negative-count"),
        pytest.param(
            lambda f: pd.concat([f, f.iloc[[1]]], ignore_index=True), "0680", id="duplicate-key"
        ),
    ],
)
def test_validate_rejects_bad_kommuntal(defect, shown):
    with pytest.raises(EtableringError) as exc:
        store.validate("kommuntal", defect(good_kommuntal()))
    message = str(exc.value)
    assert message.startswith("Tabellen 'kommuntal' klarar inte sin kontroll")
    assert shown in message


def test_read_table_in_empty_dir_says_how_to_import(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert not store.has_table("kommuntal", empty)
    with pytest.raises(MissingDataError) as exc:
        store.read_table("kommuntal", empty)
    message = str(exc.value)
    assert "Tabellen 'kommuntal' finns inte" in message
    assert str(empty) in message
    assert "etablering data import" in message


# --- rows fetched from Kolada -------------------------------------------------------------------
def test_fetched_rows_survive_reimport_beside_the_dump(data_dir, snapshot):
    kpi = store.read_table("kpi_values", data_dir)
    combined = pd.concat([kpi, kolada_rows()], ignore_index=True)
    store.write_table("kpi_values", combined, [{"path": "Kolada API"}], data_dir)

    for _ in range(2):  # a second re-import adds nothing
        counts = import_dir(snapshot, data_dir, log=quiet)
        assert counts["kpi_values"] == EXPECTED_ROWS["kpi_values"] + 2
    kpi = store.read_table("kpi_values", data_dir)
    fetched = kpi[kpi["origin"] == "kolada_api"].sort_values("area_code", ignore_index=True)
    expected = kolada_rows().sort_values("area_code", ignore_index=True)
    pd.testing.assert_frame_equal(fetched[expected.columns], expected, check_dtype=False)
    transcribed = kpi[kpi["origin"] == "transkriberad"]
    assert len(transcribed) == 40
    assert set(transcribed["area_code"]) == {"2580", "0000"}


def test_a_folder_with_one_file_adds_to_what_is_there(data_dir, tmp_path):
    """Importing only Migrationsverket's kommuntal file keeps every other table as it was."""
    before = {name: store.read_table(name, data_dir) for name in ("kpi_values", "population")}
    folder = tmp_path / "egna"
    folder.mkdir()
    shutil.copy(paths.raw_dir() / MV_DIR / KOMMUNTAL_CSV, folder)
    counts = import_dir(folder, data_dir, log=quiet)
    assert counts == {"kommuntal": 267}
    for name, frame in before.items():
        pd.testing.assert_frame_equal(store.read_table(name, data_dir), frame)
    assert store.read_table("kommunmottagna", data_dir)["persons"].sum() == 44_216
