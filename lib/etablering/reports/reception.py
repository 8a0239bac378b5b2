"""Everything the 01-mottagande notebook shows, assembled from `reception` and worded in Swedish.

The notebook shows what these functions make of `build()`'s result (it reads only the data
version itself), so every number and sentence is tested here.
Kolada's series (every year) and Migrationsverket's files (the years imported, 2018 in the
snapshot) are two sources: each table and chart names the one it shows, and where both have a
figure for the same thing they are shown side by side with the reason they differ.
"""

from dataclasses import dataclass, field

import pandas as pd

from ..analysis import reception
from ..analysis.cache import shared
from ..core import fmt
from ..core.errors import MissingDataError, ParameterError
from ..data import kpis, origin, panel
from ..data.registry import Area, Registry
from ..data.schemas import CATEGORIES
from . import texts
from .base import Report, ReportData
from .notebook_params import ReportParams

MINUS = "\u2212"
NOT_PUBLISHED = "–"  # Kolada does not publish the figure for that year (explained under the table)
PEER_LABEL = "Liknande kommuner (medel)"


@dataclass
class FileYear:
    """Migrationsverket's files for one year (the chosen year if imported, else the latest)."""

    year: int
    table: pd.DataFrame  # all kommuner: reception.kommun_table
    row: pd.Series  # the kommun, or the län's sum (reception.lan_table)
    lan_totals: reception.Totals
    riket_totals: reception.Totals
    peer_means: dict[str, tuple[float, int]]
    has_kommuntal: bool
    kolada: pd.Series  # Kolada's counts for the area in the same year (for the side by side)
    kolada_lan: pd.Series
    kolada_riket: pd.Series
    n_equal: int  # kommuner whose kommunmottagna are the same in the file and in Kolada
    n_both: int
    n_zero: int = 0  # kommuner the kommuntal file lists with kommuntal 0
    # Kolada's mottagna efter anvisning in the year for the kommuner the file does not list
    not_listed_anvisning: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))

    def probably_zero(self, codes) -> bool:
        """A kommun the kommuntal file leaves out probably had kommuntal 0 (SOURCES.md: 23 are
        left out, 23 others listed with 0) when the file lists others with 0 and Kolada has no
        one received on anvisning there that year either."""
        anvisning = self.not_listed_anvisning.reindex(list(codes))
        return self.n_zero > 0 and bool(((anvisning == 0) | anvisning.isna()).all())


@dataclass
class ReceptionReport(Report):
    area: Area
    lan: Area
    year: int
    years: list[int]  # years with reception data for the area
    series: pd.DataFrame  # the area by year (a kommun's rows, or the sum over a län's kommuner)
    lan_series: pd.DataFrame  # the län: sum over its kommuner
    riket: pd.DataFrame
    table: pd.DataFrame  # all kommuner in `year` (Kolada), with ranks
    lans: pd.DataFrame  # all län in `year`
    peer_title: str | None
    peer_members: list[str]
    peer_means: dict[str, tuple[float, int]]
    files: FileYear | None
    file_years: list[int]
    lanstal: pd.DataFrame
    kolada_rows: pd.DataFrame  # the Kolada rows behind the area's series (for source lines)
    population_rows: pd.DataFrame  # population rows used (for source lines)
    flags: pd.DataFrame  # flagged rows of the area's KPIs
    notes: list[str] = field(default_factory=list)
    data_version: str = ""
    n_members: int = 1  # kommuner summed (a län's report)
    lan_size: int = 0  # kommuner in the area's län (Gotland is its län's only one)

    # A län's report: the series is the sum over its kommuner, and `lan` is the area (is_lan).

    @property
    def title(self) -> str:
        return texts.RECEPTION("page.title", area=self.area.name, year=self.year)

    @property
    def subtitle(self) -> str:
        return subtitle(self) + " " + years_text(self)

    @property
    def source(self) -> str:
        """The source of the series (Kolada's kommunmottagna and the KPIs beside them)."""
        return kolada_source(self)

    @property
    def has_series(self) -> bool:
        """Kolada's kommunmottagna exist for the area in some year."""
        return bool(self.series["received"].notna().any())

    @property
    def row(self) -> pd.Series:
        """The area's figures for the chosen year (all NA if Kolada has none that year)."""
        if self.year in self.series.index:
            return self.series.loc[self.year]
        return pd.Series(index=self.series.columns, dtype=object)

    @property
    def kommuner(self) -> pd.DataFrame:
        """The län's kommuner in the chosen year (a kommun's report: its län's kommuner)."""
        return self.table[self.table["lan_code"] == self.area.lan_code]


# --- loading and building -----------------------------------------------------------------------


def member_codes(area: Area, registry: Registry) -> list[str]:
    """The kommuner whose figures make the area's: itself, or a län's kommuner."""
    if area.kind == "lan":
        return [k.code for k in registry.kommuner(area.lan_code)]
    return [area.code]


def years_for_area(area: Area, registry: Registry, tables: dict, by_kommun=None) -> list[int]:
    """Years with reception data for the area (a län: for any of its kommuner)."""
    return reception.years_with_data(
        tables["kpi_values"], tables["kommunmottagna"], member_codes(area, registry), by_kommun
    )


def resolve_year(area: Area, year: int | None, years: list[int]) -> int:
    """`year`, or the latest year with data when None; ParameterError when it has none."""
    if year is None and years:
        return max(years)
    problem = reception.year_problem(area.name, year, years)
    if problem:
        raise ParameterError(problem)
    return year


