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
# # Etablering efter kön
# Hur går kvinnor och män vidare efter Arbetsförmedlingens etableringsuppdrag?
# Ändra parametrarna i nästa cell och kör om. `kommun` kan vara en kommun eller ett län
# (t.ex. "06"). `demo = True` använder syntetiska demodata (kör först `etablering data demo`).
# All beräkning sker i paketet `etablering`.

# %% tags=["parameters"]
kommun = "0680"
first_year = 2015
last_year = 2024
peer_kind = "arbetsmarknad"
demo = False
data_dir = ""

# %%
from etablering.data import kpis
from etablering.present import display as show
from etablering.present import plots
from etablering.reports import outcomes as outcomes_report
from etablering.reports import setup
from etablering.reports.texts import OUTCOMES as T

params, data, rep = setup.start(
    "02-etablering",
    kommun=kommun,
    first_year=first_year,
    last_year=last_year,
    peer_kind=peer_kind,
    demo=demo,
    data_dir=data_dir,
)
area = params.kommun
synthetic = rep.synthetic
names = {a.code: a.name for a in data.registry.kommuner()}
marked = {a.code: a.name for a in rep.members} if rep.is_lan else {area.code: area.name}

# %%
show.text(rep.heading)
if synthetic:
    show.notice(T("synthetic"), kind="synthetic")

# %% [markdown]
# ## Sammanfattning

# %%
show.text(outcomes_report.summary_text(rep))
show.summary(**outcomes_report.key_figures(rep))
if rep.missing_kpis:
    show.notice(
        outcomes_report.availability_text(rep),
        details=outcomes_report.availability_details(rep),
    )

# %% [markdown]
# ## Kvinnor och män över tid

# %%
if outcomes_report.kommun_has_data(rep.table):
    show.chart(
        plots.shares_over_time(
            rep.table,
            rep.riket,
            T("over_time.chart", area=area.name),
            rep.source,
            synthetic,
        )
    )
    show.text(T("over_time.bands"))
    show.table(outcomes_report.outcome_wide_display(rep), rep.source, synthetic)
    show.download(
        outcomes_report.outcome_display(rep), f"{area.code}-etablering-efter-kon.csv", rep.source
    )
else:
    show.notice(outcomes_report.own_values_missing_text(rep))
    if outcomes_report.kommun_has_data(rep.riket):
        show.text(outcomes_report.riket_reference_text(rep))
        show.chart(
            plots.shares_over_time(
                rep.table,
                rep.riket,
                T("over_time.riket_chart"),
                rep.source,
                synthetic,
            )
        )
        show.table(outcomes_report.riket_reference(rep), rep.source, synthetic)

# %% [markdown]
# ## Skillnaden mellan kvinnor och män

# %%
if rep.gap["gap_pp"].notna().any():
    show.chart(plots.gap_over_time(rep.gap, rep.source, synthetic))
    show.text(T("gap.explained"))
    show.table(outcomes_report.gap_display(rep), rep.source, synthetic)
else:
    show.notice(T("gap.missing"))

# %% [markdown]
# ## Vart gick de, och vilka var de?

# %%
dest_source = rep.source_for([kpis.WORK, kpis.WORK_OR_STUDIES, kpis.PROGRAMME, kpis.LEFT])
if rep.destinations_label is not None:
    show.chart(
        plots.grouped_bars(
            rep.destinations,
            T("destinations.chart", years=rep.destinations_label),
            "Andel av dem som lämnade (%)",
            dest_source,
            synthetic,
        )
    )
    show.text(outcomes_report.destinations_text(rep))
else:
    show.notice(T("destinations.missing", fetch=outcomes_report.FETCH_COMMAND))
edu_source = rep.source_for([*outcomes_report.EDUCATION, kpis.ENROLLED])
if rep.education_year is not None:
    show.chart(
        plots.grouped_bars(
            rep.education,
            T("destinations.education_chart", year=rep.education_year),
            "Andel av de inskrivna (%)",
            edu_source,
            synthetic,
        )
    )
flows = outcomes_report.flow_display(rep)
if len(flows):
    show.text(T("destinations.flows"))
    show.table(
        flows,
        rep.source_for([kpis.ENROLLED, kpis.LEFT, kpis.WORK_OR_STUDIES]),
        synthetic,
    )

# %% [markdown]
# ## Kommunerna i länet

