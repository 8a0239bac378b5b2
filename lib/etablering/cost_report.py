"""Everything the 03-forsorjningsstod notebook shows: the KEFU-style projection, its bands,
scenarios, sensitivity, the people behind the cost, the assumptions, and a backtest."""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import fmt, kefu, kpis, panel, store
from .errors import ParameterError
from .kefu.params import iter_sourced
from .params import CostParams
from .registry import Area, Registry

BUILTIN = ("baseline", "aktiv_fran_dag_ett", "kvinnor_som_man")
BACKTEST_KPIS = {
    kpis.BISTAND_KR_PER_INV: "Utbetalt ekonomiskt bistånd inkl. flyktinghushåll, kr/inv",
    kpis.BISTAND_COST_KR_PER_INV: "Kostnad ekonomiskt bistånd (flyktinghushåll ingår inte), kr/inv",
    kpis.BISTAND_HOUSEHOLDS: "Biståndshushåll, antal",
    kpis.BISTAND_ETABLERING_SHARE: "Arbetslösa med etableringsersättning, andel av vuxna biståndsmottagare (%)",
}
MODEL_SOURCE = (
    "Källa: egen KEFU-liknande kohortmodell (etablering) med parametrar i "
    "parameters/forsorjningsstod.yml; inskrivna från {entrants}"
)


@dataclass
class CostReport:
    area: Area
    members: list[Area]  # the kommuner summed (one for a kommun)
    params: kefu.KefuParams
    scenario: str
    projection: kefu.Projection
    bands: pd.DataFrame  # monte_carlo, yearly by gender
    period_bands: pd.DataFrame  # monte_carlo over the whole horizon, one row per gender
    tornado: pd.DataFrame
    scenarios: pd.DataFrame  # scenario, year, cost_kr
    backtest: pd.DataFrame
    backtest_missing: list[str]
    n_draws: int
    seed: int
    notes: list[str] = field(default_factory=list)

    @property
    def is_lan(self) -> bool:
        return self.area.kind == "lan"

    @property
    def source(self) -> str:
        return MODEL_SOURCE.format(entrants=self.projection.entrants_source) + "."

    @property
    def total(self) -> pd.DataFrame:
        y = self.projection.yearly
        return y[y["gender"] == "T"].set_index("year")


def _entrant_rows(kommunmottagna: pd.DataFrame, area: Area, members: list[Area]) -> pd.DataFrame:
    """A län's kommunmottagna summed under the län's code, so the model treats it as one area."""
    if area.kind == "kommun":
        return kommunmottagna
    rows = kommunmottagna[kommunmottagna["kommun_code"].isin([m.code for m in members])]
    return rows.assign(kommun_code=area.code)


def build(p: CostParams, tables: dict[str, pd.DataFrame], registry: Registry) -> CostReport:
    params = kefu.load_params(overrides=p.overrides or None)
    if p.scenario not in params.known_scenarios():
        raise ParameterError(
            f"Okänt scenario {p.scenario!r} (parametern scenario); välj ett av "
            f"{', '.join(params.known_scenarios())}."
        )
    area = p.kommun
    members = registry.kommuner(area.lan_code) if area.kind == "lan" else [area]
    kommunmottagna = _entrant_rows(tables["kommunmottagna"], area, members)
    kpi_values = tables["kpi_values"]
    # Real rows for this area, its län and riket only (the model never uses synthetic data).
    kpi_values = panel.values(kpi_values, area_codes={area.code, area.lan_area_code, "0000"})

    def run(scenario: str) -> kefu.Projection:
        return kefu.project_kommun(
            area.code,
            kommunmottagna,
            kpi_values,
            params,
            p.start_year,
            p.end_year,
            scenario=scenario,
        )

    projection = run(p.scenario)
    entrants = kefu.entrants_for_kommun(area.code, kommunmottagna, kpi_values, params)
    prep = kefu.prepare(
        entrants,
        params,
        p.start_year,
        p.end_year,
        kommun_code=area.code,
        kpi_values=kpi_values,
        scenario=p.scenario,
    )
    bands = period_bands = pd.DataFrame()
    if p.n_draws:
        bands = kefu.monte_carlo(prep, n_draws=p.n_draws, seed=p.seed)
        period_bands = kefu.monte_carlo(prep, n_draws=p.n_draws, seed=p.seed, by_year=False)
    sens = kefu.tornado(prep)
    names = list(dict.fromkeys([*BUILTIN, *params.known_scenarios()]))
    scen = pd.concat(
        [
            run(name).yearly.query("gender == 'T'")[["year", "cost_kr"]].assign(scenario=name)
            for name in names
        ],
        ignore_index=True,
    )
    backtest, missing = backtest_table(area, members, projection, tables)
    return CostReport(
        area,
        members,
        params,
        p.scenario,
        projection,
        bands,
        period_bands,
        sens,
        scen,
        backtest,
        missing,
        p.n_draws,
        p.seed,
    )


