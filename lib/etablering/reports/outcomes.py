"""Everything the 02-etablering notebook shows, assembled from `outcomes` and `expected` and
worded in Swedish: for a kommun, or for a län (the sum over its kommuner).

A report uses either real rows or synthetic demo rows, never both (panel.values). Plain
language comes first; odds ratios and p-values are in the details section.
"""

import functools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..analysis import outcomes, reception
from ..analysis.cache import shared
from ..analysis.expected import aggregate_predictions
from ..core import fmt
from ..core import gender as genders
from ..core.errors import MissingDataError
from ..core.gender import Gender
from ..data import kpis, origin, panel
from ..data.registry import Area
from . import texts
from .base import Report, ReportData
from .notebook_params import OutcomeParams

FETCH_COMMAND = "etablering data fetch --group etablering"
POOL_YEARS = 3  # the headline and the cross-kommun comparisons pool this many years
EDUCATION = {
    kpis.EDU_PRIMARY: "Högst förgymnasial",
    kpis.EDU_NONE: "– varav utan grundläggande utbildning",
    kpis.EDU_SECONDARY: "Gymnasial",
    kpis.EDU_TERTIARY: "Eftergymnasial, mer än 2 år",
}
SCB_KPIS = (
    kpis.REFUGEES_EMPLOYED,
    kpis.SCB_EXPECTED,
    kpis.SCB_DEVIATION,
    kpis.REFUGEES_EMPLOYED_4_6,
    kpis.REFUGEES_STUDYING,
)


@dataclass
class OutcomesReport(Report):
    area: Area
    lan: Area
    members: list[Area]  # the län's kommuner (for a kommun: its län's)
    years: list[int]
    synthetic: bool
    table: pd.DataFrame  # outcome table of the area (a län: summed over its kommuner)
    lan_table: pd.DataFrame
    riket: pd.DataFrame
    gap: pd.DataFrame
    headline: outcomes.Headline | None
    latest_counted: outcomes.Headline | None  # when the headline year has no counts
    destinations: pd.DataFrame  # rows destination, columns gender: share (%) of leavers
    destinations_label: str | None
    education: pd.DataFrame  # rows level, columns gender: share (%) of enrolled
    education_year: int | None
    flows: pd.DataFrame  # year x (enrolled, left, to work or studies) by gender
    peer_title: str | None
    peer: pd.DataFrame  # year, gender, mean_pct, n
    trend: outcomes.TrendResult | None
    expected: pd.DataFrame  # the area's rows of the model (a län: summed)
    coefficients: pd.DataFrame
    variance: pd.DataFrame
    effects: pd.DataFrame  # every kommun's pooled effect and rank
    validation: pd.DataFrame
    model_info: dict
    pooled: pd.DataFrame  # every kommun: successes and leavers summed over pooled_years
    pooled_years: list[int]
    scb: pd.DataFrame  # SCB/Kolada refugee KPIs by year for the kommun
    scb_rows: pd.DataFrame  # the kpi rows behind it (for the source line)
    flagged: pd.DataFrame
    missing_kpis: list[tuple[str, str]]
    notes: list[str] = field(default_factory=list)
    data_version: str = ""
    first_year: int = 0  # the years asked for (params); `years` is the same as a list
    last_year: int = 0

    @property
    def title(self) -> str:
        return texts.OUTCOMES("page.title", area=self.area.name)

    @property
    def subtitle(self) -> str:
        return texts.OUTCOMES(
            "page.subtitle",
            lan=self.is_lan,
            code=self.area.display_code,
            lan_name=self.lan.name,
            area=self.area.name,
            version=self.data_version,
            **period(self, self.first_year, self.last_year),
        )

    # --- sources ------------------------------------------------------------------------
    @property
    def kommun(self) -> pd.DataFrame:  # the name older code and tests use
        return self.table

    @property
    def trend_rows(self) -> pd.DataFrame:
        return self.trend.predictions if self.trend is not None else pd.DataFrame()

    @functools.cached_property
    def _origins(self) -> str:
        """Where the report's rows come from: the same for each of its twenty source lines."""
        used = pd.concat([self.table, self.riket])
        return panel.sources(used[used["origin"].notna()])

    def source_for(self, ids, extra: str = "") -> str:
        if self.synthetic:
            return synthetic_source()
        return texts.OUTCOMES(
            "sources.kolada",
            kolada=self._origins,
            ids=list(ids),
            lan=self.is_lan,
            n=len(self.members),
            extra=extra,
        )

    @property
    def source(self) -> str:
        ids = [kpis.WORK_OR_STUDIES] + ([kpis.LEFT] if self.table["cohort_n"].notna().any() else [])
        return self.source_for(ids)

    @property
    def model_source(self) -> str:
        return self.source_for(
            [
                kpis.WORK_OR_STUDIES,
                kpis.LEFT,
                kpis.EDU_PRIMARY,
                kpis.EDU_TERTIARY,
                kpis.SCB_EXPECTED,
            ],
            texts.OUTCOMES("sources.model"),
        )

    @property
    def scb_source(self) -> str:
        if self.synthetic:
            return synthetic_source()
        return texts.OUTCOMES("sources.scb", kolada=panel.sources(self.scb_rows), ids=SCB_KPIS)

    @property
    def pooled_label(self) -> str:
        return fmt.years(self.pooled_years)


def model_years(first_last) -> str:
    """The expected-value model's years, stored as (first, last): '2015–2020'."""
    return fmt.span(first_last[0], first_last[-1]) if len(first_last) else fmt.MISSING


def kommun_has_data(table: pd.DataFrame) -> bool:
    return bool(table["share_pct"].notna().any())


# --- assembling ------------------------------------------------------------------------------


