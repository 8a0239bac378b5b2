"""Kolada metadata exports: the KPI catalogue and municipality groups (incl. 'Liknande kommuner')."""

from pathlib import Path

import pandas as pd

from ..errors import ParseError

CATALOGUE_COLUMNS = [
    "id",
    "title",
    "description",
    "is_divided_by_gender",
    "municipality_type",
    "publ_period",
    "publication_date",
]
GROUP_COLUMNS = ["group_id", "group_title", "member_id", "member_title"]


def _read(path: Path, required: list[str]) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ParseError(path, f"saknar kolumnerna {missing}", 1)
    return frame


def parse_catalogue(path: Path) -> pd.DataFrame:
    frame = _read(path, CATALOGUE_COLUMNS)[CATALOGUE_COLUMNS].copy()
    flags = frame["is_divided_by_gender"].str.lower()
    bad = ~flags.isin(["true", "false", "1", "0"])
    if bad.any():
        raise ParseError(path, "is_divided_by_gender är inte sant/falskt", int(bad.idxmax()) + 2)
    frame["is_divided_by_gender"] = flags.isin(["true", "1"])
    return frame


def parse_groups(path: Path) -> pd.DataFrame:
    frame = _read(path, GROUP_COLUMNS)[GROUP_COLUMNS].rename(columns={"member_id": "member_code"})
    bad = ~frame["member_code"].str.fullmatch(r"\d{4}")
    if bad.any():
        i = int(bad.idxmax())
        raise ParseError(path, f"medlemskod {frame.loc[i, 'member_code']!r}", i + 2, "member_id")
    return frame.drop_duplicates(["group_id", "member_code"])
