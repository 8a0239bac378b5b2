"""Validation of a notebook's parameters cell, before any analysis runs.

papermill and YAML can hand a notebook the wrong type (`-p kommun 0114` gives the int 114,
YAML `kommun: 0114` the octal 76); validation turns these into the right kommun or a clear
error, never into a different kommun.
"""

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core.core_schema import ValidationInfo

from .errors import ParameterError
from .registry import Area, Registry

PEER_KINDS = ("socioekonomi", "arbetsmarknad", "ekonomiskt bistånd")


class ReportParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    kommun: Area
    year: int = Field(ge=1990, le=2100)
    peer_kind: str = "socioekonomi"
    data_dir: str = ""

    @field_validator("kommun", mode="before")
    @classmethod
    def _resolve_kommun(cls, value, info: ValidationInfo):
        if isinstance(value, Area):
            return value
        return info.context["registry"].resolve(value)  # UnknownAreaError is a ValueError

    @field_validator("year", mode="before")
    @classmethod
    def _year_is_whole(cls, value):
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise ValueError(f"året måste vara ett heltal, fick {value!r}")
        return value

    @field_validator("peer_kind")
    @classmethod
    def _known_peer_kind(cls, value: str) -> str:
        if value not in PEER_KINDS:
            raise ValueError(f"okänd jämförelsegrupp {value!r}; välj en av {', '.join(PEER_KINDS)}")
        return value


def validate_params(registry: Registry | None = None, **values) -> ReportParams:
    """Validate a parameters cell; raise ParameterError with one readable line per problem."""
    registry = registry or Registry.load(values.get("data_dir") or None)
    try:
        return ReportParams.model_validate(values, context={"registry": registry})
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            message = err["msg"].removeprefix("Value error, ")
            lines.append(f"- parametern {'.'.join(map(str, err['loc']))}: {message}")
        raise ParameterError("Ogiltiga parametrar:\n" + "\n".join(lines)) from None