def build(params: OutcomeParams, data: ReportData) -> OutcomesReport:
    """The report for params.kommun (a kommun or a län), with the expected-value model and the
    outcome counts of all kommuner from the derived cache (data.expected, data.counts)."""
    area, synthetic = params.kommun, params.demo
    registry, kpi_values, area_groups = data.registry, data["kpi_values"], data["area_groups"]
    expected, counts, flags = data.expected(synthetic), data.counts(synthetic), data["kpi_flags"]
    is_lan = area.kind == "lan"
    years = list(range(params.first_year, params.last_year + 1))
    lan = registry.lan_of(area)
    members = registry.kommuner(lan.lan_code)
    member_codes = [a.code for a in members]
    all_codes = [a.code for a in registry.kommuner()]
    notes = []
    peer_title, peers = None, []
    if not is_lan:
        try:
            peer_title, peers = reception.peer_group(area_groups, area.name, params.peer_kind)
        except MissingDataError as exc:
            notes.append(str(exc))
    if counts is None:
        from ..analysis.cache import COUNT_KPIS

        counts = outcomes.kommun_counts(kpi_values, COUNT_KPIS, synthetic=synthetic)
    # Only the rows this report reads directly: every lookup below then scans a few hundred.
    kv = kpi_values[kpi_values["area_code"].isin({area.code, lan.code, "0000", *peers})]
    own_codes = member_codes if is_lan else [area.code]

    if is_lan:
        table = outcomes.area_outcome_table(kv, counts, area.code, member_codes, years=years)
    else:
        table = outcomes.outcome_table(kv, area.code, years=years, synthetic=synthetic)
    # The län's and riket's tables are the same in every report: computed once per kernel
    # from the whole kpi_values (outcome_table reads only the area's own rows).
    lan_table = (
        table
        if is_lan
        else shared(
            outcomes.area_outcome_table, kpi_values, counts, lan.code, tuple(member_codes),
            outcomes.HEADLINE_KPI, tuple(years), False,
        )
    )  # fmt: skip
    riket = shared(
        outcomes.area_outcome_table, kpi_values, counts, "0000", tuple(all_codes),
        outcomes.HEADLINE_KPI, tuple(years), synthetic,
    )  # fmt: skip
    trend = None
    try:
        trend = outcomes.trend_model(table)
    except MissingDataError as exc:
        notes.append(str(exc))
    head = outcomes.headline(table, pool=POOL_YEARS)
    latest_counted = None
    if head is not None and not head.counted:
        counted = table[table["cohort_n"].notna()]
        latest_counted = outcomes.headline(counted, pool=POOL_YEARS) if len(counted) else None
    basis = head if head is not None and head.counted else latest_counted
    dest_years = basis.years if basis is not None else []
    destinations = destination_table(counts, own_codes, dest_years)
    education, education_year = education_table(counts, own_codes, years)
    pooled_years = last_years(counts, POOL_YEARS)
    pooled = pooled_counts(counts, pooled_years)

    exp_rows, coefficients, variance = pd.DataFrame(), pd.DataFrame(), pd.DataFrame()
    effects, validation, info = pd.DataFrame(), pd.DataFrame(), {}
    if expected is not None:
        pred = expected.predictions
        if is_lan:
            exp_rows = aggregate_predictions(pred, member_codes)
        else:
            exp_rows = pred[pred["area_code"] == area.code]
        coefficients, variance = expected.coefficients, expected.variance
        effects, validation, info = expected.effects, expected.validation, expected.info
    scb, scb_rows = scb_table(kv, area.code, synthetic) if not is_lan else (pd.DataFrame(),) * 2
    flagged = flagged_rows(flags, own_codes, years)
    return OutcomesReport(
        area=area,
        lan=lan,
        members=members,
        years=years,
        synthetic=synthetic,
        table=table,
        lan_table=lan_table,
        riket=riket,
        gap=outcomes.gender_gap_table(table),
        headline=head,
        latest_counted=latest_counted,
        destinations=destinations,
        destinations_label=fmt.years(dest_years) if len(destinations) else None,
        education=education,
        education_year=education_year,
        flows=flow_table(counts, own_codes, years),
        peer_title=peer_title,
        peer=peer_means(kv, peers, years, synthetic),
        trend=trend,
        expected=exp_rows,
        coefficients=coefficients,
        variance=variance,
        effects=effects,
        validation=validation,
        model_info=info,
        pooled=pooled,
        pooled_years=pooled_years,
        scb=scb,
        scb_rows=scb_rows,
        flagged=flagged,
        missing_kpis=[] if is_lan else missing_kpis(kv, area.code, synthetic),
        notes=notes,
        data_version=data.version,
        first_year=params.first_year,
        last_year=params.last_year,
    )


def last_years(counts: pd.DataFrame, k: int) -> list[int]:
    """The last k years with outcome shares in the panel (for comparisons across kommuner)."""
    rows = counts[(counts["kpi"] == outcomes.HEADLINE_KPI) & counts["successes"].notna()]
    return sorted(int(y) for y in rows["year"].unique())[-k:]


def pooled_counts(counts: pd.DataFrame, years) -> pd.DataFrame:
    """Per kommun and gender: successes and leavers (with a share) summed over `years`."""
    rows = counts[
        (counts["kpi"] == outcomes.HEADLINE_KPI)
        & counts["year"].isin(list(years))
        & counts["successes"].notna()
    ]
    out = rows.groupby(["area_code", "gender"])[["successes", "n"]].sum().reset_index()
    out["share_pct"] = np.where(out["n"] > 0, 100.0 * out["successes"] / out["n"], np.nan)
    return out


def destination_table(counts: pd.DataFrame, codes, years) -> pd.DataFrame:
    """Share of leavers (%) by destination and gender over `years` (persons summed over the
    area's kommuner): work, studies without work (work or studies − work), programme."""
    if not years:
        return pd.DataFrame()
    rows = counts[
        counts["area_code"].isin(list(codes))
        & counts["year"].isin(list(years))
        & counts["successes"].notna()
    ]

    def persons(kpi):
        part = rows[rows["kpi"] == kpi]
        return part.groupby("gender")[["successes", "n"]].sum()

    work, either, programme = (
        persons(k) for k in (kpis.WORK, kpis.WORK_OR_STUDIES, kpis.PROGRAMME)
    )
    out = {}
    for g in genders.ALL:
        values = {}
        if g in work.index and g in either.index and work.loc[g, "n"] == either.loc[g, "n"] > 0:
            n = either.loc[g, "n"]
            values["Arbete"] = 100.0 * work.loc[g, "successes"] / n
            values["Studier (utan arbete)"] = (
                100.0 * (either.loc[g, "successes"] - work.loc[g, "successes"]) / n
            )
        if g in programme.index and programme.loc[g, "n"] > 0:
            values["Arbetsmarknadspolitiskt program"] = (
                100.0 * programme.loc[g, "successes"] / programme.loc[g, "n"]
            )
        if values:
            out[genders.LABELS[g]] = values
    frame = pd.DataFrame(out)
    return frame.reindex(
        [
            d
            for d in ("Arbete", "Studier (utan arbete)", "Arbetsmarknadspolitiskt program")
            if d in frame.index
        ]
    )


def education_table(counts: pd.DataFrame, codes, years) -> tuple[pd.DataFrame, int | None]:
    """Education of those enrolled (share %, by gender) in the latest year with it."""
    rows = counts[
        counts["area_code"].isin(list(codes))
        & counts["kpi"].isin(list(EDUCATION))
        & counts["year"].isin(list(years))
        & counts["successes"].notna()
    ]
    if rows.empty:
        return pd.DataFrame(), None
    year = int(rows["year"].max())
    part = rows[rows["year"] == year]
    sums = part.groupby(["kpi", "gender"])[["successes", "n"]].sum()
    share = (100.0 * sums["successes"] / sums["n"]).unstack("gender")
    share = share.reindex([k for k in EDUCATION if k in share.index])
    share.index = [EDUCATION[k] for k in share.index]
    share = share[[g for g in genders.ALL if g in share.columns]]
    return share.rename(columns=genders.LABELS), year


def flow_table(counts: pd.DataFrame, codes, years) -> pd.DataFrame:
    """Per year and gender: enrolled (N00960), left (N00964) and of them in work or studies
    after 90 days (persons), summed over the area's kommuner – as Kommunförbundet Skåne's
    figures 1 and 3."""
    rows = counts[counts["area_code"].isin(list(codes)) & counts["year"].isin(list(years))]
    enrolled = (
        rows[rows["kpi"] == kpis.EDU_SECONDARY]
        .drop_duplicates(["area_code", "year", "gender"])
        .groupby(["year", "gender"])["n"]
        .sum()
    )
    headline = rows[rows["kpi"] == outcomes.HEADLINE_KPI]
    left = headline.groupby(["year", "gender"])["n"].sum()
    success = headline.groupby(["year", "gender"])["successes"].sum(min_count=1)
    frame = pd.DataFrame({"enrolled": enrolled, "left": left, "to_work_or_studies": success})
    if frame.empty:
        return frame
    return frame.reset_index()


