"""`etablering data fetch`: Kolada v3 values into the processed tables."""

import pandas as pd

from . import paths, store
from .errors import UsageError
from .kolada import DEFAULT_BASE_URL, KoladaClient
from .registry import Registry


class UnknownKpiError(UsageError):
    """A KPI id Kolada's catalogue does not know: exit code 2."""


# What each report needs from Kolada (ids checked against the 2026-03 KPI catalogue).
KPI_GROUPS = {
    "mottagande": ["N01986", "N01987", "N02006", "N01951"],
    "etablering": [
        "N00973",
        "N00971",
        "N00972",
        "N00995",
        "N00991",  # status 90 days after leaving, %
        "N00960",
        "N00964",  # entered / left the programme during the year, antal
        "N00961",
        "N00962",
        "N00963",
        "N00969",
        "N00970",
        "N00994",  # education mix, %
        "N00700",
        "N02994",  # employment of refugees over longer stays, %
    ],
    "bistand": ["U31001", "N31001", "N31910", "N31859", "N01707"],
}
RECEPTION_KPIS = KPI_GROUPS["mottagande"]
ALL_KPIS = [k for group in KPI_GROUPS.values() for k in group]
POPULATION_KPI = "N01951"
SOURCE = "Kolada"


def fetch_kolada(
    kpis=None, years=None, base_url=None, data_dir=None, log=print, client=None
) -> pd.DataFrame:
    kpis = kpis or ALL_KPIS
    check_kpi_ids(kpis, data_dir)
    client = client or KoladaClient(
        base_url or DEFAULT_BASE_URL, cache_dir=paths.cache_dir() / "kolada"
    )
    ensure_areas(client, data_dir, log)
    registry = Registry.load(data_dir)
    areas = [a.code for a in (*registry.kommuner(), *registry.lan(), registry.riket)]
    log(f"Hämtar {', '.join(kpis)} för {len(areas)} områden från {client.base_url}")
    fetched = client.fetch_values(kpis, areas, years)
    merge_kpi_values(fetched, kpis, data_dir)
    if POPULATION_KPI in kpis:
        merge_population(
            fetched[(fetched["kpi"] == POPULATION_KPI) & (fetched["gender"] == "T")], data_dir
        )
    log(f"Klart: {len(fetched)} värden. Dataversion {store.data_version(data_dir)}.")
    return fetched


def check_kpi_ids(kpis: list[str], data_dir=None) -> None:
    """Refuse ids Kolada's catalogue does not know (a typo would silently return nothing)."""
    if not store.has_table("kpi_catalogue", data_dir):
        return
    known = set(store.read_table("kpi_catalogue", data_dir)["id"])
    unknown = [k for k in kpis if k not in known]
    if unknown:
        raise UnknownKpiError(f"Okända KPI-id enligt Koladas katalog: {', '.join(unknown)}.")


def ensure_areas(client: KoladaClient, data_dir=None, log=print) -> None:
    """Without the offline snapshot, take the list of kommuner, regions and riket from Kolada."""
    if store.has_table("areas", data_dir):
        return
    log("Ingen kommunlista importerad; hämtar Koladas områdeslista.")
    store.write_table(
        "areas",
        areas_from_kolada(client.fetch_municipalities()),
        [{"source": "Kolada API v3, municipality"}],
        data_dir,
    )


def areas_from_kolada(rows: list[dict]) -> pd.DataFrame:
    records = []
    for row in rows:
        code, title, kind = row["id"], row["title"], row.get("type")
        if code == "0000":
            records.append((code, "Riket", "riket", "00"))
        elif kind == "L" and code.startswith("00"):
            records.append((code, title, "lan", code[2:]))
        elif kind == "K":
            records.append((code, title, "kommun", code[:2]))
    return pd.DataFrame(records, columns=["code", "name", "kind", "lan_code"])


def merge_kpi_values(fetched: pd.DataFrame, kpis: list[str], data_dir=None) -> None:
    """Replace earlier Kolada rows of these KPIs; rows from other sources stay."""
    old = (
        store.read_table("kpi_values", data_dir)
        if store.has_table("kpi_values", data_dir)
        else None
    )
    keep = old[~((old["source"] == SOURCE) & old["kpi"].isin(kpis))] if old is not None else None
    merged = pd.concat([x for x in (keep, fetched) if x is not None], ignore_index=True)
    store.write_table("kpi_values", merged, [{"source": "Kolada API v3", "kpis": kpis}], data_dir)


def merge_population(rows: pd.DataFrame, data_dir=None) -> None:
    """Kolada's population (N01951) fills years SCB files do not cover; SCB wins where both exist."""
    rows = rows.dropna(subset=["value"])
    if rows.empty:
        return
    new = pd.DataFrame(
        {
            "area_code": rows["area_code"],
            "year": rows["year"].astype(int),
            "population": rows["value"].round().astype(int),
            "source": f"{SOURCE} ({POPULATION_KPI})",
        }
    )
    old = (
        store.read_table("population", data_dir)
        if store.has_table("population", data_dir)
        else None
    )
    if old is not None:
        old = old[old["source"] != new["source"].iloc[0]]
        new = new[
            ~new.set_index(["area_code", "year"]).index.isin(
                old.set_index(["area_code", "year"]).index
            )
        ]
    merged = pd.concat([x for x in (old, new) if x is not None], ignore_index=True)
    store.write_table("population", merged, [{"source": "SCB-filer och Kolada N01951"}], data_dir)
