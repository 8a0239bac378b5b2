"""KEFU-style cohort projection of försörjningsstöd after etableringen. load_params reads
parameters/forsorjningsstod.yml; the model works on what it is given (only calibrate's
`python -m` entry reads the stored panel).

params = load_params()                                   # parameters/forsorjningsstod.yml
data = Panel.build(kpi_values, params, area_groups)      # the panel read once
inputs, prep, proj = run_area(data, params, "0680", "Jönköping", "kommun", 2016, 2026)
bands = monte_carlo(prep, n_draws=1000, seed=1); sens = tornado(prep)
"""

from .entrants import Cohorts, cohorts_for
from .households import household_table
from .model import AreaInputs, Panel, Projection, area_inputs, prepare, project, run_area
from .params import KefuParams, Scenario, load_params
from .riksnorm import household_norm, year_status
from .uncertainty import monte_carlo, sample, tornado

__all__ = [
    "AreaInputs",
    "Cohorts",
    "KefuParams",
    "Panel",
    "Projection",
    "Scenario",
    "area_inputs",
    "cohorts_for",
    "household_norm",
    "household_table",
    "load_params",
    "monte_carlo",
    "prepare",
    "project",
    "run_area",
    "sample",
    "tornado",
    "year_status",
]
