"""A notebook's first code cell in one call: validate the parameters cell, load the data and
build the report.

    params, data, rep = setup.start("01-mottagande", kommun=kommun, year=year, …)

A bad parameter stops here with ParameterError (one readable line per problem); `data_dir`
"" means the project's data folder.
"""

from typing import NamedTuple

from ..present import plots
from . import cost, outcomes, reception
from .base import Report, ReportData
from .notebook_params import MODELS, validate_params

BUILDERS = {
    "01-mottagande": reception.build,
    "02-etablering": outcomes.build,
    "03-forsorjningsstod": cost.build,
}


class Started(NamedTuple):
    params: object
    data: ReportData
    report: Report


def data_for(data_dir: str = "") -> ReportData:
    """The data of a notebook's `data_dir` parameter, with the charts' style set."""
    plots.setup()
    return ReportData(data_dir)


def start(notebook: str, **parameters) -> Started:
    data = data_for(parameters.get("data_dir", ""))
    params = validate_params(data.registry, MODELS[notebook], **parameters)
    return Started(params, data, BUILDERS[notebook](params, data))