def build(params: ReportParams, data: ReportData) -> ReceptionReport:
    tables, registry = data, data.registry
    area = params.kommun
    codes = member_codes(area, registry)
    by_kommun = shared(reception.years_by_kommun, tables["kpi_values"], tables["kommunmottagna"])
    years = years_for_area(area, registry, tables, by_kommun)
    year = resolve_year(area, params.year, years)
    lan = registry.lan_of(area)
    kv, areas, population = tables["kpi_values"], tables["areas"], tables["population"]

    # the same for every area: computed once per kernel (analysis.cache.shared)
    kpanel = shared(reception.kolada_panel, kv, areas, population)
    lan_codes = [k.code for k in registry.kommuner(area.lan_code)]
    lan_series = reception.with_change(shared(reception.aggregate, kpanel, tuple(lan_codes)))
    if area.kind == "lan":
        series = lan_series
    else:
        series = reception.kommun_series(kpanel, area.code)
    riket = shared(reception.riket_series, kpanel, kv, population)
    table = shared(reception.year_table, kpanel, areas, year)

    notes = []
    peer_title, members, peer_means = None, [], {}
    if area.kind == "kommun":  # Kolada's peer groups are for kommuner
        try:
            peer_title, members = reception.peer_group(
                tables["area_groups"], area.name, params.peer_kind
            )
            peer_means = {
                c: reception.peer_mean(table, members, c) for c in ("per_1000", "per_1000_kolada")
            }
        except MissingDataError as exc:
            notes.append(str(exc))

    file_years = reception.available_years(tables["kommuntal"], tables["kommunmottagna"])
    files = _file_year(area, year, file_years, tables, registry, kpanel, riket, members)
    lanstal = reception.lanstal_context(
        tables["lanstal"],
        tables["kommuntal"],
        area.lan_code,
        area.code,
        lan_series["anvisning"] if "anvisning" in lan_series else None,
    )
    kolada_rows = panel.values(
        kv, [*reception.SERIES_KPIS, kpis.RECEIVED_PER_1000], codes + ["0000"]
    )
    population_rows = population[population["area_code"].isin(codes)]
    flags = tables["kpi_flags"]
    flags = flags[flags["kpi"].isin(reception.SERIES_KPIS + [kpis.RECEIVED_PER_1000])]
    return ReceptionReport(
        area=area,
        lan=lan,
        year=year,
        years=years,
        series=series,
        lan_series=lan_series,
        riket=riket,
        table=table,
        lans=shared(reception.lan_per_1000, kpanel, areas, year),
        peer_title=peer_title,
        peer_members=members,
        peer_means=peer_means,
        files=files,
        file_years=file_years,
        lanstal=lanstal,
        kolada_rows=kolada_rows,
        population_rows=population_rows,
        flags=flags[flags["area_code"].isin(codes)],
        notes=notes,
        data_version=data.version,
        n_members=len(codes),
        lan_size=len(lan_codes),
    )


def _file_year(area, year, file_years, tables, registry, kpanel, riket, members):
    """Migrationsverket's files for the chosen year, or the latest year imported."""
    if not file_years:
        return None
    fy = year if year in file_years else max(file_years)
    table = shared(
        reception.kommun_table,
        fy,
        tables["areas"],
        tables["kommuntal"],
        tables["kommunmottagna"],
        tables["population"],
    )
    lan = registry.lan_of(area)
    lan_part = table[table["lan_code"] == area.lan_code]
    if area.kind == "lan":
        rows = reception.lan_table(table, {a.lan_code: a.name for a in registry.lan()})
        row = rows.set_index("area_code").loc[area.code].copy()
    else:
        row = table.set_index("kommun_code").loc[area.code].copy()
    peer_means = (
        {
            c: reception.peer_mean(table, members, c)
            for c in ("per_1000", "totalt_per_kommuntal", "uppfyllelse_pct")
        }
        if members
        else {}
    )
    kolada_year = kpanel[kpanel["year"] == fy].set_index("kommun_code")
    not_listed = table.loc[table["kommuntal_status"] == reception.NOT_LISTED, "kommun_code"]
    both = table.set_index("kommun_code")["mottagna_totalt"].dropna()
    both = both[both.index.isin(kolada_year.index[kolada_year["received"].notna()])]
    equal = (both.astype(float) == kolada_year.loc[both.index, "received"]).sum()
    lan_codes = [k.code for k in registry.kommuner(area.lan_code)]
    lan_agg = shared(reception.aggregate, kpanel, tuple(lan_codes))
    empty = pd.Series(dtype=float)
    if area.kind == "lan":
        kolada = lan_agg.loc[fy] if fy in lan_agg.index else empty
    else:
        kolada = kolada_year.loc[area.code] if area.code in kolada_year.index else empty
    return FileYear(
        year=fy,
        table=table,
        row=row,
        lan_totals=reception.totals(lan_part, lan.name),
        riket_totals=reception.totals(table, "Riket"),
        peer_means=peer_means,
        has_kommuntal=bool((tables["kommuntal"]["year"] == fy).any()),
        kolada=kolada,
        kolada_lan=lan_agg.loc[fy] if fy in lan_agg.index else empty,
        kolada_riket=riket.loc[fy] if fy in riket.index else empty,
        n_equal=int(equal),
        n_both=len(both),
        n_zero=int((table["kommuntal"] == 0).sum()),
        not_listed_anvisning=kolada_year["anvisning"].reindex(not_listed.tolist()),
    )


# --- sources ---------------------------------------------------------------------------------


def kolada_source(rep: ReceptionReport, kpi_ids=None) -> str:
    """'Källa: Kolada (RKA), uttag augusti 2024: <kpis.RECEIVED>, … (Migrationsverkets statistik).'"""
    kpi_ids = kpi_ids or reception.SERIES_KPIS
    rows = rep.kolada_rows[rep.kolada_rows["kpi"].isin(kpi_ids)]
    return texts.RECEPTION(
        "sources.series",
        kolada=panel.sources(rows),
        ids=", ".join(dict.fromkeys(kpi_ids)),
        lan=rep.is_lan,
        n=rep.n_members,
        area=rep.area.name,
    )


def population_source(rep: ReceptionReport) -> str:
    """'folkmängd 31 december: SCB 2020–2022; Kolada (RKA), uttag augusti 2024 (<kpis.POPULATION>)
    2004–2019' – each origin with the years the report used from it."""
    years = set(rep.series.index) | {y - 1 for y in rep.series.index}
    rows = rep.population_rows[rep.population_rows["year"].isin(years)]
    if rows.empty:
        return texts.RECEPTION("sources.population", parts=[fmt.MISSING])
    described = pd.Series(
        [origin.describe(o, r) for o, r in zip(rows["origin"], rows["retrieved"], strict=True)],
        index=rows.index,
    )
    parts = []
    for name in panel.sources(rows).split("; "):
        used = rows[described == name]
        kpi = f" ({kpis.POPULATION})" if (used["origin"] != origin.Origin.SCB_FILE).any() else ""
        parts.append(f"{name}{kpi} {reception.year_ranges(used['year'])}")
    return texts.RECEPTION("sources.population", parts=parts)


def _kolada_per_1000(rep: ReceptionReport) -> str:
    """Where Kolada's kommunmottagna and per 1 000 behind the own calculation come from."""
    rows = rep.kolada_rows[rep.kolada_rows["kpi"].isin([kpis.RECEIVED, kpis.RECEIVED_PER_1000])]
    return panel.sources(rows)


def per_1000_source(rep: ReceptionReport) -> str:
    return texts.RECEPTION(
        "sources.per_1000", kolada=_kolada_per_1000(rep), population=population_source(rep)
    )


