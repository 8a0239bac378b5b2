"""Everything the 02-etablering notebook shows, assembled from `outcomes` and worded in Swedish.

A report uses either real rows or synthetic demo rows, never both (panel.values).
"""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import fmt, kpis, origin, outcomes, panel, reception, store
from .errors import MissingDataError
from .params import OutcomeParams
from .registry import Area, Registry

DESTINATIONS = {
    kpis.WORK: "Arbete",
    kpis.SUPPORTED_WORK: "Arbete med stöd (exkl. nystartsjobb)",
    kpis.STUDIES: "Studier",
    kpis.PROGRAMME: "Arbetsmarknadspolitiskt program",
}
GENDER_LABELS = {"K": "Kvinnor", "M": "Män", "T": "Totalt"}
FETCH_COMMAND = "etablering data fetch --group etablering"


@dataclass
class OutcomesReport:
    area: Area
    lan: Area
    years: list[int]
    synthetic: bool
    kommun: pd.DataFrame  # outcome_table for the kommun
    lan_table: pd.DataFrame
    riket: pd.DataFrame
    gap: pd.DataFrame
    destinations: pd.DataFrame  # destination x gender, latest year with data
    destinations_year: int | None
    peer_title: str | None
    peer: pd.DataFrame  # year, gender, mean_pct, n
    trend: outcomes.TrendResult | None
    expected: pd.DataFrame  # the kommun's rows of the cross-kommun model
    expected_coefficients: pd.DataFrame
    missing_kpis: list[tuple[str, str]]
    notes: list[str] = field(default_factory=list)

    @property
    def trend_rows(self) -> pd.DataFrame:
        return self.trend.predictions if self.trend is not None else pd.DataFrame()

    @property
    def source(self) -> str:
        used = pd.concat([self.kommun, self.riket])
        used = used[used["origin"].notna()]
        if self.synthetic:
            return f"Källa: {origin.describe(origin.Origin.SYNTHETIC)}"
        ids = [kpis.WORK_OR_STUDIES] + (
            [kpis.LEFT] if self.kommun["cohort_n"].notna().any() else []
        )
        return f"Källa: {panel.sources(used)} (SCB/Arbetsförmedlingen): {', '.join(ids)}; egna beräkningar."


def kommun_has_data(table: pd.DataFrame) -> bool:
    return bool(table["share_pct"].notna().any())


def build(
    params: OutcomeParams,
    kpi_values: pd.DataFrame,
    area_groups: pd.DataFrame,
    catalogue: pd.DataFrame,
    registry: Registry,
    expected: outcomes.ExpectedResult | None = None,
) -> OutcomesReport:
    area, synthetic = params.kommun, params.demo
    years = list(range(params.first_year, params.last_year + 1))
    lan = registry.lan_of(area)
    peer_title, members = None, []
    notes = []
    try:
        peer_title, members = reception.peer_group(area_groups, area.name, params.peer_kind)
    except MissingDataError as exc:
        notes.append(str(exc))
    # Only the rows this report can use: every lookup below then scans a few hundred rows.
    kpi_values = kpi_values[kpi_values["area_code"].isin({area.code, lan.code, "0000", *members})]

    def table(code: str) -> pd.DataFrame:
        return outcomes.outcome_table(kpi_values, code, years=years, synthetic=synthetic)

    kommun = table(area.code)
    trend = None
    try:
        trend = outcomes.trend_model(kommun)
    except MissingDataError as exc:
        notes.append(f"Trendmodell: {exc}")
    dest, dest_year = destinations(kpi_values, area.code, years, synthetic)
    peer = peer_means(kpi_values, members, years, synthetic)
    exp_rows = pd.DataFrame()
    exp_coef = pd.DataFrame()
    if expected is not None:
        exp_rows = expected.table[expected.table["area_code"] == area.code]
        exp_coef = expected.coefficients
    return OutcomesReport(
        area=area,
        lan=lan,
        years=years,
        synthetic=synthetic,
        kommun=kommun,
        lan_table=table(lan.code),
        riket=table("0000"),
        gap=outcomes.gender_gap_table(kommun),
        destinations=dest,
        destinations_year=dest_year,
        peer_title=peer_title,
        peer=peer,
        trend=trend,
        expected=exp_rows,
        expected_coefficients=exp_coef,
        missing_kpis=missing_kpis(kpi_values, area.code, catalogue, synthetic),
        notes=notes,
    )


