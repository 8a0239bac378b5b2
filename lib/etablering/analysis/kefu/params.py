"""The KEFU model's parameters: parameters/forsorjningsstod.yml validated by pydantic.

Every number is a `Sourced` record (value, source, year, derived, method) so a report can say
where it came from. Overrides and scenarios change the YAML dict and validate it again, so a
bad override fails the same way, with the same parameter path, as a bad file.
"""

import copy
import functools
from pathlib import Path
from typing import Any, ClassVar, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ...core import paths
from ...core.errors import ParameterError
from .overrides import apply_overrides, join, key_of, walk

PARAMETER_FILE = "forsorjningsstod.yml"
CHILD_BANDS = ("0", "1-2", "3", "4-6", "7-10", "11-14", "15-18", "19-20")
HOUSEHOLD_SIZES = tuple(range(1, 8))
# The scenarios the model defines itself (scenario() below); the YAML adds its own and may not
# reuse these names. Everything that names a built-in scenario takes it from here.
BASELINE, ACTIVE_FROM_DAY_ONE, WOMEN_AS_MEN = "baseline", "aktiv_fran_dag_ett", "kvinnor_som_man"
BUILTIN_SCENARIOS = (BASELINE, ACTIVE_FROM_DAY_ONE, WOMEN_AS_MEN)
# Scalars the model reads per Monte Carlo draw; a distribution anywhere else would be ignored.
UNCERTAIN_PATHS = (
    "outcomes.women_shift",
    "outcomes.men_shift",
    "bistand.need_share",
    "bistand.partner_correlation",
    "bistand.leave_rate",
    "bistand.return_rate",
    "bistand.move_away_rate",
    "bistand.net_share",
    "topup.per_participant_month",
    "cohorts.future_factor",
    "local.level_spread",
    "rent.single",
    "rent.couple",
    "rent.one_child",
    "rent.two_children",
    "rent.three_plus_children",
    "rent_factor",
    "rent_growth",
    "other_income.per_child",
    "other_income.per_household",
    "riksnorm.indexation_rate",
)


def _contiguous_years(value: dict, message: str) -> dict:
    """`value` unchanged if its years run without a gap, else ValueError(message + the years)."""
    years = sorted(value)
    if not years or years != list(range(years[0], years[-1] + 1)):
        raise ValueError(f"{message}, fick {years}")
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Distribution(_Strict):
    """uniform (low–high), triangular (low, mode, high) or loguniform (low–high, even on a
    log scale: the median is √(low·high), so 0,45–2,2 is as likely halved as doubled)."""

    kind: Literal["uniform", "triangular", "loguniform"]
    low: float
    high: float
    mode: float | None = None

    @model_validator(mode="after")
    def _ordered(self):
        mode = self.low if self.mode is None else self.mode
        if not self.low <= mode <= self.high:
            raise ValueError(
                f"fördelningen kräver low ≤ mode ≤ high, fick {self.low}/{mode}/{self.high}"
            )
        if self.kind in ("uniform", "loguniform") and self.mode is not None:
            raise ValueError("en likformig fördelning har ingen mode")
        if self.kind == "loguniform" and self.low <= 0:
            raise ValueError("en log-likformig fördelning kräver low > 0")
        return self


class Sourced(_Strict):
    """One number with its provenance; subclasses bound the value."""

    lower: ClassVar[float | None] = None
    upper: ClassVar[float | None] = None
    what: ClassVar[str] = "talet"

    value: float
    source: str = Field(min_length=3)
    year: int = Field(ge=1990, le=2100)
    derived: bool
    method: str | None = None
    label: str | None = None
    note: str | None = None
    distribution: Distribution | None = None

    @model_validator(mode="after")
    def _check(self):
        lo, hi = self.lower, self.upper
        if (lo is not None and self.value < lo) or (hi is not None and self.value > hi):
            raise ValueError(f"{self.what} måste ligga i {_range(lo, hi)}, fick {self.value}")
        if self.derived and not self.method:
            raise ValueError("ett härlett tal (derived: true) måste ange method")
        d = self.distribution
        if d is not None:
            if not d.low <= self.value <= d.high:
                raise ValueError(
                    f"värdet {self.value} ligger utanför fördelningen {d.low}–{d.high}"
                )
            if (lo is not None and d.low < lo) or (hi is not None and d.high > hi):
                raise ValueError(f"fördelningen {d.low}–{d.high} måste ligga i {_range(lo, hi)}")
        return self


def _range(lo, hi) -> str:
    if hi is None:
        return f"≥ {lo:g}"
    return f"{lo:g}–{hi:g}"


class Share(Sourced):
    lower, upper, what = 0.0, 1.0, "andelen"