def backtest_table(area, members, projection, tables) -> tuple[pd.DataFrame, list[str]]:
    """Actual bistånd (Kolada U31001 kr/inv × folkmängd) beside the projected cohort cost.
    The projection covers only the modelled cohorts, so it should lie below the total."""
    kv = panel.values(tables["kpi_values"], area_codes=area.code, genders=["T"])
    missing = [k for k in BACKTEST_KPIS if kv.loc[kv["kpi"] == k, "value"].notna().sum() == 0]
    if kpis.BISTAND_KR_PER_INV in missing:
        return pd.DataFrame(), missing
    pop = panel.population_table(tables["population"], tables["kpi_values"])
    pop = pop[pop["area_code"] == area.code].set_index("year")["population"]
    actual = kv[kv["kpi"] == kpis.BISTAND_KR_PER_INV].set_index("year")["value"]
    total = projection.yearly.query("gender == 'T'").set_index("year")["cost_kr"]
    years = [y for y in total.index if y in actual.index]
    out = pd.DataFrame(
        {
            "year": years,
            "actual_kr": [actual[y] * pop.get(y, np.nan) for y in years],
            "projected_kr": [total[y] for y in years],
        }
    )
    out["projected_share"] = out["projected_kr"] / out["actual_kr"]
    return out, missing


def mkr(value) -> str:
    return fmt.number(value / 1e6, 1) + " Mkr" if pd.notna(value) else fmt.MISSING


def mkr_number(value) -> str:
    """Millions without the unit, for table cells whose header says Mkr."""
    return fmt.number(value / 1e6, 1) if pd.notna(value) else fmt.MISSING


def mkr_range(low, high) -> str:
    return f"{mkr_number(low)}–{mkr_number(high)}"


def summary_text(rep: CostReport) -> str:
    t, name = rep.total, rep.area.name
    horizon = f"{rep.projection.start_year}–{rep.projection.end_year}"
    total = t["cost_kr"].sum()
    if total == 0:
        return (
            f"Modellen ger **ingen kostnad** för {name} {horizon}: underlaget har inga inskrivna "
            f"i etableringen ({rep.projection.entrants_source}). Det är ett resultat, inte ett fel."
        )
    peak = t["cost_kr"].idxmax()
    parts = [
        f"**{name} kan vänta sig {mkr(total)} i försörjningsstöd {horizon}** för personer vars "
        f"etableringsersättning upphör utan egen försörjning, enligt scenariot "
        f"*{scenario_label(rep, rep.scenario)}*. Kostnaden är störst {peak} "
        f"({mkr(t.loc[peak, 'cost_kr'])})."
    ]
    if not rep.bands.empty:
        b = rep.bands[rep.bands["gender"] == "T"]
        parts.append(
            f"Med osäkerheten i antagandena ({fmt.number(rep.n_draws)} simuleringar) ligger kostnaden {peak} "
            f"med 80 % sannolikhet mellan {mkr(b.set_index('year').loc[peak, 'p10'])} och "
            f"{mkr(b.set_index('year').loc[peak, 'p90'])}."
        )
        parts.append(period_band_text(rep))
    women = rep.projection.yearly.query("gender == 'K'")["cost_kr"].sum()
    entrants = rep.projection.entrants.groupby("gender")["entrants"].sum()
    women_in = 100 * entrants.get("K", 0) / entrants.sum() if entrants.sum() else float("nan")
    exits = rep.projection.exit_shares.groupby("gender")["in_work_share"].mean()
    parts.append(
        f"Kvinnor står för {fmt.percent(100 * women / total)} av kostnaden: de är "
        f"{fmt.percent(women_in)} av de inskrivna, och i genomsnitt går {fmt.percent(100 * exits['K'])} "
        f"av kvinnorna mot {fmt.percent(100 * exits['M'])} av männen till arbete eller studier efter "
        "etableringen."
    )
    cmp = rep.projection.comparison
    missed = cmp["not_in_kefu_kr"].sum()
    parts.append(
        f"KEFU:s avgränsning (bara första året efter etableringen, utan kostnader som fortsätter) "
        f"hade visat {mkr(cmp['cost_kefu_kr'].sum())} – {fmt.percent(100 * missed / total)} av "
        "kostnaden hade inte kommit med."
    )
    if not rep.tornado.empty:
        top = rep.tornado.iloc[0]
        parts.append(
            f"Mest osäkert är antagandet *{top['label']}* (spann {mkr(top['swing_kr'])} "
            "över hela perioden)."
        )
    return " ".join(parts)


