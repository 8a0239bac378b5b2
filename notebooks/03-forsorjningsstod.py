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

# %% [markdown] tags=["remove-cell"]
# # Försörjningsstöd efter etableringen
# En KEFU-liknande kohortprognos. `kommun` kan också vara ett län ("12" eller "Skåne") – då
# summeras länets kommuner. Ändra antaganden i `overrides`, t.ex.
# `{"need_share": 0.7, "rent.single": 6000}`, eller i `parameters/forsorjningsstod.yml`.

# %% tags=["parameters"]
kommun = "0680"
start_year = 2019
end_year = 2023
scenario = "baseline"
overrides = {}
n_draws = 1000
seed = 2018
data_dir = ""

# %%
from etablering import cost_report, plots, store
from etablering import display as show
from etablering.params import CostParams, validate_params
from etablering.registry import Registry

registry = Registry.load(data_dir or None)
params = validate_params(
    registry,
    CostParams,
    kommun=kommun,
    start_year=start_year,
    end_year=end_year,
    scenario=scenario,
    overrides=overrides,
    n_draws=n_draws,
    seed=seed,
    data_dir=data_dir,
)
area = params.kommun
plots.setup()
rep = cost_report.build(params, cost_report.load_tables(data_dir or None), registry)

# %%
scope = (
    f"summan över länets {len(rep.members)} kommuner"
    if rep.is_lan
    else f"kommunkod {area.code}, {registry.lan_of(area).name}"
)
show.text(
    f"# Försörjningsstöd efter etableringen – {area.name}\n"
    f"Prognos {params.start_year}–{params.end_year}, {scope}. "
    f"Dataversion {store.data_version(data_dir or None)}."
)

# %% [markdown]
# ## Sammanfattning

# %%
show.text(cost_report.summary_text(rep))
show.summary(**cost_report.key_figures(rep))
show.text(f"Inskrivna i etableringen: {rep.projection.entrants_source}.")

# %% [markdown]
# ## Kostnad per år

# %%
total = rep.total
kefu_total = rep.projection.comparison.set_index("year")["cost_kefu_kr"]
bands = rep.bands[rep.bands["gender"] == "T"] if not rep.bands.empty else rep.bands
show.chart(
    plots.cost_with_bands(
        total, bands, kefu_total, f"{area.name}: försörjningsstöd efter etableringen", rep.source
    )
)
show.table(cost_report.cost_table(rep), rep.source)
show.download(
    rep.projection.yearly,
    f"{area.code}-forsorjningsstod-per-ar.csv",
    "Ladda ner kostnad per år och kön (CSV)",
)
show.download(
    rep.projection.monthly,
    f"{area.code}-forsorjningsstod-per-manad.csv",
    "Ladda ner månadsberäkningen (CSV)",
)
show.text(cost_report.method_text(rep))

# %% [markdown]
# ## Scenarier

# %%
labels = {n: cost_report.scenario_label(rep, n) for n in rep.scenarios["scenario"].unique()}
show.chart(plots.scenario_lines(rep.scenarios, labels, rep.source))
show.table(cost_report.scenario_table(rep), rep.source)
show.text(cost_report.scenario_descriptions(rep))

# %% [markdown]
# ## Vilket antagande betyder mest?

# %%
if not rep.tornado.empty:
    show.chart(
        plots.tornado_chart(
            rep.tornado,
            rep.tornado["cost_baseline_kr"].iloc[0],
            "Känslighet: ett antagande i taget till sitt låga och höga värde",
            rep.source,
        )
    )
    show.table(cost_report.tornado_table(rep), rep.source)

# %% [markdown]
# ## Personerna bakom kostnaden

# %%
people = cost_report.people_table(rep)
show.chart(plots.people_bars(people, rep.source))
show.table(people, rep.source)
show.table(
    rep.projection.exit_shares.rename(
        columns={
            "exit_year": "År",
            "gender": "Kön",
            "in_work_share": "Andel i arbete/studier",
            "level": "Nivå",
            "note": "Anmärkning",
        }
    ).set_index(["År", "Kön"]),
    "Källa: Kolada N00973 där det finns (kommun, län eller riket), annars parameter.",
)

# %% [markdown]
# ## Jämförelse med faktiskt bistånd

# %%
show.text(cost_report.backtest_text(rep))

# %% [markdown]
# ## Antaganden och källor

# %%
show.text(
    "Alla tal nedan kommer från `parameters/forsorjningsstod.yml`. *Härlett* betyder "
    "framräknat ur källor; *antagande* i källan betyder att ingen källa hittades."
)
show.table(cost_report.assumptions_table(rep), "Källa: se kolumnen Källa för varje tal.")
