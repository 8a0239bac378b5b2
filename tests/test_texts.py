"""The reports' words in notebooks/texts: every text renders with real values for a few areas,
a misspelt or missing value fails, and a text that nothing uses fails."""

import re

import jinja2
import pytest
from jinja2 import meta

from etablering.analysis.kefu.entrants import Count, FillKind, cohorts_for
from etablering.core import fmt, paths
from etablering.core.gender import Gender
from etablering.reports import cost, outcomes, reception, texts
from etablering.reports.base import ReportData
from etablering.reports.notebook_params import (
    CostParams,
    OutcomeParams,
    ReportParams,
    validate_params,
)

# Jönköping, Malmö, Bjurholm, Vingåker (not in the 2018 kommuntal file), their län
AREAS = ("0680", "1280", "2403", "0428", "06", "04")
LIB = paths.PACKAGE_DIR / "reports"
NOTEBOOKS = paths.PROJECT_ROOT / "notebooks"
# Where each book's texts are asked for
USERS = {
    "00-utforska": [LIB / "explore.py", NOTEBOOKS / "00-utforska.py"],
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
    if book == "00-utforska":  # the chosen year, and the years that stand in for it
        return {"year": 2022, "population_years": [2021]}
    if book == "01-mottagande":
        rep = reception.build(validate_params(registry, ReportParams, kommun=code), data)
        # the summary's sentences for a year without Kolada's count, a län with kommuner missing
        missing = reception.missing_text(rep, reception.kpis.RECEIVED, rep.year)
        return {"area": rep.area.name, "year": rep.year, "missing": missing, "n": 12,
                "n_kommuner": 13, "names": "Aneby", "kommuner": ["Aneby", "Eksjö"],
                "status": reception.status_text("ej_listad", rep.year),
                "hint": reception.reception.DOWNLOAD_HINT, "anvisade": "0"}  # fmt: skip
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
            # a table row's note (outcomes.note_text): Kolada's status, persons, a share
            "status": "Missing",
            "small": outcomes.fmt.number(outcomes.outcomes.SMALL_COHORT),
            "count": outcomes.fmt.number(12),
            "share": outcomes.fmt.number(30.25),
            # the headline's pooled years (outcomes.pooled_reason)
            "latest": 2021,
            "few": "4 kvinnor och 4 män",
            "n_years": 3,
            # the summary's sentences for an area without data, or without counts
            "first": rep.years[0],
            "last": rep.years[-1],
            "women": outcomes.fmt.percent(31.0),
            "men": outcomes.fmt.percent(45.0),
            "women_people": outcomes._people({"successes": 12, "n": 40}, "K"),
            "men_people": outcomes._people({"successes": 20, "n": 44}, "M"),
            # a value the import set aside (data_notes)
            "flagged": [{"kpi": "N00973", "year": 2019, "genders": "K/M", "rule": "K+M≠T"}],
            # the funnel's verdict (funnel_text) and the comparison's missing areas
            "word": "kvinnor",
            "outside": ["0680"],
            "n": outcomes.fmt.number(120),
            "names": "Aneby och Eksjö",
        }
    rep = cost.build(validate_params(registry, CostParams, kommun=code, n_draws=0), data)
    fill = next(
        (f for f in cohorts_for(data["kpi_values"], "2403").notes if f.count == Count.LEFT), None
    )
    assert fill is not None and fill.kind == FillKind.OTHER_FROM_TOTAL  # Bjurholm's men 2018
    return {
        "area": rep.area.name,
        "years": fmt.years(rep.utfall_years),
        "fills": cost.fill_text(fill),
        "year": fill.year,
        "count": cost.COUNT_WORDS[fill.count],
        "gender": Gender(fill.gender).word,
        "other": Gender(fill.gender).other.word,
        "total": cost.fmt.number(fill.total),
        "known": cost.fmt.number(fill.known),
        "share": cost.fmt.number(57.0),
        # the notes under the report (cost.build): a kommun left out, the ceiling, filled years
        "reason": "Bjurholm: Kolada N00960/N00964 saknas för Bjurholm.",
        "scale": cost.fmt.percent(80.0),
        "filled": "Bjurholm 2019",
        "lan": rep.is_lan,
    }


def _names(template_source: str) -> set[str]:
    return meta.find_undeclared_variables(texts._ENV.parse(template_source)) - {"kpis"}


def _sources(book: texts.Book) -> dict[str, str]:
    import tomllib

    with book.path.open("rb") as f:
        return texts._flatten(tomllib.load(f))