def destinations(kpi_values, area_code, years, synthetic) -> tuple[pd.DataFrame, int | None]:
    rows = panel.values(kpi_values, synthetic=synthetic)
    rows = rows[
        (rows["area_code"] == area_code)
        & rows["kpi"].isin(list(DESTINATIONS))
        & rows["year"].isin(years)
        & rows["value"].notna()
    ]
    if rows.empty:
        return pd.DataFrame(), None
    year = int(rows["year"].max())
    wide = rows[rows["year"] == year].pivot_table(index="kpi", columns="gender", values="value")
    wide = wide.reindex([k for k in DESTINATIONS if k in wide.index])
    wide.index = [DESTINATIONS[k] for k in wide.index]
    return wide.rename(columns=GENDER_LABELS), year


def peer_means(kpi_values, members, years, synthetic) -> pd.DataFrame:
    """Unweighted mean of N00973 over the peer kommuner with a value (as Kolada's group mean)."""
    rows = panel.values(kpi_values, synthetic=synthetic)
    rows = rows[
        (rows["kpi"] == outcomes.HEADLINE_KPI)
        & rows["area_code"].isin(members)
        & rows["year"].isin(years)
        & rows["value"].notna()
    ]
    return rows.groupby(["year", "gender"])["value"].agg(mean_pct="mean", n="count").reset_index()


def missing_kpis(kpi_values, area_code, catalogue, synthetic) -> list[tuple[str, str]]:
    rows = panel.values(kpi_values, synthetic=synthetic)
    have = set(rows.loc[(rows["area_code"] == area_code) & rows["value"].notna(), "kpi"])
    return [(k, kpis.title(k)) for k in kpis.in_group(kpis.Group.ETABLERING) if k not in have]


def latest_pair(table: pd.DataFrame) -> tuple[int, pd.Series, pd.Series] | None:
    """The latest year where both women's and men's shares exist."""
    wide = table.pivot(index="year", columns="gender", values="share_pct")
    both = wide.dropna(subset=[c for c in ("K", "M") if c in wide.columns])
    if both.empty or not {"K", "M"} <= set(wide.columns):
        return None
    year = int(both.index.max())
    rows = table[table["year"] == year].set_index("gender")
    return year, rows.loc["K"], rows.loc["M"]


