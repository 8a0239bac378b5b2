"""KEFU-style projection of the försörjningsstöd a kommun pays after etableringen.

`project` gives the full projection (every exit since the first entrant month, every month on
bistånd) and the KEFU scope beside it: only exits inside the horizon and only their first
`kefu_scope.months_after_exit` months — the carry-over KEFU's 2018 forecast left out.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import ParameterError
from . import riksnorm
from .cohort import Flows, Prepared, simulate, yearly_totals
from .draws import Draws
from .entrants import GENDERS, Entrants, entrants_for_kommun
from .households import households_per_person
from .outcomes import exit_shares
from .params import KefuParams

MONTHLY_COLUMNS = [
    "month",
    "gender",
    "entrants",
    "entrants_cumulative",
    "in_programme",
    "exits",
    "to_bistand",
    "persons_on_bistand",
    "exited_not_on_bistand",
    "left_bistand",
    "households",
    "cost_kr",
]


@dataclass(frozen=True)
class Projection:
    monthly: pd.DataFrame  # full scope, K and M rows per month of the horizon
    yearly: pd.DataFrame  # year, gender (K/M/T), persons, person_months, households, …, cost_kr
    kefu_monthly: pd.DataFrame
    kefu_yearly: pd.DataFrame
    comparison: pd.DataFrame  # year, cost_full_kr, cost_kefu_kr, not_in_kefu_kr, share_not_in_kefu
    entrants: pd.DataFrame  # month, gender, entrants (all data months)
    entrants_source: str
    exit_shares: pd.DataFrame  # exit_year, gender, in_work_share, level, note
    riksnorm_status: dict[int, str]
    scenario: str
    scenario_description: str
    start_year: int
    end_year: int


def prepare(
    entrants: Entrants,
    params: KefuParams,
    start_year: int,
    end_year: int,
    *,
    kommun_code: str | None = None,
    kpi_values: pd.DataFrame | None = None,
    scenario: str = "baseline",
) -> Prepared:
    """Check the horizon, apply the scenario, look up exit shares: the inputs of `simulate`."""
    if start_year < entrants.first_year:
        raise ParameterError(
            f"Parametern horizon.start_year ({start_year}) ligger före första året med data om "
            f"inskrivna ({entrants.first_year}; {entrants.source}). Tidigare års kostnader skulle "
            f"sakna de kohorter som då lämnade etableringen."
        )
    if end_year < start_year:
        raise ParameterError(
            f"Parametern horizon.end_year ({end_year}) ligger före horizon.start_year ({start_year})."
        )
    try:
        riksnorm.check_year(end_year, params)
    except ParameterError as exc:
        raise ParameterError(f"Parametern horizon.end_year ({end_year}): {exc}") from None
    params, chosen = params.with_scenario(scenario)
    months = pd.period_range(entrants.months[0], pd.Period(f"{end_year}-12", freq="M"), freq="M")
    table = exit_shares(kommun_code, months.year.unique(), kpi_values, params)
    lookup = table.set_index(["exit_year", "gender"])["in_work_share"]
    exit_base = np.array([[lookup[(int(m.year), g)] for m in months] for g in GENDERS])
    return Prepared(
        params=params,
        scenario_name=scenario,
        scenario=chosen,
        entrants=entrants,
        months=months,
        in_horizon=(months.year >= start_year) & (months.year <= end_year),
        exit_table=table,
        exit_base=exit_base,
        start_year=start_year,
        end_year=end_year,
    )


def _monthly_frame(prep: Prepared, flows: Flows, kefu: bool) -> pd.DataFrame:
    mask = prep.in_horizon
    months = prep.months[mask]
    on = flows.kefu_on_bistand if kefu else flows.on_bistand
    columns = {
        "entrants": flows.entrants,
        "entrants_cumulative": np.cumsum(flows.entrants, axis=-1),
        "in_programme": flows.in_programme,
        "exits": flows.exits,
        "to_bistand": flows.kefu_to_bistand if kefu else flows.to_bistand,
        "persons_on_bistand": on,
        "exited_not_on_bistand": flows.exited_not_on_bistand,
        "left_bistand": flows.left_bistand,
        "households": flows.kefu_households if kefu else flows.households,
        "cost_kr": flows.kefu_cost if kefu else flows.cost,
    }
    frame = {"month": np.tile(months, 2), "gender": np.repeat(GENDERS, len(months))}
    for name, arr in columns.items():
        frame[name] = arr[0][:, mask].reshape(-1)
    if kefu:  # the stock columns describe the full cohort, not KEFU's cut
        frame.pop("exited_not_on_bistand")
        frame.pop("left_bistand")
    return pd.DataFrame(frame).sort_values(["month", "gender"], ignore_index=True)


def yearly_frame(prep: Prepared, flows: Flows, kefu: bool = False, draw: int = 0) -> pd.DataFrame:
    on = flows.kefu_on_bistand if kefu else flows.on_bistand
    inflow = flows.kefu_to_bistand if kefu else flows.to_bistand
    cost = flows.kefu_cost if kefu else flows.cost
    # persons during a year = those on bistånd in its first month + those who come later.
    first = np.zeros_like(on)
    later = inflow.copy()
    for year in range(prep.start_year, prep.end_year + 1):
        idx = np.flatnonzero(prep.months.year == year)
        first[..., idx[0]] = on[..., idx[0]]
        later[..., idx[0]] = 0.0
    years, persons = yearly_totals(prep, first + later)
    _, person_months = yearly_totals(prep, on)
    _, cost_y = yearly_totals(prep, cost)
    hpp = households_per_person(prep.params)
    rows = []
    for j, year in enumerate(years):
        for gi, gender in enumerate((*GENDERS, "T")):
            rows.append(
                {
                    "year": int(year),
                    "gender": gender,
                    "persons": persons[draw, gi, j],
                    "person_months": person_months[draw, gi, j],
                    "households": persons[draw, gi, j] * hpp,
                    "household_months": person_months[draw, gi, j] * hpp,
                    "cost_kr": cost_y[draw, gi, j],
                }
            )
    return pd.DataFrame(rows)


def _comparison(full: pd.DataFrame, kefu: pd.DataFrame) -> pd.DataFrame:
    f = full[full["gender"] == "T"].set_index("year")["cost_kr"]
    k = kefu[kefu["gender"] == "T"].set_index("year")["cost_kr"]
    out = pd.DataFrame({"cost_full_kr": f, "cost_kefu_kr": k})
    out["not_in_kefu_kr"] = out["cost_full_kr"] - out["cost_kefu_kr"]
    out["share_not_in_kefu"] = (out["not_in_kefu_kr"] / out["cost_full_kr"]).where(
        out["cost_full_kr"] > 0, 0.0
    )
    return out.reset_index()


def project(
    entrants: Entrants,
    params: KefuParams,
    start_year: int,
    end_year: int,
    *,
    kommun_code: str | None = None,
    kpi_values: pd.DataFrame | None = None,
    scenario: str = "baseline",
) -> Projection:
    """The deterministic projection (parameter values) for a horizon of whole years."""
    prep = prepare(
        entrants,
        params,
        start_year,
        end_year,
        kommun_code=kommun_code,
        kpi_values=kpi_values,
        scenario=scenario,
    )
    flows = simulate(prep, Draws.at_values(prep.params))
    yearly = yearly_frame(prep, flows)
    kefu_yearly = yearly_frame(prep, flows, kefu=True)
    return Projection(
        monthly=_monthly_frame(prep, flows, kefu=False),
        yearly=yearly,
        kefu_monthly=_monthly_frame(prep, flows, kefu=True),
        kefu_yearly=kefu_yearly,
        comparison=_comparison(yearly, kefu_yearly),
        entrants=entrants.table(prep.params),
        entrants_source=entrants.source,
        exit_shares=prep.exit_table,
        riksnorm_status={
            y: riksnorm.year_status(y, prep.params) for y in range(start_year, end_year + 1)
        },
        scenario=scenario,
        scenario_description=prep.scenario.description,
        start_year=start_year,
        end_year=end_year,
    )


def project_kommun(
    kommun_code: str,
    kommunmottagna: pd.DataFrame,
    kpi_values: pd.DataFrame | None,
    params: KefuParams,
    start_year: int,
    end_year: int,
    scenario: str = "baseline",
) -> Projection:
    """Entrants and exit shares from the processed tables, then `project`."""
    entrants = entrants_for_kommun(kommun_code, kommunmottagna, kpi_values, params)
    return project(
        entrants,
        params,
        start_year,
        end_year,
        kommun_code=kommun_code,
        kpi_values=kpi_values,
        scenario=scenario,
    )