# The report functions that word their paragraphs from the texts, called for every area
REPORT_TEXTS = {
    "01-mottagande": (
        reception,
        ReportParams,
        [
            "summary_text",
            "series_note",
            "definitions_text",
            "lanstal_text",
            "two_sources_text",
            "two_sources_table",
            "files_table",
            "files_summary_text",
            "files_heading",
            "files_notice",
            "files_notice_details",
            "data_notes",
            "per_1000_text",
            "series_missing_text",
            "series_title",
            "kolada_source",
            "comparison_heading",
            "comparison_source",
            "comparison_chart_source",
            "per_1000_source",
            "lan_bars_text",
            "files_source",
            "files_source_with_population",
            "two_sources_source",
            "category_heading",
            "lanstal_source",
            "page_heading",
        ],
    ),
    "02-etablering": (
        outcomes,
        OutcomeParams,
        [
            "summary_text",
            "data_notes",
            "outcome_display",
            "outcome_wide_display",
            "gap_display",
            "expected_explanation",
            "trend_details_text",
            "method_text",
            "effect_text",
            "scb_text",
            "riket_reference_text",
            "destinations_text",
            "own_values_missing_text",
            "page_heading",
            "availability_text",
            "availability_details",
            "validation_source",
            "outcome_sources",
        ],
    ),
    "03-forsorjningsstod": (
        cost,
        CostParams,
        [
            "summary_text",
            "input_text",
            "backtest_text",
            "scenario_text",
            "deterministic_note",
            "kefu_summary",
            "kefu_text",
            "method_text",
            "page_heading",
            "cost_sources",
        ],
    ),
}


# What the reports word that is not one function of the builder's module
ALSO = {
    "page_heading": lambda rep: rep.heading,  # title and subtitle
    "files_source_with_population": lambda rep: reception.files_source(rep, population=True),
    "outcome_sources": lambda rep: (
        rep.source,
        rep.model_source,
        rep.scb_source,
        outcomes.lan_scb_source(rep, synthetic=False),
        outcomes.lan_scb_source(rep, synthetic=True),
    ),
    "cost_sources": lambda rep: rep.source_with_actual,
}


@pytest.fixture(scope="module")
def with_model(processed, registry, tmp_path_factory):
    """The data with the expected-value model (fitted once, in a cache of its own)."""
    import os

    os.environ["ETABLERING_CACHE"] = str(tmp_path_factory.mktemp("cache"))
    return ReportData(processed, registry)


@pytest.fixture(scope="module")
def rendered(data, with_model):
    """What the report functions rendered for the areas: (book, key) -> texts."""
    seen: dict[tuple[str, str], list[str]] = {}
    call = texts.Book.__call__

    def spy(self, key, **values):
        text = call(self, key, **values)
        seen.setdefault((self.name, key), []).append(text)
        return text

    texts.Book.__call__ = spy
    try:
        for module, model, functions in REPORT_TEXTS.values():
            if model is CostParams:  # with the simulation's spans and with main values only
                variants = [{"n_draws": 50}, {"n_draws": 0}]
            else:
                variants = [{}, {"year": 2018}] if model is ReportParams else [{}]
            for code in AREAS:
                for extra in variants:
                    params = validate_params(data.registry, model, kommun=code, **extra)
                    rep = module.build(params, with_model if module is outcomes else data)
                    for name in functions:
                        if name.startswith(("files", "two_sources", "category")) and (
                            getattr(rep, "files", True) is None
                        ):
                            continue
                        (ALSO.get(name) or getattr(module, name))(rep)
    finally:
        texts.Book.__call__ = call
    return seen


def _clean(key: str, text: str) -> None:
    assert text.strip() and "{{" not in text and "{%" not in text, key
    assert not re.search(r"\s[,.;:]|  ", text.replace("\n", " ")), (key, text)


@pytest.mark.parametrize("book", texts.BOOKS, ids=lambda b: b.name)
def test_every_text_renders_with_real_values(book, data, rendered):
    """A text a report function words is checked as it rendered it for the areas; a text the
    notebook words directly is rendered with the areas' own values."""
    for code in AREAS:
        values = _values(book.name, code, data)
        for key, source in _sources(book).items():
            if (book.name, key) in rendered:
                continue
            names = _names(source)
            assert names <= set(values), f"{book.name}: {key} uses {names - set(values)}"
            _clean(key, book(key, **{n: values[n] for n in names}))
    for (name, key), found in rendered.items():
        if name == book.name:
            for text in found:
                _clean(key, text)


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
    assert set(outcomes.NOTE_TEXTS) | {outcomes.outcomes.Note.NONE} == set(outcomes.outcomes.Note)


# A sentence, a heading or a source line: the words an analyst may want to change. Column
# headers, row labels and the short words in a table's cells stay beside the data they label;
# an error message stays where it is raised.
SENTENCE = re.compile(r"^#+ .*\w\w|^Källa: |[a-zåäö)]\. [A-ZÅÄÖ]|^\S+( \S+){3,}[.?]$")
BUILDERS = ("base.py", "reception.py", "outcomes.py", "cost.py", "explore.py")


