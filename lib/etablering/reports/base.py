"""What every report builder shares: the data it reads (`ReportData`, loaded once and only what
is asked for) and what it returns (`Report`: a title, the line under it, a source line and
notes). Every builder is `build(params, data) -> <a Report>`.
"""

from functools import cached_property

import pandas as pd

from ..analysis.cache import shared
from ..core.errors import MissingDataError
from ..data import panel, store
from ..data.registry import Area, Registry

# Tables a report can do without: read as empty when the store has none.
OPTIONAL = {
    "kpi_flags": lambda: pd.DataFrame(
        columns=["kpi", "area_code", "year", "gender", "value", "rule", "detail"]
    ),
    "area_groups": pd.DataFrame,
    "kpi_catalogue": pd.DataFrame,
}


class ReportData:
    """The processed tables of one data folder, each read the first time a report asks for
    it, so a kernel rendering many kommuner reads them once. `data["kpi_values"]` is the
    stored table; `data["population"]` the population panel (SCB where it has the year, else
    Kolada). Tests hand in their own tables with `with_tables`."""

    def __init__(self, data_dir=None, registry: Registry | None = None, derived: bool = True):
        self.data_dir = data_dir or None  # "" from a notebook's parameters cell = the default
        self._registry = registry
        self._tables: dict[str, pd.DataFrame] = {}
        self._expected: dict[bool, object] = {}
        # False: no expected-value model (slow to fit the first time); reports show that part
        # as missing. Tests use it; notebooks never do.
        self.derived = derived

    @cached_property
    def registry(self) -> Registry:
        return self._registry or Registry.load(self.data_dir)

    @cached_property
    def version(self) -> str:
        """The data version every report names under its title."""
        return store.data_version(self.data_dir)

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self._tables:
            self._tables[name] = self._read(name)
        return self._tables[name]

    def get(self, name: str, default=None):
        try:
            return self[name]
        except (MissingDataError, FileNotFoundError):
            return default

    def _read(self, name: str) -> pd.DataFrame:
        if name == "population":
            # the same for every area: computed once per kernel in a batch
            return shared(
                panel.population_table, store.read_table(name, self.data_dir), self["kpi_values"]
            )
        if name in OPTIONAL and not store.has_table(name, self.data_dir):
            return OPTIONAL[name]()
        return store.read_table(name, self.data_dir)

    def with_tables(self, **tables: pd.DataFrame) -> "ReportData":
        """The same data with some tables replaced (what-if and hostile-data tests)."""
        other = ReportData(self.data_dir, self._registry, self.derived)
        other._tables = {**self._tables, **tables}
        if "kpi_values" in tables:  # derived from it
            other._tables.pop("population", None)
        other._expected = dict(self._expected)
        # The derived cache is computed from the stored kpi_values: with other values the
        # builder counts from them itself, and the expected-value model is left out.
        other.derived = self.derived and "kpi_values" not in tables
        return other

    def with_expected(self, tables, synthetic: bool = False) -> "ReportData":
        """The same data with an expected-value model already fitted (tests fit it once)."""
        other = self.with_tables()
        other._expected[synthetic] = tables
        return other

    def expected(self, synthetic: bool = False):
        """The expected-value model over all kommuner (analysis.cache), or None."""
        if synthetic not in self._expected:
            from ..analysis import cache

            self._expected[synthetic] = (
                cache.expected_tables(self.data_dir, synthetic=synthetic) if self.derived else None
            )
        return self._expected[synthetic]

    def counts(self, synthetic: bool = False) -> pd.DataFrame | None:
        """Outcome counts for all kommuner (cached on disk per data version); None when not
        derived, and the builder counts from kpi_values itself."""
        if not self.derived:
            return None
        from ..analysis import cache

        return cache.kommun_counts(self.data_dir, synthetic=synthetic)


class Report:
    """What a builder returns. Subclasses are dataclasses with at least `area`, `notes` (short
    notices shown under the summary) and `data_version`; each says its own title, the line
    under it and the source of its main figures."""

    area: Area
    notes: list[str]
    data_version: str

    @property
    def title(self) -> str:
        raise NotImplementedError

    @property
    def subtitle(self) -> str:
        raise NotImplementedError

    @property
    def source(self) -> str:
        raise NotImplementedError

    @property
    def heading(self) -> str:
        """The report's first lines: '# <title>' and the line under it (Markdown)."""
        return f"# {self.title}\n{self.subtitle}"

    @property
    def is_lan(self) -> bool:
        return self.area.kind == "lan"