def files_source(rep: ReceptionReport, population: bool = False) -> str:
    y = rep.files.year
    values = {"year": y, "population": population}
    if population:
        r = rep.files.row
        values |= {
            "population_year": int(r["population_year"]) if pd.notna(r["population_year"]) else y,
            "proxy": bool(r["population_proxy"]),
            "population_source": r["population_source"] or "SCB",
        }
    return texts.RECEPTION("sources.files", **values)


# --- wording helpers -----------------------------------------------------------------------------


def signed_percent(value) -> str:
    """'+48 %', '−22 %'; a change under half a percent keeps a decimal ('−0,4 %', never
    '−0 %'), and one that rounds to nothing even so is '0 %'."""
    if value is None or pd.isna(value):
        return fmt.MISSING
    tiny = fmt.number(abs(value)) == "0" and fmt.number(abs(value), 1) != "0,0"
    return f"{fmt.signed(value, 1 if tiny else 0)}{fmt.NBSP}%"


def change_phrase(received, previous, previous_year: int) -> str:
    """'78 fler än 2021 (+48 %)', '80 färre än 2020 (−33 %)', 'lika många som 2021'."""
    missing = pd.isna(previous)
    diff = None if missing else received - previous
    return texts.RECEPTION(
        "summary.change",
        previous=None if missing else previous,
        previous_year=previous_year,
        diff=diff,
        diff_text=None if missing else fmt.number(abs(diff)),
        change_pct=None if missing or previous == 0 else signed_percent(100 * diff / previous),
    )


def missing_text(rep: ReceptionReport, kpi_id: str, year: int, gender: str = "T") -> str:
    """'uppgift saknas', or 'uppgift saknas (flaggad: …)' when the value broke an identity."""
    codes = [rep.area.code] if not rep.is_lan else rep.kommuner["kommun_code"].tolist()
    rows = pd.concat([panel.flag_reasons(rep.flags, kpi_id, c) for c in codes])
    rows = rows[(rows["year"] == year) & (rows["gender"] == gender)]
    if rows.empty:
        return fmt.MISSING
    return f"{fmt.MISSING} (flaggad: {'; '.join(dict.fromkeys(rows['detail']))})"


# Kommuntal status as the report words it: the keys of [status] in 01-mottagande.toml.
STATUS_TEXTS = {
    reception.KommuntalStatus.LISTED: "status.listad",
    reception.KommuntalStatus.NOT_LISTED: "status.ej_listad",
    reception.KommuntalStatus.NO_FILE: "status.ingen_fil",
}


def status_text(status: str, year: int) -> str:
    """'ej listad i kommuntalsfilen', 'kommuntalsfil för 2019 saknas'."""
    return texts.RECEPTION(STATUS_TEXTS[reception.KommuntalStatus(status)], year=year)


def _per_1000(value) -> str:
    return fmt.number(value, 1)


def _names(codes: list[str], table: pd.DataFrame) -> str:
    names = table.set_index("kommun_code")["name"]
    return fmt.listing([names.get(c, c) for c in codes])


# --- title and summary ---------------------------------------------------------------------------


def subtitle(rep: ReceptionReport) -> str:
    return texts.RECEPTION(
        "page.subtitle",
        lan=rep.is_lan,
        code=rep.area.lan_code if rep.is_lan else rep.area.code,
        n=rep.n_members,
        lan_name=rep.lan.name,
        version=rep.data_version,
    )


def years_text(rep: ReceptionReport) -> str:
    return texts.RECEPTION(
        "page.years",
        year=rep.year,
        shown=reception.year_ranges(rep.years),
        latest=max(rep.years),
    )


def summary_text(rep: ReceptionReport) -> str:
    T = texts.RECEPTION
    r, name, y = rep.row, rep.area.name, rep.year
    parts = []
    if pd.isna(r.get("received")):
        missing = missing_text(rep, kpis.RECEIVED, y)
        parts.append(T("summary.no_received", area=name, year=y, missing=missing))
    else:
        parts.append(T(
            "summary.received", area=name, received=fmt.number(r["received"]), year=y,
            change=change_phrase(r["received"], r["received_prev"], y - 1), lan=rep.is_lan,
            n=rep.n_members,
        ))  # fmt: skip
        if rep.is_lan and r["missing_received"]:
            parts.append(T(
                "summary.lan_missing", n=r["n_received"], n_kommuner=r["n_kommuner"],
                names=_names(r["missing_received"], rep.table),
            ))  # fmt: skip
        if pd.notna(r["received_k"]) and pd.notna(r["received_m"]):
            women, men = fmt.number(r["received_k"]), fmt.number(r["received_m"])
            parts.append(T("summary.genders", women=women, men=men))
        parts.append(_anvisning_sentence(rep, r))
        received = rep.series["received"].dropna()
        peak_year = int(received.idxmax())
        parts.append(T(
            "summary.peak", first=int(received.index.min()), last=int(received.index.max()),
            peak_year=peak_year, peak=fmt.number(received[peak_year]),
        ))  # fmt: skip
    if rep.has_series:
        parts.append(_per_1000_sentence(rep, r))
    elif rep.files is not None:
        parts.append(T("summary.files_only", year=rep.files.year))
    return " ".join(p for p in parts if p)


def _anvisning_sentence(rep: ReceptionReport, r: pd.Series) -> str:
    anvisning, unaccompanied = r["anvisning"], r["unaccompanied"]
    if pd.isna(anvisning) and pd.isna(unaccompanied):
        return ""
    return texts.RECEPTION(
        "summary.anvisning",
        anvisning=None if pd.isna(anvisning) else fmt.number(anvisning),
        unaccompanied=None if pd.isna(unaccompanied) else unaccompanied,
        unaccompanied_text=fmt.number(unaccompanied),
        lan=rep.is_lan,
        n=rep.n_members,
    )


