# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Utforska: jämför kommuner
# Välj län, kommuner och mått med reglagen nedan (i JupyterLab). Utan reglage – t.ex. när
# notebooken körs med papermill – visas jämförelsen för parametrarnas standardval.

# %% tags=["parameters"]
lan = "06"
measure = "per_1000"
year = 2018
data_dir = ""

# %%
import ipywidgets as widgets

from etablering import display as show
from etablering import explore, plots
from etablering.registry import Registry

registry = Registry.load(data_dir or None)
start_lan = registry.resolve(lan, kinds=("lan",))
plots.setup()
tables = {}


def comparison_html(lan_code, kommuner, chosen_measure):
    """Chart and table as HTML: the widget below shows it without capturing cell output."""
    if chosen_measure not in tables:
        tables[chosen_measure] = explore.measure_table(chosen_measure, year, data_dir or None)
    frame = explore.compare(tables[chosen_measure], list(kommuner))
    if frame.empty:
        return "<p>Välj minst en kommun.</p>"
    label = explore.MEASURES[chosen_measure]
    source = explore.source_of(chosen_measure, year)
    kinds = frame["lan_code"].map(lambda c: "kommun" if c == lan_code else "peer")
    figure = plots.comparison_bars(frame["value"], kinds, label, label, source)
    return show.chart_html(figure) + show.table_html(
        frame[["value"]].rename(columns={"value": label}), source
    )


# %%
lan_picker = widgets.Dropdown(
    options=[(a.name, a.lan_code) for a in registry.lan()],
    value=start_lan.lan_code,
    description="Län",
)
kommun_picker = widgets.SelectMultiple(description="Kommuner", rows=10)
measure_picker = widgets.Dropdown(
    options=[(v, k) for k, v in explore.MEASURES.items()], value=measure, description="Mått"
)
result = widgets.HTML()


def refresh(change=None):
    result.value = comparison_html(lan_picker.value, kommun_picker.value, measure_picker.value)


def fill_kommuner(change=None):
    options = [(a.name, a.code) for a in registry.kommuner(lan_picker.value)]
    kommun_picker.options = options
    kommun_picker.value = tuple(code for _, code in options)


lan_picker.observe(fill_kommuner, names="value")
kommun_picker.observe(refresh, names="value")
measure_picker.observe(refresh, names="value")
fill_kommuner()
show.display(widgets.VBox([widgets.HBox([lan_picker, measure_picker]), kommun_picker, result]))

# %% [markdown]
# Standardvalet utan reglage (syns även i en körning med papermill):

# %%
show.display(
    show.HTML(
        comparison_html(
            start_lan.lan_code, [a.code for a in registry.kommuner(start_lan.lan_code)], measure
        )
    )
)
