"""`etablering data fetch`: Kolada v3 values into the processed tables.

Every page is checked before it is cached or used (the client: the KPIs and years asked for,
finite numbers, no negative counts; here: areas in the kommun list). A fetch that returns
nothing changes nothing and says so (exit 1); fetched rows only ever add to or replace rows of
the same key from an earlier fetch, never delete others; values outside a KPI's domain are
flagged like any imported value (validate.py) and kept out of every report.
"""

import pandas as pd

from ..core import paths
from ..core.errors import UsageError
from . import kpi_store, store
from . import kpis as catalogue
from .kolada import DEFAULT_BASE_URL, KoladaBadResponseError, KoladaClient, KoladaError
from .registry import Registry


class UnknownKpiError(UsageError):
    """A KPI id Kolada's catalogue does not know: exit code 2."""


def fetch_kolada(
    kpis=None, years=None, base_url=None, data_dir=None, log=print, client=None
) -> pd.DataFrame:
    kpis = kpis or catalogue.report_kpis()
    check_kpi_ids(kpis, data_dir)
    client = client or KoladaClient(
        base_url or DEFAULT_BASE_URL, cache_dir=paths.cache_dir() / "kolada"
    )
    ensure_areas(client, data_dir, log)
    registry = Registry.load(data_dir)
    areas = [a.code for a in (*registry.kommuner(), *registry.lan(), registry.riket)]
    log(f"Hämtar {', '.join(kpis)} för {len(areas)} områden från {client.base_url}")
    fetched = client.fetch_values(kpis, areas, years, check_rows=_known_areas(set(areas)))
    if fetched.empty:
        asked = f" för {', '.join(map(str, years))}" if years else ""
        raise KoladaError(
            f"Kolada returnerade inga värden för {', '.join(kpis)}{asked}. Inget ändrades; "
            "det som hämtats tidigare finns kvar."
        )
    missing = sorted(set(kpis) - set(fetched["kpi"]))
    if missing:
        log(f"Inga värden från Kolada för {', '.join(missing)}.")
    flagged = merge_kpi_values(fetched, data_dir)
    if flagged:
        log(
            f"{flagged} av de hämtade värdena klarade inte kontrollerna (t.ex. utanför "
            "nyckeltalets definitionsområde) och flaggades; se `etablering data status`."
        )
    log(f"Klart: {len(fetched)} värden. Dataversion {store.data_version(data_dir)}.")
    return fetched


def _known_areas(known: set[str]):
    """A page with an area that is not in the kommun list is a wrong answer: refused whole."""

    def check(rows: list[dict], url: str) -> None:
        unknown = sorted({r["area_code"] for r in rows} - known)
        if unknown:
            raise KoladaBadResponseError(
                f"Kolada svarade med områden som inte finns i kommunlistan "
                f"({', '.join(unknown[:5])}{' …' if len(unknown) > 5 else ''}) för {url}. "
                "Svaret används inte."
            )

    return check


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


def merge_kpi_values(fetched: pd.DataFrame, data_dir=None) -> int:
    """Add fetched rows: each replaces the stored API row of the same key; nothing the fetch
    did not return is deleted. The whole panel is then validated again. Returns how many of
    the fetched rows were flagged."""
    areas = store.read_table("areas", data_dir)
    population = (
        store.read_table("population", data_dir)
        if store.has_table("population", data_dir)
        else None
    )
    values, flags = kpi_store.merged(
        fetched, ["kpi", "area_code", "year", "gender", "origin"], areas, population, data_dir
    )
    store.write_tables(
        {"kpi_values": values, "kpi_flags": flags},
        {
            "kpi_values": [{"source": "Kolada API v3", "kpis": sorted(set(fetched["kpi"]))}],
            "kpi_flags": [{"rule": "validate.py", "rows": len(flags)}],
        },
        data_dir,
    )
    keys = ["kpi", "area_code", "year", "gender", "origin"]
    return int(flags.merge(fetched[keys].drop_duplicates(), on=keys).shape[0])