def summary_text(rep: OutcomesReport) -> str:
    name = rep.area.name
    if not kommun_has_data(rep.kommun) and rep.synthetic:
        return (
            f"Demodata saknas för {name}. Skapa dem med `etablering data demo` "
            "(SYNTETISKA DATA, inte verkliga uppgifter)."
        )
    if not kommun_has_data(rep.kommun):
        return (
            f"Det finns inga uppgifter om hur deltagare i {name} gick vidare efter "
            f"etableringsuppdraget åren {rep.years[0]}–{rep.years[-1]} i underlaget. "
            f"Hämta dem med `{FETCH_COMMAND}` (kräver internet)."
        )
    parts = []
    pair = latest_pair(rep.kommun)
    if pair:
        year, k, m = pair
        gap = k["share_pct"] - m["share_pct"]
        direction = "männens" if gap < 0 else "kvinnornas"
        parts.append(
            f"**{year} gick {fmt.percent(k['share_pct'])} av kvinnorna och {fmt.percent(m['share_pct'])} "
            f"av männen** som lämnade etableringsuppdraget i {name} till arbete eller studier inom "
            f"90 dagar – en skillnad på {fmt.number(abs(gap))} procentenheter till {direction} fördel."
        )
        g = rep.gap[rep.gap["year"] == year].iloc[0]
        if pd.notna(g["gap_low"]):
            parts.append(
                f"Med {fmt.number(k['cohort_n'])} kvinnor och {fmt.number(m['cohort_n'])} män som "
                f"lämnade är 95-procentsintervallet för skillnaden {fmt.number(g['gap_low'], 1)} till "
                f"{fmt.number(g['gap_high'], 1)} procentenheter (p {_p_text(g['p_value'])})."
            )
        else:
            parts.append(f"Osäkerheten kan inte beräknas: {g['note'] or outcomes.NOTE_NO_COHORT}.")
        riket = rep.riket[(rep.riket["year"] == year)].set_index("gender")["share_pct"]
        if "T" in riket and pd.notna(riket["T"]):
            parts.append(
                f"I riket var andelen {fmt.percent(riket['T'])} samma år (kvinnor och män tillsammans)."
            )
    else:
        parts.append(f"Uppgifter för både kvinnor och män saknas för {name}; se tabellen nedan.")
    if rep.trend is not None:
        ge = rep.trend.gender_effect.iloc[0]
        parts.append(
            f"En trendmodell över åren (binomial regression) ger kvinnor en oddskvot på "
            f"{fmt.number(ge['odds_ratio'], 2)} jämfört med män (95 % KI "
            f"{fmt.number(np.exp(ge['ci_low']), 2)}–{fmt.number(np.exp(ge['ci_high']), 2)})."
        )
    if not rep.expected.empty:
        last = rep.expected.dropna(subset=["actual_pct"]).sort_values("year").tail(1)
        if len(last):
            r = last.iloc[0]
            if pd.notna(r["pi_low"]):
                verdict = (
                    "bättre än"
                    if r["actual_pct"] > r["pi_high"]
                    else "sämre än"
                    if r["actual_pct"] < r["pi_low"]
                    else "i nivå med"
                )
                parts.append(
                    f"Givet deltagarnas utbildning, könsfördelning och antal var det förväntade "
                    f"utfallet {int(r['year'])} {fmt.percent(r['expected_pct'])} (intervall "
                    f"{fmt.percent(r['pi_low'])}–{fmt.percent(r['pi_high'])}); utfallet "
                    f"{fmt.percent(r['actual_pct'])} är {verdict} det förväntade."
                )
    return " ".join(parts)


def _p_text(p) -> str:
    if pd.isna(p):
        return "= uppgift saknas"
    return "< 0,001" if p < 0.001 else f"= {fmt.number(p, 3)}"


def availability_text(rep: OutcomesReport) -> str:
    if not rep.missing_kpis:
        return ""
    lines = [
        f"Följande nyckeltal saknas för {rep.area.name} i underlaget"
        + (" (demodata)" if rep.synthetic else "")
        + ":"
    ]
    lines += [f"- {k}: {t}" for k, t in rep.missing_kpis]
    if not rep.synthetic:
        lines.append(
            f"\nHämta dem från Kolada med `{FETCH_COMMAND}` (kräver internet). "
            "Vill du prova analysen utan internet: `etablering data demo` och rapporten med "
            "`--demo` (märks SYNTETISKA DATA)."
        )
    return "\n".join(lines)


def outcome_display(rep: OutcomesReport) -> pd.DataFrame:
    """The downloadable/displayed table: year x gender with share, interval, cohort and note."""
    t = rep.kommun.copy()
    out = pd.DataFrame(
        {
            "År": t["year"],
            "Kön": t["gender"].map(GENDER_LABELS),
            "Andel i arbete/studier (%)": t["share_pct"],
            "95 % KI, nedre": t["low_pct"].round(1),
            "95 % KI, övre": t["high_pct"].round(1),
            "Antal som lämnat": t["cohort_n"],
            "Anmärkning": t["note"],
        }
    )
    return out


def outcome_wide_display(rep: OutcomesReport) -> pd.DataFrame:
    """One row per year: each gender's share with its interval, cohort sizes and notes."""
    t = rep.kommun

    def cell(row) -> str:
        if pd.isna(row["share_pct"]):
            return fmt.MISSING
        text = fmt.percent(row["share_pct"])
        if pd.notna(row["low_pct"]):
            text += f" ({fmt.number(row['low_pct'])}–{fmt.number(row['high_pct'])})"
        return text

    out = {}
    for year, part in t.groupby("year"):
        rows = part.set_index("gender")
        record = {GENDER_LABELS[g]: cell(rows.loc[g]) for g in ("K", "M", "T") if g in rows.index}
        record["Antal som lämnat (K/M)"] = " / ".join(
            fmt.number(rows.loc[g, "cohort_n"]) if g in rows.index else fmt.MISSING
            for g in ("K", "M")
        )
        notes = [n for n in dict.fromkeys(part["note"]) if n]
        record["Anmärkning"] = "; ".join(notes)
        out[int(year)] = record
    frame = pd.DataFrame.from_dict(out, orient="index")
    frame.index.name = "År"
    return frame


