"""KEFU-style cohort projection of försörjningsstöd after etableringen (pure, parameterised).

params = load_params()                       # parameters/forsorjningsstod.yml
proj = project_kommun("0680", kommunmottagna, kpi_values, params, 2019, 2023)
prep = prepare(entrants, params, 2019, 2023, kommun_code="0680", kpi_values=kpi_values)
bands = monte_carlo(prep, n_draws=1000, seed=1); sens = tornado(prep)
"""

from .entrants import Entrants, entrants_for_kommun, entrants_from_counts
from .households import household_table, households_per_person
from .model import Projection, prepare, project, project_kommun
from .params import KefuParams, Scenario, load_params
from .riksnorm import household_norm, year_status
from .uncertainty import monte_carlo, sample, tornado

__all__ = [
    "Entrants",
    "KefuParams",
    "Projection",
    "Scenario",
    "entrants_for_kommun",
    "entrants_from_counts",
    "household_norm",
    "household_table",
    "households_per_person",
    "load_params",
    "monte_carlo",
    "prepare",
    "project",
    "project_kommun",
    "sample",
    "tornado",
    "year_status",
]