def peer_means(kpi_values, members, years, synthetic) -> pd.DataFrame:
    """Unweighted mean of the headline share over the peer kommuner with a value (as Kolada's
    group mean)."""
    if not members:
        return pd.DataFrame(columns=["year", "gender", "mean_pct", "n"])
    rows = panel.values(kpi_values, outcomes.HEADLINE_KPI, members, synthetic=synthetic)
    rows = rows[rows["year"].isin(years) & rows["value"].notna()]
    return rows.groupby(["year", "gender"])["value"].agg(mean_pct="mean", n="count").reset_index()


def missing_kpis(kpi_values, area_code, synthetic) -> list[tuple[str, str]]:
    rows = panel.values(kpi_values, area_codes=area_code, synthetic=synthetic)
    have = set(rows.loc[rows["value"].notna(), "kpi"])
    return [(k, kpis.title(k)) for k in kpis.in_group(kpis.Group.ETABLERING) if k not in have]


def scb_table(kpi_values, area_code, synthetic) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Refugees 20–64 in the kommun by year: employed (K, M, T), Kolada's expected value and
    deviation (T), employed after 4–6 years (K, M, T), studying (T)."""
    rows = panel.values(kpi_values, list(SCB_KPIS), area_code, synthetic=synthetic)
    rows = rows[rows["value"].notna()]
    if rows.empty:
        return pd.DataFrame(), rows
    wide = rows.pivot_table(index="year", columns=["kpi", "gender"], values="value")
    wide.columns = [f"{k}_{g}" for k, g in wide.columns]
    wide.index = wide.index.astype(int)
    return wide, rows


def flagged_rows(flags, codes, years) -> pd.DataFrame:
    """Flagged etablering rows of the area's kommuner (kept out of every figure)."""
    if flags is None or flags.empty:
        return pd.DataFrame(columns=["kpi", "area_code", "year", "gender", "rule", "detail"])
    ids = kpis.in_group(kpis.Group.ETABLERING)
    rows = flags[
        flags["kpi"].isin(ids) & flags["area_code"].isin(list(codes)) & flags["year"].isin(years)
    ]
    return rows[["kpi", "area_code", "year", "gender", "rule", "detail"]].sort_values(
        ["kpi", "year", "gender"]
    )


# --- the summary -------------------------------------------------------------------------------


def _p_text(p) -> str:
    if pd.isna(p):
        return "uppgift saknas"
    return "< 0,001" if p < 0.001 else fmt.number(p, 3)


def _p_phrase(p) -> str:
    text = _p_text(p)
    return f"p {text}" if text.startswith("<") else f"p = {text}"


def _people(group: dict, gender: str) -> str:
    return texts.OUTCOMES(
        "summary.people",
        successes=fmt.number(group["successes"]),
        n=fmt.number(group["n"]),
        word=Gender(gender).word,
    )


def headline_text(rep: OutcomesReport) -> str:
    h = rep.headline
    return texts.OUTCOMES(
        "summary.headline",
        area=rep.area.name,
        lan=rep.is_lan and len(rep.members) > 1,  # Gotlands län is its one kommun, not a sum
        pooled=h.pooled,
        years=h.label,
        women=fmt.percent(h.women["pct"]),
        men=fmt.percent(h.men["pct"]),
        gap=h.gap_shown,
        gap_text=fmt.number(abs(h.gap_shown)),
        pooled_reason=pooled_reason(h) if h.few_in_latest else "",
    )


def pooled_reason(h: outcomes.Headline) -> str:
    """'2021 lämnade bara 4 kvinnor och 4 män, så de senaste 3 åren med uppgifter räknas samman'"""
    few = [Gender(g).counted(fmt.number(n)) for g, n in sorted(h.few_in_latest.items())]
    return texts.OUTCOMES(
        "headline.pooled", latest=h.years[-1], few=fmt.listing(few), n_years=len(h.years)
    )


def uncertainty_text(rep: OutcomesReport) -> str:
    T = texts.OUTCOMES
    h = rep.headline
    if not h.counted:
        return T("summary.uncertainty_missing", years=h.label)
    people = {"women": _people(h.women, "K"), "men": _people(h.men, "M")}
    if np.isnan(h.gap_low):
        return T("summary.uncertainty_small", small=outcomes.SMALL_COHORT, **people)
    if h.gap_low > 0 or h.gap_high < 0:
        low, high = sorted((abs(h.gap_low), abs(h.gap_high)))
        return T("summary.uncertainty_clear", low=fmt.number(low), high=fmt.number(high), **people)
    low, high = fmt.signed(h.gap_low), fmt.signed(h.gap_high)
    return T("summary.uncertainty_unclear", low=low, high=high, **people)


def riket_text(rep: OutcomesReport) -> str:
    h = rep.headline
    women = outcomes.group_share(rep.riket, h.years, "K")
    men = outcomes.group_share(rep.riket, h.years, "M")
    if np.isnan(women["pct"]) or np.isnan(men["pct"]):
        return ""
    return texts.OUTCOMES(
        "summary.riket", pooled=h.pooled, years=h.label, women=fmt.percent(women["pct"]),
        men=fmt.percent(men["pct"]),
    )  # fmt: skip


def expected_for(rep: OutcomesReport, gender: str, years) -> dict | None:
    """Actual and expected share of one gender over `years` (one year, or the headline's pooled
    years), with the usual range. Pooled years of one kommun share its effect, so their
    covariance (n_t n_s p_t q_t p_s q_s tau², to first order) is added to the variances; the
    range is then normal on the number of persons."""
    rows = rep.expected[
        (rep.expected["gender"] == gender)
        & rep.expected["year"].isin(list(years))
        & rep.expected["successes"].notna()
    ]
    if rows.empty:
        return None
    if len(rows) == 1:
        r = rows.iloc[0]
        return {
            "label": str(int(r["year"])),
            "n": float(r["n"]),
            "successes": float(r["successes"]),
            "actual_pct": float(r["actual_pct"]),
            "expected_pct": float(r["expected_pct"]),
            "pi_low": float(r["pi_low"]),
            "pi_high": float(r["pi_high"]),
            "pi_low_n": float(r["pi_low_n"]),
            "pi_high_n": float(r["pi_high_n"]),
        }
    n = rows["n"].to_numpy(float)
    e = rows["expected_pct"].to_numpy(float) / 100.0
    var = rows["var_n"].to_numpy(float).sum()
    if not rep.is_lan and len(rep.variance):
        tau = float(rep.variance.set_index("gender").loc[gender, "tau"])
        g = n * e * (1 - e)
        var += tau**2 * (g.sum() ** 2 - (g**2).sum())
    total, expected_n = n.sum(), float((n * e).sum())
    half = 1.959964 * np.sqrt(var)
    low, high = max(expected_n - half, 0.0), min(expected_n + half, total)
    successes = float(rows["successes"].sum())
    return {
        "label": fmt.years(rows["year"]),
        "n": total,
        "successes": successes,
        "actual_pct": 100.0 * successes / total,
        "expected_pct": 100.0 * expected_n / total,
        "pi_low": 100.0 * low / total,
        "pi_high": 100.0 * high / total,
        "pi_low_n": np.floor(low),
        "pi_high_n": np.ceil(high),
    }


