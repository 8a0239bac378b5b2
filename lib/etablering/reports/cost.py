"""Everything the 03-forsorjningsstod notebook shows: the kommun's own cohorts, the model's cost
beside the bistånd actually paid (utfall) and ahead (prognos), the span given the assumptions,
the KEFU comparison, scenarios, sensitivity, the people behind the cost and the assumptions."""

import functools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..analysis import kefu
from ..analysis.kefu import model as kmodel
from ..analysis.kefu.cohort import Group
from ..analysis.kefu.entrants import Count, Fill, FillKind
from ..analysis.kefu.households import couple_share, kind_weights
from ..analysis.kefu.params import ACTIVE_FROM_DAY_ONE, iter_sourced
from ..analysis.kefu.params import BUILTIN_SCENARIOS as BUILTIN
from ..core import fmt
from ..core import gender as genders
from ..core.errors import ParameterError
from ..core.gender import Gender
from ..data import kpis, panel
from ..data.registry import Area
from . import texts
from .base import Report, ReportData
from .notebook_params import CostParams

SPAN = "spann givet antagandena"
# The KPIs the source lines name: the model's inputs, and the bistånd it is compared with
MODEL_KPIS = (
    kpis.ENROLLED,
    kpis.LEFT,
    kpis.WORK_OR_STUDIES,
    kpis.REFUGEES_BISTAND_SHARE,
    kpis.BISTAND_KR_PER_HOUSEHOLD,
)
ACTUAL_KPIS = (
    kpis.BISTAND_TKR,
    kpis.BISTAND_KR_PER_INV,
    kpis.BISTAND_EXCL_REFUGEES_KR_PER_INV,
    kpis.POPULATION,
)


@dataclass
class CostReport(Report):
    area: Area
    members: list[Area]
    params: kefu.KefuParams
    scenario: str
    policy_year: int
    start_year: int
    end_year: int
    inputs: kmodel.AreaInputs  # what the report shows as the area's own data
    prep: object  # Prepared, or Group for a län
    projection: kefu.Projection
    bands: pd.DataFrame
    tornado: pd.DataFrame
    scenarios: pd.DataFrame  # scenario, year, cost_kr (deterministic)
    riket_per_received: float
    actual: pd.DataFrame  # year -> total_kr, refugee_kr
    data: kmodel.Panel
    n_draws: int
    seed: int
    notes: list[str] = field(default_factory=list)
    tornado_years: tuple[int, int] | None = None  # the period the sensitivity chart sums
    data_version: str = ""
    lan: Area | None = None

    @property
    def title(self) -> str:
        return texts.COST("page.title", area=self.area.name)

    @property
    def subtitle(self) -> str:
        return texts.COST(
            "page.subtitle",
            utfall=fmt.years(self.utfall_years) if self.utfall_years else None,
            prognos=fmt.years(self.prognos_years) if self.prognos_years else None,
            lan=self.is_lan,
            n=len(self.members),
            code=self.area.code,
            lan_name=self.lan.name if self.lan else None,
            version=self.data_version,
        )

    @property
    def last_data_year(self) -> int:
        return int(self.projection.last_data_year)

    @property
    def utfall_years(self) -> list[int]:
        return [y for y in range(self.start_year, self.end_year + 1) if y <= self.last_data_year]

    @property
    def prognos_years(self) -> list[int]:
        return [y for y in range(self.start_year, self.end_year + 1) if y > self.last_data_year]

    @functools.cached_property
    def source(self) -> str:
        """The model's inputs and where the area's rows of them come from."""
        return texts.COST("sources.model", kolada=self._origins(MODEL_KPIS), ids=MODEL_KPIS)

    @functools.cached_property
    def source_with_actual(self) -> str:
        """The model's source and that of the bistånd it is compared with."""
        return texts.COST(
            "sources.model_and_actual",
            model=self.source,
            kolada=self._origins(ACTUAL_KPIS),
        )

    def _origins(self, kpi_ids) -> str:
        """Where the area's own rows of the KPIs come from (a län: its kommuner's)."""
        kv = self.data.kpi_values
        codes = [m.code for m in self.members]
        return panel.sources(kv[kv["kpi"].isin(kpi_ids) & kv["area_code"].isin(codes)])

    @property
    def total(self) -> pd.DataFrame:
        y = self.projection.yearly
        y = y[(y["gender"] == "T") & (y["year"] >= self.start_year)]
        return y.set_index("year")

    def band(self, measure: str = "cost", gender: str = "T") -> pd.DataFrame:
        b = self.bands
        if b.empty:
            return b
        b = b[(b["measure"] == measure) & (b["gender"] == gender) & (b["period"] == "")]
        return b.set_index("year")

    def period_band(self, label: str, measure: str = "cost") -> pd.Series | None:
        b = self.bands
        if b.empty:
            return None
        rows = b[(b["measure"] == measure) & (b["gender"] == "T") & (b["period"] == label)]
        return rows.iloc[0] if len(rows) else None


# --- building ---------------------------------------------------------------------------------


_PANEL_BUILD: dict = {}


def panel_for(tables: dict, params: kefu.KefuParams) -> kmodel.Panel:
    """The panel read once per kernel and data (a batch renders many kommuner in one kernel)."""
    kv = tables["kpi_values"]
    key = (len(kv), float(pd.to_numeric(kv["value"], errors="coerce").sum()), kv["retrieved"].max())
    pkey = (
        params.outcomes.shrinkage_persons.value,
        params.local.shrinkage_households.value,
        params.local.shrinkage_leavers.value,
    )
    if (key, pkey) not in _PANEL_BUILD:
        _PANEL_BUILD.clear()
        _PANEL_BUILD[(key, pkey)] = kmodel.Panel.build(kv, params, tables.get("area_groups"))
    return _PANEL_BUILD[(key, pkey)]


def _periods(start: int, end: int, last: int) -> dict[str, tuple[int, int]]:
    out = {}
    if start <= last:
        out["utfall"] = (start, min(last, end))
    if end > last:
        out["prognos"] = (max(start, last + 1), end)
    out["hela"] = (start, end)
    return out