class Amount(Sourced):
    lower, what = 0.0, "beloppet"


class Count(Sourced):
    lower, what = 0.0, "antalet"

    @field_validator("value")
    @classmethod
    def _whole(cls, value: float) -> float:
        if not float(value).is_integer():
            raise ValueError(f"antalet måste vara ett heltal, fick {value}")
        return value


class Rate(Sourced):
    lower, upper, what = -0.5, 0.5, "årstakten"


class Factor(Sourced):
    lower, upper, what = 0.0, 5.0, "faktorn"


class RiksnormYear(_Strict):
    single_adult: Amount
    couple: Amount
    gemensamma: dict[int, Amount]
    children: dict[str, Amount]

    @field_validator("gemensamma")
    @classmethod
    def _sizes(cls, value: dict) -> dict:
        if tuple(sorted(value)) != HOUSEHOLD_SIZES:
            raise ValueError(f"gemensamma ska ha hushållsstorlek 1–7, fick {sorted(value)}")
        return value

    @field_validator("children")
    @classmethod
    def _bands(cls, value: dict) -> dict:
        if set(value) != set(CHILD_BANDS):
            raise ValueError(f"children ska ha åldersgrupperna {', '.join(CHILD_BANDS)}")
        return value


class Riksnorm(_Strict):
    extra_person_over_7: Amount
    indexation_rate: Rate
    max_years_beyond_table: Count
    years: dict[int, RiksnormYear]

    @field_validator("years")
    @classmethod
    def _contiguous(cls, value: dict) -> dict:
        return _contiguous_years(value, "riksnormens år måste följa på varandra utan lucka")

    @property
    def first_year(self) -> int:
        return min(self.years)

    @property
    def last_year(self) -> int:
        return max(self.years)

    @property
    def last_allowed_year(self) -> int:
        return self.last_year + int(self.max_years_beyond_table.value)


class Etableringsersattning(_Strict):
    per_day: Amount
    days_per_week: Count

    def monthly(self) -> float:
        return self.per_day.value * self.days_per_week.value * 52 / 12


class Schablon(_Strict):
    under_65: dict[int, Amount]
    over_65: dict[int, Amount]

    def for_year(self, year: int, aged_65_plus: bool = False) -> float:
        table = self.over_65 if aged_65_plus else self.under_65
        if year not in table:
            raise ParameterError(
                f"Schablonersättning för {year} saknas (parametern schablonersattning, "
                f"år {min(table)}–{max(table)})."
            )
        return table[year].value


class Rent(_Strict):
    single: Amount
    couple: Amount
    one_child: Amount
    two_children: Amount
    three_plus_children: Amount


class OtherIncome(_Strict):
    per_child: Amount
    per_household: Amount
    # The amount per child in the years it differed from per_child (barnbidrag before March 2018).
    per_child_by_year: dict[int, Amount] = {}

    @model_validator(mode="after")
    def _years_before_per_child(self):
        late = [y for y in self.per_child_by_year if y > self.per_child.year]
        if late:
            raise ValueError(
                f"per_child_by_year gäller åren före per_child ({self.per_child.year}), fick {late}"
            )
        return self

    def per_child_shift(self, year: int) -> float:
        """Kronor to add to per_child's (drawn) value in `year`: 0 unless the year has its own
        amount, so a Monte Carlo draw moves every year by the same kronor."""
        if year not in self.per_child_by_year:
            return 0.0
        return self.per_child_by_year[year].value - self.per_child.value


class HouseholdType(_Strict):
    adults: int = Field(ge=1, le=2)
    share: Share
    children: dict[str, Amount] = {}

    @field_validator("children")
    @classmethod
    def _bands(cls, value: dict) -> dict:
        unknown = set(value) - set(CHILD_BANDS)
        if unknown:
            raise ValueError(
                f"okänd åldersgrupp {sorted(unknown)}; använd {', '.join(CHILD_BANDS)}"
            )
        return value

    @property
    def n_children(self) -> float:
        return sum(c.value for c in self.children.values())


class Points(Sourced):
    """A shift in percentage points, written as a fraction (−0,05 = 5 procentenheter lägre)."""

    lower, upper, what = -0.5, 0.5, "förskjutningen"


class Establishment(_Strict):
    durations: dict[int, Share]

    @field_validator("durations")
    @classmethod
    def _sums_to_one(cls, value: dict) -> dict:
        if not value or min(value) < 1:
            raise ValueError("programtiden ska vara minst 1 månad")
        total = sum(s.value for s in value.values())
        if abs(total - 1) > 1e-9:
            raise ValueError(
                f"andelarna per programtid ska summera till 1, summerar till {total:g}"
            )
        return value


