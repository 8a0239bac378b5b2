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
# # Mottagande mot kommuntal
# Hur många nyanlända tog kommunen emot, mot kommuntalet, i län- och rikssammanhang?
# Ändra parametrarna i nästa cell och kör om. All beräkning sker i paketet `etablering`.

# %% tags=["parameters"]
kommun = "0680"
year = 2018
peer_kind = "socioekonomi"
data_dir = ""

# %%
from etablering import display as show
from etablering import plots, reception_report, store
from etablering.errors import MissingDataError
from etablering.params import validate_params
from etablering.registry import Registry

registry = Registry.load(data_dir or None)
params = validate_params(registry, kommun=kommun, year=year, peer_kind=peer_kind, data_dir=data_dir)
area = params.kommun
plots.setup()

# %%
show.text(
    f"# Mottagande av nyanlända – {area.name} {params.year}\n"
    + reception_report.subtitle(area, registry, store.data_version(data_dir or None))
)
try:
    rep = reception_report.build(params, reception_report.load_tables(data_dir or None), registry)
except MissingDataError as exc:
    rep = None
    show.notice(f"Uppgift saknas: {exc}")

# %% [markdown]
# ## Sammanfattning

# %%
if rep:
    show.text(reception_report.summary_text(rep))
    show.summary(**reception_report.key_figures(rep))
    for note in rep.notes:
        show.notice(note)

# %% [markdown]
# ## Kommuntal och mottagna

# %%
if rep:
    r = rep.row
    show.chart(
        plots.kommuntal_vs_received(
            area.name, r["kommuntal"], r["mottagna_anvisade"], r["mottagna_totalt"], rep.source()
        )
    )
    show.table(reception_report.comparison_table(rep), rep.source(population=True))
    show.text(reception_report.definitions_text(rep))

# %% [markdown]
# ## Vilka kom?

# %%
if rep:
    show.table(reception_report.category_table(rep), rep.source())
    show.chart(plots.category_mix(reception_report.category_shares(rep), rep.source()))

# %%
if rep:
    show.text(
        "## Länets kommuner" if rep.is_lan else "## Jämfört med länet, riket och liknande kommuner"
    )
    if rep.is_lan:
        show.table(reception_report.kommuner_table(rep), rep.source(population=True))
    values, kinds = reception_report.per_1000_comparison(rep)
    show.chart(
        plots.comparison_bars(
            values,
            kinds,
            f"Kommunmottagna per 1 000 invånare {params.year}",
            "Mottagna per 1 000 invånare",
            rep.source(population=True),
        )
    )
    show.text(rep.population_note)

# %% [markdown]
# ## Mottagandet år för år

# %%
series = reception_report.kolada_series(store.read_table("kpi_values", data_dir or None), area.code)
if series.empty:
    show.notice(reception_report.series_missing_text(area))
else:
    show.chart(
        plots.series_lines(
            series.drop(columns=["Kommunmottagna per 1 000 invånare"], errors="ignore"),
            f"{area.name}: kommunmottagna per år",
            "Personer",
            reception_report.SERIES_SOURCE,
        )
    )
    show.table(series.round(1), reception_report.SERIES_SOURCE)

# %% [markdown]
# ## Länstal över tid

# %%
if rep:
    show.table(
        reception_report.lanstal_table(rep),
        "Källa: länstal enligt SFS 2016:40 med ändringar (transkriberade); 2018 härlett ur "
        "Migrationsverkets kommuntalsfil.",
    )

# %% [markdown]
# ## Om uppgifterna

# %%
if rep:
    show.text(reception_report.data_notes(rep))