def period_band_text(rep: CostReport) -> str:
    """The whole horizon's 80 % band; says why the simulation's median is off the point
    estimate when it is (skewed distributions), since budgets are set on the total."""
    pb = rep.period_bands.set_index("gender").loc["T"]
    text = (
        f"För hela perioden {pb['period']} ligger kostnaden med 80 % sannolikhet mellan "
        f"{mkr(pb['p10'])} och {mkr(pb['p90'])} (median {mkr(pb['p50'])})."
    )
    point = pb["deterministic"]
    if point and abs(pb["p50"] - point) / point > 0.05:
        side = "under" if pb["p50"] < point else "över"
        text += (
            f" Medianen ligger {side} beräkningen med antagandenas huvudvärden "
            f"({mkr(point)}) eftersom några antaganden har sneda osäkerhetsfördelningar; "
            "se *Vilket antagande betyder mest?*"
        )
    return text


def cost_table(rep: CostReport) -> pd.DataFrame:
    t = rep.total
    cmp = rep.projection.comparison.set_index("year")
    b = rep.bands[rep.bands["gender"] == "T"].set_index("year") if not rep.bands.empty else None
    rows = {}
    for year in t.index:
        row = {
            "Kostnad (Mkr)": mkr_number(t.loc[year, "cost_kr"]),
            "80 % intervall (Mkr)": mkr_range(b.loc[year, "p10"], b.loc[year, "p90"])
            if b is not None
            else "–",
            "95 % intervall (Mkr)": mkr_range(b.loc[year, "p2_5"], b.loc[year, "p97_5"])
            if b is not None
            else "–",
            "KEFU:s avgränsning (Mkr)": mkr_number(cmp.loc[year, "cost_kefu_kr"]),
            "Personer med bistånd (snitt/mån)": fmt.number(t.loc[year, "person_months"] / 12, 0),
            "Hushåll (snitt/mån)": fmt.number(t.loc[year, "household_months"] / 12, 0),
        }
        rows[int(year)] = row
    pb = rep.period_bands.set_index("gender").loc["T"] if not rep.period_bands.empty else None
    rows["Hela perioden"] = {
        "Kostnad (Mkr)": mkr_number(t["cost_kr"].sum()),
        "80 % intervall (Mkr)": mkr_range(pb["p10"], pb["p90"]) if pb is not None else "–",
        "95 % intervall (Mkr)": mkr_range(pb["p2_5"], pb["p97_5"]) if pb is not None else "–",
        "KEFU:s avgränsning (Mkr)": mkr_number(cmp["cost_kefu_kr"].sum()),
        "Personer med bistånd (snitt/mån)": "",
        "Hushåll (snitt/mån)": "",
    }
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "År"
    return out


def scenario_label(rep: CostReport, name: str) -> str:
    return rep.params.scenario(name).label or name.replace("_", " ").capitalize()


def scenario_table(rep: CostReport) -> pd.DataFrame:
    """Scenarios as rows: cost per year and the whole period, and the difference to baseline."""
    wide = rep.scenarios.pivot(index="scenario", columns="year", values="cost_kr")
    wide["Hela perioden"] = wide.sum(axis=1)
    base = wide.loc["baseline"]
    rows = {}
    for name in ["baseline", *[n for n in wide.index if n != "baseline"]]:
        label = scenario_label(rep, name)
        rows[label] = {str(c): mkr_number(v) for c, v in wide.loc[name].items()}
        if name != "baseline":
            diff = wide.loc[name] - base
            rows[f"{label}: skillnad mot bas"] = {
                str(c): ("+" if v > 0 else "") + mkr_number(v) for c, v in diff.items()
            }
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "Scenario (Mkr)"
    return out


def method_text(rep: CostReport) -> str:
    return (
        "Intervallen kommer från en Monte Carlo-simulering där de osäkra antagandena dras ur sina "
        f"fördelningar ({fmt.number(rep.n_draws)} dragningar, slumpfrö {rep.seed}). *KEFU:s "
        "avgränsning* räknar som KEFU:s analys för Skåne 2018: bara första året efter att "
        "etableringsersättningen upphört och bara för dem som lämnar under prognosperioden – utan "
        "kostnader som fortsätter åren därpå."
    )


def scenario_descriptions(rep: CostReport) -> str:
    lines = []
    for name in dict.fromkeys(rep.scenarios["scenario"]):
        label = scenario_label(rep, name)
        description = rep.params.scenario(name).description
        lines.append(f"- *{label}*: {description}")
    return "\n".join(lines)


