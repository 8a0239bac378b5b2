"""`etablering data demo`: the seeded synthetic panel stored beside real data in kpi_values.

Synthetic rows carry the origin `syntetisk`, so analyses keep them apart from real rows (never
combined in one table or chart); they are not validated as published data.
"""

import pandas as pd

from . import store
from .demo import DEMO_SOURCE, demo_kpi_values
from .origin import Origin


def write_demo(seed: int = 2016, data_dir=None) -> int:
    demo = demo_kpi_values(
        store.read_table("areas", data_dir),
        seed=seed,
        population=store.read_table("population", data_dir),
    )
    old = (
        store.read_table("kpi_values", data_dir)
        if store.has_table("kpi_values", data_dir)
        else None
    )
    keep = old[old["origin"] != Origin.SYNTHETIC] if old is not None else None
    merged = pd.concat([x for x in (keep, demo) if x is not None], ignore_index=True)
    store.write_table("kpi_values", merged, [{"source": DEMO_SOURCE, "seed": seed}], data_dir)
    return len(demo)


def remove_demo(data_dir=None) -> int:
    old = store.read_table("kpi_values", data_dir)
    synthetic = old["origin"] == Origin.SYNTHETIC
    store.write_table("kpi_values", old[~synthetic], [{"source": "utan syntetiska data"}], data_dir)
    return int(synthetic.sum())