def _per_1000_sentence(rep: ReceptionReport, r: pd.Series) -> str:
    T = texts.RECEPTION
    if pd.isna(r.get("per_1000")):
        return T("summary.per_1000_missing")
    riket = rep.riket.loc[rep.year, "per_1000"] if rep.year in rep.riket.index else None
    values = {
        "per_1000": _per_1000(r["per_1000"]),
        "year": rep.year,
        "proxy_year": int(r["population_year"]) if r["population_proxy"] else None,
        "riket": _per_1000(riket),
        "lan": rep.is_lan,
    }
    if rep.is_lan:
        lan = rep.lans.set_index("area_code")
        if rep.area.code in lan.index:
            own = lan.loc[rep.area.code]
            values |= {"rank": own["rank"], "n_rank": own["n_rank"]}
        kommuner = rep.kommuner.dropna(subset=["per_1000"])
        if len(kommuner) > 1:
            most = kommuner.loc[kommuner["per_1000"].idxmax()]
            least = kommuner.loc[kommuner["per_1000"].idxmin()]
            values |= {
                "most": {"name": most["name"], "value": _per_1000(most["per_1000"])},
                "least": {"name": least["name"], "value": _per_1000(least["per_1000"])},
            }
        return T("summary.per_1000", **{"rank": None, "most": None} | values)
    own = rep.table.set_index("kommun_code").loc[rep.area.code]
    peers = None
    if rep.peer_title:
        mean, n = rep.peer_means["per_1000"]
        peers = {"n": n, "mean": _per_1000(mean)}
    alone = rep.lan_size == 1  # the län is the kommun: no place "1 av 1", no second figure
    return T(
        "summary.per_1000",
        rank=own["rank_riket"],
        n_rank=own["n_rank_riket"],
        rank_lan=None if alone else own["rank_lan"],
        n_rank_lan=own["n_rank_lan"],
        lan_name=rep.lan.name,
        lan_value=None if alone else _per_1000(rep.lan_series.loc[rep.year, "per_1000"]),
        peers=peers,
        **values,
    )


# --- the series year by year ---------------------------------------------------------------------


def _cell(rep: ReceptionReport, value, kpi_id: str, year: int, gender: str = "T") -> str:
    """A count: the number, '–' before Kolada publishes the KPI, or 'uppgift saknas' (why)."""
    if pd.notna(value):
        return fmt.number(value)
    column = next(c for c, key in reception.SERIES.items() if key == (kpi_id, gender))
    published = rep.riket[column].dropna() if column in rep.riket else pd.Series(dtype=float)
    if published.empty or year < published.index.min():
        return NOT_PUBLISHED
    return missing_text(rep, kpi_id, year, gender)


def series_table(rep: ReceptionReport) -> pd.DataFrame:
    """The area year by year: kommunmottagna (women, men), change, efter anvisning, ensamkommande."""
    s = rep.series
    rows = []
    for year, r in s.iterrows():
        change = (
            NOT_PUBLISHED if year == s.index.min() else change_cell(r["change"], r["change_pct"])
        )
        row = {
            "År": str(year),
            f"Kommunmottagna ({kpis.RECEIVED})": _cell(rep, r["received"], kpis.RECEIVED, year),
            "varav kvinnor": _cell(rep, r["received_k"], kpis.RECEIVED, year, "K"),
            "varav män": _cell(rep, r["received_m"], kpis.RECEIVED, year, "M"),
            "Förändring mot året innan": change,
            f"Efter anvisning ({kpis.RECEIVED_ANVISNING})": _cell(
                rep, r["anvisning"], kpis.RECEIVED_ANVISNING, year
            ),
            f"Anvisade ensamkommande barn ({kpis.UNACCOMPANIED_ANVISADE})": _cell(
                rep, r["unaccompanied"], kpis.UNACCOMPANIED_ANVISADE, year
            ),
        }
        if rep.is_lan and rep.lan_size > 1:  # Gotlands län: "1 av 1" every year says nothing
            row["Kommuner med uppgift"] = f"{r['n_received']} av {r['n_kommuner']}"
        rows.append(row)
    return pd.DataFrame(rows).set_index("År")


def series_note(rep: ReceptionReport) -> str:
    first = {
        column: rep.riket[column].first_valid_index()
        for column in ("received", "received_k", "anvisning", "unaccompanied")
        if column in rep.riket
    }
    return texts.RECEPTION(
        "series.note", not_published=NOT_PUBLISHED, is_lan=rep.is_lan, n=rep.n_members, **first
    )


def series_frame(rep: ReceptionReport) -> pd.DataFrame:
    """The series for the chart: year x (received, received_k, received_m, anvisning,
    unaccompanied)."""
    return rep.series[["received", "received_k", "received_m", "anvisning", "unaccompanied"]]


def series_missing_text(rep: ReceptionReport) -> str:
    """Said where Kolada's series would be, when it is not in the data at all."""
    return texts.RECEPTION("series.missing", area=rep.area.name)


def series_title(rep: ReceptionReport) -> str:
    s = rep.series["received"].dropna()
    years = None if s.empty else f"{int(s.index.min())}–{int(s.index.max())}"
    return texts.RECEPTION("series.chart", area=rep.area.name, years=years)


# --- per 1 000: Kolada's and our own -------------------------------------------------------------


def per_1000_table(rep: ReceptionReport) -> pd.DataFrame:
    s = rep.series
    kolada_label = (
        f"Per 1 000, Koladas metod ({kpis.RECEIVED_PER_1000}, beräknad)"
        if rep.is_lan
        else f"Per 1 000, Kolada ({kpis.RECEIVED_PER_1000})"
    )
    out = pd.DataFrame(
        {
            "År": s.index.astype(str),
            "Folkmängd 31 dec. året innan": [fmt.number(v) for v in s["population_prev"]],
            "Folkmängd 31 dec. samma år": [
                fmt.number(v) + (f" ({int(py)}, närmaste år)" if proxy else "")
                for v, py, proxy in zip(
                    s["population"], s["population_year"], s["population_proxy"], strict=True
                )
            ],
            kolada_label: [fmt.number(v, 2) for v in s["per_1000_kolada"]],
            "Per 1 000, egen beräkning": [fmt.number(v, 2) for v in s["per_1000"]],
        }
    )
    if not rep.is_lan:
        out[f"{rep.lan.name}, egen"] = [
            fmt.number(rep.lan_series["per_1000"].get(y), 2) for y in s.index
        ]
    out["Riket, egen"] = [fmt.number(rep.riket["per_1000"].get(y), 2) for y in s.index]
    return out.set_index("År")


def per_1000_text(rep: ReceptionReport) -> str:
    """One sentence on why the two per-1 000 figures differ, with the chosen year's pair."""
    r = rep.row
    pop, prev = r.get("population"), r.get("population_prev")
    pair, grew = None, None
    if not (pd.isna(r.get("per_1000_kolada")) or pd.isna(r.get("per_1000")) or pd.isna(pop)):
        kolada, own = fmt.apart(r["per_1000_kolada"], r["per_1000"])
        pair = {"kolada": kolada, "own": own}
        if not (pd.isna(prev) or pop == prev):
            grew = bool(pop > prev)
    return texts.RECEPTION(
        "per_1000.kolada_vs_own", lan=rep.is_lan, pair=pair, grew=grew, year=rep.year
    )