def build(p: CostParams, data: ReportData) -> CostReport:
    tables, registry = data, data.registry
    params = kefu.load_params(overrides=p.overrides or None)
    if p.scenario not in params.known_scenarios():
        raise ParameterError(
            f"Okänt scenario {p.scenario!r} (parametern scenario); välj ett av "
            f"{', '.join(params.known_scenarios())}."
        )
    kolada = panel_for(tables, params)
    area = p.kommun
    notes: list[str] = []
    if area.kind == "lan":
        members = registry.kommuner(area.lan_code)
        codes = [(m.code, m.name) for m in members]
        inputs = kmodel.area_inputs(
            kolada, params, area.code, area.name, "lan", [m.code for m in members]
        )

        prep, skipped = kmodel.prepare_group(
            kolada,
            params,
            codes,
            p.start_year,
            p.end_year,
            scenario=p.scenario,
            policy_year=p.policy_year,
        )
        notes += [texts.COST("notes.no_cohorts", reason=s) for s in skipped]
        actual = _sum_actual(kolada, members, notes)
    else:
        members = [area]
        inputs = kmodel.area_inputs(kolada, params, area.code, area.name, "kommun")

        prep = kmodel.prepare(
            inputs,
            params,
            p.start_year,
            p.end_year,
            scenario=p.scenario,
            policy_year=p.policy_year,
        )
        actual = inputs.actual
    projection = kmodel.project(prep)
    last = projection.last_data_year
    policy = p.policy_year or last + 1
    periods = _periods(p.start_year, p.end_year, last)
    bands = pd.DataFrame()
    changes = [(y - 1, y) for y in range(p.start_year + 1, min(last, p.end_year) + 1)]
    if p.start_year <= 2016 <= last and 2020 <= last:
        changes.append((2016, 2020))
    if p.n_draws:
        bands = kefu.monte_carlo(
            prep,
            n_draws=p.n_draws,
            seed=p.seed,
            periods={fmt.span(a, b): (a, b) for a, b in periods.values()},
            changes=changes,
        )
    sens_years = periods.get("prognos", periods["hela"])
    sens = kefu.tornado(prep, sens_years)
    names = list(dict.fromkeys([*BUILTIN, *params.known_scenarios()]))
    scen = kmodel.scenario_costs(prep, names, p.policy_year, run=projection)
    riket_rate = _riket_per_received(kolada, params, p.start_year, p.end_year)
    scale = projection.ceiling_scale
    if scale < 1:
        notes.append(texts.COST(
            "notes.ceiling", share=fmt.percent(100 * params.local.ceiling_share.value),
            scale=fmt.percent(100 * scale),
        ))  # fmt: skip
    if not isinstance(prep, Group) and prep.window_scale < 1:
        notes.append(texts.COST("notes.window_cap", scale=fmt.percent(100 * prep.window_scale)))
    return CostReport(
        area=area,
        members=members,
        params=params,
        scenario=p.scenario,
        policy_year=policy,
        start_year=p.start_year,
        end_year=p.end_year,
        inputs=inputs,
        prep=prep,
        projection=projection,
        bands=bands,
        tornado=sens,
        tornado_years=tuple(sens_years),
        scenarios=scen[scen["year"] >= p.start_year].reset_index(drop=True),
        riket_per_received=riket_rate,
        actual=actual,
        data=kolada,
        n_draws=p.n_draws,
        seed=p.seed,
        notes=notes,
        data_version=data.version,
        lan=registry.lan_of(area),
    )


def _sum_actual(data: kmodel.Panel, members: list[Area], notes: list[str]) -> pd.DataFrame:
    """A län's bistånd as its kommuner's sum. A kommun's missing year (or a reported 0) between
    two reported years is filled with their linear interpolation and named in `notes`; a year
    still missing for some kommun is missing for the län."""
    parts = {m: data.actual_for(m.code) for m in members}
    years = sorted(set().union(*[set(p.index) for p in parts.values()]))
    out = pd.DataFrame(index=pd.Index(years, name="year"))
    filled = []
    for col in ("total_kr", "refugee_kr"):
        series = []
        for m, p in parts.items():
            s = p[col].reindex(years).astype(float)
            if col == "total_kr":
                s = s.where(s > 0)
            gaps = s.isna()
            s = s.interpolate(limit_area="inside")
            if col == "total_kr":
                filled += [f"{m.name} {y}" for y in s.index[gaps & s.notna()]]
            series.append(s)
        frame = pd.concat(series, axis=1)
        out[col] = frame.sum(axis=1).where(frame.notna().all(axis=1))
    if filled:
        notes.append(texts.COST("notes.actual_filled", filled=fmt.listing(filled)))
    return out


_RIKET: dict = {}


def _riket_per_received(data, params, start, end) -> float:
    """Riket's cost per person received, kommunmottagna summed over the kommuner (Kolada has no
    riket value for 2014). The same in every report of a batch: computed once per kernel for
    the same panel (panel_for's) and assumptions."""
    key = (id(data), params.model_dump_json(), start, end)
    found = _RIKET.get(key)
    if found is not None and found[0] is data:
        return found[1]
    value = _riket_per_received_now(data, params, start, end)
    _RIKET.clear()
    _RIKET[key] = (data, value)
    return value


def _riket_per_received_now(data, params, start, end) -> float:
    _, _, proj = kmodel.run_area(data, params, "0000", "Riket", "riket", start, end)
    kommuner = [c for c in data.outcomes if len(c) == 4 and c != "0000"]
    return _per_received(proj.yearly, data, kommuner, start, end)


RECEIVED_YEARS = (2014, 2022)


def _received(data: kmodel.Panel, codes: list[str]) -> float:
    kv = data.kpi_values
    rows = kv[(kv["kpi"] == kpis.RECEIVED) & kv["area_code"].isin(codes) & (kv["gender"] == "T")]
    rows = rows[rows["year"].between(*RECEIVED_YEARS)]
    return float(rows["value"].sum())


def _per_received(yearly: pd.DataFrame, data, codes, start, end) -> float:
    y = yearly[(yearly["gender"] == "T") & yearly["year"].between(start, end)]
    received = _received(data, codes)
    return float(y["cost_kr"].sum() / received) if received else float("nan")


