"""Kolada's metadata as the rKolada R package publishes it: `R/sysdata.rda`, an R data file
holding the KPI catalogue (`kpi_df`) and every municipality group with its members (`munic_g`,
including Kolada's 'Liknande kommuner …' peer groups), both as returned by Kolada's API v3."""

import warnings
from pathlib import Path

import pandas as pd

from ...core.errors import ParseError

CATALOGUE_COLUMNS = [
    "id",
    "title",
    "description",
    "is_divided_by_gender",
    "municipality_type",
    "publ_period",
    "publication_date",
]


def parse_sysdata(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(kpi_catalogue rows, area_groups rows) from rKolada's sysdata.rda."""
    import rdata

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # rdata warns that tibbles become data frames
            objects = rdata.conversion.convert(rdata.parser.parse_file(path))
    except Exception as exc:  # a truncated or foreign file: rdata raises many kinds
        raise ParseError(path, f"kunde inte läsa R-datafilen: {exc}") from None
    missing = [name for name in ("kpi_df", "munic_g") if name not in objects]
    if missing:
        raise ParseError(path, f"R-datafilen saknar objekten {missing}")
    return _catalogue(objects["kpi_df"], path), _groups(objects["munic_g"], path)


def _catalogue(kpi_df: pd.DataFrame, path: Path) -> pd.DataFrame:
    missing = [c for c in CATALOGUE_COLUMNS if c not in kpi_df.columns]
    if missing:
        raise ParseError(path, f"kpi_df saknar kolumnerna {missing}")
    frame = kpi_df[CATALOGUE_COLUMNS].astype(object).where(kpi_df[CATALOGUE_COLUMNS].notna(), "")
    frame["is_divided_by_gender"] = kpi_df["is_divided_by_gender"].fillna(False).astype(bool)
    bad = ~frame["id"].astype(str).str.fullmatch(r"[A-Z]\d{5}")
    if bad.any():
        raise ParseError(path, f"kpi_df: oväntat id {frame.loc[bad, 'id'].iloc[0]!r}")
    frame = frame.astype({c: str for c in CATALOGUE_COLUMNS if c != "is_divided_by_gender"})
    return frame.assign(catalogue="Kolada 2026-03 (rKolada sysdata.rda)").reset_index(drop=True)


def _groups(munic_g: pd.DataFrame, path: Path) -> pd.DataFrame:
    parts = []
    for group_id, title, members in zip(
        munic_g["id"], munic_g["title"], munic_g["members"], strict=True
    ):
        if not isinstance(members, pd.DataFrame) or members.empty:
            continue
        if not {"member_id", "member_title"} <= set(members.columns):
            raise ParseError(path, f"gruppen {group_id} saknar member_id/member_title")
        parts.append(
            pd.DataFrame(
                {
                    "group_id": str(group_id),
                    "group_title": str(title),
                    "member_code": members["member_id"].astype(str).to_numpy(),
                    "member_title": members["member_title"].astype(str).to_numpy(),
                }
            )
        )
    frame = pd.concat(parts, ignore_index=True)
    bad = ~frame["member_code"].str.fullmatch(r"\d{4}")
    if bad.any():
        raise ParseError(path, f"medlemskod {frame.loc[bad, 'member_code'].iloc[0]!r}")
    return frame.drop_duplicates(["group_id", "member_code"], ignore_index=True)
