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
year = 2022
data_dir = ""

# %%
from etablering.present import display as show
from etablering.reports import explore, setup

data = setup.data_for(data_dir)
registry = data.registry
start_lan = registry.resolve(lan, kinds=("lan",))
explorer = explore.Explorer(registry, start_lan.lan_code, measure, year, data.data_dir)

# %%
show.display(explorer.widget)

# %% [markdown]
# Standardvalet utan reglage (syns även i en körning med papermill):

# %%
kommuner = [a.code for a in registry.kommuner(start_lan.lan_code)]
show.display(show.HTML(explorer.html(start_lan.lan_code, kommuner, measure)))
