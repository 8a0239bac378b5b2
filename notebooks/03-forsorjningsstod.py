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
# En kohortmodell på kommunens egna uppgifter i Kolada. `kommun` kan också vara ett län ("12"
# eller "Skåne") – då räknas länets kommuner var för sig och summeras. Ändra antaganden i
# `overrides`, t.ex. `{"bistand.need_share": 0.3, "rent.single": 6000}`, eller i
# `parameters/forsorjningsstod.yml`. `policy_year` är året från vilket scenarierna gäller
# (tomt: första året efter data).

# %% tags=["parameters"]
kommun = "0680"
start_year = 2016
end_year = 2026
scenario = "baseline"
policy_year = None
overrides = {}
n_draws = 1000
seed = 2018
data_dir = ""

# %%
from etablering.core import fmt
from etablering.present import display as show
from etablering.present import plots
from etablering.reports import cost as cost_report
from etablering.reports import setup
from etablering.reports.texts import COST as T

params, data, rep = setup.start(
    "03-forsorjningsstod",
    kommun=kommun,
    start_year=start_year,
    end_year=end_year,
    scenario=scenario,
    policy_year=policy_year,
    overrides=overrides,
    n_draws=n_draws,
    seed=seed,
    data_dir=data_dir,
)
area = params.kommun

# %%
show.text(rep.heading)
for note in rep.notes:
    show.notice(note, kind="info")

# %% [markdown]
# ## Sammanfattning

# %%
show.text(cost_report.summary_text(rep))
show.summary(**cost_report.key_figures(rep))

# %%
show.text(T("inputs.heading", lan=rep.is_lan))
show.table(cost_report.input_table(rep), rep.source)
show.text(cost_report.input_text(rep))
show.table(cost_report.local_table(rep), rep.source)

# %% [markdown]
# ## Kostnad per år: utfall och prognos

# %%
show.chart(
    plots.cost_vs_actual(
        cost_report.chart_frame(rep),
        T("yearly.chart", area=area.name),
        rep.source_with_actual,
    )
)
show.table(cost_report.cost_table(rep), rep.source_with_actual)
show.text(cost_report.method_text(rep) + " " + cost_report.deterministic_note(rep))
show.download(
    cost_report.yearly_download(rep),
    f"{area.code}-forsorjningsstod-per-ar.csv",
    rep.source,
    label=T("yearly.download"),
)

# %% [markdown]
# ## Jämförelse med faktiskt bistånd

# %%
show.text(cost_report.backtest_text(rep))
show.table(cost_report.backtest_table(rep), rep.source_with_actual)

# %% [markdown]
# ## KEFU:s avgränsning (vår tolkning)

# %%
show.text(cost_report.kefu_text(rep))
show.table(cost_report.kefu_table(rep), rep.source)

# %% [markdown]
# ## Scenarier

# %%
labels = {n: cost_report.scenario_label(rep, n) for n in rep.scenarios["scenario"].unique()}
recent = rep.scenarios[rep.scenarios["year"] >= rep.policy_year - 1]
show.chart(plots.scenario_lines(recent, labels, rep.source))
show.table(cost_report.scenario_table(rep), rep.source)
show.text(cost_report.scenario_text(rep))

# %% [markdown]
# ## Vilket antagande betyder mest?

# %%
if not rep.tornado.empty:
    show.chart(
        plots.tornado_chart(
            rep.tornado,
            rep.tornado["cost_baseline_kr"].iloc[0],
            T(
                "tornado.chart",
                years=fmt.span(*rep.tornado_years),
            ),
            rep.source,
        )
    )
    show.table(cost_report.tornado_table(rep), rep.source)

# %% [markdown]
# ## Personerna bakom kostnaden

# %%
show.chart(plots.people_bars(cost_report.people_frame(rep), rep.source))
show.table(cost_report.people_table(rep), rep.source)
show.text(T("people.explained"))

# %% [markdown]
# ## Antaganden och källor

# %%
show.table(cost_report.assumptions_table(rep), T("assumptions.source"))
show.text(T("assumptions.explained"))

# %%
show.details(
    T("assumptions.appendix"),
    [show.table_html(cost_report.full_parameter_table(rep), T("assumptions.appendix_source"))],
    appendix=True,
)