# --- numbers as text --------------------------------------------------------------------------


def mkr(value, decimals: int = 1) -> str:
    return fmt.number(value / 1e6, decimals) + " Mkr" if pd.notna(value) else fmt.MISSING


def mkr_number(value, decimals: int = 1) -> str:
    """Millions without the unit, for table cells whose header says Mkr."""
    return fmt.number(value / 1e6, decimals) if pd.notna(value) else fmt.MISSING


def mkr_range(low, high) -> str:
    if pd.isna(low) or pd.isna(high):
        return fmt.MISSING
    return f"{mkr_number(low)}–{mkr_number(high)}"


def kr(value) -> str:
    return fmt.number(value) + " kr" if pd.notna(value) else fmt.MISSING


def pct(share, decimals: int = 0) -> str:
    return fmt.percent(100 * share, decimals) if pd.notna(share) else fmt.MISSING


# --- the texts --------------------------------------------------------------------------------


def _received_area(rep: CostReport) -> float:
    return _received(rep.data, [m.code for m in rep.members])


def per_received(rep: CostReport) -> float:
    """Cost over the report's horizon per person kommunmottagen 2014–2022 (RECEIVED), at the
    main values (as riket's, which it is compared with)."""
    received = _received_area(rep)
    t = rep.total["cost_kr"].sum()
    return float(t / received) if received else float("nan")


def drivers(rep: CostReport) -> list[str]:
    """The area's own data against riket, as sentences: why its cost per person received is
    what it is."""
    T = texts.COST
    inp = rep.inputs
    out = []
    co = inp.cohorts
    received = co.received.dropna()
    if len(received) and received.sum() > 0:
        years = [y for y in co.years if y in received.index]
        ratio = co.entrants.loc[years].to_numpy().sum() / received.loc[years].sum()
        out.append(T("drivers.entrants", share=pct(ratio), years=fmt.years(years)))
    est = inp.outcome_estimates.reset_index()
    est = est[est["year"].between(2015, co.last_year)].dropna(subset=["share"])
    if len(est):
        riket = rep.data.outcomes["0000"].reset_index()
        riket = riket[riket["year"].between(2015, co.last_year)]
        shares = [
            {
                "label": g.word,
                "own": pct(_weighted(est[est["gender"] == g])),
                "riket": pct(_weighted(riket[riket["gender"] == g])),
            }
            for g in genders.BOTH
        ]
        out.append(T("drivers.outcomes", years=fmt.years(sorted(set(est["year"]))), genders=shares))
    local = inp.local
    if rep.area.kind == "kommun":
        if np.isfinite(local.dependency):
            out.append(T(
                "drivers.dependency", times=fmt.number(local.dependency, 2),
                years=fmt.years([y for y, _ in local.dependency_years]),
                weight=pct(local.dependency_weight),
            ))  # fmt: skip
        if np.isfinite(local.level_own):
            out.append(T(
                "drivers.level", times=fmt.number(local.level_own, 2),
                weight=pct(local.level_weight),
            ))  # fmt: skip
        if rep.prep.window_scale < 1:
            out.append(T("drivers.window_cap", scale=pct(rep.prep.window_scale)))
    return out


def _weighted(frame: pd.DataFrame) -> float:
    f = frame.dropna(subset=["share"])
    if "leavers" in f and f["leavers"].notna().any() and f["leavers"].sum() > 0:
        f = f.dropna(subset=["leavers"])
        return float((f["share"] * f["leavers"]).sum() / f["leavers"].sum())
    return float(f["share"].mean()) if len(f) else float("nan")


def summary_text(rep: CostReport) -> str:
    T = texts.COST
    t = rep.total
    parts = []
    prog = rep.prognos_years
    if prog:
        label = fmt.years(prog)
        pb = rep.period_band(label)
        if pb is not None:
            parts.append(T(
                "summary.forecast", years=label, median=mkr(pb["p50"]), area=rep.area.name,
                low=mkr(pb["p10"]), high=mkr(pb["p90"]), span=SPAN,
                per_year=mkr(pb["p50"] / len(prog)),
            ))  # fmt: skip
        else:
            cost = mkr(t.loc[prog, "cost_kr"].sum())
            parts.append(T("summary.forecast_main_values", years=label, cost=cost))
    utf = rep.utfall_years
    if utf:
        model = t.loc[utf, "cost_kr"]
        actual = rep.actual["total_kr"].reindex(utf)
        ok = actual.notna() & (actual > 0)
        share = model[ok].sum() / actual[ok].sum() if ok.any() else float("nan")
        parts.append(T(
            "summary.utfall", years=fmt.years(utf), cost=mkr(model.sum()), share=pct(share),
            lan=rep.is_lan, n=len(rep.members), area=rep.area.name,
            actual=mkr(actual[ok].sum()),
        ))  # fmt: skip
    rate, riket = per_received(rep), rep.riket_per_received
    if np.isfinite(rate):
        compared = "higher" if rate > 1.1 * riket else "lower" if rate < 0.9 * riket else "similar"
        parts.append(T(
            "summary.per_received", lan=rep.is_lan, n=len(rep.members), rate=kr(round(rate, -2)),
            horizon=fmt.years(list(range(rep.start_year, rep.end_year + 1))),
            compared=compared, riket=kr(round(riket, -2)), drivers=drivers(rep),
        ))  # fmt: skip
    women = rep.projection.yearly
    women = women[women["year"].between(rep.start_year, rep.end_year)]
    w = women[women["gender"] == "K"]["cost_kr"].sum()
    total = women[women["gender"] == "T"]["cost_kr"].sum()
    if total > 0:
        parts.append(T("summary.women", share=pct(w / total)))
    kefu_text = kefu_summary(rep)
    if kefu_text:
        parts.append(kefu_text)
    return "\n\n".join(parts)


def deterministic_note(rep: CostReport) -> str:
    pb = rep.period_band(fmt.years(rep.prognos_years)) if rep.prognos_years else None
    if pb is None:
        return ""
    return texts.COST(
        "method.deterministic",
        cost=mkr(pb["deterministic"]),
        above=bool(pb["p50"] > pb["deterministic"]),
    )


