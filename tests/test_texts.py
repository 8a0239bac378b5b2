"""The reports' words in notebooks/texts: every text renders with real values for a few areas,
a misspelt or missing value fails, and a text that nothing uses fails."""

import re

import jinja2
import pytest
from jinja2 import meta

from etablering.analysis.kefu.entrants import Count, FillKind, cohorts_for
from etablering.core import paths
from etablering.core.gender import Gender
from etablering.reports import cost, outcomes, reception, texts
from etablering.reports.base import ReportData
from etablering.reports.notebook_params import (
    CostParams,
    OutcomeParams,
    ReportParams,
    validate_params,
)

AREAS = ("0680", "1280", "2403", "06")  # Jönköping, Malmö, Bjurholm, Jönköpings län
LIB = paths.PACKAGE_DIR / "reports"
NOTEBOOKS = paths.PROJECT_ROOT / "notebooks"
# Where each book's texts are asked for
USERS = {
    "01-mottagande": [LIB / "reception.py", NOTEBOOKS / "01-mottagande.py"],
    "02-etablering": [LIB / "outcomes.py", NOTEBOOKS / "02-etablering.py"],
    "03-forsorjningsstod": [LIB / "cost.py", NOTEBOOKS / "03-forsorjningsstod.py"],
}


@pytest.fixture(scope="module")
def data(processed, registry):
    return ReportData(processed, registry, derived=False)


def _values(book: str, code: str, data) -> dict:
    """Real values for the names the book's texts use, from the area's own report."""
    registry = data.registry
    if book == "01-mottagande":
        rep = reception.build(validate_params(registry, ReportParams, kommun=code), data)
        return {"area": rep.area.name, "year": rep.year}
    if book == "02-etablering":
        rep = outcomes.build(validate_params(registry, OutcomeParams, kommun=code), data)
        fun = outcomes.funnel(rep)
        return {
            "area": rep.area.name,
            "lan": rep.lan.name,
            "year": outcomes.last_data_year(rep) or 2024,
            "years": rep.pooled_label,
            "peers": rep.peer_title or "",
            "fetch": outcomes.FETCH_COMMAND,
            "verdict": outcomes.funnel_text(rep, fun) if fun.centre else "",
        }
    rep = cost.build(validate_params(registry, CostParams, kommun=code, n_draws=0), data)
    fill = next(
        (f for f in cohorts_for(data["kpi_values"], "2403").notes if f.count == Count.LEFT), None
    )
    assert fill is not None and fill.kind == FillKind.OTHER_FROM_TOTAL  # Bjurholm's men 2018
    return {
        "area": rep.area.name,
        "years": cost.years_text(rep.utfall_years),
        "fills": cost.fill_text(fill),
        "year": fill.year,
        "count": cost.COUNT_WORDS[fill.count],
        "gender": Gender(fill.gender).word,
        "other": Gender(fill.gender).other.word,
        "total": cost.fmt.number(fill.total),
        "known": cost.fmt.number(fill.known),
        "share": cost.fmt.number(57.0),
    }


def _names(template_source: str) -> set[str]:
    return meta.find_undeclared_variables(texts._ENV.parse(template_source)) - {"kpis"}


def _sources(book: texts.Book) -> dict[str, str]:
    import tomllib

    with book.path.open("rb") as f:
        return texts._flatten(tomllib.load(f))


@pytest.mark.parametrize("book", texts.BOOKS, ids=lambda b: b.name)
@pytest.mark.parametrize("code", AREAS)
def test_every_text_renders_with_real_values(book, code, data):
    sources = _sources(book)
    if not sources:
        return
    values = _values(book.name, code, data)
    for key, source in sources.items():
        names = _names(source)
        assert names <= set(values), f"{book.name}: {key} uses {names - set(values)}"
        text = book(key, **{n: values[n] for n in names})
        assert text.strip() and "{{" not in text and "{%" not in text, key
        assert not re.search(r"\s[,.;:]|  ", text.replace("\n", " ")), (key, text)


def test_a_misspelt_or_missing_value_fails():
    with pytest.raises(jinja2.UndefinedError):
        texts.RECEPTION("status.ingen_fil")  # year not given
    with pytest.raises(jinja2.UndefinedError):
        texts.RECEPTION("status.ingen_fil", yaer=2019)
    with pytest.raises(jinja2.UndefinedError):
        texts._ENV.from_string("{{ kpis.NO_SUCH_KPI }}").render()
    with pytest.raises(KeyError, match="no text 'status.okand'"):
        texts.RECEPTION("status.okand")


@pytest.mark.parametrize("book", texts.BOOKS, ids=lambda b: b.name)
def test_every_text_is_used(book):
    code = "\n".join(p.read_text(encoding="utf-8") for p in USERS[book.name])
    unused = [k for k in _sources(book) if f'"{k}"' not in code]
    assert not unused, f"{book.path.name}: nothing uses {unused}"


def test_kommuntal_status_has_a_text_for_every_value():
    from etablering.analysis.reception import KommuntalStatus

    assert set(reception.STATUS_TEXTS) == set(KommuntalStatus)
    assert set(cost.FILL_TEXTS) == set(FillKind)
