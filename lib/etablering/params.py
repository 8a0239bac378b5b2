"""Validation of a notebook's parameters cell, before any analysis runs.

papermill and YAML can hand a notebook the wrong type (`-p kommun 0114` gives the int 114,
YAML `kommun: 0114` the octal 76); validation turns these into the right kommun or a clear
error, never into a different kommun.
"""

from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core.core_schema import ValidationInfo

from .errors import ParameterError
from .registry import Area, Registry

PEER_KINDS = ("socioekonomi", "arbetsmarknad", "ekonomiskt bistånd")


def _whole_year(value):
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise ValueError(f"året måste vara ett heltal, fick {value!r}")
    return value


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
    scenario: str = "baseline"
    policy_year: int | None = Field(None, ge=2000, le=2100)
    overrides: dict = Field(default_factory=dict)
    n_draws: int = Field(1000, ge=0, le=100_000)
    seed: int = 2018

    _years = field_validator("start_year", "end_year", "policy_year", mode="before")(_whole_year)


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