# --- the kommun's own data ----------------------------------------------------------------------


def input_table(rep: CostReport) -> pd.DataFrame:
    """Indata för kommunen (or länet): its own cohorts and outcomes by year, as Kolada gives
    them."""
    co = rep.inputs.cohorts
    table = co.table()
    est = rep.inputs.outcome_estimates
    rows = {}
    for year in co.years:
        row = {
            f"Inskrivna under året ({kpis.ENROLLED})": fmt.number(
                table.loc[year, ("enrolled", "T")]
            ),
            f"Lämnat under året ({kpis.LEFT})": fmt.number(table.loc[year, ("left", "T")]),
            "Nya inskrivna (beräknat)": fmt.number(table.loc[year, ("entrants", "T")]),
            "varav kvinnor": pct(
                table.loc[year, ("entrants", "K")] / table.loc[year, ("entrants", "T")]
                if table.loc[year, ("entrants", "T")] > 0
                else float("nan")
            ),
            f"Kommunmottagna ({kpis.RECEIVED})": fmt.number(table.loc[year, ("received", "T")]),
        }
        for g, label in ((g, g.word) for g in genders.BOTH):
            if (year, g) in est.index:
                r = est.loc[(year, g)]
                own = pct(r["own"]) if pd.notna(r["own"]) else fmt.MISSING
                row[f"I arbete/studier, {label}: egen ({kpis.WORK_OR_STUDIES})"] = own
                row[f"… {label}, använd"] = pct(r["share"])
            else:
                row[f"I arbete/studier, {label}: egen ({kpis.WORK_OR_STUDIES})"] = fmt.MISSING
                row[f"… {label}, använd"] = fmt.MISSING
        rows[str(year)] = row
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "År"
    return out


def input_text(rep: CostReport) -> str:
    T = texts.COST
    co = rep.inputs.cohorts
    first = co.first_year
    five = slice(first, first + 4)
    lines = [
        T(
            "inputs.enrolled",
            first=first,
            enrolled_sum=fmt.number(co.enrolled.loc[five].to_numpy().sum()),
            entrants_sum=fmt.number(co.entrants.loc[five].to_numpy().sum()),
        ),
        T("inputs.check"),
        T(
            "inputs.outcomes",
            shrinkage=fmt.number(rep.params.outcomes.shrinkage_persons.value),
            lan=rep.is_lan,
            n=len(rep.members),
            **_own_weights(rep),
        ),
    ]
    if co.notes:
        filled = " ".join(fill_text(f, {m.code: m.name for m in rep.members}) for f in co.notes[:6])
        lines.append(T("inputs.filled", fills=filled))
    last = co.last_year
    future = [y for y in range(last + 1, rep.end_year + 1)]
    if future:
        path = rep.params.cohorts
        own = rep.prep.future_entrants
        lines.append(T(
            "inputs.future", last=last, path_last=fmt.number(path.path(last)), area=rep.area.name,
            future=[(y, fmt.number(path.path(y)), fmt.number(own.get(y, 0.0))) for y in future],
        ))  # fmt: skip
    return "\n\n".join(lines)


def _own_weights(rep: CostReport) -> dict:
    """The weight of the kommun's own share in its last year with one, for women and men
    (weight_year None when there is none)."""
    none = {"weight_year": None, "women": "", "men": ""}
    est = rep.inputs.outcome_estimates.dropna(subset=["own"])
    if rep.is_lan or est.empty:
        return none
    year = int(max(y for y, _ in est.index))
    w = {g: est.loc[(year, g), "weight"] for g in genders.BOTH if (year, g) in est.index}
    if len(w) < 2:
        return none
    return {"weight_year": year, "women": pct(w["K"]), "men": pct(w["M"])}


# How each kind of fill in Kolada's counts is worded (keys of [fill] in 03-forsorjningsstod.toml)
FILL_TEXTS = {
    FillKind.OTHER_FROM_TOTAL: "fill.other_from_total",
    FillKind.SPLIT_BY_SHARE: "fill.split_by_share",
    FillKind.LEFT_FROM_ENTRANTS: "fill.left_from_entrants",
    FillKind.NEGATIVE_ENTRANTS: "fill.negative_entrants",
    FillKind.ENROLLED_BETWEEN: "fill.enrolled_between",
    FillKind.ENROLLED_END: "fill.enrolled_end",
}
COUNT_WORDS = {Count.ENROLLED: "Inskrivna", Count.LEFT: "Lämnat"}


def fill_text(fill: Fill, names: dict[str, str] | None = None) -> str:
    """One filled gap as a sentence; a län's fills start with the kommun's name."""
    gender = Gender(fill.gender) if fill.gender else None
    text = texts.COST(
        FILL_TEXTS[fill.kind],
        year=fill.year,
        count=COUNT_WORDS.get(fill.count, ""),
        gender=gender.word if gender else "",
        other=gender.other.word if gender in genders.BOTH else "",
        total=fmt.number(fill.total),
        known=fmt.number(fill.known),
        share=fmt.number(None if fill.share is None else 100 * fill.share),
    )
    if fill.area_code:
        return f"{(names or {}).get(fill.area_code, fill.area_code)}: {text}"
    return text