# %%
sides = outcomes_report.side_by_side(rep, names)
if sides[["Kvinnor", "Män"]].notna().any().any():
    chart_frame = outcomes_report.side_by_side_chart(sides)
    show.chart(
        plots.grouped_bars(
            chart_frame,
            T("lan.chart", lan=rep.lan.name, years=rep.pooled_label),
            T("lan.axis"),
            rep.source,
            synthetic,
            highlight=[
                i
                for i in chart_frame.index
                if i.split(" (")[0] in (area.name, rep.lan.name, "Riket")
            ],
        )
    )
    show.text(T("lan.pooled", years=rep.pooled_label))
    show.table(outcomes_report.side_by_side_display(sides), rep.source, synthetic)
else:
    show.notice(T("lan.missing", lan=rep.lan.name, years=rep.pooled_label))

# %%
comparison, comparison_year = outcomes_report.comparison_table(rep)
if not rep.is_lan and comparison_year is not None:
    show.text(T("comparison.heading", year=comparison_year))
    show.chart(
        plots.grouped_bars(
            comparison.dropna(how="all"),
            T("comparison.chart", year=comparison_year),
            "Andel (%)",
            rep.source,
            synthetic,
            highlight=[area.name],
        )
    )
    if rep.peer_title:
        show.text(T("comparison.peers", peers=rep.peer_title))
    missing = outcomes_report.comparison_missing_text(comparison, comparison_year)
    if missing:
        show.notice(missing)

# %% [markdown]
# ## Alla kommuner: andel och antal

# %%
fun = outcomes_report.funnel(rep)
if fun.centre:
    show.chart(
        plots.funnel_plot(
            fun.points,
            fun.centre,
            fun.tau,
            marked,
            T("funnel.chart", years=rep.pooled_label),
            rep.source,
            synthetic,
            names=names,
        )
    )
    show.text(T("funnel.explained", verdict=outcomes_report.funnel_text(rep, fun)))

# %% [markdown]
# ## Bättre eller sämre än väntat?

# %%
if not rep.expected.empty and rep.expected["expected_pct"].notna().any():
    show.text(outcomes_report.expected_explanation(rep))
    show.chart(plots.expected_by_gender(rep.expected, area.name, rep.model_source, synthetic))
    show.table(outcomes_report.expected_display(rep), rep.model_source, synthetic)
    if not rep.effects.empty:
        show.text(outcomes_report.effect_text(rep))
        show.chart(
            plots.caterpillar(
                rep.effects,
                marked,
                T(
                    "expected.effects_chart",
                    years=outcomes_report.model_years(rep.model_info.get("years", [])),
                ),
                rep.model_source,
                synthetic,
                names=names,
            )
        )
        show.table(outcomes_report.effects_display(rep, names), rep.model_source, synthetic)
else:
    show.notice(T("expected.missing", fetch=outcomes_report.FETCH_COMMAND))

# %% [markdown]
# ## Koladas förväntade värde för flyktingars förvärvsarbete

# %%
show.text(outcomes_report.scb_text(rep))
if not rep.scb.empty:
    show.chart(
        plots.refugee_employment(
            outcomes_report.scb_chart_frame(rep),
            T("scb.chart", area=area.name),
            rep.scb_source,
            synthetic,
        )
    )
    show.table(outcomes_report.scb_display(rep), rep.scb_source, synthetic)
elif rep.is_lan:
    lan_scb = outcomes_report.lan_scb_display(rep, data["kpi_values"], names, synthetic)
    if len(lan_scb):
        show.text(T("scb.lan", n=len(rep.members)))
        show.table(lan_scb, outcomes_report.lan_scb_source(rep, synthetic), synthetic)

# %% [markdown]
# ## Fördjupning

# %%
parts = [show.markdown_html(outcomes_report.details_intro())]
if rep.gap["p_value"].notna().any():
    parts.append(show.markdown_html(T("details.gap")))
    parts.append(show.table_html(outcomes_report.gap_details(rep), rep.source, synthetic))
if rep.trend is not None:
    parts.append(show.markdown_html(outcomes_report.trend_details_text(rep)))
    parts.append(
        show.chart_html(plots.trend_bands(rep.trend_rows, area.name, rep.source, synthetic))
    )
if len(rep.coefficients):
    parts.append(show.markdown_html(T("details.coefficients")))
    parts.append(
        show.table_html(outcomes_report.coefficient_display(rep), rep.model_source, synthetic)
    )
show.details(T("details.summary"), parts)
for note in rep.notes:
    show.notice(note)

# %% [markdown]
# ## Om uppgifterna och metoden

# %%
show.text(outcomes_report.data_notes(rep))
if len(rep.validation):
    show.text(outcomes_report.method_text(rep))
    show.table(
        outcomes_report.validation_display(rep),
        outcomes_report.validation_source(rep),
        synthetic,
    )