class CohortParams(_Strict):
    """Entrants after the last year with data: the national number to be anvisade (without
    people with tillfälligt skydd, who are not in the programme), relative to the last data
    year, times the area's own recent entrants."""

    future_path: dict[int, Count]
    future_factor: Factor
    permit_lag_months: Count

    @field_validator("future_path")
    @classmethod
    def _contiguous(cls, value: dict) -> dict:
        return _contiguous_years(value, "future_path måste ha varje år utan lucka")

    def path(self, year: int) -> float:
        years = sorted(self.future_path)
        return self.future_path[min(max(year, years[0]), years[-1])].value


class OutcomeParams(_Strict):
    shrinkage_persons: Count
    future_years: Count
    women_shift: Points
    men_shift: Points
    women_men_correlation: Share


class BistandParams(_Strict):
    """After the programme: who is on bistånd (households), leaving, moving and returning."""

    need_share: Share
    partner_correlation: Share
    leave_rate: Share
    return_rate: Share
    move_away_rate: Share
    net_share: Share


class TopupParams(_Strict):
    per_participant_month: Amount


class LocalParams(_Strict):
    shrinkage_households: Count
    shrinkage_leavers: Count
    level_spread: Factor
    ceiling_share: Share
    window_share: Share


class KefuScope(_Strict):
    """Our reading of KEFU's scope (Kommunförbundet Skåne 2018, §2.4)."""

    entry_from: str = Field(pattern=r"^\d{4}-\d{2}$")
    entry_to: str = Field(pattern=r"^\d{4}-\d{2}$")
    months_in_programme: Count
    first_year: int = Field(ge=2000, le=2100)
    last_year: int = Field(ge=2000, le=2100)
    source: str = Field(min_length=10)


class ScenarioDefaults(_Strict):
    target_quantile: Share
    peer_kind: str = "arbetsmarknad"


class Scenario(_Strict):
    """A named change: parameter overrides plus rules on the resolved exit shares."""

    label: str = ""  # as shown in the report; empty: made from the scenario's key
    description: str = ""
    overrides: dict[str, Any] = {}
    exit_share_target: float | None = Field(default=None, ge=0, le=1)
    peer_target: bool = False  # raise exit shares to the best tenth of comparable kommuner
    women_as_men: bool = False


class KefuParams(_Strict):
    riksnorm: Riksnorm
    etableringsersattning: Etableringsersattning
    schablonersattning: Schablon
    rent: Rent
    rent_factor: Factor
    rent_growth: Rate
    other_income: OtherIncome
    households: dict[str, HouseholdType]
    establishment: Establishment
    cohorts: CohortParams
    outcomes: OutcomeParams
    bistand: BistandParams
    topup: TopupParams
    local: LocalParams
    kefu_scope: KefuScope
    scenario_defaults: ScenarioDefaults
    scenarios: dict[str, Scenario] = {}

    @field_validator("households")
    @classmethod
    def _shares_sum_to_one(cls, value: dict) -> dict:
        total = sum(t.share.value for t in value.values())
        if not value or abs(total - 1) > 1e-6:
            raise ValueError(f"hushållsandelarna ska summera till 1, summerar till {total:g}")
        return value

    @field_validator("scenarios")
    @classmethod
    def _no_shadowing(cls, value: dict) -> dict:
        clash = sorted(set(value) & set(BUILTIN_SCENARIOS))
        if clash:
            raise ValueError(f"scenarionamnen {clash} är inbyggda och kan inte definieras om")
        return value

    @model_validator(mode="after")
    def _distributions_are_used(self):
        for path, record in iter_sourced(self):
            if record.distribution is not None and path not in UNCERTAIN_PATHS:
                raise ValueError(
                    f"{path}: fördelning stöds inte här (modellen drar bara "
                    f"{', '.join(UNCERTAIN_PATHS)})"
                )
        return self

    # --- derived views -------------------------------------------------------------------------

    def get(self, path: str) -> Sourced:
        node: Any = self
        for part in path.split("."):
            node = node[key_of(node, part)] if isinstance(node, dict) else getattr(node, part)
        return node

    def value(self, path: str) -> float:
        return self.get(path).value

    def uncertain(self) -> list[tuple[str, Sourced]]:
        """(path, record) for every parameter with a distribution, in a fixed order."""
        return [(p, self.get(p)) for p in UNCERTAIN_PATHS if self.get(p).distribution is not None]

    def known_scenarios(self) -> list[str]:
        return list(BUILTIN_SCENARIOS) + sorted(self.scenarios)

    def scenario(self, name: str) -> Scenario:
        if name == BASELINE:
            return Scenario(label="Basscenario", description="Parametrarna som de står i filen")
        if name == ACTIVE_FROM_DAY_ONE:
            q = round(self.scenario_defaults.target_quantile.value * 100)
            return Scenario(
                label="Aktiv från dag ett",
                description=(
                    "Andelen i arbete eller studier efter etableringen höjs, för kvinnor och män "
                    f"var för sig, till vad de bästa jämförbara kommunerna nådde ({q}:e "
                    "percentilen) – för dem som lämnar efter beslutsåret"
                ),
                peer_target=True,
            )
        if name == WOMEN_AS_MEN:
            return Scenario(
                label="Kvinnor som män",
                description=(
                    "Kvinnor går till arbete eller studier i samma takt som män – för dem som "
                    "lämnar efter beslutsåret"
                ),
                women_as_men=True,
            )
        if name in self.scenarios:
            return self.scenarios[name]
        raise ParameterError(
            f"Okänt scenario {name!r} (parametern scenario). "
            f"Kända scenarier: {', '.join(self.known_scenarios())}."
        )

    def with_scenario(self, name: str) -> tuple["KefuParams", Scenario]:
        """The parameters with the scenario's overrides applied, and the scenario itself."""
        scenario = self.scenario(name)
        if not scenario.overrides:
            return self, scenario
        return _validate(apply_overrides(_dump(self), scenario.overrides)), scenario

    def with_overrides(self, overrides: dict[str, Any]) -> "KefuParams":
        return _validate(apply_overrides(_dump(self), overrides))

    def with_zero_spread(self) -> "KefuParams":
        """Every distribution collapsed onto its value (Monte Carlo then equals the plain run)."""
        data = _dump(self)
        for path, record in self.uncertain():
            target = walk(data, path)
            target["distribution"] = {
                "kind": "uniform",
                "low": record.value,
                "high": record.value,
            }
        return _validate(data)