def own_values_missing_text(rep: OutcomesReport) -> str:
    """Short, for the sections after the summary (which already explains the gap at length)."""
    if rep.synthetic:
        return summary_text(rep)
    return f"Egna värden för {rep.area.name} saknas i underlaget. Hämta dem med `{FETCH_COMMAND}`."


def riket_reference(rep: OutcomesReport) -> pd.DataFrame:
    """Riket's shares per year and gender, for a kommun without its own values."""
    have = rep.riket.dropna(subset=["share_pct"])
    frame = have.pivot(index="year", columns="gender", values="share_pct")
    frame = frame[[g for g in ("K", "M", "T") if g in frame.columns]]
    frame = frame.map(fmt.percent).rename(columns=lambda g: f"Riket, {GENDER_LABELS[g].lower()}")
    frame.index = frame.index.astype(int)
    frame.index.name, frame.columns.name = "År", None
    return frame


def riket_reference_text(rep: OutcomesReport) -> str:
    total = rep.riket[rep.riket["gender"] == "T"].dropna(subset=["share_pct"])
    if total.empty:
        return "Som referens visas riket."
    last = total.loc[total["year"].idxmax()]
    low, high = total.loc[total["share_pct"].idxmin()], total.loc[total["share_pct"].idxmax()]
    text = (
        f"Som referens visas riket: {last['year']:.0f} var {fmt.percent(last['share_pct'])} av "
        "dem som lämnade etableringsuppdraget i arbete eller studier efter 90 dagar "
        f"(lägst {fmt.percent(low['share_pct'])} {low['year']:.0f}, högst "
        f"{fmt.percent(high['share_pct'])} {high['year']:.0f})."
    )
    if not rep.riket.loc[rep.riket["gender"].isin(["K", "M"]), "share_pct"].notna().any():
        text += " För riket finns i underlaget bara kvinnor och män tillsammans."
    return text


def comparison_table(rep: OutcomesReport) -> tuple[pd.DataFrame, int | None]:
    """Latest year with the kommun's shares: kommun, peers, län, riket by gender."""
    have = rep.kommun.dropna(subset=["share_pct"])
    if have.empty:
        return pd.DataFrame(), None
    year = int(have["year"].max())

    def shares(table):
        row = table[table["year"] == year].set_index("gender")["share_pct"]
        return {GENDER_LABELS[g]: row.get(g, np.nan) for g in ("K", "M", "T")}

    rows = {rep.area.name: shares(rep.kommun)}
    if rep.peer_title is not None:
        p = rep.peer[rep.peer["year"] == year].set_index("gender")
        rows["Liknande kommuner (ovägt medel)"] = {
            GENDER_LABELS[g]: p["mean_pct"].get(g, np.nan) for g in ("K", "M", "T")
        }
    rows[rep.lan.name] = shares(rep.lan_table)
    rows["Riket"] = shares(rep.riket)
    return pd.DataFrame.from_dict(rows, orient="index"), year


def comparison_missing_text(table: pd.DataFrame, year: int) -> str:
    """Rows without any value are left out of the chart; this says which and why."""
    names = [name for name, row in table.iterrows() if row.isna().all()]
    if not names:
        return ""
    return (
        f"Uppgift saknas {year} för {fmt.listing(names)} i underlaget, så de visas inte i "
        f"diagrammet. Hämta med `{FETCH_COMMAND}`."
    )


def load_tables(data_dir=None) -> dict[str, pd.DataFrame]:
    names = ["kpi_values", "area_groups", "kpi_catalogue"]
    return {n: store.read_table(n, data_dir) for n in names}