def verdict(r: dict) -> str:
    """small (too few to judge), better or worse than expected, or same (within the range)."""
    if r["n"] < outcomes.SMALL_COHORT:
        return "small"
    if r["successes"] > r["pi_high_n"]:
        return "better"
    if r["successes"] < r["pi_low_n"]:
        return "worse"
    return "same"


def expected_sentence(rep: OutcomesReport, gender: str, years) -> str:
    """'För kvinnorna 2022 väntades … (vanligt spann …); utfallet … kan inte skiljas från …'."""
    r = expected_for(rep, gender, years)
    if r is None:
        return ""
    return texts.OUTCOMES(
        "summary.expected_gender",
        group=Gender(gender).group,
        years=r["label"],
        expected=fmt.percent(r["expected_pct"]),
        low=fmt.number(r["pi_low"]),
        high=fmt.percent(r["pi_high"]),
        actual=fmt.percent(r["actual_pct"]),
        verdict=verdict(r),
        small=outcomes.SMALL_COHORT,
    )


def summary_text(rep: OutcomesReport) -> str:
    T = texts.OUTCOMES
    name = rep.area.name
    if not kommun_has_data(rep.table) and rep.synthetic:
        return T("summary.no_demo", area=name)
    if not kommun_has_data(rep.table):
        return T(
            "summary.no_data", area=name, first=rep.years[0], last=rep.years[-1],
            fetch=FETCH_COMMAND,
        )  # fmt: skip
    if rep.headline is None:
        return T("summary.no_headline", area=name)
    parts = [headline_text(rep), uncertainty_text(rep), riket_text(rep)]
    if rep.latest_counted is not None:
        lc = rep.latest_counted
        parts.append(T(
            "summary.latest", years=lc.label, women=fmt.percent(lc.women["pct"]),
            women_people=_people(lc.women, "K"), men=fmt.percent(lc.men["pct"]),
            men_people=_people(lc.men, "M"),
        ))  # fmt: skip
    basis = rep.headline if rep.headline.counted else rep.latest_counted
    if not rep.expected.empty and basis is not None:
        sentences = [expected_sentence(rep, g, basis.years) for g in genders.BOTH]
        sentences = [s for s in sentences if s]
        if sentences:
            parts.append(T("summary.expected", sentences=sentences))
    if rep.is_lan:
        parts.append(T("summary.lan", n_members=len(rep.members)))
    return " ".join(p for p in parts if p)


def availability_text(rep: OutcomesReport) -> str:
    """One line: how many KPIs are missing and the command that fetches them."""
    if not rep.missing_kpis:
        return ""
    return texts.OUTCOMES(
        "availability.text",
        n=len(rep.missing_kpis),
        area=rep.area.name,
        synthetic=rep.synthetic,
        fetch=FETCH_COMMAND,
    )


def availability_details(rep: OutcomesReport) -> str:
    """The missing KPIs by code and name, and how to try the analysis without internet."""
    lines = [f"{k}: {t}" for k, t in rep.missing_kpis]
    if not rep.synthetic:
        lines.append(texts.OUTCOMES("availability.offline"))
    return "\n".join(lines)


def key_figures(rep: OutcomesReport) -> dict:
    """For the site's summary: the shown whole percents of the headline and its period."""
    h = rep.headline
    if h is None:
        return {"women_pct": None, "men_pct": None, "outcome_year": None}
    return {
        "women_pct": outcomes.shown_percent(h.women["pct"]),
        "men_pct": outcomes.shown_percent(h.men["pct"]),
        "outcome_year": h.label,
    }


# --- tables ------------------------------------------------------------------------------------


def last_data_year(rep: OutcomesReport) -> int | None:
    """The last year anyone – the area or riket – has a share in the data: the years asked for
    after it are not in the underlag at all, and the tables stop there (the text says so)."""
    years = [
        int(y)
        for frame in (rep.table, rep.riket)
        for y in frame.loc[frame["share_pct"].notna(), "year"]
    ]
    return max(years) if years else None


def _shown_years(frame: pd.DataFrame, rep: OutcomesReport) -> pd.DataFrame:
    last = last_data_year(rep)
    return frame if last is None else frame[frame["year"] <= last]


def period(rep: OutcomesReport, first: int, last: int) -> dict:
    """The report's years for the line under its title: first, last (no later than the data)
    and own, the last year with the area's own figures (None without any)."""
    end = last_data_year(rep)
    last = min(last, end) if end is not None else last
    shown = rep.table.loc[rep.table["share_pct"].notna(), "year"]
    own = int(shown.max()) if len(shown) else None
    return {"first": first, "last": last, "own": own}


NOTE_TEXTS = {
    outcomes.Note.NO_YEAR: "note.no_year",
    outcomes.Note.NO_SHARE: "note.no_share",
    outcomes.Note.SHARE_STATUS: "note.share_status",
    outcomes.Note.NO_COHORT: "note.no_cohort",
    outcomes.Note.SMALL: "note.small",
    outcomes.Note.ZERO: "note.zero",
    outcomes.Note.NO_WOMEN: "note.no_women",
    outcomes.Note.NO_MEN: "note.no_men",
    outcomes.Note.NO_WOMEN_MEN: "note.no_women_men",
    outcomes.Note.NO_SHARE_ANY_KOMMUN: "note.no_share_any_kommun",
    outcomes.Note.KOMMUNER_LEFT_OUT: "note.kommuner_left_out",
    outcomes.Note.KOLADA_CONTRADICTED: "note.kolada_contradicted",
    outcomes.Note.RIKET_MISSING: "note.riket_missing",
}


def note_text(row) -> str:
    """A table row's note in words ('' for none), with the figures the row holds."""
    note = outcomes.Note(row.get("note") or "")
    if note is outcomes.Note.NONE:
        return ""
    values = {"small": fmt.number(outcomes.SMALL_COHORT)}
    if note is outcomes.Note.SHARE_STATUS:
        values["status"] = str(row.get("kolada_status") or "")
    elif note is outcomes.Note.KOMMUNER_LEFT_OUT:
        values["count"] = fmt.number(row["base_n"] - row["covered_n"])
    elif note is outcomes.Note.KOLADA_CONTRADICTED:
        values["share"] = fmt.number(row["kolada_pct"])
    return texts.OUTCOMES(NOTE_TEXTS[note], **values)


def outcome_display(rep: OutcomesReport) -> pd.DataFrame:
    """The downloadable table: year x gender with share, interval, leavers and note."""
    t = _shown_years(rep.table, rep)
    return pd.DataFrame(
        {
            "År": t["year"],
            "Kön": t["gender"].map(genders.LABELS),
            "Andel i arbete/studier (%)": t["share_pct"].round(1),
            "95 % KI, nedre": t["low_pct"].round(1),
            "95 % KI, övre": t["high_pct"].round(1),
            "Antal som lämnat": t["cohort_n"],
            "Anmärkning": [note_text(row) for _, row in t.iterrows()],
        }
    )


