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
from etablering.present import display as show
from etablering.present import plots
from etablering.reports import reception as rr
from etablering.reports import setup
from etablering.reports.texts import RECEPTION as T

# a bad parameter, or a year without data, stops here with what to change (ParameterError)
params, data, rep = setup.start(
    "01-mottagande", kommun=kommun, year=year, peer_kind=peer_kind, data_dir=data_dir
)
area = rep.area

# %%
show.text(rep.heading)

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
            rr.series_frame(rep), rr.series_title(rep), rep.source, highlight=rep.year
        )
    )
    show.table(rr.series_table(rep), rep.source)
    show.text(rr.series_note(rep))
else:
    show.notice(rr.series_missing_text(rep))

# %%
if rep.has_series:
    show.text(T("per_1000.heading"))
    show.chart(
        plots.per_1000_lines(
            rr.per_1000_frame(rep),
            T("per_1000.chart", area=area.name),
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
            T("comparison.chart", year=rep.year),
            T("comparison.axis"),
            rr.comparison_chart_source(rep),
        )
    )

# %%
if rep.is_lan and not rep.lans.empty:
    show.text(T("lans.heading", year=rep.year))
    values, kinds = rr.lan_bars(rep)
    show.chart(
        plots.per_1000_bars(
            values,
            kinds,
            T("lans.chart", year=rep.year),
            T("lans.axis"),
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
    show.text(
        T("files.two_sources_heading", year=rep.files.year) + "\n\n" + rr.two_sources_text(rep)
    )
    show.table(rr.two_sources_table(rep), rr.two_sources_source(rep))
    show.text(rr.category_heading(rep))
    show.table(rr.category_table(rep), rr.files_source(rep))
    show.chart(
        plots.category_mix(
            rr.category_shares(rep),
            rr.files_source(rep),
            T("files.category_chart", year=rep.files.year),
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