def per_1000_frame(rep: ReceptionReport) -> pd.DataFrame:
    """Lines for the chart: the area's own and Kolada's per 1 000, the län's and riket's own."""
    s = rep.series
    kolada = (
        f"{rep.area.name}, Koladas metod (föregående års folkmängd)"
        if rep.is_lan
        else f"{rep.area.name}, Kolada {kpis.RECEIVED_PER_1000} (föregående års folkmängd)"
    )
    frame = pd.DataFrame(
        {
            f"{rep.area.name}, egen beräkning (samma års folkmängd)": s["per_1000"],
            kolada: s["per_1000_kolada"],
        }
    )
    if not rep.is_lan:
        frame[f"{rep.lan.name}, egen beräkning"] = rep.lan_series["per_1000"].reindex(s.index)
    frame["Riket, egen beräkning"] = rep.riket["per_1000"].reindex(s.index)
    return frame.astype(float)


# --- comparison in the chosen year ------------------------------------------------------------


COMPARISON_ROWS = (
    ("received", "Kommunmottagna", fmt.number),
    ("received_k", "varav kvinnor", fmt.number),
    ("received_m", "varav män", fmt.number),
    ("anvisning", "Mottagna efter anvisning", fmt.number),
    ("unaccompanied", "Anvisade ensamkommande barn", fmt.number),
    ("per_1000", "Per 1 000 invånare, egen beräkning", lambda v: fmt.number(v, 1)),
    ("per_1000_kolada", "Per 1 000 invånare, Koladas metod", lambda v: fmt.number(v, 1)),
)


def comparison_heading(rep: ReceptionReport) -> str:
    return texts.RECEPTION("comparison.heading", lan=rep.is_lan, n=rep.n_members, year=rep.year)


def comparison_table(rep: ReceptionReport) -> pd.DataFrame:
    """The area, its län, riket and the peer mean in the chosen year (Kolada)."""
    y = rep.year
    columns = {rep.area.name: rep.row}
    if not rep.is_lan:
        columns[rep.lan.name] = rep.lan_series.loc[y] if y in rep.lan_series.index else None
    columns["Riket"] = rep.riket.loc[y] if y in rep.riket.index else None
    out = {}
    for name, r in columns.items():
        out[name] = [
            f(r.get(key)) if r is not None else fmt.MISSING for key, _, f in COMPARISON_ROWS
        ]
    if rep.peer_title:
        peer = {k: rep.peer_means[k][0] for k in ("per_1000", "per_1000_kolada")}
        out[PEER_LABEL] = [
            fmt.number(peer[key], 1) if key in peer else NOT_PUBLISHED
            for key, _, _ in COMPARISON_ROWS
        ]
    labels = [label for _, label, _ in COMPARISON_ROWS]
    table = pd.DataFrame(out, index=labels)
    rank = rep.table.set_index("kommun_code")
    if (
        not rep.is_lan
        and rep.area.code in rank.index
        and pd.notna(rank.loc[rep.area.code, "rank_riket"])
    ):
        r = rank.loc[rep.area.code]
        place = f"{r['rank_riket']} av {r['n_rank_riket']} i riket"
        if rep.lan_size > 1:
            place += f", {r['rank_lan']} av {r['n_rank_lan']} i länet"
        ranks = {rep.area.name: place}
        table.loc["Plats efter per 1 000 (egen beräkning)"] = [
            ranks.get(c, NOT_PUBLISHED) for c in table.columns
        ]
    return table


def comparison_source(rep: ReceptionReport) -> str:
    return texts.RECEPTION(
        "sources.comparison",
        kolada=_kolada_per_1000(rep),
        population=population_source(rep),
        riket_from_kolada=bool(
            rep.year in rep.riket.index and rep.riket.loc[rep.year, "from_kolada"]
        ),
        peers=rep.peer_title,
    )


def comparison_chart_source(rep: ReceptionReport) -> str:
    rows = rep.kolada_rows[rep.kolada_rows["kpi"] == kpis.RECEIVED]
    return texts.RECEPTION(
        "sources.comparison_chart",
        kolada=panel.sources(rows),
        population=population_source(rep),
        peers=rep.peer_title,
    )


def per_1000_comparison(rep: ReceptionReport) -> tuple[pd.Series, pd.Series]:
    """Own per 1 000 in the chosen year: the kommun, its peers, the peer mean, län and riket; for
    a län its kommuner (most per invånare first), then the län and riket."""
    table = rep.table.set_index("kommun_code")
    riket = rep.riket["per_1000"].get(rep.year)
    if rep.is_lan:
        own = rep.kommuner.sort_values("per_1000", ascending=False, na_position="last")
        values = dict(zip(own["name"], own["per_1000"], strict=True))
        kinds = dict.fromkeys(values, "kommun")
        values[rep.area.name], kinds[rep.area.name] = rep.row["per_1000"], "lan"
        values["Riket"], kinds["Riket"] = riket, "riket"
        return pd.Series(values, dtype=float), pd.Series(kinds)
    values = {rep.area.name: rep.row.get("per_1000")}
    kinds = {rep.area.name: "kommun"}
    for code in rep.peer_members:
        if code in table.index:
            values[table.loc[code, "name"]] = table.loc[code, "per_1000"]
            kinds[table.loc[code, "name"]] = "peer"
    if rep.peer_title:
        label = "Liknande kommuner, medel"
        values[label], kinds[label] = rep.peer_means["per_1000"][0], "peer"
    values[rep.lan.name], kinds[rep.lan.name] = rep.lan_series["per_1000"].get(rep.year), "lan"
    values["Riket"], kinds["Riket"] = riket, "riket"
    return pd.Series(values, dtype=float), pd.Series(kinds)


def lan_bars(rep: ReceptionReport) -> tuple[pd.Series, pd.Series]:
    """Every län's own per 1 000 in the chosen year, most first, and riket; the area's län
    stands out."""
    if rep.lans.empty:
        return pd.Series(dtype=float), pd.Series(dtype=str)
    values = dict(zip(rep.lans["name"], rep.lans["per_1000"], strict=True))
    kinds = {
        name: ("kommun" if code == rep.lan.code else "lan")
        for name, code in zip(rep.lans["name"], rep.lans["area_code"], strict=True)
    }
    values["Riket"], kinds["Riket"] = rep.riket["per_1000"].get(rep.year), "riket"
    return pd.Series(values, dtype=float), pd.Series(kinds)