def local_table(rep: CostReport) -> pd.DataFrame:
    loc = rep.inputs.local
    rows = {
        f"Utbetalt bistånd per hushåll mot riket ({kpis.BISTAND_KR_PER_HOUSEHOLD})": (
            fmt.number(loc.level_own, 2) if np.isfinite(loc.level_own) else fmt.MISSING,
            pct(loc.level_weight),
            fmt.number(loc.level, 2),
        ),
        f"Försörjningsstöd i flyktingars inkomst mot riket ({kpis.REFUGEES_BISTAND_SHARE})": (
            fmt.number(loc.dependency, 2) if np.isfinite(loc.dependency) else "per kommun",
            pct(loc.dependency_weight) if not rep.is_lan else "per kommun",
            "år för år (tre års medel)"
            if loc.dependency_years
            else ("varje kommuns egen" if rep.is_lan else "1 (saknas)"),
        ),
        f"Deltagare med bistånd mot riket ({kpis.BISTAND_ETABLERING_SHARE} × {kpis.BISTAND_ADULTS_HINDER})": (
            fmt.number(loc.topup_own, 2) if np.isfinite(loc.topup_own) else fmt.MISSING,
            pct(loc.topup_weight),
            fmt.number(loc.topup, 2),
        ),
    }
    out = pd.DataFrame.from_dict(
        rows, orient="index", columns=["Kommunens kvot", "Vikt mot riket", "Använd faktor"]
    )
    if rep.is_lan:  # the model runs each kommun on its own factors
        out = out.rename(columns={"Kommunens kvot": "Länets kvot"})
        out["Vikt mot riket"] = "per kommun"
        out["Använd faktor"] = "varje kommuns egen"
    out.index.name = "Länets nivå" if rep.is_lan else "Kommunens nivå"
    return out


# --- cost, utfall and prognos -------------------------------------------------------------------


def cost_table(rep: CostReport) -> pd.DataFrame:
    t = rep.total
    b = rep.band()
    rows = {}
    for year in t.index:
        period = "utfall" if year <= rep.last_data_year else "prognos"
        actual = rep.actual["total_kr"].get(year, np.nan)
        actual = actual if pd.notna(actual) and actual > 0 else np.nan
        have = not b.empty and year in b.index
        median = b.loc[year, "p50"] if have else t.loc[year, "cost_kr"]
        rows[str(year)] = {
            "Period": period,
            "Modellen, median (Mkr)": mkr_number(median),
            "80 % spann (Mkr)": mkr_range(b.loc[year, "p10"], b.loc[year, "p90"]) if have else "–",
            "95 % spann (Mkr)": mkr_range(b.loc[year, "p2_5"], b.loc[year, "p97_5"])
            if have
            else "–",
            "Huvudvärden (Mkr)": mkr_number(t.loc[year, "cost_kr"]),
            "därav under etableringen (Mkr)": mkr_number(t.loc[year, "cost_during_kr"]),
            "Faktiskt bistånd, totalt (Mkr)": mkr_number(actual) if period == "utfall" else "–",
            "Modellens andel av det faktiska": pct(median / actual)
            if period == "utfall" and pd.notna(actual)
            else "–",
        }
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "År"
    return out


def chart_frame(rep: CostReport) -> pd.DataFrame:
    """year, median, p10, p90, p2_5, p97_5, actual_total, actual_refugee, period."""
    t = rep.total
    b = rep.band()
    out = pd.DataFrame(index=t.index)
    for col in ("p50", "p10", "p90", "p2_5", "p97_5"):
        out[col] = b[col].reindex(t.index) if not b.empty else t["cost_kr"]
    out["actual_total"] = rep.actual["total_kr"].reindex(t.index).where(lambda s: s > 0)
    out["actual_refugee"] = rep.actual["refugee_kr"].reindex(t.index)
    out["model_window"] = t["cost_window_kr"]
    out["utfall"] = out.index <= rep.last_data_year
    return out


def backtest_table(rep: CostReport) -> pd.DataFrame:
    """The years with utfall: the model beside the actual total and its change, and the model
    inside Socialstyrelsen's flyktinghushåll years beside that statistic."""
    years = rep.utfall_years
    t = rep.total
    b = rep.band()
    ch = (
        rep.bands[rep.bands["measure"] == "change"].set_index("period")
        if not rep.bands.empty
        else pd.DataFrame()
    )
    rows = {}
    for year in years:
        actual = rep.actual["total_kr"].get(year, np.nan)
        prev = rep.actual["total_kr"].get(year - 1, np.nan)
        label = f"{year - 1}–{year}"
        model = b.loc[year, "p50"] if not b.empty else t.loc[year, "cost_kr"]
        rows[str(year)] = {
            "Modellen (Mkr)": mkr_number(model),
            "Faktiskt totalt (Mkr)": mkr_number(actual) if actual and actual > 0 else fmt.MISSING,
            "Modellens förändring (Mkr)": _signed(ch.loc[label, "p50"])
            if label in ch.index
            else "–",
            "95 % spann för förändringen": (
                f"{_signed(ch.loc[label, 'p2_5'])} till {_signed(ch.loc[label, 'p97_5'])}"
                if label in ch.index
                else "–"
            ),
            "Faktisk förändring, totalt (Mkr)": _signed(actual - prev)
            if pd.notna(actual) and pd.notna(prev) and actual > 0 and prev > 0
            else "–",
            "Modellen under flyktinghushållsåren (Mkr)": mkr_number(t.loc[year, "cost_window_kr"]),
            "Faktiskt till flyktinghushåll (Mkr)": mkr_number(
                rep.actual["refugee_kr"].get(year, np.nan)
            ),
        }
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "År"
    return out


def _signed(value) -> str:
    """'+2,3', '−1,0' or '0,0' (Mkr)."""
    if pd.isna(value):
        return fmt.MISSING
    if abs(value) < 0.05e6:
        return mkr_number(0.0)
    text = mkr_number(abs(value))
    return ("+" if value > 0 else "\u2212") + text


def window_comparison(rep: CostReport) -> dict | None:
    """The model under the flyktinghushåll years (main values, as in the table) beside
    Socialstyrelsen's statistic, summed over the utfall years that have both, and the kommuner
    whose level the statistic lowered; None without such years (or with a statistic that sums
    to nothing)."""
    t = rep.total
    refugee = rep.actual["refugee_kr"]
    years = [y for y in rep.utfall_years if pd.notna(refugee.get(y, np.nan)) and y in t.index]
    model = float(t.loc[years, "cost_window_kr"].sum()) if years else 0.0
    actual = float(refugee.reindex(years).sum())
    if not years or actual <= 0:
        return None
    scale = rep.prep.window_scale if not rep.is_lan else 1.0
    return {
        "years": fmt.years(years),
        "model": mkr_number(model),
        "actual": mkr_number(actual),
        "share": pct(model / actual),
        "above": model > actual * 1.0005,  # not a capped model's rounding
        "before": mkr_number(model / scale),
        "scale": pct(scale),
        "capped": [m.name for m in _members(rep.prep) if m.window_scale < 1],
    }


