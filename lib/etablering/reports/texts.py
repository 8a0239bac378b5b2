"""The reports' words, kept beside the notebooks in `notebooks/texts/<notebook>.toml`.

Python computes the values and chooses which text applies; the TOML file holds the sentences
and headings as Jinja2 templates, so an analyst changes a sentence without reading Python.
A misspelt or missing value fails (StrictUndefined) rather than printing an empty gap; the
tests render every text with real values and fail on a text nothing uses.

Texts are Markdown, not HTML: names from data reach the page through present/display.py,
which renders Markdown with raw HTML off, so no escaping is done here.
"""

import tomllib
from functools import cache
from pathlib import Path

import jinja2

from ..core import names, paths
from ..data import kpis

_ENV = jinja2.Environment(
    undefined=jinja2.StrictUndefined,
    autoescape=False,
    keep_trailing_newline=False,
    trim_blocks=True,
    lstrip_blocks=True,
)
_ENV.globals["kpis"] = kpis  # {{ kpis.LEFT }}: a text names a KPI by its constant, not its id
_ENV.filters["in_place"] = names.in_place  # {{ area | in_place }}: "i Jönköping", "på Gotland"
_ENV.filters["genitive"] = names.genitive  # {{ area | genitive }}: "Jönköpings", "Borås"


def _noun(shown, one: str, many: str) -> str:
    """{{ n | noun("person", "personer") }}: '1 person', '5 personer', '1 426 personer'; a sign
    does not count ('−1 procentenhet')."""
    return f"{shown} {one if str(shown).lstrip('+−-') == '1' else many}"


def _points(shown: str) -> str:
    """{{ gap | points }}: '1 procentenhet', '21 procentenheter', '1,9 procentenheter'."""
    return _noun(shown, "procentenhet", "procentenheter")


_ENV.filters["noun"] = _noun
_ENV.filters["points"] = _points


def _kommuner(n: int) -> str:
    """länets {{ n | kommuner }}: 'länets 13 kommuner', 'länets enda kommun' (Gotland)."""
    return "enda kommun" if n == 1 else f"{n} kommuner"


_ENV.filters["kommuner"] = _kommuner


def _one_or_many(n: int, one: str, many: str) -> str:
    """{{ n | one_or_many("länets enda kommun", "länets kommuner") }}: the words for one member
    or for several (a län of one kommun, Gotland, is not 'summan av länets kommuner')."""
    return one if n == 1 else many


_ENV.filters["one_or_many"] = _one_or_many


def texts_dir() -> Path:
    """notebooks/texts beside the notebooks (stand-in notebook folders fall back to the
    project's own texts)."""
    moved = paths.notebooks_dir() / "texts"
    return moved if moved.is_dir() else paths.PROJECT_ROOT / "notebooks" / "texts"


def _flatten(table: dict, prefix: str = "") -> dict[str, str]:
    out = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out |= _flatten(value, name + ".")
        elif isinstance(value, str):
            out[name] = value
        else:
            raise TypeError(f"{name}: a text must be a string, got {type(value).__name__}")
    return out


@cache
def _load(book: str, path: Path, mtime: float) -> dict[str, jinja2.Template]:
    with path.open("rb") as f:
        raw = _flatten(tomllib.load(f))
    return {key: _ENV.from_string(source.strip()) for key, source in raw.items()}


class Book:
    """One notebook's texts: `T = Book("03-forsorjningsstod"); T("fill.left_missing", year=…)`."""

    def __init__(self, name: str):
        self.name = name

    @property
    def path(self) -> Path:
        return texts_dir() / f"{self.name}.toml"

    @property
    def templates(self) -> dict[str, jinja2.Template]:
        path = self.path
        return _load(self.name, path, path.stat().st_mtime)

    def keys(self) -> list[str]:
        return list(self.templates)

    def __call__(self, key: str, **values) -> str:
        try:
            template = self.templates[key]
        except KeyError:
            raise KeyError(f"{self.path.name} has no text {key!r}") from None
        return template.render(**values)


# One book per notebook
EXPLORE = Book("00-utforska")
RECEPTION = Book("01-mottagande")
OUTCOMES = Book("02-etablering")
COST = Book("03-forsorjningsstod")
BOOKS = (EXPLORE, RECEPTION, OUTCOMES, COST)
