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
cache = {}


def table_for(chosen_measure):
    if chosen_measure not in cache:
        cache[chosen_measure] = explore.measure_table(chosen_measure, year, data_dir or None)
    return cache[chosen_measure]


def show_comparison(lan_code, kommuner, chosen_measure):
    frame = explore.compare(table_for(chosen_measure), list(kommuner))
    if frame.empty:
        show.notice("Välj minst en kommun.")
        return
    label = explore.MEASURES[chosen_measure]
    source = (
        f"Källa: Migrationsverket {year}, SCB"
        if chosen_measure
        in ("per_1000", "mottagna_totalt", "uppfyllelse_pct", "totalt_per_kommuntal")
        else "Källa: Kolada N00973"
    )
    kinds = frame["lan_code"].map(lambda c: "kommun" if c == lan_code else "peer")
    show.chart(plots.comparison_bars(frame["value"], kinds, label, label, source))
    show.table(frame[["value"]].rename(columns={"value": label}), source)


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


def _fill_kommuner(change=None):
    options = [(a.name, a.code) for a in registry.kommuner(lan_picker.value)]
    kommun_picker.options = options
    kommun_picker.value = tuple(code for _, code in options)


lan_picker.observe(_fill_kommuner, names="value")
_fill_kommuner()
output = widgets.interactive_output(
    show_comparison,
    {"lan_code": lan_picker, "kommuner": kommun_picker, "chosen_measure": measure_picker},
)
show.display(widgets.VBox([widgets.HBox([lan_picker, measure_picker]), kommun_picker]), output)

# %% [markdown]
# Standardvalet utan reglage (syns även i en körning med papermill):

# %%
show_comparison(
    start_lan.lan_code, [a.code for a in registry.kommuner(start_lan.lan_code)], measure
)
