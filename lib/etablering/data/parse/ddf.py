"""Kolada values in Gapminder's DDF-CSV format, as open-numbers publishes its Kolada dump.

A dataset is a folder holding `ddf--concepts.csv` (Kolada's KPI catalogue as of the scrape:
`concept, concept_type, name, description, is_divided_by_gender, …`), entity files
(`ddf--entities--geo--kommun.csv`, `ddf--entities--geo--region.csv`) and one file per KPI,
`ddf--datapoints--<kpi>--by--geo--year.csv` (`geo,year,<kpi>`, the gender total) or
`ddf--datapoints--<kpi>--by--geo--gender--year.csv` (`geo,gender,year,<kpi>`, gender `k`/`m`),
in any subfolder. Every datapoint file found is read; none is named in the code.

The scrape writes the geo key as riket `0`, a region as its two digits (`12`) and a kommun as
its four digits with the leading zero (`0114`); Kolada's own codes are `0000`, `0012`, `0114`.
A row this parser cannot place (unknown area, a code that lost its leading zero, a value that
is not a finite number, a duplicated key) is not dropped: it comes back as a flagged row with
file, line and reason, for `etablering data status` to list.
"""

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ...core.errors import ParseError
from ..origin import KOLADA_DUMP_RETRIEVED, Origin

CONCEPTS = "ddf--concepts.csv"
DATAPOINTS = re.compile(r"^ddf--datapoints--(?P<kpi>[a-z]\d{5})--by--(?P<keys>[a-z-]+)\.csv$")
KEY_LAYOUTS = {"geo--year": ["geo", "year"], "geo--gender--year": ["geo", "gender", "year"]}
GENDERS = {"k": "K", "m": "M"}
# Rules for rows that cannot be placed at all (as opposed to identities, validate.py).
PARSE_RULES = ("okänt område", "ogiltigt år", "ogiltigt kön", "ogiltigt värde", "dubblett")
FLAG_COLUMNS = [
    "kpi",
    "area_code",
    "year",
    "gender",
    "value",
    "origin",
    "retrieved",
    "source_file",
    "line",
    "rule",
    "detail",
]


@dataclass
class Dataset:
    values: pd.DataFrame  # kpi_values rows
    flags: pd.DataFrame  # rows that could not be placed (FLAG_COLUMNS)
    catalogue: pd.DataFrame  # kpi_catalogue rows from ddf--concepts.csv
    files: list[Path]


def find_datasets(raw_dir: Path) -> list[Path]:
    """Every folder under raw_dir that holds a DDF dataset (its ddf--concepts.csv)."""
    return sorted(p.parent for p in Path(raw_dir).rglob(CONCEPTS))


def area_code(geo: str) -> str | None:
    """DDF geo key -> Kolada area code, or None when it is none of riket, region or kommun."""
    if geo == "0":
        return "0000"
    if re.fullmatch(r"\d{2}", geo):
        return "00" + geo
    if re.fullmatch(r"\d{4}", geo):
        return geo
    return None


def parse_dataset(root: Path, known_areas: set[str], relative_to: Path | None = None) -> Dataset:
    root = Path(root)
    catalogue = parse_concepts(root / CONCEPTS)
    files = sorted(p for p in root.rglob("ddf--datapoints--*.csv"))
    if not files:
        raise ParseError(root, "DDF-mappen har inga filer ddf--datapoints--<kpi>--by--….csv")
    values, flags = [], []
    for path in files:
        shown = str(path.relative_to(relative_to)) if relative_to else str(path)
        good, bad = parse_datapoints(path, known_areas, shown)
        values.append(good)
        flags.append(bad)
    return Dataset(
        pd.concat(values, ignore_index=True),
        pd.concat(flags, ignore_index=True),
        catalogue,
        files,
    )


def parse_concepts(path: Path) -> pd.DataFrame:
    """The measures of ddf--concepts.csv as kpi_catalogue rows (id in upper case)."""
    if not path.exists():
        raise ParseError(path, "DDF-mappen saknar ddf--concepts.csv (nyckeltalens namn)")
    frame = _read_csv(path)
    needed = ["concept", "concept_type", "name", "description", "is_divided_by_gender"]
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise ParseError(path, f"saknar kolumnerna {missing}", 1)
    measures = frame[frame["concept_type"] == "measure"]
    if measures.empty:
        raise ParseError(
            path, "innehåller inga nyckeltal (inga rader med concept_type 'measure')", 2
        )
    ids = measures["concept"].str.upper()
    bad = ~ids.str.fullmatch(r"[A-Z]\d{5}")
    if bad.any():
        i = int(bad.to_numpy().argmax())
        raise ParseError(path, f"oväntat nyckeltals-id {measures['concept'].iloc[i]!r}", None)
    flags = measures["is_divided_by_gender"].str.strip()
    if not flags.isin(["0", "1", ""]).all():
        raise ParseError(path, "is_divided_by_gender är inte 0 eller 1")
    return pd.DataFrame(
        {
            "id": ids.to_numpy(),
            "title": measures["name"].to_numpy(),
            "description": measures["description"].to_numpy(),
            "is_divided_by_gender": (flags == "1").to_numpy(),
            "municipality_type": measures.get(
                "municipality_type", pd.Series("", index=measures.index)
            ).to_numpy(),
            "publ_period": "",
            "publication_date": measures.get(
                "publication_date", pd.Series("", index=measures.index)
            ).to_numpy(),
            "catalogue": f"Kolada {KOLADA_DUMP_RETRIEVED} (ddf--concepts.csv)",
        }
    )