def _members(prep) -> tuple:
    """The runs a report sums: a län's kommuner, or the kommun's own."""
    return prep.members if isinstance(prep, Group) else (prep,)


def backtest_text(rep: CostReport) -> str:
    T = texts.COST
    if not rep.utfall_years:
        return T("backtest.no_years")
    lines = [T("backtest.scope", lan=rep.is_lan, n=len(rep.members)), T("backtest.window")]
    own = window_comparison(rep)
    if own is not None:
        capped = own.pop("capped")
        key = "backtest.window_capped" if capped and not rep.is_lan else "backtest.window_own"
        lines[-1] += " " + T(key, area=rep.area.name, lan=rep.is_lan, **own)
        if capped and rep.is_lan:
            lines[-1] += " " + T(
                "backtest.window_capped_lan", n=len(capped), names=fmt.listing(capped)
            )
    ch = (
        rep.bands[(rep.bands["measure"] == "change") & (rep.bands["period"] == "2016–2020")]
        if not rep.bands.empty
        else pd.DataFrame()
    )
    if len(ch):
        r = ch.iloc[0]
        a0, a1 = rep.actual["total_kr"].get(2016, np.nan), rep.actual["total_kr"].get(2020, np.nan)
        if pd.notna(a0) and pd.notna(a1) and a0 > 0 and a1 > 0:
            d = a1 - a0
            position = (
                "inside" if r["p2_5"] <= d <= r["p97_5"] else "above" if d > r["p97_5"] else "below"
            )
            lines.append(T(
                "backtest.change", actual=_signed(d), median=_signed(r["p50"]),
                low=_signed(r["p2_5"]), high=_signed(r["p97_5"]), position=position,
            ))  # fmt: skip
    lines.append(T("backtest.all_kommuner"))
    return "\n\n".join(lines)


# --- KEFU ----------------------------------------------------------------------------------------


def kefu_table(rep: CostReport) -> pd.DataFrame:
    ks = rep.params.kefu_scope
    y = rep.projection.yearly
    y = y[(y["gender"] == "T") & y["year"].between(ks.first_year, ks.last_year)].set_index("year")
    rows = {}
    for year, r in y.iterrows():
        rows[str(year)] = {
            "KEFU:s avgränsning (Mkr)": mkr_number(r["kefu_cost_kr"]),
            "Hela modellen (Mkr)": mkr_number(r["cost_kr"]),
            "Inte med hos KEFU": pct(1 - r["kefu_cost_kr"] / r["cost_kr"]) if r["cost_kr"] else "–",
        }
    total_k, total_f = y["kefu_cost_kr"].sum(), y["cost_kr"].sum()
    rows[f"{ks.first_year}–{ks.last_year}"] = {
        "KEFU:s avgränsning (Mkr)": mkr_number(total_k),
        "Hela modellen (Mkr)": mkr_number(total_f),
        "Inte med hos KEFU": pct(1 - total_k / total_f) if total_f else "–",
    }
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "År"
    return out


def kefu_summary(rep: CostReport) -> str:
    ks = rep.params.kefu_scope
    y = rep.projection.yearly
    y = y[(y["gender"] == "T") & y["year"].between(ks.first_year, ks.last_year)]
    if y.empty or y["cost_kr"].sum() == 0:
        return ""
    k, f = y["kefu_cost_kr"].sum(), y["cost_kr"].sum()
    return texts.COST(
        "kefu.summary",
        first=ks.first_year,
        last=ks.last_year,
        kefu_cost=mkr(k),
        cost=mkr(f),
        share=pct(1 - k / f),
    )


def kefu_text(rep: CostReport) -> str:
    return texts.COST("kefu.text")


# --- scenarios, sensitivity, people, assumptions -----------------------------------------------


def scenario_label(rep: CostReport, name: str) -> str:
    return rep.params.scenario(name).label or name.replace("_", " ").capitalize()


def scenario_table(rep: CostReport) -> pd.DataFrame:
    """Scenarios as rows: the years from the policy year, their total and the difference to the
    basscenario (deterministic: the scenarios move the main values, not the spread)."""
    s = rep.scenarios[rep.scenarios["year"] >= rep.policy_year]
    wide = s.pivot(index="scenario", columns="year", values="cost_kr")
    if wide.empty:
        return pd.DataFrame()
    label = fmt.span(int(wide.columns.min()), int(wide.columns.max()))
    wide[label] = wide.sum(axis=1)
    base = wide.loc["baseline"]
    rows = {}
    for name in ["baseline", *[n for n in wide.index if n != "baseline"]]:
        row = {str(c): mkr_number(v) for c, v in wide.loc[name].items()}
        if name != "baseline":
            row["Skillnad mot bas"] = _signed(wide.loc[name, label] - base[label]) + " Mkr"
        else:
            row["Skillnad mot bas"] = "–"
        rows[scenario_label(rep, name)] = row
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "Scenario (Mkr, huvudvärden)"
    return out


def scenario_text(rep: CostReport) -> str:
    T = texts.COST
    inp = rep.inputs
    target = inp.peer_target or {}
    lines = [T("scenarios.intro", year=rep.policy_year)]
    # a län is the sum of its kommuner, each raised to its own comparison group's level
    peers = rep.params.scenario_defaults.peer_kind if rep.is_lan else None
    for name in dict.fromkeys(rep.scenarios["scenario"]):
        levels = None
        if name == ACTIVE_FROM_DAY_ONE and target and not rep.is_lan:
            levels = {
                "women": pct(target.get("K")),
                "men": pct(target.get("M")),
                "note": inp.peer_note,
            }
        lines.append(T(
            "scenarios.item", label=scenario_label(rep, name),
            description=rep.params.scenario(name).description, target=levels,
            peers=peers if name == ACTIVE_FROM_DAY_ONE else None,
        ))  # fmt: skip
    few = rep.total.loc[rep.total.index >= rep.policy_year, "exits"].sum()
    lines += ["", T(
        "scenarios.few", year=rep.policy_year, few=fmt.number(few), area=rep.area.name,
        lan=rep.is_lan, n=len(rep.members),
    )]  # fmt: skip
    return "\n".join(lines)