def people_table(rep: CostReport) -> pd.DataFrame:
    y = rep.projection.yearly
    out = y.pivot(index="year", columns="gender", values="person_months") / 12
    out = out.rename(columns={"K": "Kvinnor", "M": "Män", "T": "Totalt"}).round(0)
    out["Hushåll"] = (y[y["gender"] == "T"].set_index("year")["household_months"] / 12).round(0)
    out.index.name = "År"
    return out


def tornado_table(rep: CostReport) -> pd.DataFrame:
    t = rep.tornado.head(8)
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


def _num(v) -> str:
    """A value as written in the YAML (shares as fractions), for the assumptions table."""
    if float(v).is_integer():
        return fmt.number(v)
    return fmt.number(v, 3 if abs(v) < 1 else 2)


def distribution_text(dist) -> str:
    if dist is None:
        return "fast"
    text = f"{DISTRIBUTION_NAMES[dist.kind]} {_num(dist.low)}–{_num(dist.high)}"
    return text + (f", typvärde {_num(dist.mode)}" if dist.kind == "triangular" else "")


DISTRIBUTION_NAMES = {"uniform": "likformig", "triangular": "triangulär"}
KRONOR_PREFIXES = ("rent.", "other_income.")
FACTORS = ("hazard.multiplier", "rent_factor")


def parameter_range_text(path: str, value: float, low: float, high: float) -> str:
    """'77,5 % (60,0–95,0 %)', '0 kr (0–2 500 kr)' or '× 1,00 (0,70–2,00)', by what it measures."""
    if path.startswith(KRONOR_PREFIXES):
        return f"{fmt.number(value)} kr ({fmt.number(low)}–{fmt.number(high)} kr)"
    if path in FACTORS:
        return f"× {fmt.number(value, 2)} ({fmt.number(low, 2)}–{fmt.number(high, 2)})"
    pct = [fmt.number(x * 100, 1) for x in (value, low, high)]
    return f"{pct[0]} % ({pct[1]}–{pct[2]} %)"


KEY_PREFIXES = (
    "population",
    "entrants",
    "establishment",
    "exit_share",
    "need_share",
    "hazard",
    "rent",
    "rent_factor",
    "rent_growth",
    "other_income",
    "households",
    "etableringsersattning",
    "kefu_scope",
    "scenario_defaults",
)


def assumptions_table(rep: CostReport) -> pd.DataFrame:
    """Every number the projection uses, with its source; riksnorm and the per-year barnbidrag
    for the horizon's years."""
    years = {str(y) for y in range(rep.projection.start_year, rep.projection.end_year + 1)}
    rows = []
    for path, rec in iter_sourced(rep.params):
        parts = path.split(".")
        if parts[:2] == ["other_income", "per_child_by_year"]:
            used = parts[2] in years
        elif parts[0] == "riksnorm":
            used = len(parts) < 3 or parts[2] in years
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


def backtest_text(rep: CostReport) -> str:
    if rep.backtest.empty:
        return (
            "Jämförelse med faktiskt utbetalt ekonomiskt bistånd kräver Koladas nyckeltal "
            + ", ".join(f"{k} ({v})" for k, v in BACKTEST_KPIS.items())
            + ". Hämta dem med `etablering data fetch --group bistand` (kräver internet). "
            f"Observera att {kpis.BISTAND_COST_KR_PER_INV} inte omfattar flyktinghushåll; "
            f"{kpis.BISTAND_KR_PER_INV} gör det."
        )
    lines = [
        f"Faktiskt utbetalt ekonomiskt bistånd (Kolada {kpis.BISTAND_KR_PER_INV} × folkmängd) och modellens "
        "kostnad för de modellerade kohorterna:"
    ]
    for _, r in rep.backtest.iterrows():
        lines.append(
            f"- {int(r['year'])}: faktiskt {mkr(r['actual_kr'])}, modellen {mkr(r['projected_kr'])} "
            f"({fmt.percent(100 * r['projected_share'])} av det faktiska)."
        )
    return "\n".join(lines)


def load_tables(data_dir=None) -> dict[str, pd.DataFrame]:
    return {
        n: store.read_table(n, data_dir) for n in ("kommunmottagna", "kpi_values", "population")
    }


def key_figures(rep: CostReport) -> dict:
    return {
        "cost_mkr": float(rep.total["cost_kr"].sum()) / 1e6,
        "cost_horizon": f"{rep.projection.start_year}–{rep.projection.end_year}",
        "cost_scenario": rep.scenario,
    }