def outcome_wide_display(rep: OutcomesReport) -> pd.DataFrame:
    """One row per year: each gender's share with its interval, leavers and notes."""
    t = _shown_years(rep.table, rep)

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
        record = {genders.LABELS[g]: cell(rows.loc[g]) for g in genders.ALL if g in rows.index}
        record["Antal som lämnat (kvinnor/män)"] = " / ".join(
            fmt.number(rows.loc[g, "cohort_n"]) if g in rows.index else fmt.MISSING
            for g in genders.BOTH
        )
        record["Anmärkning"] = _year_note(rows)
        out[int(year)] = record
    frame = pd.DataFrame.from_dict(out, orient="index")
    frame.index.name = "År"
    return frame


def _year_note(rows: pd.DataFrame) -> str:
    """One note for a year's row: shared by all genders, or each gender's own."""
    notes = {g: note_text(rows.loc[g]) for g in genders.ALL if g in rows.index}
    distinct = {n for n in notes.values() if n}
    if not distinct:
        return ""
    if len(set(notes.values())) == 1:
        return next(iter(distinct))
    return "; ".join(f"{genders.LABELS[g].lower()}: {n}" for g, n in notes.items() if n)


def gap_display(rep: OutcomesReport) -> pd.DataFrame:
    """Per year: shown shares, their difference, its interval and whether it can be told
    from chance. p-values are in the details section."""
    g = _shown_years(rep.gap, rep)
    women = [fmt.rounded(v) for v in g["women_pct"]]
    men = [fmt.rounded(v) for v in g["men_pct"]]

    def verdict(lo, hi):
        if pd.isna(lo):
            return "–"
        return "ja" if lo > 0 or hi < 0 else "nej, kan inte skiljas från slumpen"

    return pd.DataFrame(
        {
            "Kvinnor (%)": [fmt.number(v) for v in women],
            "Män (%)": [fmt.number(v) for v in men],
            "Skillnad (procentenheter)": [
                fmt.signed(w - m) for w, m in zip(women, men, strict=True)
            ],
            "95 % intervall": [
                f"{fmt.signed(lo, 1)} till {fmt.signed(hi, 1)}" if pd.notna(lo) else "–"
                for lo, hi in zip(g["gap_low"], g["gap_high"], strict=True)
            ],
            "Säker skillnad?": [
                verdict(lo, hi) for lo, hi in zip(g["gap_low"], g["gap_high"], strict=True)
            ],
            "Anmärkning": [note_text(row) for _, row in g.iterrows()],
        },
        index=pd.Index(g["year"], name="År"),
    )


def gap_details(rep: OutcomesReport) -> pd.DataFrame:
    g = rep.gap
    has = g["p_value"].notna()
    return pd.DataFrame(
        {
            "Kvinnor, antal som lämnat": [fmt.number(v) for v in g.loc[has, "n_women"]],
            "Män, antal som lämnat": [fmt.number(v) for v in g.loc[has, "n_men"]],
            "Skillnad, exakt (procentenheter)": [fmt.signed(v, 1) for v in g.loc[has, "gap_pp"]],
            "p-värde (z-test)": [_p_text(p) for p in g.loc[has, "p_value"]],
        },
        index=pd.Index(g.loc[has, "year"], name="År"),
    )


def riket_reference(rep: OutcomesReport) -> pd.DataFrame:
    """Riket's shares per year and gender, for a kommun without its own values."""
    have = rep.riket.dropna(subset=["share_pct"])
    frame = have.pivot(index="year", columns="gender", values="share_pct")
    frame = frame[[g for g in genders.ALL if g in frame.columns]]
    frame = frame.map(fmt.percent).rename(columns=lambda g: f"Riket, {genders.LABELS[g].lower()}")
    frame.index = frame.index.astype(int)
    frame.index.name, frame.columns.name = "År", None
    return frame


def riket_reference_text(rep: OutcomesReport) -> str:
    total = rep.riket[rep.riket["gender"] == "T"].dropna(subset=["share_pct"])
    if total.empty:
        return texts.OUTCOMES("over_time.riket", last=None)

    def point(row) -> dict:
        return {"year": f"{row['year']:.0f}", "share": fmt.percent(row["share_pct"])}

    return texts.OUTCOMES(
        "over_time.riket",
        last=point(total.loc[total["year"].idxmax()]),
        low=point(total.loc[total["share_pct"].idxmin()]),
        high=point(total.loc[total["share_pct"].idxmax()]),
        genders=rep.riket.loc[rep.riket["gender"].isin(genders.BOTH), "share_pct"].notna().any(),
    )


def own_values_missing_text(rep: OutcomesReport) -> str:
    """Short, for the sections after the summary (which already explains the gap at length)."""
    if rep.synthetic:
        return summary_text(rep)
    return texts.OUTCOMES("comparison.own_missing", area=rep.area.name, fetch=FETCH_COMMAND)


def comparison_table(rep: OutcomesReport) -> tuple[pd.DataFrame, int | None]:
    """Latest year with the area's shares: area, peers, län, riket by gender."""
    have = rep.table.dropna(subset=["share_pct"])
    if have.empty:
        return pd.DataFrame(), None
    year = int(have["year"].max())

    def shares(table):
        row = table[table["year"] == year].set_index("gender")["share_pct"]
        return {genders.LABELS[g]: row.get(g, np.nan) for g in genders.ALL}

    rows = {rep.area.name: shares(rep.table)}
    if rep.peer_title is not None:
        p = rep.peer[rep.peer["year"] == year].set_index("gender")
        rows["Liknande kommuner (ovägt medel)"] = {
            genders.LABELS[g]: p["mean_pct"].get(g, np.nan) for g in genders.ALL
        }
    if not rep.is_lan:
        rows[rep.lan.name] = shares(rep.lan_table)
    rows["Riket"] = shares(rep.riket)
    return pd.DataFrame.from_dict(rows, orient="index"), year


def comparison_missing_text(table: pd.DataFrame, year: int) -> str:
    """Rows without any value are left out of the chart; this says which and why."""
    names = [name for name, row in table.iterrows() if row.isna().all()]
    if not names:
        return ""
    return texts.OUTCOMES(
        "comparison.missing", year=year, names=fmt.listing(names), fetch=FETCH_COMMAND
    )


def destinations_text(rep: OutcomesReport) -> str:
    return texts.OUTCOMES("destinations.explained", years=rep.destinations_label)


def flow_display(rep: OutcomesReport) -> pd.DataFrame:
    f = rep.flows
    if f.empty:
        return f
    out = {}
    for year, part in f.groupby("year"):
        rows = part.set_index("gender")

        def cell(column, g, rows=rows):
            return fmt.number(rows[column].get(g, np.nan)) if g in rows.index else fmt.MISSING

        out[int(year)] = {
            "Inskrivna, kvinnor": cell("enrolled", "K"),
            "Inskrivna, män": cell("enrolled", "M"),
            "Lämnade, kvinnor": cell("left", "K"),
            "Lämnade, män": cell("left", "M"),
            "Till arbete/studier, kvinnor": cell("to_work_or_studies", "K"),
            "Till arbete/studier, män": cell("to_work_or_studies", "M"),
        }
    frame = pd.DataFrame.from_dict(out, orient="index")
    frame.index.name = "År"
    return frame