def tornado_table(rep: CostReport) -> pd.DataFrame:
    t = rep.tornado.head(8)
    if t.empty:
        return pd.DataFrame()
    return pd.DataFrame(
        {
            "Antagande": t["label"],
            "Värde (lågt–högt)": [
                parameter_range_text(path, v, lo, hi)
                for path, v, lo, hi in zip(
                    t["parameter"], t["value"], t["low"], t["high"], strict=True
                )
            ],
            "Kostnad vid lågt": t["cost_at_low_kr"].map(mkr),
            "Kostnad vid högt": t["cost_at_high_kr"].map(mkr),
            "Spann": t["swing_kr"].map(mkr),
        }
    ).set_index("Antagande")


KRONOR_PATHS = ("rent.", "other_income.", "topup.")
FACTOR_PATHS = ("cohorts.future_factor", "local.level_spread", "rent_factor")
POINT_PATHS = ("outcomes.women_shift", "outcomes.men_shift")


def parameter_range_text(path: str, value: float, low: float, high: float) -> str:
    """'25 % (15–38 %)', '200 kr (50–400 kr)', '× 1,00 (0,50–2,40)' or '±8 procentenheter'."""
    if path.startswith(KRONOR_PATHS):
        return f"{fmt.number(value)} kr ({fmt.number(low)}–{fmt.number(high)} kr)"
    if path in FACTOR_PATHS:
        return f"× {fmt.number(value, 2)} ({fmt.number(low, 2)}–{fmt.number(high, 2)})"
    if path in POINT_PATHS:
        return f"{fmt.number(100 * low, 0)} till +{fmt.number(100 * high, 0)} procentenheter"
    decimals = 1 if max(abs(low), abs(high)) < 0.05 else 0
    p = [fmt.number(x * 100, decimals) for x in (value, low, high)]
    return f"{p[0]} % ({p[1]}–{p[2]} %)"


def people_table(rep: CostReport) -> pd.DataFrame:
    y = rep.projection.yearly
    y = y[y["year"] >= rep.start_year]
    hh = y.pivot(index="year", columns="gender", values="households")
    adults = y.pivot(index="year", columns="gender", values="adults_on")
    prog = y.pivot(index="year", columns="gender", values="in_programme")
    out = pd.DataFrame(
        {
            "Hushåll med bistånd (snitt/mån)": hh["T"].map(lambda v: fmt.number(v)),
            "Vuxna i dem: kvinnor": adults["K"].map(lambda v: fmt.number(v)),
            "Vuxna i dem: män": adults["M"].map(lambda v: fmt.number(v)),
            "I etableringen (snitt/mån)": prog["T"].map(lambda v: fmt.number(v)),
        }
    )
    out.index = out.index.map(str)
    out.index.name = "År"
    return out


YEARLY_DOWNLOAD = {
    "year": "År",
    "gender": "Kön",
    "cost_kr": "Kostnad, huvudvärden (kr)",
    "cost_after_kr": "därav efter etableringen (kr)",
    "cost_during_kr": "därav under etableringen (kr)",
    "cost_window_kr": "därav under flyktinghushållsåren (kr)",
    "kefu_cost_kr": "Med KEFU:s avgränsning (kr)",
    "entrants": "Nya deltagare i etableringen",
    "exits": "Lämnade etableringen",
    "households": "Hushåll med bistånd (snitt per månad)",
    "adults_on": "Vuxna i hushåll med bistånd (snitt per månad)",
    "in_programme": "I etableringen (snitt per månad)",
}


def yearly_download(rep: CostReport) -> pd.DataFrame:
    """The model's yearly figures (huvudvärden) per gender, for the report's CSV: kronor to
    the krona, people to the person, Swedish headings and a Period column."""
    y = rep.projection.yearly
    y = y[y["year"] >= rep.start_year][list(YEARLY_DOWNLOAD)].copy()
    money = [c for c in YEARLY_DOWNLOAD if c.endswith("_kr")]
    y[money] = y[money].round(0)
    people = ["entrants", "exits", "households", "adults_on", "in_programme"]
    y[people] = y[people].round(0)
    y["gender"] = y["gender"].map({"K": "Kvinnor", "M": "Män", "T": "Totalt"})
    y.insert(1, "Period", np.where(y["year"] <= rep.last_data_year, "utfall", "prognos"))
    return y.rename(columns=YEARLY_DOWNLOAD).reset_index(drop=True)


def people_frame(rep: CostReport) -> pd.DataFrame:
    """Numbers for the chart: year × Kvinnor/Män (adults in households on bistånd)."""
    y = rep.projection.yearly
    y = y[y["year"] >= rep.start_year]
    a = y.pivot(index="year", columns="gender", values="adults_on")
    return a.rename(columns={"K": "Kvinnor", "M": "Män", "T": "Totalt"})


STRENGTH = {
    "data": "stark (egna data)",
    "kalibrerad": "medel (kalibrerad)",
    "antagande": "svag (antagande)",
}