def lan_bars_text(rep: ReceptionReport) -> str:
    if rep.lans.empty or rep.lan.code not in set(rep.lans["area_code"]):
        return ""
    lans = rep.lans.set_index("area_code")
    r = lans.loc[rep.lan.code]
    top = rep.lans.iloc[0]
    return texts.RECEPTION(
        "lans.text",
        lan=rep.lan.name,
        per_1000=_per_1000(r["per_1000"]),
        year=rep.year,
        rank=r["rank"],
        n_rank=r["n_rank"],
        top=top["name"],
        top_per_1000=_per_1000(top["per_1000"]),
    )


def kommuner_table(rep: ReceptionReport) -> pd.DataFrame:
    """The län's kommuner side by side in the chosen year, most received per 1 000 first."""
    own = rep.kommuner.sort_values("per_1000", ascending=False, na_position="last")
    out = pd.DataFrame(
        {
            "Kommun": own["name"],
            f"Kommunmottagna ({kpis.RECEIVED})": own["received"].map(fmt.number),
            "Förändring mot året innan": [
                change_cell(v - p)
                for v, p in zip(own["received"], own["received_prev"], strict=True)
            ],
            f"Efter anvisning ({kpis.RECEIVED_ANVISNING})": own["anvisning"].map(fmt.number),
            f"Ensamkommande barn ({kpis.UNACCOMPANIED_ANVISADE})": own["unaccompanied"].map(
                fmt.number
            ),
            "Per 1 000, egen": own["per_1000"].map(_per_1000),
            f"Per 1 000, Kolada ({kpis.RECEIVED_PER_1000})": own["per_1000_kolada"].map(_per_1000),
            "Plats i länet": own["rank_lan"].map(fmt.number),
            "Plats i riket": own["rank_riket"].map(fmt.number),
        }
    ).set_index("Kommun")
    return out


def change_cell(change, change_pct=None) -> str:
    """'+78 (+48 %)', '−80 (−33 %)', '0 (0 %)'; the number alone when the % is undefined."""
    if change is None or pd.isna(change):
        return fmt.MISSING
    sign = "+" if change > 0 else MINUS if change < 0 else ""
    text = f"{sign}{fmt.number(abs(change))}"
    if change_pct is not None and pd.notna(change_pct):
        text += f" ({signed_percent(change_pct)})"
    return text


# --- Migrationsverket's files: kommuntal, both sources, categories ------------------------------


def files_notice(rep: ReceptionReport) -> str | None:
    """One line when the chosen year has no kommuntal file (None when it has): what is missing,
    what is shown instead and the command that adds it; files_notice_details says how."""
    f = rep.files
    if f is not None and f.year == rep.year and f.has_kommuntal:
        return None
    return texts.RECEPTION("files.notice", year=rep.year, shown=f.year if f else None)


def files_notice_details(rep: ReceptionReport) -> str:
    return texts.RECEPTION("files.notice_details", hint=reception.DOWNLOAD_HINT)


def files_heading(rep: ReceptionReport) -> str:
    return texts.RECEPTION("files.heading", year=rep.files.year)


def files_summary_text(rep: ReceptionReport) -> str:
    """The file year's kommuntal and reception, worded as before, labelled with its year."""
    T = texts.RECEPTION
    f = rep.files
    r, name, y = f.row, rep.area.name, f.year
    lan = rep.is_lan
    parts = []
    if pd.isna(r["mottagna_totalt"]):
        parts.append(T("file_year.not_received", area=name, year=y, missing=fmt.MISSING))
    else:
        parts.append(T(
            "file_year.received", area=name, received=fmt.number(r["mottagna_totalt"]), year=y,
            lan=lan, n_kommuner=r.get("n_kommuner"), unaccompanied=fmt.number(r["ensam_totalt"]),
        ))  # fmt: skip
    if not f.has_kommuntal or r["kommuntal_status"] != reception.KommuntalStatus.LISTED:
        parts.append(T(
            "file_year.not_listed", area=name, year=y, missing=fmt.MISSING,
            status=status_text(r["kommuntal_status"], y),
        ))  # fmt: skip
        if r["kommuntal_status"] == reception.NOT_LISTED and f.probably_zero([rep.area.code]):
            parts.append(T("file_year.probably_zero", area=name, year=y, n_zero=f.n_zero))
    elif r["kommuntal"] == 0:
        parts.append(T("file_year.zero", anvisade=fmt.number(r["mottagna_anvisade"])))
    else:
        parts.append(T(
            "file_year.kommuntal", lan=lan, kommuntal=fmt.number(r["kommuntal"]),
            anvisade=fmt.number(r["mottagna_anvisade"]), share=fmt.percent(r["uppfyllelse_pct"]),
        ))  # fmt: skip
        if pd.notna(r["totalt_per_kommuntal"]):
            times = fmt.times(r["totalt_per_kommuntal"])
            parts.append(T("file_year.per_kommuntal", times=times, lan=lan))
        if lan and r["n_not_listed"]:
            t = f.table[f.table["lan_code"] == rep.area.lan_code]
            left_out = t.loc[t["kommuntal_status"] == reception.NOT_LISTED, "kommun_code"]
            parts.append(T(
                "file_year.lan_not_listed", n=r["n_not_listed"],
                probably_zero=f.probably_zero(left_out),
            ))  # fmt: skip
    if pd.notna(r["mottagna_totalt"]) and r["mottagna_totalt"]:
        parts.append(_biggest_group(r))
    return " ".join(parts)


def _biggest_group(r: pd.Series) -> str:
    biggest = max(CATEGORIES, key=lambda c: r[c])
    share = 100 * r[biggest] / r["mottagna_totalt"] if r["mottagna_totalt"] else None
    return texts.RECEPTION(
        "file_year.biggest", group=reception.CATEGORY_PHRASES[biggest],
        count=fmt.number(r[biggest]), share=fmt.percent(share),
    )  # fmt: skip


FILE_KEYS = (
    "kommuntal",
    "mottagna_anvisade",
    "uppfyllelse_pct",
    "mottagna_totalt",
    "ensam_totalt",
    "totalt_per_kommuntal",
    "per_1000",
)


