"""pandera schemas of the processed tables: one long table per kind of fact.

Every table is validated when written and when read, so a notebook never sees a code that lost
its leading zero, a negative count or a duplicated key.
"""

import pandera.pandas as pa

CODE4 = pa.Check.str_matches(r"^\d{4}$")
CODE2 = pa.Check.str_matches(r"^\d{2}$")
NONNEG = pa.Check.ge(0)
YEAR = pa.Check.in_range(1990, 2100)
CATEGORIES = ("kvot", "abo", "ebo", "ovriga", "anhoriga")
GENDERS = ("T", "K", "M")


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
            "source": pa.Column(str),
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
            "source": pa.Column(str),
        },
        ["year", "kommun_code", "category"],
    ),
    "population": _schema(
        "population",
        {
            "area_code": pa.Column(str, CODE4),
            "year": pa.Column(int, YEAR),
            "population": pa.Column(int, NONNEG),
            "source": pa.Column(str),
        },
        ["area_code", "year"],
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
    "kpi_values": _schema(
        "kpi_values",
        {
            "kpi": pa.Column(str, pa.Check.str_matches(r"^[A-Z]\d{5}$")),
            "area_code": pa.Column(str, CODE4),
            "year": pa.Column(int, YEAR),
            "gender": pa.Column(str, pa.Check.isin(list(GENDERS))),
            "value": pa.Column(float, nullable=True),
            "count": pa.Column(float, nullable=True),
            "status": pa.Column(str),
            "source": pa.Column(str),
            "retrieved": pa.Column(str),
        },
        ["kpi", "area_code", "year", "gender", "source"],
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
        },
        ["id"],
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