# --- kommuner side by side, the funnel, the pooled effects --------------------------------------


def side_by_side(rep: OutcomesReport, registry_names: dict[str, str]) -> pd.DataFrame:
    """The län's kommuner (and the län, riket) pooled over the comparison years, by gender:
    share (%) and leavers, for the chart and the table."""
    p = rep.pooled
    codes = [a.code for a in rep.members]
    rows = p[p["area_code"].isin(codes)]
    share = rows.pivot(index="area_code", columns="gender", values="share_pct")
    n = rows.pivot(index="area_code", columns="gender", values="n")
    frame = pd.DataFrame(index=codes)
    for g in genders.BOTH:
        frame[genders.LABELS[g]] = share.get(g, pd.Series(dtype=float)).reindex(codes)
        frame[f"n_{g}"] = n.get(g, pd.Series(dtype=float)).reindex(codes)
    frame.index = [registry_names.get(c, c) for c in codes]
    totals = {}
    for label, part in ((rep.lan.name, rows), ("Riket", p)):
        sums = part.groupby("gender")[["successes", "n"]].sum()
        totals[label] = {
            **{
                genders.LABELS[g]: 100.0 * sums.loc[g, "successes"] / sums.loc[g, "n"]
                for g in genders.BOTH
                if g in sums.index and sums.loc[g, "n"] > 0
            },
            **{f"n_{g}": sums.loc[g, "n"] for g in genders.BOTH if g in sums.index},
        }
    frame = pd.concat([frame, pd.DataFrame.from_dict(totals, orient="index")])
    return frame


def side_by_side_chart(frame: pd.DataFrame) -> pd.DataFrame:
    """The chart's frame: each row labelled with how many women and men left."""
    labels = [
        f"{name} ({fmt.number(nk) if pd.notna(nk) else '–'}/{fmt.number(nm) if pd.notna(nm) else '–'})"
        for name, nk, nm in zip(frame.index, frame["n_K"], frame["n_M"], strict=True)
    ]
    return pd.DataFrame({g.label: frame[g.label].to_numpy() for g in genders.BOTH}, index=labels)


def side_by_side_display(frame: pd.DataFrame) -> pd.DataFrame:
    def cell(share, n):
        if pd.isna(share):
            return (
                fmt.MISSING if pd.isna(n) or n == 0 else f"andel saknas ({fmt.number(n)} lämnade)"
            )
        return f"{fmt.percent(share)} av {fmt.number(n)}"

    return pd.DataFrame(
        {
            g.label: [cell(s, n) for s, n in zip(frame[g.label], frame[f"n_{g}"], strict=True)]
            for g in genders.BOTH
        },
        index=pd.Index(frame.index, name="Område"),
    )


@dataclass
class Funnel:
    points: pd.DataFrame  # area_code, gender, successes, n, share_pct
    centre: dict  # gender -> national share (0–1)
    tau: dict  # gender -> between-kommun sd (logit), DerSimonian–Laird on these data


def funnel(rep: OutcomesReport) -> Funnel:
    """All kommuner, pooled over the comparison years: share against leavers by gender, with
    the national share as centre and a between-kommun sd for the overdispersed limits.

    tau is DerSimonian–Laird on empirical logits (x + ½)/(n − x + ½) of kommuner with at least
    SMALL_COHORT leavers: a description of the spread for drawing limits, not a model."""
    p = rep.pooled[rep.pooled["n"] >= 1].copy()
    centre, tau = {}, {}
    for g in genders.BOTH:
        part = p[p["gender"] == g]
        if part.empty or part["n"].sum() == 0:
            continue
        c = part["successes"].sum() / part["n"].sum()
        centre[g] = float(c)
        big = part[part["n"] >= outcomes.SMALL_COHORT]
        x, n = big["successes"].to_numpy(float), big["n"].to_numpy(float)
        y = np.log((x + 0.5) / (n - x + 0.5))
        v = 1 / (x + 0.5) + 1 / (n - x + 0.5)
        w = 1 / v
        mean = np.sum(w * y) / np.sum(w)
        q = np.sum(w * (y - mean) ** 2)
        denom = np.sum(w) - np.sum(w**2) / np.sum(w)
        tau[g] = float(np.sqrt(max((q - (len(y) - 1)) / denom, 0.0))) if len(y) > 1 else 0.0
    return Funnel(p, centre, tau)


def funnel_text(rep: OutcomesReport, f: Funnel) -> str:
    codes = [a.code for a in rep.members] if rep.is_lan else [rep.area.code]
    parts = []
    for g in genders.BOTH:
        if g not in f.centre:
            continue
        pts = f.points[(f.points["gender"] == g) & f.points["area_code"].isin(codes)]
        outside = []
        for _, r in pts.iterrows():
            if r["n"] < outcomes.SMALL_COHORT:
                continue
            lo, hi = funnel_limits(f.centre[g], f.tau[g], r["n"])
            if r["share_pct"] / 100 < lo or r["share_pct"] / 100 > hi:
                outside.append(r["area_code"])
        word = Gender(g).word
        if rep.is_lan:
            names = {a.code: a.name for a in rep.members}
            parts.append(texts.OUTCOMES(
                "funnel.lan_outside", word=word, outside=outside, n=len(rep.members),
                names=fmt.listing([names[c] for c in outside]),
            ))  # fmt: skip
        elif len(pts):
            r = pts.iloc[0]
            parts.append(texts.OUTCOMES(
                "funnel.kommun_point", area=rep.area.name, word=word,
                share=fmt.percent(r["share_pct"]), n=fmt.number(r["n"]), outside=bool(outside),
            ))  # fmt: skip
    return " ".join(parts)


def funnel_limits(centre: float, tau: float, n, z: float = 1.959964) -> tuple:
    """Overdispersed 95 % limits (logit scale, additive random effect) at cohort size n."""
    n = np.asarray(n, dtype=float)
    logit = np.log(centre / (1 - centre))
    half = z * np.sqrt(1 / (n * centre * (1 - centre)) + tau**2)
    return 1 / (1 + np.exp(-(logit - half))), 1 / (1 + np.exp(-(logit + half)))


def effect_rows(rep: OutcomesReport) -> pd.DataFrame:
    codes = [a.code for a in rep.members] if rep.is_lan else [rep.area.code]
    return rep.effects[rep.effects["area_code"].isin(codes)] if len(rep.effects) else rep.effects


