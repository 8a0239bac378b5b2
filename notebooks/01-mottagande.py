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
# # Mottagande av nyanlända
# Hur många nyanlända tog kommunen (eller länet) emot år för år, per 1 000 invånare, mot
# kommuntalet och jämfört med länet, riket och liknande kommuner? `year = None` visar det
# senaste året med uppgifter; ange ett årtal för ett annat år. Ändra parametrarna i nästa cell
# och kör om. All beräkning sker i paketet `etablering`.

# %% tags=["parameters"]
kommun = "0680"
year = None
peer_kind = "socioekonomi"
data_dir = ""

# %%
from etablering.data import store
from etablering.data.registry import Registry
from etablering.present import display as show
from etablering.present import plots
from etablering.reports import reception as rr
from etablering.reports.notebook_params import validate_params

registry = Registry.load(data_dir or None)
params = validate_params(registry, kommun=kommun, year=year, peer_kind=peer_kind, data_dir=data_dir)
# a year without data stops here with the years that exist (ParameterError)
rep = rr.build(params, rr.load_tables(data_dir or None), registry)
area = rep.area
plots.setup()

# %%
show.text(
    f"# {rr.title(rep)}\n"
    + rr.subtitle(area, registry, store.data_version(data_dir or None))
    + " "
    + rr.years_text(rep)
)

# %% [markdown]
# ## Sammanfattning

# %%
show.text(rr.summary_text(rep))
show.summary(**rr.key_figures(rep))
for note in rep.notes:
    show.notice(note)

# %% [markdown]
# ## Mottagandet år för år

# %%
if rep.has_series:
    show.chart(
        plots.reception_series(
            rr.series_frame(rep), rr.series_title(rep), rr.kolada_source(rep), highlight=rep.year
        )
    )
    show.table(rr.series_table(rep), rr.kolada_source(rep))
    show.text(rr.series_note(rep))
else:
    show.notice(rr.series_missing_text(rep))

# %%
if rep.has_series:
    show.text("## Per 1 000 invånare – Koladas tal och egen beräkning")
    show.chart(
        plots.per_1000_lines(
            rr.per_1000_frame(rep),
            f"{area.name}: kommunmottagna per 1 000 invånare",
            rr.per_1000_source(rep),
        )
    )
    show.table(rr.per_1000_table(rep), rr.per_1000_source(rep))
    show.text(rr.per_1000_text(rep))

# %%
if rep.has_series:
    show.text(rr.comparison_heading(rep))
    show.table(rr.comparison_table(rep), rr.comparison_source(rep))
    if rep.is_lan:
        show.table(rr.kommuner_table(rep), rr.comparison_source(rep))
    values, kinds = rr.per_1000_comparison(rep)
    show.chart(
        plots.per_1000_bars(
            values,
            kinds,
            f"Kommunmottagna per 1 000 invånare {rep.year}",
            "Mottagna per 1 000 invånare (samma års folkmängd)",
            rr.comparison_chart_source(rep),
        )
    )

# %%
if rep.is_lan and not rep.lans.empty:
    show.text(f"## Alla län {rep.year}")
    values, kinds = rr.lan_bars(rep)
    show.chart(
        plots.per_1000_bars(
            values,
            kinds,
            f"Kommunmottagna per 1 000 invånare {rep.year}, län",
            "Mottagna per 1 000 invånare (summan av länets kommuner)",
            rr.comparison_chart_source(rep),
        )
    )
    show.text(rr.lan_bars_text(rep))

# %% [markdown]
# ## Kommuntal och mottagna

# %%
notice = rr.files_notice(rep)
if notice:
    show.notice(notice, details=rr.files_notice_details(rep))
if rep.files:
    show.text(rr.files_heading(rep) + "\n\n" + rr.files_summary_text(rep))
    r = rep.files.row
    show.chart(
        plots.kommuntal_vs_received(
            f"{area.name} {rep.files.year}",
            r["kommuntal"],
            r["mottagna_anvisade"],
            r["mottagna_totalt"],
            rr.files_source(rep),
        )
    )
    show.table(rr.files_table(rep), rr.files_source(rep, population=True))
    show.text(rr.definitions_text(rep))
    show.text(f"#### Två källor för {rep.files.year}\n\n" + rr.two_sources_text(rep))
    show.table(rr.two_sources_table(rep), rr.two_sources_source(rep))
    show.text(rr.category_heading(rep))
    show.table(rr.category_table(rep), rr.files_source(rep))
    show.chart(
        plots.category_mix(
            rr.category_shares(rep),
            rr.files_source(rep),
            f"Mottagna efter kategori {rep.files.year}",
        )
    )

# %% [markdown]
# ## Länstal över tid

# %%
show.table(rr.lanstal_table(rep), rr.lanstal_source(rep))
show.text(rr.lanstal_text(rep))

# %% [markdown]
# ## Om uppgifterna

# %%
show.text(rr.data_notes(rep))