def files_table(rep: ReceptionReport) -> pd.DataFrame:
    """The file year: kommun, län, riket and peer mean side by side (Migrationsverket)."""
    f = rep.files
    r, lt, rt = f.row, f.lan_totals, f.riket_totals
    columns = {rep.area.name: [r[k] for k in FILE_KEYS]}
    if not rep.is_lan:
        columns[rep.lan.name] = [getattr(lt, k) for k in FILE_KEYS]
    columns["Riket"] = [getattr(rt, k) for k in FILE_KEYS]
    if f.peer_means:
        columns[PEER_LABEL] = [
            None,
            None,
            f.peer_means["uppfyllelse_pct"][0],
            None,
            None,
            f.peer_means["totalt_per_kommuntal"][0],
            f.peer_means["per_1000"][0],
        ]
    formats = [
        fmt.number,
        fmt.number,
        lambda v: fmt.percent(v, 0),
        fmt.number,
        fmt.number,
        lambda v: fmt.number(v, 2),
        lambda v: fmt.number(v, 1),
    ]
    labels = [
        "Kommuntal",
        "Mottagna på anvisning",
        "Uppfyllelse av kommuntalet",
        "Kommunmottagna totalt",
        "varav ensamkommande barn",
        "Mottagna totalt per kommuntal",
        "Mottagna per 1 000 invånare",
    ]
    out = pd.DataFrame(
        {
            col: [
                (NOT_PUBLISHED if v is None else g(v)) for g, v in zip(formats, vals, strict=True)
            ]
            for col, vals in columns.items()
        },
        index=labels,
    )
    if r["kommuntal_status"] != reception.KommuntalStatus.LISTED:
        status = status_text(r["kommuntal_status"], f.year)
        out.loc["Kommuntal", rep.area.name] = f"{fmt.MISSING} ({status})"
    elif r["kommuntal"] == 0:
        for label in ("Uppfyllelse av kommuntalet", "Mottagna totalt per kommuntal"):
            out.loc[label, rep.area.name] = "ej tillämpligt (kommuntal 0)"
    return out


def two_sources_table(rep: ReceptionReport) -> pd.DataFrame:
    """The file year's reception from Migrationsverket's files and from Kolada side by side,
    for the area, its län and riket. Never summed or mixed: one row per source."""
    f = rep.files
    y = f.year
    columns = {rep.area.name: (f.row, f.kolada)}
    if not rep.is_lan:
        columns[rep.lan.name] = (_totals_row(f.lan_totals), f.kolada_lan)
    columns["Riket"] = (_totals_row(f.riket_totals), f.kolada_riket)
    labels = [
        f"Kommunmottagna – Migrationsverkets fil {y}",
        f"Kommunmottagna – Kolada {kpis.RECEIVED}",
        f"Mottagna på anvisning – kommuntalsfilen {y} (”Mottagna”)",
        f"Mottagna efter anvisning – Kolada {kpis.RECEIVED_ANVISNING}",
    ]
    out = {}
    for name, (file_row, kolada) in columns.items():
        status = file_row.get("kommuntal_status", reception.KommuntalStatus.LISTED)
        listed = status == reception.KommuntalStatus.LISTED
        out[name] = [
            fmt.number(file_row.get("mottagna_totalt")),
            fmt.number(kolada.get("received")),
            fmt.number(file_row.get("mottagna_anvisade"))
            if listed
            else f"{fmt.MISSING} ({status_text(status, y)})",
            fmt.number(kolada.get("anvisning")),
        ]
    return pd.DataFrame(out, index=labels)


def _totals_row(t: reception.Totals) -> pd.Series:
    return pd.Series(
        {
            "mottagna_totalt": t.mottagna_totalt,
            "mottagna_anvisade": t.mottagna_anvisade,
            "kommuntal_status": reception.KommuntalStatus.LISTED,
        }
    )


def two_sources_source(rep: ReceptionReport) -> str:
    rows = rep.kolada_rows[rep.kolada_rows["kpi"].isin([kpis.RECEIVED, kpis.RECEIVED_ANVISNING])]
    return texts.RECEPTION("sources.two_sources", year=rep.files.year, kolada=panel.sources(rows))


def two_sources_text(rep: ReceptionReport) -> str:
    """Why the two sources differ – only for the figures both have for the area."""
    f = rep.files
    y, name = f.year, rep.area.name
    file_total, kolada_total = f.row.get("mottagna_totalt"), f.kolada.get("received")
    rt, kr = f.riket_totals, f.kolada_riket
    parts = []
    if pd.notna(file_total) and pd.notna(kolada_total):
        parts.append(
            texts.RECEPTION(
                "two_sources.totals",
                year=y,
                area=name,
                file_total=fmt.number(file_total),
                kolada_total=fmt.number(kolada_total),
                same=bool(file_total == kolada_total),
                riket_file=fmt.number(rt.mottagna_totalt),
                riket_kolada=fmt.number(kr.get("received")),
                n_equal=f.n_equal,
                n_both=f.n_both,
            )
        )
    file_anv = f.row.get("mottagna_anvisade")
    listed = f.row.get("kommuntal_status") == reception.KommuntalStatus.LISTED
    if listed and pd.notna(file_anv) and pd.notna(f.kolada.get("anvisning")):
        kolada_anv = f.kolada.get("anvisning")
        parts.append(
            texts.RECEPTION(
                "two_sources.anvisning",
                area=name,
                same=bool(file_anv == kolada_anv),
                file_anvisade=fmt.number(file_anv),
                kolada_anvisade=fmt.number(kolada_anv),
                riket_file=fmt.number(rt.mottagna_anvisade),
                riket_kolada=fmt.number(kr.get("anvisning")),
            )
        )
    return " ".join(parts)


def category_table(rep: ReceptionReport) -> pd.DataFrame:
    f = rep.files
    r = f.row
    rows = []
    for cat in CATEGORIES:
        share = (
            100 * r[cat] / r["mottagna_totalt"]
            if pd.notna(r[cat]) and r["mottagna_totalt"]
            else None
        )
        lan_share = (
            100 * f.lan_totals.by_category[cat] / f.lan_totals.mottagna_totalt
            if f.lan_totals.mottagna_totalt
            else None
        )
        riket_share = 100 * f.riket_totals.by_category[cat] / f.riket_totals.mottagna_totalt
        rows.append(
            {
                "Kategori": reception.CATEGORY_LABELS[cat],
                "Personer": fmt.number(r[cat]),
                "varav ensamkommande barn": fmt.number(r["ensam_" + cat]),
                "Andel": fmt.percent(share),
                f"Andel i {rep.lan.name}": fmt.percent(lan_share),
                "Andel i riket": fmt.percent(riket_share),
            }
        )
    rows.append(
        {
            "Kategori": "Totalt",
            "Personer": fmt.number(r["mottagna_totalt"]),
            "varav ensamkommande barn": fmt.number(r["ensam_totalt"]),
            "Andel": fmt.percent(100 if pd.notna(r["mottagna_totalt"]) else None),
            f"Andel i {rep.lan.name}": fmt.percent(100),
            "Andel i riket": fmt.percent(100),
        }
    )
    out = pd.DataFrame(rows).set_index("Kategori")
    return out.drop(columns=f"Andel i {rep.lan.name}") if rep.is_lan else out


