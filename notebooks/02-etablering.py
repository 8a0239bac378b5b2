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
from etablering.analysis import cache as derived
from etablering.data import kpis, store
from etablering.data.registry import Registry
from etablering.present import display as show
from etablering.present import plots
from etablering.reports import outcomes as outcomes_report
from etablering.reports.notebook_params import OutcomeParams, validate_params

registry = Registry.load(data_dir or None)
params = validate_params(
    registry,
    OutcomeParams,
    kommun=kommun,
    first_year=first_year,
    last_year=last_year,
    peer_kind=peer_kind,
    demo=demo,
    data_dir=data_dir,
)
area = params.kommun
plots.setup()
tables = outcomes_report.load_tables(data_dir or None)
rep = outcomes_report.build(
    params,
    tables["kpi_values"],
    tables["area_groups"],
    tables["kpi_catalogue"],
    registry,
    expected=derived.expected_tables(data_dir or None, synthetic=params.demo),
    counts=derived.kommun_counts(data_dir or None, synthetic=params.demo),
    flags=tables.get("kpi_flags"),
)
synthetic = rep.synthetic
names = {a.code: a.name for a in registry.kommuner()}
marked = {a.code: a.name for a in rep.members} if rep.is_lan else {area.code: area.name}

# %%
kind = "Länskod" if rep.is_lan else "Kommunkod"
where = "" if rep.is_lan else f", {rep.lan.name}"
show.text(
    f"# Etablering efter kön – {area.name}\n"
    f"{kind} {area.display_code}{where}. "
    f"{outcomes_report.period_text(rep, params.first_year, params.last_year)} "
    f"Dataversion {store.data_version(data_dir or None)}."
)
if synthetic:
    show.notice(
        "SYNTETISKA DATA: alla siffror i denna rapport är påhittade demodata med kända "
        "inbyggda effekter. De beskriver inte verkligheten i någon kommun.",
        kind="synthetic",
    )

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
            f"{area.name}: i arbete eller studier, status efter 90 dagar",
            rep.source,
            synthetic,
        )
    )
    show.text(
        "Banden är 95-procentiga osäkerhetsintervall (Wilson) och visas där antalet som "
        f"lämnade uppdraget ({kpis.LEFT}) är känt och minst 10. Andelen gäller status 90 dagar "
        f"efter att personen lämnade etableringsuppdraget (Kolada {kpis.WORK_OR_STUDIES})."
    )
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
                "Riket: i arbete eller studier, status efter 90 dagar",
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
    show.text(
        "Skillnaden är kvinnornas andel minus männens, räknad på de avrundade andelar som "
        "visas. *Säker skillnad* betyder att 95-procentsintervallet inte rymmer noll."
    )
    show.table(outcomes_report.gap_display(rep), rep.source, synthetic)
else:
    show.notice("Skillnaden kan inte beräknas: andelar för både kvinnor och män saknas.")

# %% [markdown]
# ## Vart gick de, och vilka var de?

# %%
dest_source = rep.source_for([kpis.WORK, kpis.WORK_OR_STUDIES, kpis.PROGRAMME, kpis.LEFT])
if rep.destinations_label is not None:
    show.chart(
        plots.grouped_bars(
            rep.destinations,
            f"Status 90 dagar efter uppdraget, {rep.destinations_label}",
            "Andel av dem som lämnade (%)",
            dest_source,
            synthetic,
        )
    )
    show.text(outcomes_report.destinations_text(rep))
else:
    show.notice(
        f"Uppgift saknas om vart deltagarna gick (arbete {kpis.WORK}, program "
        f"{kpis.PROGRAMME}). Hämta med `{outcomes_report.FETCH_COMMAND}`."
    )
edu_source = rep.source_for([*outcomes_report.EDUCATION, kpis.ENROLLED])
if rep.education_year is not None:
    show.chart(
        plots.grouped_bars(
            rep.education,
            f"Utbildning bland inskrivna, {rep.education_year}",
            "Andel av de inskrivna (%)",
            edu_source,
            synthetic,
        )
    )
flows = outcomes_report.flow_display(rep)
if len(flows):
    show.text(
        "Inskrivna under året, de som lämnade uppdraget och hur många av dem som var i arbete "
        "eller studier efter 90 dagar (personer), som i Kommunförbundet Skånes rapport."
    )
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
            f"{rep.lan.name}: i arbete eller studier, {rep.pooled_label}",
            "Andel av dem som lämnade (%); inom parentes antal kvinnor/män som lämnade",
            rep.source,
            synthetic,
            highlight=[
                i
                for i in chart_frame.index
                if i.split(" (")[0] in (area.name, rep.lan.name, "Riket")
            ],
        )
    )
    show.text(
        f"Åren {rep.pooled_label} räknade samman, så att också små kommuner får ett underlag. "
        "Tabellen visar andelen och hur många som lämnade."
    )
    show.table(outcomes_report.side_by_side_display(sides), rep.source, synthetic)