def iter_sourced(node: Any, prefix: str = ""):
    """Yield (dotted path, Sourced) for every sourced number below `node`."""
    if isinstance(node, Sourced):
        yield prefix, node
    elif isinstance(node, BaseModel):
        for name in type(node).model_fields:
            if name != "scenarios":
                yield from iter_sourced(getattr(node, name), join(prefix, name))
    elif isinstance(node, dict):
        for key, item in node.items():
            yield from iter_sourced(item, join(prefix, str(key)))
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from iter_sourced(item, join(prefix, str(i)))


def _dump(params: KefuParams) -> dict:
    return params.model_dump(mode="python", exclude_none=True)


def _validate(data: dict) -> KefuParams:
    try:
        return KefuParams.model_validate(data)
    except ValidationError as exc:
        raise ParameterError(_format_errors(exc)) from None


def _format_errors(exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        loc = [str(p) for p in err["loc"]]
        if loc and loc[-1] == "value":
            loc = loc[:-1]
        message = err["msg"].removeprefix("Value error, ")
        lines.append(f"- parametern {'.'.join(loc) or '(hela filen)'}: {message}")
    return "Ogiltiga parametrar för försörjningsstödsmodellen:\n" + "\n".join(lines)


def default_path() -> Path:
    return paths.parameters_dir() / PARAMETER_FILE


@functools.lru_cache(maxsize=8)
def _read_yaml(path: Path, mtime_ns: int) -> dict:
    """The parsed file (libyaml when available), cached per modification time; callers get a
    deep copy so overrides never touch the cache."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(path.read_text(encoding="utf-8"), Loader=loader)


def load_params(
    path: str | Path | None = None, overrides: dict[str, Any] | None = None
) -> KefuParams:
    """Read and validate the parameter file; `overrides` uses dotted keys ({"rent.single": 6000})."""
    path = Path(path) if path else default_path()
    if not path.exists():
        raise ParameterError(f"Parameterfilen {path} finns inte.")
    try:
        data = _read_yaml(path, path.stat().st_mtime_ns)
    except yaml.YAMLError as exc:
        raise ParameterError(f"{path}: kan inte läsas som YAML ({exc}).") from None
    if not isinstance(data, dict):
        raise ParameterError(f"{path}: filen ska innehålla en YAML-mappning.")
    data = copy.deepcopy(data)
    if overrides:
        data = apply_overrides(data, overrides)
    params = _validate(data)
    for name in params.scenarios:  # a broken custom scenario fails at load, not mid-report
        try:
            params.with_scenario(name)
        except ParameterError as exc:
            raise ParameterError(
                f"Scenariot {name!r} (parametern scenarios.{name}): {exc}"
            ) from None
    return params
