"""pandera schemas of the processed tables: one long table per kind of fact.

Every table is validated when written and when read, so a notebook never sees a code that lost
its leading zero, a negative count or a duplicated key.
"""

import numpy as np
import pandera.pandas as pa

from .origin import ORIGINS

CODE4 = pa.Check.str_matches(r"^\d{4}$")
CODE2 = pa.Check.str_matches(r"^\d{2}$")
NONNEG = pa.Check.ge(0)
YEAR = pa.Check.in_range(1990, 2100)
CATEGORIES = ("kvot", "abo", "ebo", "ovriga", "anhoriga")
GENDERS = ("T", "K", "M")
ORIGIN = pa.Column(str, pa.Check.isin(list(ORIGINS)))
KPI_ID = pa.Check.str_matches(r"^[A-Z]\d{5}$")
FINITE = pa.Check(lambda s: s.isna() | np.isfinite(s.to_numpy(dtype=float, na_value=0.0)))


def _schema(name: str, columns: dict, unique: list[str]) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(columns, unique=unique, strict=True, ordered=False, name=name)


SCHEMAS: dict[str, pa.DataFrameSchema] = {
    "areas": _schema(
        "areas",
        {
            "code": pa.Column(str, CODE4),
            "name": pa.Column(str),
            "kind": pa.Column(str, pa.Check.isin(["kommun", "lan", "riket"])),
            "lan_code": pa.Column(str, CODE2),
        },
        ["code"],
    ),
    # Only kommuner listed in Migrationsverket's file: absent means "ej listad", never 0.
    "kommuntal": _schema(
        "kommuntal",
        {
            "year": pa.Column(int, YEAR),
            "kommun_code": pa.Column(str, CODE4),
            "kommuntal": pa.Column(int, NONNEG),
            "mottagna_anvisade": pa.Column(int, NONNEG),
            "origin": ORIGIN,
        },
        ["year", "kommun_code"],
    ),
    "kommunmottagna": _schema(
        "kommunmottagna",
        {
            "year": pa.Column(int, YEAR),
            "kommun_code": pa.Column(str, CODE4),
            "category": pa.Column(str, pa.Check.isin(list(CATEGORIES))),
            "persons": pa.Column(int, NONNEG),
            "ensamkommande": pa.Column(int, NONNEG),
            "origin": ORIGIN,
        },
        ["year", "kommun_code", "category"],
    ),
    "population": _schema(
        "population",
        {
            "area_code": pa.Column(str, CODE4),
            "year": pa.Column(int, YEAR),
            "population": pa.Column(int, pa.Check.gt(0)),
            "origin": ORIGIN,
        },
        ["area_code", "year", "origin"],
    ),
    "lanstal": _schema(
        "lanstal",
        {
            "year": pa.Column(int, YEAR),
            "lan_code": pa.Column(str, CODE2),
            "lanstal": pa.Column(int, NONNEG),
            "national_total": pa.Column(int, NONNEG),
            "sfs": pa.Column(str),
            "version": pa.Column(str),
            "source_url": pa.Column(str),
        },
        ["year", "lan_code", "version"],
    ),
    # Every KPI value with its origin (a fixed set, see origin.py); several origins may hold
    # the same key, and origin.prefer picks one. Rows that broke an identity are in kpi_flags.
    "kpi_values": _schema(
        "kpi_values",
        {
            "kpi": pa.Column(str, KPI_ID),
            "area_code": pa.Column(str, CODE4),
            "year": pa.Column(int, YEAR),
            "gender": pa.Column(str, pa.Check.isin(list(GENDERS))),
            "value": pa.Column(float, FINITE, nullable=True),
            "count": pa.Column(float, nullable=True),
            "status": pa.Column(str),
            "origin": ORIGIN,
            "retrieved": pa.Column(str),
            "source_file": pa.Column(str),
        },
        ["kpi", "area_code", "year", "gender", "origin"],
    ),
    "kpi_flags": _schema(
        "kpi_flags",
        {
            "kpi": pa.Column(str),
            "area_code": pa.Column(str),
            "year": pa.Column(int),
            "gender": pa.Column(str),
            "value": pa.Column(float, nullable=True),
            "origin": ORIGIN,
            "retrieved": pa.Column(str),
            "source_file": pa.Column(str),
            "line": pa.Column(float, nullable=True),
            "rule": pa.Column(str),
            "detail": pa.Column(str),
        },
        [],
    ),
    "kpi_catalogue": _schema(
        "kpi_catalogue",
        {
            "id": pa.Column(str, pa.Check.str_matches(r"^[A-Z]\d{5}$")),
            "title": pa.Column(str),
            "description": pa.Column(str),
            "is_divided_by_gender": pa.Column(bool),
            "municipality_type": pa.Column(str),
            "publ_period": pa.Column(str),
            "publication_date": pa.Column(str),
            "catalogue": pa.Column(str),  # which edition: rKolada 2026-03, the 2024-08 dump
        },
        ["id", "catalogue"],
    ),
    "area_groups": _schema(
        "area_groups",
        {
            "group_id": pa.Column(str),
            "group_title": pa.Column(str),
            "member_code": pa.Column(str, CODE4),
            "member_title": pa.Column(str),
        },
        ["group_id", "member_code"],
    ),
}
