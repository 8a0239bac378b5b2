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
# Ändra parametrarna i nästa cell och kör om. `demo = True` använder syntetiska demodata
# (kör först `etablering data demo`). All beräkning sker i paketet `etablering`.

# %% tags=["parameters"]
kommun = "0680"
first_year = 2015
last_year = 2024
peer_kind = "arbetsmarknad"
demo = False
data_dir = ""

# %%
from etablering import derived, outcomes_report, plots, store
from etablering import display as show
from etablering.params import OutcomeParams, validate_params
from etablering.registry import Registry

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
)
synthetic = rep.synthetic

# %%
show.text(
    f"# Etablering efter kön – {area.name}\n"
    f"Kommunkod {area.code}, {rep.lan.name}. Åren {params.first_year}–{params.last_year}. "
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
    show.notice(outcomes_report.availability_text(rep))

# %% [markdown]
# ## Kvinnor och män över tid

# %%
if outcomes_report.kommun_has_data(rep.kommun):
    show.chart(
        plots.shares_over_time(
            rep.kommun,
            rep.riket,
            f"{area.name}: i arbete eller studier 90 dagar efter etableringsuppdraget",
            rep.source,
            synthetic,
        )
    )
    show.text(
        "Banden är 95-procentiga Wilsonintervall och visas bara där antalet som lämnade "
        "uppdraget (N00964) är känt och minst 10. Andelen gäller status 90 dagar efter att "
        "personen lämnade etableringsuppdraget (Kolada N00973)."
    )
    show.table(outcomes_report.outcome_wide_display(rep), rep.source, synthetic)
    show.download(outcomes_report.outcome_display(rep), f"{area.code}-etablering-efter-kon.csv")
else:
    show.notice(outcomes_report.own_values_missing_text(rep))
    if outcomes_report.kommun_has_data(rep.riket):
        show.text(outcomes_report.riket_reference_text(rep))
        show.chart(
            plots.shares_over_time(
                rep.kommun,
                rep.riket,
                "Riket: i arbete eller studier 90 dagar efter etableringsuppdraget",
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
    show.table(outcomes_report.gap_display(rep), rep.source, synthetic)
else:
    show.notice("Skillnaden kan inte beräknas: andelar för både kvinnor och män saknas.")

# %% [markdown]
# ## Vart gick de?

# %%
if rep.destinations_year is not None:
    show.chart(
        plots.grouped_bars(
            rep.destinations,
            f"Status 90 dagar efter uppdraget, {rep.destinations_year}",
            "Andel av dem som lämnade (%)",
            rep.source.replace("N00973", "N00971, N00972, N00991, N00995"),
            synthetic,
        )
    )
else:
    show.notice(
        "Uppgift saknas om vart deltagarna gick (arbete, studier, program: Kolada N00971, "
        f"N00972, N00991, N00995). Hämta med `{outcomes_report.FETCH_COMMAND}`."
    )

# %% [markdown]
# ## Jämfört med liknande kommuner, länet och riket

# %%
comparison, comparison_year = outcomes_report.comparison_table(rep)
if comparison_year is not None:
    show.chart(
        plots.grouped_bars(
            comparison.dropna(how="all"),
            f"I arbete eller studier efter 90 dagar, {comparison_year}",
            "Andel (%)",
            rep.source,
            synthetic,
        )
    )
    if rep.peer_title:
        show.text(
            f"Jämförelsegrupp: Koladas *{rep.peer_title}* (ovägt medel av de kommuner som har värden)."
        )
    missing = outcomes_report.comparison_missing_text(comparison, comparison_year)
    if missing:
        show.notice(missing)
else:
    show.notice("Ingen jämförelse: kommunens egna värden saknas.")

# %% [markdown]
# ## Bättre eller sämre än väntat?

# %%
if len(rep.trend_rows):
    show.chart(plots.trend_bands(rep.trend_rows, area.name, rep.source, synthetic))
if not rep.expected.empty and rep.expected["expected_pct"].notna().any():
    show.chart(plots.expected_vs_actual(rep.expected, area.name, rep.source, synthetic))
    show.text(outcomes_report.expected_explanation(rep))
    show.table(outcomes_report.coefficient_display(rep), rep.source, synthetic)
else:
    show.notice(
        "Förväntat värde kan inte beräknas: modellen behöver deltagarnas sammansättning "
        "(utbildning N00961–N00994, antal som lämnat N00964) för många kommuner. "
        f"Hämta med `{outcomes_report.FETCH_COMMAND}`."
    )
for note in rep.notes:
    show.notice(note)

# %% [markdown]
# ## Om uppgifterna

# %%
show.text(outcomes_report.data_notes(rep))
