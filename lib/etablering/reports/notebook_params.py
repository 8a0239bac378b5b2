"""Validation of a notebook's parameters cell, before any analysis runs.

papermill and YAML can hand a notebook the wrong type (`-p kommun 0114` gives the int 114,
YAML `kommun: 0114` the octal 76); validation turns these into the right kommun or a clear
error, never into a different kommun.
"""

import math
import numbers
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core.core_schema import ValidationInfo

from ..analysis.kefu.params import BASELINE
from ..core.errors import ParameterError
from ..data.registry import Area, Registry

PEER_KINDS = ("socioekonomi", "arbetsmarknad", "ekonomiskt bistånd")


def _whole_year(value):
    if isinstance(value, bool) or (
        isinstance(value, float) and not (math.isfinite(value) and value.is_integer())
    ):
        raise ValueError(f"måste vara ett heltal, fick {value!r}")
    return value


def _real_number(value, where: str):
    """A finite int or float, never a bool (True would become 1.0) or NaN (which compares
    false with everything and silently makes a share zero)."""
    if isinstance(value, bool):
        raise ValueError(f"{where}: {value!r} är ett sant/falskt-värde, inte ett tal")
    if not math.isfinite(float(value)):
        raise ValueError(f"{where}: {value!r} är inget ändligt tal")
    return value


def _clean_override(value, where: str, flag_allowed: bool = False):
    """A value may be a number, text, or a whole record (a dict, as in the YAML file). A record
    may hold flags (`derived: false`), but a value itself is never true/false or NaN."""
    if value is None:
        raise ValueError(f"{where}: saknar värde (None)")
    if isinstance(value, bool) and flag_allowed:
        return value
    if isinstance(value, bool | numbers.Real):
        return _real_number(value, where)
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return {
            k: _clean_override(v, f"{where}.{k}", flag_allowed=k != "value")
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [_clean_override(v, f"{where}.{i}") for i, v in enumerate(value)]
    raise ValueError(f"{where}: {type(value).__name__} kan inte användas som värde")


def _clean_overrides(value):
    if not isinstance(value, dict):
        raise ValueError(
            f"overrides ska vara en ordlista, t.ex. {{'need_share': 0.7}}, fick {value!r}"
        )
    out = {}
    for key, new in value.items():
        if not isinstance(key, str) or not key.strip():
            raise ValueError(f"ogiltig nyckel {key!r}; ange en punktad sökväg, t.ex. 'rent.single'")
        out[key] = _clean_override(new, key)
    return out


def _known_peer_kind(value: str) -> str:
    if value not in PEER_KINDS:
        raise ValueError(f"okänd jämförelsegrupp {value!r}; välj en av {', '.join(PEER_KINDS)}")
    return value


class _AreaParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)
    area_kinds: ClassVar[tuple[str, ...]] = ("kommun",)  # which areas the notebook accepts

    kommun: Area
    data_dir: str = ""

    @field_validator("kommun", mode="before")
    @classmethod
    def _resolve_kommun(cls, value, info: ValidationInfo):
        if isinstance(value, Area):
            return value
        # UnknownAreaError is a ValueError, so pydantic reports it under 'kommun'
        return info.context["registry"].resolve(value, kinds=cls.area_kinds)


class ReportParams(_AreaParams):
    """01-mottagande: a kommun, or a län (the sum over its kommuner, and its kommuner listed).

    `year` None means the latest year with data for the area (reception_report.resolve_year);
    whether a given year has data is checked against the data, not here."""

    area_kinds: ClassVar[tuple[str, ...]] = ("kommun", "lan")
    year: int | None = Field(None, ge=1990, le=2100)
    peer_kind: str = "socioekonomi"

    _year = field_validator("year", mode="before")(_whole_year)
    _peer = field_validator("peer_kind")(_known_peer_kind)


class OutcomeParams(_AreaParams):
    """02-etablering: a kommun, or a län (the sum over its kommuner, and its kommuner listed)."""

    area_kinds: ClassVar[tuple[str, ...]] = ("kommun", "lan")

    first_year: int = Field(2015, ge=2010, le=2100)
    last_year: int = Field(2024, ge=2010, le=2100)
    peer_kind: str = "arbetsmarknad"
    demo: bool = False

    _years = field_validator("first_year", "last_year", mode="before")(_whole_year)
    _peer = field_validator("peer_kind")(_known_peer_kind)

    @model_validator(mode="after")
    def _ordered(self):
        if self.first_year > self.last_year:
            raise ValueError(
                f"first_year ({self.first_year}) ligger efter last_year ({self.last_year})"
            )
        return self


class CostParams(_AreaParams):
    """03-forsorjningsstod: a kommun, or a län (the sum over its kommuner)."""

    area_kinds: ClassVar[tuple[str, ...]] = ("kommun", "lan")
    start_year: int = Field(2016, ge=2000, le=2100)
    end_year: int = Field(2026, ge=2000, le=2100)
    scenario: str = BASELINE
    policy_year: int | None = Field(None, ge=2000, le=2100)
    overrides: dict = Field(default_factory=dict)
    n_draws: int = Field(1000, ge=0, le=100_000)
    seed: int = Field(2018, ge=0, le=2**32 - 1)  # numpy's seeds are non-negative

    _years = field_validator("start_year", "end_year", "policy_year", mode="before")(_whole_year)
    _overrides = field_validator("overrides", mode="before")(_clean_overrides)
    _counts = field_validator("n_draws", "seed", mode="before")(_whole_year)

    @model_validator(mode="after")
    def _ordered(self):
        if self.start_year > self.end_year:
            raise ValueError(
                f"start_year ({self.start_year}) ligger efter end_year ({self.end_year})"
            )
        return self


def validate_params(registry: Registry | None = None, model=ReportParams, **values):
    """Validate a parameters cell; raise ParameterError with one readable line per problem."""
    registry = registry or Registry.load(values.get("data_dir") or None)
    try:
        return model.model_validate(values, context={"registry": registry})
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            message = err["msg"].removeprefix("Value error, ")
            where = ".".join(map(str, err["loc"])) or "parametrarna"
            lines.append(f"- parametern {where}: {message}")
        raise ParameterError("Ogiltiga parametrar:\n" + "\n".join(lines)) from None


# The model each rendered notebook validates its parameters cell with; the runner checks every
# job against it before any kernel starts.
MODELS = {
    "01-mottagande": ReportParams,
    "02-etablering": OutcomeParams,
    "03-forsorjningsstod": CostParams,
}