def category_heading(rep: ReceptionReport) -> str:
    return texts.RECEPTION("files.category_heading", year=rep.files.year)


def category_shares(rep: ReceptionReport) -> pd.DataFrame:
    """Share (%) of each category for the area, län and riket; rows = areas."""
    f = rep.files
    rows = {}
    if pd.notna(f.row["mottagna_totalt"]) and f.row["mottagna_totalt"]:
        rows[rep.area.name] = {c: 100 * f.row[c] / f.row["mottagna_totalt"] for c in CATEGORIES}
    for t in (f.lan_totals, f.riket_totals):
        if t.mottagna_totalt and t.label not in rows:
            rows[t.label] = {c: 100 * t.by_category[c] / t.mottagna_totalt for c in CATEGORIES}
    frame = pd.DataFrame.from_dict(rows, orient="index").astype(float)
    return frame.rename(columns=reception.CATEGORY_LABELS)


def definitions_text(rep: ReceptionReport) -> str:
    return texts.RECEPTION(
        "definitions.text", is_lan=rep.is_lan, n=rep.n_members, peers=rep.peer_title
    )


# --- länstal ---------------------------------------------------------------------------------------


def lanstal_table(rep: ReceptionReport) -> pd.DataFrame:
    t = rep.lanstal
    out = pd.DataFrame(
        {
            "År": t["year"].astype(str),
            "Version": t["version"].map(_version_sv),
            f"Länstal {rep.lan.name}": t["lanstal"].map(fmt.number),
            "Riket": t["national_total"].map(fmt.number),
            f"Kommuntal {rep.area.name}": t["kommuntal"].map(fmt.number),
            "Kommunens andel av länstalet": t["andel_av_lanstal_pct"].map(
                lambda v: fmt.percent(v, 1)
            ),
            f"Mottagna efter anvisning i länet ({kpis.RECEIVED_ANVISNING})": (
                t["anvisning_lan"].map(fmt.number) if "anvisning_lan" in t else fmt.MISSING
            ),
            "Författning": t["sfs"].where(t["sfs"].str.startswith("SFS"), NOT_PUBLISHED),
        }
    ).set_index("År")
    if rep.is_lan:  # the län's own kommuntal is the länstal's 'härledd' row
        return out.drop(columns=[f"Kommuntal {rep.area.name}", "Kommunens andel av länstalet"])
    return out


def lanstal_source(rep: ReceptionReport) -> str:
    rows = rep.kolada_rows[rep.kolada_rows["kpi"] == kpis.RECEIVED_ANVISNING]
    return texts.RECEPTION(
        "sources.lanstal",
        years=list(map(str, rep.file_years)),
        kolada=panel.sources(rows),
        lan_size=rep.lan_size,
    )


def lanstal_text(rep: ReceptionReport) -> str:
    years = reception.year_ranges(rep.file_years) if rep.file_years else "inget år"
    return texts.RECEPTION("lanstal.text", is_lan=rep.is_lan, years=years, missing=fmt.MISSING)


def _version_sv(version: str) -> str:
    """The transcribed file labels versions in English; the report speaks Swedish."""
    if version == "original":
        return "ursprunglig"
    if version.startswith("revised"):
        date = version.partition("in force ")[2].rstrip(")")
        return f"reviderad (gäller från {date})" if date else "reviderad"
    if version.startswith("as in file"):
        return "härledd: summan av kommuntalen i Migrationsverkets fil"
    return version


# --- notes and the site's key figures --------------------------------------------------------


def data_notes(rep: ReceptionReport) -> str:
    T = texts.RECEPTION
    titles = {
        "received": kpis.title(kpis.RECEIVED).lower(),
        "anvisning": kpis.title(kpis.RECEIVED_ANVISNING).lower(),
        "unaccompanied": kpis.title(kpis.UNACCOMPANIED_ANVISADE).lower(),
    }
    kolada = panel.sources(rep.kolada_rows) or fmt.MISSING
    lines = [
        T("data_notes.series", kolada=kolada, titles=titles),
        T("data_notes.population", population=population_source(rep)),
    ]
    if rep.is_lan:
        lines.append(T("data_notes.lan", n=rep.n_members))
    if rep.files:
        y = rep.files.year
        lines += [T("data_notes.files_kommuntal", year=y), T("data_notes.files_category", year=y)]
        t = rep.files.table
        not_listed = t[t["kommuntal_status"] == reception.NOT_LISTED]
        if len(not_listed):
            lines.append(T(
                "data_notes.not_listed", kommuner=not_listed["name"].tolist(), year=y,
                missing=fmt.MISSING, status=status_text(reception.NOT_LISTED, y),
                n_zero=rep.files.n_zero if rep.files.probably_zero(not_listed["kommun_code"]) else 0,
            ))  # fmt: skip
    else:
        lines.append(T("data_notes.no_files", hint=reception.DOWNLOAD_HINT))
    if rep.peer_title:
        lines.append(T("data_notes.peers"))
    lines.append(T("data_notes.lanstal"))
    missing = rep.table.loc[rep.table["received"].isna(), "name"].tolist()
    if missing and rep.has_series:
        lines.append(T("data_notes.no_received", year=rep.year, kommuner=missing))
    lines += [f"- {note}" for note in rep.notes]
    return "\n".join(lines)


def key_figures(rep: ReceptionReport) -> dict:
    """The figures the site's summary table shows. Kommunmottagna and per 1 000 are Kolada's
    (as the report's headline); kommuntal and mottagna på anvisning come together from
    Migrationsverket's kommuntal file when it has the year (the two are one source's pair), and
    otherwise kommuntal is missing and mottagna på anvisning is Kolada's."""
    r = rep.row

    def value(v):
        return None if v is None or pd.isna(v) else float(v)

    f = rep.files
    if f is not None and f.year == rep.year and f.has_kommuntal:
        listed = f.row["kommuntal_status"] == reception.KommuntalStatus.LISTED
        kommuntal = value(f.row["kommuntal"]) if listed else None
        anvisade = value(f.row["mottagna_anvisade"]) if listed else None
    else:
        kommuntal, anvisade = None, value(r.get("anvisning"))
    return {
        "year": rep.year,
        "kommuntal": kommuntal,
        "mottagna_anvisade": anvisade,
        "mottagna_totalt": value(r.get("received")),
        "per_1000": value(r.get("per_1000")),
    }