def effect_text(rep: OutcomesReport) -> str:
    if rep.effects.empty:
        return ""
    rows = effect_rows(rep)
    years = model_years(rep.model_info.get("years", []))
    if rep.is_lan:
        return texts.OUTCOMES("expected.effects_lan", years=years)
    parts = []
    for g in genders.BOTH:
        r = rows[rows["gender"] == g]
        if r.empty:
            continue
        r = r.iloc[0]
        parts.append(texts.OUTCOMES(
            "expected.effect", word=Gender(g).word, area=rep.area.name,
            effect=fmt.number(abs(r["effect_pp"])), above=bool(r["effect_pp"] > 0),
            low=fmt.signed(r["effect_pp_low"]), high=fmt.signed(r["effect_pp_high"]),
            sure=bool(r["effect_pp_low"] > 0 or r["effect_pp_high"] < 0),
            rank=fmt.number(r["rank"]), of=fmt.number(r["of"]),
            rank_low=fmt.number(r["rank_low"]), rank_high=fmt.number(r["rank_high"]),
        ))  # fmt: skip
    n = fmt.number(rows["n"].sum())
    return texts.OUTCOMES("expected.effects", years=years, n=n, genders=parts)


def effects_display(rep: OutcomesReport, names: dict[str, str]) -> pd.DataFrame:
    rows = effect_rows(rep)
    out = {}
    for code, part in rows.groupby("area_code"):
        rec = {}
        for g in genders.BOTH:
            r = part[part["gender"] == g]
            if r.empty:
                continue
            r = r.iloc[0]
            word = genders.LABELS[g]
            rec[f"{word}: effekt (procentenheter)"] = (
                f"{fmt.signed(r['effect_pp'])} ({fmt.signed(r['effect_pp_low'])} till "
                f"{fmt.signed(r['effect_pp_high'])})"
            )
            rec[f"{word}: plats"] = (
                f"{fmt.number(r['rank'])} ({fmt.number(r['rank_low'])}–"
                f"{fmt.number(r['rank_high'])})"
            )
        out[names.get(code, code)] = rec
    frame = pd.DataFrame.from_dict(out, orient="index")
    frame.index.name = "Kommun"
    return frame


# --- expected value ------------------------------------------------------------------------------


def expected_display(rep: OutcomesReport) -> pd.DataFrame:
    e = rep.expected.dropna(subset=["expected_pct"]).sort_values(["year", "gender"])
    out = {}
    for (year, g), r in e.set_index(["year", "gender"]).iterrows():
        if pd.isna(r["outside"]):
            verdict = "för få för bedömning"
        elif r["successes"] > r["pi_high_n"]:
            verdict = "bättre än förväntat"
        elif r["successes"] < r["pi_low_n"]:
            verdict = "sämre än förväntat"
        else:
            verdict = "kan inte skiljas från förväntat"
        out[(int(year), genders.LABELS[g])] = {
            "Utfall": fmt.percent(r["actual_pct"]),
            "Antal som lämnat": fmt.number(r["n"]),
            "Förväntat": fmt.percent(r["expected_pct"]),
            "Vanligt spann (95 %)": f"{fmt.number(r['pi_low'])}–{fmt.percent(r['pi_high'])}",
            "Bedömning": verdict,
        }
    frame = pd.DataFrame.from_dict(out, orient="index")
    frame.index = pd.MultiIndex.from_tuples(frame.index, names=["År", "Kön"])
    return frame


def expected_explanation(rep: OutcomesReport) -> str:
    var = rep.variance.set_index("gender") if len(rep.variance) else pd.DataFrame()
    spread = {g: fmt.number(_pp_spread(var, g)) for g in genders.BOTH} if len(var) else None
    return texts.OUTCOMES("explain.expected", spread=spread)


def _pp_spread(var: pd.DataFrame, g: str) -> float:
    if g not in var.index:
        return np.nan
    p = 0.35 if g == "K" else 0.45
    sd = float(var.loc[g, "total_sd"])
    return 100.0 * 2 * sd * p * (1 - p)


def coefficient_display(rep: OutcomesReport) -> pd.DataFrame:
    c = rep.coefficients
    c = c[c["term"] != "Intercept"]
    rows = {}
    for _, r in c.iterrows():
        rows[(r["label"], genders.LABELS[r["gender"]])] = {
            "Oddskvot": fmt.number(r["odds_ratio"], 2),
            "95 % KI": f"{fmt.number(np.exp(r['ci_low']), 2)}–{fmt.number(np.exp(r['ci_high']), 2)}",
            "p-värde": _p_text(r["p_value"]),
        }
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index = pd.MultiIndex.from_tuples(frame.index, names=["Förklaring", "Kön"])
    return frame


def trend_details_text(rep: OutcomesReport) -> str:
    if rep.trend is None:
        return ""
    ge = rep.trend.gender_effect.iloc[0]
    return texts.OUTCOMES(
        "explain.trend",
        df=fmt.number(rep.trend.df_resid),
        odds_ratio=fmt.number(ge["odds_ratio"], 2),
        low=fmt.number(np.exp(ge["ci_low"]), 2),
        high=fmt.number(np.exp(ge["ci_high"]), 2),
        p=_p_phrase(ge["p_value"]),
    )


def details_intro() -> str:
    return texts.OUTCOMES("explain.details")


# --- SCB's (Kolada's) model beside ours -----------------------------------------------------------


def scb_display(rep: OutcomesReport) -> pd.DataFrame:
    s = rep.scb
    if s.empty:
        return s

    def col(kpi, g):
        key = f"{kpi}_{g}"
        return s[key] if key in s else pd.Series(np.nan, index=s.index)

    frame = pd.DataFrame(
        {
            "Förvärvsarbetande, totalt": col(kpis.REFUGEES_EMPLOYED, "T").map(
                lambda v: fmt.percent(v, 1)
            ),
            "Förväntat (Koladas modell)": col(kpis.SCB_EXPECTED, "T").map(
                lambda v: fmt.percent(v, 1)
            ),
            "Avvikelse (procentenheter)": col(kpis.SCB_DEVIATION, "T").map(
                lambda v: fmt.signed(v, 1)
            ),
            **{
                g.label: col(kpis.REFUGEES_EMPLOYED, g).map(lambda v: fmt.percent(v, 1))
                for g in genders.BOTH
            },
            "Vistelsetid 4–6 år, kvinnor": col(kpis.REFUGEES_EMPLOYED_4_6, "K").map(
                lambda v: fmt.percent(v, 1)
            ),
            "Vistelsetid 4–6 år, män": col(kpis.REFUGEES_EMPLOYED_4_6, "M").map(
                lambda v: fmt.percent(v, 1)
            ),
            "Studerande": col(kpis.REFUGEES_STUDYING, "T").map(lambda v: fmt.percent(v, 1)),
        },
        index=pd.Index(s.index, name="År"),
    )
    return frame


def scb_text(rep: OutcomesReport) -> str:
    s = rep.scb
    dev = f"{kpis.SCB_DEVIATION}_T"
    values = {"area": rep.area.name, "missing": False, "year": None}  # a län: the intro only
    if not rep.is_lan and (s.empty or dev not in s or s[dev].dropna().empty):
        values["missing"] = True
    elif not rep.is_lan:
        year = int(s[dev].dropna().index.max())
        d = s.loc[year, dev]
        values |= {
            "year": year,
            "employed": fmt.percent(s.loc[year, f"{kpis.REFUGEES_EMPLOYED}_T"], 1),
            "expected": fmt.percent(s.loc[year, f"{kpis.SCB_EXPECTED}_T"], 1),
            "deviation": fmt.number(abs(d), 1),
            "above": bool(d > 0),
        }
    return texts.OUTCOMES("scb.intro", **values)