def sentences_in(source: str) -> list[tuple[int, str]]:
    """String literals (an f-string with its values as {}) that read as a sentence, a heading
    or a source line, outside docstrings and raise statements."""
    import ast

    tree = ast.parse(source)
    skip = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef) and node.body:
            if isinstance(node.body[0], ast.Expr):
                skip.add(id(node.body[0].value))  # a docstring
        elif isinstance(node, ast.Raise):
            skip |= {id(n) for n in ast.walk(node)}
        elif isinstance(node, ast.JoinedStr):
            skip |= {id(n) for n in node.values}  # seen as the whole f-string
    found = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.JoinedStr):
            text = "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
        else:
            continue
        if SENTENCE.search(text.strip()):
            found.append((node.lineno, text))
    return found


@pytest.mark.parametrize("builder", BUILDERS)
def test_the_report_builders_word_no_sentence_themselves(builder):
    found = sentences_in((LIB / builder).read_text(encoding="utf-8"))
    assert not found, f"{builder}: move to notebooks/texts: {found}"


def test_a_sentence_a_heading_and_a_source_line_in_code_are_found():
    code = '''
def f(x):
    """A docstring. It is the code's own."""
    a = f"## Jämfört med länet {x}"
    b = "Källa: Kolada (RKA)"
    c = f"{x} hade många mottagna. Flest tog {x} emot"
    d = "Rapporten visar det senaste året."
    e = ["Kön", "Antal som lämnat", "95 % KI, nedre", "bättre än förväntat", " Mkr"]
    h = f"# {x}\\n{x}"
    raise ValueError(f"Okänt scenario {x}. Välj ett annat.")
'''
    assert [line for line, _ in sentences_in(code)] == [4, 5, 6, 7]


def test_an_island_kommun_is_written_with_pa():
    """'på Gotland', as Swedish has it, not 'i Gotland'; other areas keep 'i'."""
    from etablering.core.names import in_place

    assert in_place("Gotland") == "på Gotland"
    assert in_place("Tjörn") == "på Tjörn"
    assert in_place("Jönköping") == "i Jönköping"
    assert in_place("Gotlands län") == "i Gotlands län"
    book = texts.Book("02-etablering")
    sentence = book("summary.no_data", area="Gotland", first=2015, last=2024, fetch="x")
    assert "deltagare på Gotland gick vidare" in sentence


def test_a_name_ending_in_s_takes_no_genitive_s():
    """02 read 'Boråss kvinnor: 33 % av 355'; Swedish writes 'Borås kvinnor'."""
    from etablering.core.names import genitive

    assert [genitive(n) for n in ("Jönköping", "Borås", "Kramfors", "Gotlands län")] == [
        "Jönköpings", "Borås", "Kramfors", "Gotlands läns"
    ]  # fmt: skip
    point = dict(word="kvinnor", share="33 %", n="355", outside=False)
    book = texts.Book("02-etablering")
    assert book("funnel.kommun_point", area="Borås", **point).startswith("Borås kvinnor: 33 %")
    assert book("funnel.kommun_point", area="Malmö", **point).startswith("Malmös kvinnor: 33 %")


def test_one_percentage_point_is_singular():
    """'1 procentenhet under', as Swedish has it (Gotland's women, 02: it read '1 procentenheter')."""
    book = texts.Book("02-etablering")
    values = dict(word="kvinnor", area="Gotland", low="−8", high="+7", sure=False, rank=176,
                  of=290, rank_low=83, rank_high=259)  # fmt: skip
    assert "sammantaget 1 procentenhet under" in book(
        "expected.effect", effect="1", above=False, **values
    )
    assert "sammantaget 6 procentenheter över" in book(
        "expected.effect", effect="6", above=True, **values
    )


def test_a_lan_of_one_kommun_is_not_the_sum_of_its_1_kommuner():
    """Gotlands län has one kommun: 'länets enda kommun', never 'länets 1 kommuner'."""
    subtitle = dict(lan=True, code="09", version="v", lan_name="Gotlands län")
    assert "summan över länets enda kommun." in texts.Book("01-mottagande")(
        "page.subtitle", n=1, **subtitle
    )
    assert "summan över länets 13 kommuner." in texts.Book("01-mottagande")(
        "page.subtitle", n=13, **subtitle
    )
    assert "länets siffror är dess enda kommuns." in texts.Book("02-etablering")(
        "summary.lan", n_members=1
    )
    cost = texts.Book("03-forsorjningsstod")
    scope = {"lan": True}
    assert cost("backtest.scope", n=1, **scope).count("Länets enda kommuns totala bistånd") == 1
    assert cost("backtest.scope", n=26, **scope).count("Länets kommuners totala bistånd") == 1
    assert cost("backtest.scope", n=1, lan=False).count("Kommunens totala bistånd") == 1


def test_a_lans_cost_report_calls_its_inputs_the_lans():
    """Stockholms län's 03 read 'Indata för kommunen' above the sum of its 26 kommuner."""
    book = texts.Book("03-forsorjningsstod")
    assert book("inputs.heading", lan=True) == "## Indata för länet"
    assert book("inputs.heading", lan=False) == "## Indata för kommunen"