else:
    show.notice(f"Uppgift saknas för kommunerna i {rep.lan.name} åren {rep.pooled_label}.")

# %%
comparison, comparison_year = outcomes_report.comparison_table(rep)
if not rep.is_lan and comparison_year is not None:
    show.text(f"**Jämfört med liknande kommuner, länet och riket, {comparison_year}**")
    show.chart(
        plots.grouped_bars(
            comparison.dropna(how="all"),
            f"I arbete eller studier, status efter 90 dagar, {comparison_year}",
            "Andel (%)",
            rep.source,
            synthetic,
            highlight=[area.name],
        )
    )
    if rep.peer_title:
        show.text(
            f"Jämförelsegrupp: Koladas *{rep.peer_title}* (ovägt medel av de kommuner som har "
            "värden)."
        )
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
            f"Alla kommuner, {rep.pooled_label}: andel mot antal som lämnade",
            rep.source,
            synthetic,
            names=names,
        )
    )
    show.text(
        "Varje punkt är en kommun. Ju färre som lämnade, desto mer varierar andelen av en "
        "slump – därför vidgas linjerna åt vänster. De streckade linjerna visar var kommunerna "
        "skulle hamna om bara slumpen skilde dem åt; de heldragna rymmer också den vanliga "
        "skillnaden mellan kommuner. " + outcomes_report.funnel_text(rep, fun)
    )

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
                "Varje kommuns effekt, sammantagen över "
                + outcomes_report.period_label(rep.model_info.get("years", [])),
                rep.model_source,
                synthetic,
                names=names,
            )
        )
        show.table(outcomes_report.effects_display(rep, names), rep.model_source, synthetic)
else:
    show.notice(
        "Förväntat värde kan inte beräknas: modellen behöver andel och antal som lämnat "
        f"({kpis.WORK_OR_STUDIES}, {kpis.LEFT}), utbildning ({kpis.EDU_PRIMARY}, "
        f"{kpis.EDU_TERTIARY}) och arbetsmarknad ({kpis.SCB_EXPECTED}) för många kommuner. "
        f"Hämta med `{outcomes_report.FETCH_COMMAND}`."
    )

# %% [markdown]
# ## Koladas förväntade värde för flyktingars förvärvsarbete

# %%
show.text(outcomes_report.scb_text(rep))
if not rep.scb.empty:
    show.chart(
        plots.refugee_employment(
            outcomes_report.scb_chart_frame(rep),
            f"{area.name}: förvärvsarbetande flyktingar 20–64 år",
            rep.scb_source,
            synthetic,
        )
    )
    show.table(outcomes_report.scb_display(rep), rep.scb_source, synthetic)
elif rep.is_lan:
    lan_scb = outcomes_report.lan_scb_display(rep, tables["kpi_values"], names, synthetic)
    if len(lan_scb):
        show.text(
            f"Kolada har inget länsvärde för {kpis.SCB_EXPECTED} och {kpis.SCB_DEVIATION}; "
            "tabellen visar länets kommuner."
        )
        show.table(lan_scb, outcomes_report.lan_scb_source(rep, synthetic), synthetic)

# %% [markdown]
# ## Fördjupning

# %%
parts = [show.markdown_html(outcomes_report.DETAILS_INTRO)]
if rep.gap["p_value"].notna().any():
    parts.append(show.markdown_html("**Skillnaden kvinnor − män**, exakt och med z-test:"))
    parts.append(show.table_html(outcomes_report.gap_details(rep), rep.source, synthetic))
if rep.trend is not None:
    parts.append(show.markdown_html(outcomes_report.trend_details_text(rep)))
    parts.append(
        show.chart_html(plots.trend_bands(rep.trend_rows, area.name, rep.source, synthetic))
    )
if len(rep.coefficients):
    parts.append(
        show.markdown_html(
            "**Modellen för förväntat värde**: oddskvoter per 10 procentenheter, för kvinnor "
            "och män var för sig."
        )
    )
    parts.append(
        show.table_html(outcomes_report.coefficient_display(rep), rep.model_source, synthetic)
    )
show.details("Oddskvoter, p-värden och trendmodell", parts)
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