def scb_chart_frame(rep: OutcomesReport) -> pd.DataFrame:
    """The series for the refugee-employment chart, with Swedish labels."""
    s = rep.scb
    series = {
        "Förvärvsarbetande, totalt": f"{kpis.REFUGEES_EMPLOYED}_T",
        "Kvinnor": f"{kpis.REFUGEES_EMPLOYED}_K",
        "Män": f"{kpis.REFUGEES_EMPLOYED}_M",
        "Förväntat enligt Koladas modell (totalt)": f"{kpis.SCB_EXPECTED}_T",
    }
    frame = pd.DataFrame({label: s[c] for label, c in series.items() if c in s})
    expected = f"{kpis.SCB_EXPECTED}_T"
    if expected in s and s[expected].notna().any():  # the years Kolada's model covers
        frame = frame[frame.index >= s[expected].first_valid_index()]
    return frame


def lan_scb_rows(rep: OutcomesReport, kpi_values, synthetic: bool) -> pd.DataFrame:
    codes = [a.code for a in rep.members]
    rows = panel.values(
        kpi_values,
        [kpis.SCB_EXPECTED, kpis.SCB_DEVIATION, kpis.REFUGEES_EMPLOYED],
        codes,
        ["T"],
        synthetic=synthetic,
    )
    return rows[rows["value"].notna()]


def synthetic_source() -> str:
    return texts.OUTCOMES("sources.synthetic", origin=origin.describe(origin.Origin.SYNTHETIC))


def lan_scb_source(rep: OutcomesReport, synthetic: bool) -> str:
    if synthetic:
        return synthetic_source()
    ids = [kpis.REFUGEES_EMPLOYED, kpis.SCB_EXPECTED, kpis.SCB_DEVIATION]
    return texts.OUTCOMES("sources.scb", kolada="Kolada (RKA)", ids=ids)


def validation_source(rep: OutcomesReport) -> str:
    info = rep.model_info or {}
    return rep.source_for(
        [kpis.WORK_OR_STUDIES, kpis.LEFT, kpis.EDU_PRIMARY, kpis.EDU_TERTIARY, kpis.SCB_EXPECTED],
        texts.OUTCOMES(
            "sources.validation",
            train=model_years(info.get("train_years", [])),
            test=model_years(info.get("test_years", [])),
        ),
    )


def lan_scb_display(rep: OutcomesReport, kpi_values, names, synthetic: bool) -> pd.DataFrame:
    """For a län (Kolada has no län value): its kommuner's latest deviation."""
    rows = lan_scb_rows(rep, kpi_values, synthetic)
    if rows.empty:
        return pd.DataFrame()
    year = int(rows["year"].max())
    wide = rows[rows["year"] == year].pivot(index="area_code", columns="kpi", values="value")
    frame = pd.DataFrame(
        {
            "Förvärvsarbetande": wide.get(kpis.REFUGEES_EMPLOYED).map(lambda v: fmt.percent(v, 1)),
            "Förväntat (Koladas modell)": wide.get(kpis.SCB_EXPECTED).map(
                lambda v: fmt.percent(v, 1)
            ),
            "Avvikelse (procentenheter)": wide.get(kpis.SCB_DEVIATION).map(
                lambda v: fmt.signed(v, 1)
            ),
        }
    )
    frame.index = [names.get(c, c) for c in frame.index]
    frame.index.name = f"Kommun ({year})"
    return frame


# --- method note -----------------------------------------------------------------------------------


def validation_display(rep: OutcomesReport) -> pd.DataFrame:
    v = rep.validation
    if v is None or v.empty:
        return pd.DataFrame()
    return pd.DataFrame(
        {
            "Kön": v["gender"].map(genders.LABELS),
            "Antal som lämnat": v["size_class"],
            "Kommunår": [fmt.number(n) for n in v["n"]],
            "Inom spannet": [
                fmt.percent(100 * c, 1) if n else fmt.MISSING
                for c, n in zip(v["coverage"], v["n"], strict=True)
            ],
            "Godtagbart": [
                f"{fmt.number(100 * lo)}–{fmt.percent(100 * hi)}" if n else "–"
                for lo, hi, n in zip(v["band_low"], v["band_high"], v["n"], strict=True)
            ],
        }
    ).set_index(["Kön", "Antal som lämnat"])


def method_text(rep: OutcomesReport) -> str:
    info = rep.model_info or {}
    var = rep.variance.set_index("gender") if len(rep.variance) else pd.DataFrame()
    v = rep.validation
    T = texts.OUTCOMES
    lines = [T("method.how"), T("method.spread")]
    if len(var):
        lines.append(
            T(
                "method.estimates",
                tau_k=fmt.number(var.loc["K", "tau"], 2),
                sigma_k=fmt.number(var.loc["K", "sigma"], 2),
                tau_m=fmt.number(var.loc["M", "tau"], 2),
                sigma_m=fmt.number(var.loc["M", "sigma"], 2),
                rows=fmt.number(var["n_rows"].sum()),
                years=model_years(info.get("years", [])),
            )
        )
    if v is not None and len(v):
        total = v[v["size_class"] == "alla"].set_index("gender")
        coverage = " och ".join(
            T(
                "method.coverage",
                share=fmt.percent(100 * total.loc[g, "coverage"], 1),
                group=Gender(g).possessive,
                n=fmt.number(total.loc[g, "n"]),
            )
            for g in genders.BOTH
            if g in total.index and total.loc[g, "n"]
        )
        lines.append(
            T(
                "method.validation",
                train_years=model_years(info.get("train_years", [])),
                test_years=model_years(info.get("test_years", [])),
                coverage=coverage,
            )
        )
    return "\n\n".join(lines)


def data_notes(rep: OutcomesReport) -> str:
    T = texts.OUTCOMES
    small = outcomes.SMALL_COHORT
    lines = [T("data_notes.share"), T("data_notes.left"), T("data_notes.small", small=small)]
    lines.append(T("data_notes.gap"))
    if rep.is_lan:
        lines.append(T("data_notes.lan", n=len(rep.members)))
    riket_replaced = rep.riket[rep.riket["note"] == outcomes.Note.KOLADA_CONTRADICTED]
    if len(riket_replaced):
        years = sorted(riket_replaced["year"].unique())
        lines.append(T("data_notes.riket_replaced", years=fmt.listing([str(y) for y in years])))
    if len(rep.flagged):
        groups = rep.flagged.groupby(["kpi", "year", "rule"])["gender"].apply(
            lambda g: "/".join(sorted(set(g)))
        )
        flagged = [
            {"kpi": k, "year": y, "genders": g, "rule": rule} for (k, y, rule), g in groups.items()
        ]
        lines.append(T("data_notes.flagged", flagged=flagged))
    if rep.synthetic:
        lines.insert(0, T("data_notes.synthetic"))
    elif (rep.table["origin"] == origin.Origin.TRANSCRIBED).any():
        lines.append(T("data_notes.transcribed"))
    return "\n".join(lines)
