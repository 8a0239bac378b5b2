"""Comparison tables for the 00-utforska notebook: one measure across chosen kommuner."""

import html

import pandas as pd

from ..analysis import outcomes, reception
from ..core.errors import ParameterError
from ..data import panel, store
from ..present import display, plots
from . import texts

MEASURES = {
    "per_1000": "Kommunmottagna per 1 000 invånare",
    "mottagna_totalt": "Kommunmottagna totalt",
    "uppfyllelse_pct": "Uppfyllelse av kommuntalet (%)",
    "totalt_per_kommuntal": "Mottagna totalt per kommuntal",
    "women_pct": "Kvinnor i arbete/studier efter etableringen (%), senaste år",
    "men_pct": "Män i arbete/studier efter etableringen (%), senaste år",
}


RECEPTION_MEASURES = ("per_1000", "mottagna_totalt", "uppfyllelse_pct", "totalt_per_kommuntal")
KOLADA_MEASURES = {"per_1000": "per_1000", "mottagna_totalt": "received"}  # measure -> column


def source_of(measure: str, year: int, frame: pd.DataFrame | None = None) -> str:
    """The source line; names the population year when another year stands in for `year`."""
    if measure not in RECEPTION_MEASURES:
        return texts.EXPLORE("sources.outcomes")
    if measure not in KOLADA_MEASURES:
        return texts.EXPLORE("sources.files", year=year)
    if measure != "per_1000":
        return texts.EXPLORE("sources.received", year=year)
    years = sorted(set(frame["population_year"].dropna().astype(int))) if frame is not None else []
    stand_in = years and years != [year]
    return texts.EXPLORE("sources.per_1000", year=year, population_years=years if stand_in else [])


def measure_table(measure: str, year: int, data_dir=None) -> pd.DataFrame:
    """kommun_code, name, lan_code, value (NA where missing) for every kommun."""
    if measure not in MEASURES:
        raise KeyError(f"okänt mått {measure!r}; välj ett av {', '.join(MEASURES)}")
    read = {n: store.read_table(n, data_dir) for n in ("areas", "kpi_values", "population")}
    population = panel.population_table(read["population"], read["kpi_values"])
    kommuner = read["areas"][read["areas"]["kind"] == "kommun"]
    base = kommuner[["code", "name", "lan_code"]].rename(columns={"code": "kommun_code"})
    if measure in KOLADA_MEASURES:
        kpanel = reception.kolada_panel(read["kpi_values"], read["areas"], population)
        table = reception.year_table(kpanel, read["areas"], year)
        keep = ["kommun_code", "name", "lan_code"] + (["population_year"] * (measure == "per_1000"))
        return table[keep].assign(value=table[KOLADA_MEASURES[measure]].astype(float))
    if measure in RECEPTION_MEASURES:
        files = {n: store.read_table(n, data_dir) for n in ("kommuntal", "kommunmottagna")}
        if year not in reception.available_years(files["kommuntal"], files["kommunmottagna"]):
            return base.assign(value=float("nan"))
        table = reception.kommun_table(year, read["areas"], population=population, **files)
        return table[["kommun_code", "name", "lan_code"]].assign(value=table[measure].astype(float))
    gender = "K" if measure == "women_pct" else "M"
    rows = panel.values(read["kpi_values"], outcomes.HEADLINE_KPI, genders=[gender])
    rows = rows[rows["value"].notna()]
    latest = (
        rows.sort_values("year").drop_duplicates("area_code", keep="last").set_index("area_code")
    )
    return base.assign(
        value=base["kommun_code"].map(latest["value"]).astype(float),
        year=base["kommun_code"].map(latest["year"]),
    )


def compare(frame: pd.DataFrame, kommuner: list[str]) -> pd.DataFrame:
    """The chosen kommuner, sorted by value (missing last)."""
    chosen = frame[frame["kommun_code"].isin(kommuner)]
    return chosen.sort_values("value", ascending=False, na_position="last").set_index("name")


def comparison_html(
    frame: pd.DataFrame, kommuner, measure: str, year: int, lan_code: str | None = None
) -> str:
    """Chart and table for the chosen kommuner as HTML (what the widget shows); kommuner in
    `lan_code` are highlighted."""
    chosen = compare(frame, list(kommuner))
    if chosen.empty:
        return "<p>" + html.escape(texts.EXPLORE("compare.none_chosen")) + "</p>"
    label = MEASURES[measure]
    source = source_of(measure, year, chosen)
    kinds = chosen["lan_code"].map(lambda c: "kommun" if c == lan_code else "peer")
    figure = plots.comparison_bars(chosen["value"], kinds, label, label, source, year=year)
    columns = {"value": label, "year": "År"} if "year" in chosen else {"value": label}
    shown = chosen[list(columns)].rename(columns=columns)
    if "År" in shown:
        shown["År"] = shown["År"].astype("Int64")
    shown.index.name = "Kommun"
    return display.chart_html(figure) + display.table_html(shown, source)


class Explorer:
    """The 00-utforska widgets: län, kommuner and measure pickers above the comparison.

    Each measure's table for all kommuner is read once and kept; a change of län selects all of
    its kommuner, any change redraws. `html()` gives the same comparison without widgets."""

    def __init__(self, registry, lan_code: str, measure: str, year: int, data_dir=None):
        import ipywidgets as widgets  # only the JupyterLab view needs it

        if measure not in MEASURES:
            raise ParameterError(
                f"Okänt mått {measure!r} (parametern measure). Välj ett av: {', '.join(MEASURES)}."
            )
        self.registry, self.year, self.data_dir = registry, year, data_dir
        self.tables: dict[str, pd.DataFrame] = {}
        self.lan = widgets.Dropdown(
            options=[(a.name, a.lan_code) for a in registry.lan()],
            value=lan_code,
            description="Län",
        )
        self.kommuner = widgets.SelectMultiple(description="Kommuner", rows=10)
        self.measure = widgets.Dropdown(
            options=[(v, k) for k, v in MEASURES.items()], value=measure, description="Mått"
        )
        self.result = widgets.HTML()
        self.lan.observe(self._fill_kommuner, names="value")
        self.kommuner.observe(self._refresh, names="value")
        self.measure.observe(self._refresh, names="value")
        self._fill_kommuner()
        self.widget = widgets.VBox(
            [widgets.HBox([self.lan, self.measure]), self.kommuner, self.result]
        )

    def html(self, lan_code: str, kommuner, measure: str) -> str:
        if measure not in self.tables:
            self.tables[measure] = measure_table(measure, self.year, self.data_dir)
        return comparison_html(self.tables[measure], kommuner, measure, self.year, lan_code)

    def _refresh(self, change=None) -> None:
        self.result.value = self.html(self.lan.value, self.kommuner.value, self.measure.value)

    def _fill_kommuner(self, change=None) -> None:
        options = [(a.name, a.code) for a in self.registry.kommuner(self.lan.value)]
        self.kommuner.options = options
        self.kommuner.value = tuple(code for _, code in options)
