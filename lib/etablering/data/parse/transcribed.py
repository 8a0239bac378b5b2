"""Figures typed in from official texts (länstal from SFS, a kommun's KPI series), kept with
their source URL."""

import re
from pathlib import Path

import pandas as pd

from ...core.errors import ParseError
from ..origin import Origin
from .sheet import parse_count, parse_number, read_rows


def _records(path: Path, required: list[str]) -> tuple[list[dict], list[int]]:
    rows = read_rows(path)
    if not rows:
        raise ParseError(path, "filen är tom")
    header = rows[0]
    missing = [c for c in required if c not in header]
    if missing:
        raise ParseError(path, f"saknar kolumnerna {missing}", 1)
    records, line_numbers = [], []
    for i, row in enumerate(rows[1:], start=2):
        if any(row):
            records.append(dict(zip(header, row + [""] * (len(header) - len(row)), strict=False)))
            line_numbers.append(i)
    if not records:
        raise ParseError(path, "filen har bara rubrikraden; det finns inga rader att läsa in", 2)
    return records, line_numbers


def parse_lanstal(path: Path) -> pd.DataFrame:
    cols = [
        "year",
        "lan_code",
        "lan_name",
        "lanstal",
        "national_total",
        "sfs",
        "version",
        "source_url",
    ]
    records, lines = _records(path, cols)
    out = []
    for rec, i in zip(records, lines, strict=True):
        out.append(
            {
                "year": parse_count(rec["year"], path, i, "year", empty_is_zero=False),
                "lan_code": rec["lan_code"].zfill(2),
                "lanstal": parse_count(rec["lanstal"], path, i, "lanstal", empty_is_zero=False),
                "national_total": parse_count(
                    rec["national_total"], path, i, "national_total", empty_is_zero=False
                ),
                "sfs": rec["sfs"],
                "version": rec["version"],
                "source_url": rec["source_url"],
            }
        )
    frame = pd.DataFrame(out)
    if frame[["year", "lanstal", "national_total"]].isna().any().any():
        raise ParseError(path, "tomma år eller länstal")
    # Each SFS states its national total: the län must add up to it.
    sums = frame.groupby(["year", "version"]).agg(
        s=("lanstal", "sum"), n=("national_total", "first")
    )
    bad = sums[sums["s"] != sums["n"]]
    if len(bad):
        (year, version), row = next(iter(bad.iterrows()))
        raise ParseError(path, f"länstalen {year} ({version}) summerar till {row.s}, inte {row.n}")
    return frame


def parse_kpi_series(path: Path) -> pd.DataFrame:
    """A transcribed KPI series: kpi_id, area_code, area_name, gender, year, value_pct, source_url."""
    cols = ["kpi_id", "area_code", "gender", "year", "value_pct", "source_url"]
    records, lines = _records(path, cols)
    out = []
    for rec, i in zip(records, lines, strict=True):
        if not re.fullmatch(r"\d{4}", rec["area_code"]):
            raise ParseError(
                path, f"områdeskoden {rec['area_code']!r} har inte fyra siffror", i, "area_code"
            )
        if rec["gender"] not in ("T", "K", "M"):
            raise ParseError(path, f"kön {rec['gender']!r} är inte T, K eller M", i, "gender")
        value = parse_number(rec["value_pct"], path, i, "value_pct")
        if value is not None and not 0 <= value <= 100:
            raise ParseError(path, f"andelen {value} ligger utanför 0–100", i, "value_pct")
        if value is None:
            continue  # missing is an absent row, as in Kolada's own files
        out.append(
            {
                "kpi": rec["kpi_id"],
                "area_code": rec["area_code"],
                "year": parse_count(rec["year"], path, i, "year", empty_is_zero=False),
                "gender": rec["gender"],
                "value": value,
                "count": None,
                "status": "",
                "origin": Origin.TRANSCRIBED.value,
                "retrieved": "",
                "source_file": str(path.name),
            }
        )
    frame = pd.DataFrame(out)
    frame["value"] = frame["value"].astype(float)
    frame["count"] = frame["count"].astype(float)
    return frame
