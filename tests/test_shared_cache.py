"""cache.shared: results over all kommuner computed once per kernel, never stale, never shared
in a way one report could change for the next."""

import os
import shutil

import pandas as pd

from etablering.analysis import cache
from etablering.data import store

CALLS = []


def _lan_sizes(areas: pd.DataFrame, kind: str) -> pd.DataFrame:
    CALLS.append(kind)
    return areas[areas["kind"] == kind].groupby("lan_code").size().rename("n").reset_index()


def _copy(processed, tmp_path):
    target = tmp_path / "processed"
    target.mkdir()
    for name in ("areas.parquet", store.MANIFEST):
        shutil.copy2(processed / name, target / name)
    return target


def test_computed_once_for_the_same_table(processed, tmp_path):
    data = _copy(processed, tmp_path)
    CALLS.clear()
    first = cache.shared(_lan_sizes, store.read_table("areas", data), "kommun")
    again = cache.shared(_lan_sizes, store.read_table("areas", data), "kommun")
    assert CALLS == ["kommun"]
    assert again.equals(first) and again is not first
    cache.shared(_lan_sizes, store.read_table("areas", data), "lan")  # another argument
    assert CALLS == ["kommun", "lan"]


def test_a_changed_file_is_computed_again(processed, tmp_path):
    data = _copy(processed, tmp_path)
    CALLS.clear()
    before = cache.shared(_lan_sizes, store.read_table("areas", data), "kommun")
    areas = pd.read_parquet(data / "areas.parquet")
    areas = areas[areas["lan_code"] != "01"]
    areas.to_parquet(data / "areas.parquet", index=False)
    stat = (data / "areas.parquet").stat()
    os.utime(data / "areas.parquet", ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    after = cache.shared(_lan_sizes, store.read_table("areas", data), "kommun")
    assert CALLS == ["kommun", "kommun"]
    assert "01" in set(before["lan_code"]) and "01" not in set(after["lan_code"])


def test_a_report_changing_its_copy_leaves_the_next_one_alone(processed, tmp_path):
    data = _copy(processed, tmp_path)
    first = cache.shared(_lan_sizes, store.read_table("areas", data), "kommun")
    total = int(first["n"].sum())
    first["n"] = 0
    first.loc[0, "lan_code"] = "XX"
    again = cache.shared(_lan_sizes, store.read_table("areas", data), "kommun")
    assert int(again["n"].sum()) == total and "XX" not in set(again["lan_code"])
    table = store.read_table("areas", data)
    table.loc[table.index[0], "name"] = "Ändrad"
    assert store.read_table("areas", data).iloc[0]["name"] != "Ändrad"


def test_a_frame_of_unknown_origin_is_not_cached(processed, tmp_path):
    data = _copy(processed, tmp_path)
    CALLS.clear()
    areas = store.read_table("areas", data)
    part = areas[areas["lan_code"] != "01"]  # filtered here: nothing says what it holds
    cache.shared(_lan_sizes, part, "kommun")
    cache.shared(_lan_sizes, part, "kommun")
    assert CALLS == ["kommun", "kommun"]
    assert store.origin(part) is None and store.origin(areas) is not None