def assumptions_table(rep: CostReport) -> pd.DataFrame:
    """About ten plain rows: antagande · värde · spann · källa · styrka."""
    p = rep.params
    c = couple_share(p)
    weights = kind_weights(p, "single")
    rows = [
        (
            "Nya deltagare per år",
            "beräknade ur Kolada för varje år med data",
            f"efter {rep.last_data_year}: × {fmt.number(p.cohorts.future_factor.distribution.low, 1)}–"
            f"{fmt.number(p.cohorts.future_factor.distribution.high, 1)}",
            f"Kolada {kpis.ENROLLED}, {kpis.LEFT}; antal att anvisa (länstal)",
            "data",
        ),
        (
            "I arbete eller studier efter etableringen",
            "kommunens egen andel, vägd mot länet",
            "±8 procentenheter, kvinnor och män samvarierar",
            f"Kolada {kpis.WORK_OR_STUDIES}, {kpis.LEFT}",
            "data",
        ),
        (
            "Hushåll",
            f"{pct(c)} av de vuxna lever i par; {pct(weights.get('single_parent', 0))} av de "
            "ensamstående har barn",
            "fast",
            "Socialstyrelsen/SCB, hushåll med ekonomiskt bistånd 2021, justerat för nyanlända",
            "antagande",
        ),
        (
            "Hushåll utan arbete/studier som får bistånd vid utträdet",
            pct(p.bistand.need_share.value),
            f"{pct(p.bistand.need_share.distribution.low)}–{pct(p.bistand.need_share.distribution.high)}",
            "kalibrerad mot SKL:s mätning av 2014 års kohort (177 och 315 Mkr)",
            "kalibrerad",
        ),
        (
            "Lämnar biståndet per månad",
            pct(p.bistand.leave_rate.value, 1),
            f"{pct(p.bistand.leave_rate.distribution.low, 1)}–{pct(p.bistand.leave_rate.distribution.high, 1)}",
            "Socialstyrelsen: 40 % av biståndsmottagarna har bistånd minst 10 månader",
            "kalibrerad",
        ),
        (
            "Kommer tillbaka till biståndet per månad",
            pct(p.bistand.return_rate.value, 1),
            f"{pct(p.bistand.return_rate.distribution.low, 1)}–{pct(p.bistand.return_rate.distribution.high, 1)}",
            "kalibrerad mot SKL och rikets totala bistånd 2016–2020",
            "kalibrerad",
        ),
        (
            "Flyttar från kommunen per månad",
            pct(p.bistand.move_away_rate.value, 1),
            f"{pct(p.bistand.move_away_rate.distribution.low, 1)}–{pct(p.bistand.move_away_rate.distribution.high, 1)}",
            "antagande (netto)",
            "antagande",
        ),
        (
            "Belopp per hushållsmånad",
            f"riksnorm + hyra − barnbidrag, {pct(p.bistand.net_share.value)} av det betalas ut",
            f"{pct(p.bistand.net_share.distribution.low)}–{pct(p.bistand.net_share.distribution.high)}",
            "Socialstyrelsens riksnorm; Malmös hyrestak 2018 (nationell nivå); Kolada "
            f"{kpis.BISTAND_TKR}/{kpis.BISTAND_HOUSEHOLDS}",
            "kalibrerad",
        ),
        (
            "Kommunens nivå",
            f"{kpis.BISTAND_KR_PER_HOUSEHOLD} och {kpis.REFUGEES_BISTAND_SHARE} mot riket; "
            "högst så att modellen ryms i statistiken för flyktinghushåll",
            f"× {fmt.number(p.local.level_spread.distribution.low, 1)}–{fmt.number(p.local.level_spread.distribution.high, 1)}",
            "Kolada; spannet från jämförelsen med flyktinghushåll i alla kommuner; "
            "taket: Socialstyrelsen (U31001 − N31004)",
            "data",
        ),
        (
            "Bistånd under etableringen",
            f"{kr(p.topup.per_participant_month.value)} per deltagare och månad ({p.topup.per_participant_month.year})",
            f"{kr(p.topup.per_participant_month.distribution.low)}–{kr(p.topup.per_participant_month.distribution.high)}",
            f"Kolada {kpis.BISTAND_ETABLERING_SHARE}; beloppet antaget",
            "antagande",
        ),
    ]
    out = pd.DataFrame(rows, columns=["Antagande", "Värde", "Spann", "Källa", "Styrka"])
    out["Styrka"] = out["Styrka"].map(STRENGTH)
    return out.set_index("Antagande")


KEY_PREFIXES = (
    "establishment",
    "cohorts",
    "outcomes",
    "bistand",
    "topup",
    "local",
    "rent",
    "rent_factor",
    "rent_growth",
    "other_income",
    "households",
    "kefu_scope",
    "scenario_defaults",
)


def full_parameter_table(rep: CostReport) -> pd.DataFrame:
    """The appendix: every number the projection uses, with its source; riksnorm and the
    per-year barnbidrag only for the horizon's years."""
    years = {str(y) for y in range(rep.start_year, rep.end_year + 1)}
    rows = []
    for path, rec in iter_sourced(rep.params):
        parts = path.split(".")
        if parts[:2] == ["other_income", "per_child_by_year"]:
            used = parts[2] in years
        elif parts[0] == "riksnorm":
            used = len(parts) < 3 or parts[2] in years
        elif parts[:2] == ["cohorts", "future_path"]:
            used = int(parts[2]) >= rep.last_data_year
        else:
            used = parts[0] in KEY_PREFIXES
        if used:
            rows.append(
                {
                    "Parameter": path,
                    "Värde": _num(rec.value),
                    "Osäkerhet": distribution_text(rec.distribution),
                    "Härlett": "ja" if rec.derived else "nej",
                    "Källa": rec.source,
                }
            )
    return pd.DataFrame(rows).set_index("Parameter")


def _num(v) -> str:
    if float(v).is_integer():
        return fmt.number(v)
    return fmt.number(v, 3 if abs(v) < 1 else 2)


DISTRIBUTION_NAMES = {
    "uniform": "likformig",
    "triangular": "triangulär",
    "loguniform": "log-likformig",
}


def distribution_text(dist) -> str:
    if dist is None:
        return "fast"
    text = f"{DISTRIBUTION_NAMES[dist.kind]} {_num(dist.low)}–{_num(dist.high)}"
    return text + (f", typvärde {_num(dist.mode)}" if dist.kind == "triangular" else "")


def method_text(rep: CostReport) -> str:
    return texts.COST("method.span", span=SPAN, draws=fmt.number(rep.n_draws), seed=rep.seed)


def key_figures(rep: CostReport) -> dict:
    prog = rep.prognos_years
    label = fmt.years(prog) if prog else fmt.years(rep.utfall_years)
    pb = rep.period_band(label)
    value = pb["p50"] if pb is not None else rep.total["cost_kr"].sum()
    return {
        "cost_mkr": float(value) / 1e6,
        "cost_horizon": label,
        "cost_scenario": rep.scenario,
    }