def gap_display(rep: OutcomesReport) -> pd.DataFrame:
    g = rep.gap
    # values, not Series: a Series would be aligned on the year index and come out empty
    return pd.DataFrame(
        {
            "Kvinnor (%)": [fmt.number(v) for v in g["women_pct"]],
            "Män (%)": [fmt.number(v) for v in g["men_pct"]],
            "Skillnad (procentenheter)": [fmt.number(v) for v in g["gap_pp"]],
            "95 % KI": [
                f"{fmt.number(lo, 1)} till {fmt.number(hi, 1)}" if pd.notna(lo) else "–"
                for lo, hi in zip(g["gap_low"], g["gap_high"], strict=True)
            ],
            "p-värde": [_p_text(p).lstrip("= ") if pd.notna(p) else "–" for p in g["p_value"]],
            "Anmärkning": g["note"].to_numpy(),
        },
        index=pd.Index(g["year"], name="År"),
    )


def expected_explanation(rep: OutcomesReport) -> str:
    return (
        "Det förväntade värdet kommer från en binomial regression över alla kommuner och år: "
        "andelen i arbete eller studier förklaras av deltagarnas utbildning (andel med "
        "eftergymnasial utbildning, andel utan formell grundläggande utbildning, andel med "
        "gymnasial utbildning), andelen kvinnor, antalet som lämnade och året. Intervallet är ett "
        "95-procentigt prediktionsintervall för en kommun med just detta antal deltagare – det "
        "rymmer både modellens osäkerhet och slumpen i en liten grupp. Liknar Koladas "
        '"avvikelse från modellberäknat värde", men med osäkerheten redovisad. Ett utfall '
        "utanför intervallet är ovanligt om bara sammansättningen skilde kommunerna åt."
    )


def coefficient_display(rep: OutcomesReport) -> pd.DataFrame:
    c = rep.expected_coefficients
    c = c[~c["term"].str.startswith("C(year)")]
    return pd.DataFrame(
        {
            "Förklaring": c["label"],
            "Oddskvot": c["odds_ratio"].map(lambda v: fmt.number(v, 2)),
            "95 % KI": [
                f"{fmt.number(np.exp(lo), 2)}–{fmt.number(np.exp(hi), 2)}"
                for lo, hi in zip(c["ci_low"], c["ci_high"], strict=True)
            ],
        }
    ).set_index("Förklaring")


def data_notes(rep: OutcomesReport) -> str:
    lines = [
        "- Andel i arbete eller studier 90 dagar efter etableringsuppdraget: Kolada "
        f"{kpis.WORK_OR_STUDIES} (källa SCB/Arbetsförmedlingen). Destinationer: "
        f"{', '.join(DESTINATIONS)}.",
        f"- Antal som lämnade uppdraget ({kpis.LEFT}) används som gruppstorlek för osäkerheten; "
        "antalet lyckade räknas fram som andel × antal och avrundas.",
        f"- Grupper med färre än {outcomes.SMALL_COHORT} personer får inget intervall; en andel "
        "utan gruppstorlek visas utan intervall. Saknade värden visas som saknade, aldrig som 0.",
        "- Skillnaden kvinnor − män har ett Newcombe-intervall (metod 10) och ett z-test för två "
        "andelar; trenden en binomial regression kön × år med kvasi-binomial skala vid överspridning.",
    ]
    if rep.synthetic:
        lines.insert(
            0,
            "- **SYNTETISKA DATA**: demodata skapade med fast slumpfrö och kända "
            "effekter (kvinnor lägre, mer utbildning högre). Inte verkliga uppgifter.",
        )
    elif (rep.kommun["origin"] == origin.Origin.TRANSCRIBED).any():
        lines.append(
            "- Luleås och rikets serier är transkriberade från Luleå kommuns Mål 2040-"
            "tabell (källa Kolada/SCB); riket finns där bara för kvinnor och män tillsammans."
        )
    return "\n".join(lines)


def key_figures(rep: OutcomesReport) -> dict:
    pair = latest_pair(rep.kommun)
    if pair is None:
        return {"women_pct": None, "men_pct": None, "outcome_year": None}
    year, k, m = pair
    return {
        "women_pct": float(k["share_pct"]),
        "men_pct": float(m["share_pct"]),
        "outcome_year": year,
    }