def parse_datapoints(
    path: Path, known_areas: set[str], shown: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    match = DATAPOINTS.match(path.name)
    if not match:
        raise ParseError(
            path, "filnamnet följer inte mönstret ddf--datapoints--<kpi>--by--<nycklar>.csv"
        )
    kpi, keys = match.group("kpi"), match.group("keys")
    if keys not in KEY_LAYOUTS:
        raise ParseError(
            path, f"nycklarna {keys!r} stöds inte; väntade {' eller '.join(KEY_LAYOUTS)}"
        )
    frame = _read_csv(path)
    expected = [*KEY_LAYOUTS[keys], kpi]
    if list(frame.columns) != expected:
        raise ParseError(path, f"kolumnerna är {list(frame.columns)}, väntade {expected}", 1)
    raw_value = frame[kpi].str.strip()
    value = pd.to_numeric(raw_value, errors="coerce").to_numpy(dtype=float)
    year = pd.to_numeric(frame["year"], errors="coerce")
    code = frame["geo"].map(area_code)
    gender = (
        frame["gender"].map(GENDERS) if "gender" in frame else pd.Series("T", index=frame.index)
    )
    out = pd.DataFrame(
        {
            "kpi": kpi.upper(),
            "area_code": code.fillna(frame["geo"]).to_numpy(),
            "year": year.fillna(-1).astype(int).to_numpy(),
            "gender": gender.fillna(frame.get("gender", "")).to_numpy(),
            "value": value,
            "count": np.nan,
            "status": "",
            "origin": Origin.KOLADA_DUMP.value,
            "retrieved": KOLADA_DUMP_RETRIEVED,
            "source_file": shown,
        }
    )
    reasons = pd.Series("", index=frame.index)
    details = pd.Series("", index=frame.index)

    def mark(mask, rule, detail):
        new = mask & (reasons == "")
        reasons[new] = rule
        details[new] = detail[new] if isinstance(detail, pd.Series) else detail

    mark(
        code.isna() & frame["geo"].str.fullmatch(r"\d{3}"),
        "okänt område",
        "geo " + frame["geo"] + ": tre siffror – har den inledande nollan försvunnit?",
    )
    mark(code.isna(), "okänt område", "geo " + frame["geo"] + " är varken riket, län eller kommun")
    mark(
        ~code.isin(known_areas) & code.notna(),
        "okänt område",
        "koden " + code.fillna("") + " finns inte i kommunlistan",
    )
    mark(year.isna() | ~year.between(1990, 2100), "ogiltigt år", "året " + frame["year"])
    mark(
        gender.isna(),
        "ogiltigt kön",
        "kön " + frame.get("gender", pd.Series("", index=frame.index)) + " är inte k eller m",
    )
    mark(
        ~np.isfinite(value),
        "ogiltigt värde",
        "värdet " + raw_value.fillna("") + " är inget ändligt tal",
    )
    dup = out.duplicated(["area_code", "year", "gender"], keep=False)
    mark(
        dup,
        "dubblett",
        pd.Series("samma område, år och kön finns på flera rader", index=frame.index),
    )
    bad = (reasons != "").to_numpy()
    flags = (
        out[bad]
        .drop(columns=["count", "status"])
        .assign(
            line=(np.flatnonzero(bad) + 2),
            rule=reasons[bad].to_numpy(),
            detail=details[bad].to_numpy(),
        )
    )
    return out[~bad].reset_index(drop=True), flags[FLAG_COLUMNS].reset_index(drop=True)


def _read_csv(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParseError(path, f"filen är inte UTF-8 (byte {exc.start})") from None
    except pd.errors.EmptyDataError:
        raise ParseError(path, "filen är tom (inte ens en rubrikrad)") from None
    except pd.errors.ParserError as exc:
        raise ParseError(path, f"kunde inte läsa CSV-filen: {str(exc).splitlines()[0]}") from None
