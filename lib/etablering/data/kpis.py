"""The Kolada KPIs the reports use: one catalogue, the only place in the code that spells an id.

Fetch, import, validation and the reports read it. Each entry says what the value measures
(unit), whether Kolada splits it by gender, which report uses it, who publishes it, and the
identities it takes part in (validate.py checks them):

- `additive`: a count the kommuner add up to (their län and) riket.
- `denominator`: a share whose numerator is a whole number of persons of that count KPI
  (share × count / 100 is an integer, and women's + men's numerators make the total's).
- `rate_of`: a per-1 000 or kr/inv figure computed by Kolada from a count and the population,
  with the population's year lag as the KPI's description states it.
"""

from dataclasses import dataclass
from enum import StrEnum


class Unit(StrEnum):
    COUNT = "antal"
    SHARE = "andel (%)"
    POINTS = "procentenheter"
    PER_1000 = "per 1 000 invånare"
    KR_PER_INV = "kr/invånare"
    TKR = "tkr"
    KR_PER_HOUSEHOLD = "kr/hushåll"
    YES_NO = "ja = 1, nej = 0"


class Group(StrEnum):
    """Which report a KPI serves; `etablering data fetch --group` takes these names."""

    MOTTAGANDE = "mottagande"
    ETABLERING = "etablering"
    BISTAND = "bistand"


@dataclass(frozen=True)
class Rate:
    numerator: str  # count KPI
    scale: float  # 1 000 for per 1 000 inv, 1 000 for tkr -> kr/inv
    population_lag: int  # 1: divided by the population of 31 Dec the year before


@dataclass(frozen=True)
class Kpi:
    id: str
    title: str
    unit: Unit
    by_gender: bool
    groups: tuple[Group, ...]
    publisher: str
    additive: bool = False
    denominator: str | None = None
    rate_of: Rate | None = None
    signed: bool = False  # may be negative (net costs, deviations)

    @property
    def lowest(self) -> float | None:
        return None if self.signed else 0.0

    @property
    def highest(self) -> float | None:
        return {Unit.SHARE: 100.0, Unit.YES_NO: 1.0}.get(self.unit)


# --- ids the code refers to by name ---------------------------------------------------------
POPULATION = "N01951"
RECEIVED = "N01986"  # kommunmottagna i flyktingmottagandet med uppehållstillstånd
RECEIVED_ANVISNING = "N01987"
RECEIVED_PER_1000 = "N02006"
UNACCOMPANIED_ANVISADE = "N02002"
ENROLLED = "N00960"  # inskrivna i etableringsuppdraget under året
LEFT = "N00964"  # lämnat etableringsuppdraget under året
WORK_OR_STUDIES = "N00973"
WORK = "N00971"
SUPPORTED_WORK = "N00995"
STUDIES = "N00972"
PROGRAMME = "N00991"
EDU_PRIMARY = "N00961"
EDU_SECONDARY = "N00962"
EDU_TERTIARY = "N00963"
EDU_NONE = "N00994"
EDU_PRIMARY_SHORT = "N00969"
EDU_PRIMARY_9 = "N00970"
ETABLERING_FULL_YEARS = "N01707"
REFUGEES_EMPLOYED = "N00700"
REFUGEES_STUDYING = "N00701"
REFUGEES_BISTAND_SHARE = "N00702"
REFUGEES_EMPLOYED_4_6 = "N02994"
SCB_EXPECTED = "N00485"  # Kolada names SKR as the source of this model
SCB_DEVIATION = "N00486"
BISTAND_KR_PER_INV = "U31001"
BISTAND_EXCL_REFUGEES_KR_PER_INV = "N31004"
BISTAND_TKR = "N31857"
BISTAND_HOUSEHOLDS = "N31910"
BISTAND_KR_PER_HOUSEHOLD = "N31849"
BISTAND_ETABLERING_SHARE = "N31859"
BISTAND_COST_KR_PER_INV = "N31001"
BISTAND_ADULTS_HINDER = "N31869"  # vuxna biståndsmottagare med försörjningshinder
ASYLUM_SEEKERS = "N01990"
ASYLUM_PER_1000 = "N01993"

_MV = "Migrationsverket"
_SCB_AF = "SCB/Arbetsförmedlingen"
_SCB = "SCB"
_SOS = "Socialstyrelsen"
_SKR_SCB = "SKR (modell på SCB:s statistik)"  # the catalogue's description: "Källa: SKR"
_M, _E, _B = Group.MOTTAGANDE, Group.ETABLERING, Group.BISTAND

_ALL = (
    # population and reception (01)
    Kpi(POPULATION, "Invånare 31 december", Unit.COUNT, True, (_M, _B), _SCB, additive=True),
    Kpi(RECEIVED, "Kommunmottagna i flyktingmottagandet", Unit.COUNT, True, (_M, _B), _MV, True),
    Kpi(RECEIVED_ANVISNING, "Kommunmottagna efter anvisning", Unit.COUNT, False, (_M,), _MV, True),
    Kpi(
        RECEIVED_PER_1000,
        "Kommunmottagna per 1 000 invånare (föregående års folkmängd)",
        Unit.PER_1000,
        True,
        (_M,),
        _MV,
        rate_of=Rate(RECEIVED, 1000, 1),
    ),
    Kpi(UNACCOMPANIED_ANVISADE, "Anvisade ensamkommande barn", Unit.COUNT, False, (_M,), _MV, True),
    Kpi(
        ASYLUM_SEEKERS,
        "Asylsökande i mottagningssystemet 31 december",
        Unit.COUNT,
        True,
        (),
        _MV,
        True,
    ),
    Kpi("N01991", "Asylsökande i anläggningsboende (ABO)", Unit.COUNT, False, (), _MV, True),
    Kpi("N01992", "Asylsökande i eget boende (EBO)", Unit.COUNT, False, (), _MV, True),
    Kpi("N01995", "Asylsökande i övrigt boende", Unit.COUNT, False, (), _MV, True),
    Kpi(
        ASYLUM_PER_1000,
        "Asylsökande per 1 000 invånare (föregående års folkmängd)",
        Unit.PER_1000,
        True,
        (),
        _MV,
        rate_of=Rate(ASYLUM_SEEKERS, 1000, 1),
    ),
    # the establishment programme (02, 03)
    Kpi(
        ENROLLED,
        "Inskrivna i etableringsuppdraget under året",
        Unit.COUNT,
        True,
        (_E, _B),
        _SCB_AF,
        True,
    ),
    Kpi(LEFT, "Lämnat etableringsuppdraget under året", Unit.COUNT, True, (_E, _B), _SCB_AF, True),
    Kpi(
        WORK_OR_STUDIES,
        "I arbete eller studier (status efter 90 dagar)",
        Unit.SHARE,
        True,
        (_E, _B),
        _SCB_AF,
        denominator=LEFT,
    ),
    Kpi(
        WORK,
        "I arbete (status efter 90 dagar)",
        Unit.SHARE,
        True,
        (_E, _B),
        _SCB_AF,
        denominator=LEFT,
    ),
    Kpi(
        SUPPORTED_WORK,
        "I arbete med stöd (status efter 90 dagar)",
        Unit.SHARE,
        True,
        (_E,),
        _SCB_AF,
        denominator=LEFT,
    ),
    Kpi(
        STUDIES,
        "I studier (status efter 90 dagar)",
        Unit.SHARE,
        True,
        (_E,),
        _SCB_AF,
        denominator=LEFT,
    ),
    Kpi(
        PROGRAMME,
        "I arbetsmarknadspolitiskt program (status efter 90 dagar)",
        Unit.SHARE,
        True,
        (_E,),
        _SCB_AF,
        denominator=LEFT,
    ),
    Kpi(
        EDU_PRIMARY,
        "Inskrivna med högst förgymnasial utbildning",
        Unit.SHARE,
        True,
        (_E,),
        _SCB_AF,
        denominator=ENROLLED,
    ),
    Kpi(
        EDU_SECONDARY,
        "Inskrivna med gymnasial utbildning",
        Unit.SHARE,
        True,
        (_E,),
        _SCB_AF,
        denominator=ENROLLED,
    ),
    Kpi(
        EDU_TERTIARY,
        "Inskrivna med eftergymnasial utbildning längre än 2 år",
        Unit.SHARE,
        True,
        (_E,),
        _SCB_AF,
        denominator=ENROLLED,
    ),
    Kpi(
        EDU_NONE,
        "Inskrivna som saknar formell grundläggande utbildning",
        Unit.SHARE,
        True,
        (_E,),
        _SCB_AF,
        denominator=ENROLLED,
    ),
    Kpi(
        EDU_PRIMARY_SHORT,
        "Inskrivna med förgymnasial utbildning kortare än 9 år",
        Unit.SHARE,
        True,
        (_E,),
        _SCB_AF,
        denominator=ENROLLED,
    ),
    Kpi(
        EDU_PRIMARY_9,
        "Inskrivna med förgymnasial utbildning 9 (10) år",
        Unit.SHARE,
        True,
        (_E,),
        _SCB_AF,
        denominator=ENROLLED,
    ),
    Kpi(
        ETABLERING_FULL_YEARS,
        "Individer med etableringsersättning, helårsekvivalenter",
        Unit.COUNT,
        False,
        (_B,),
        "Arbetsförmedlingen",
    ),
    # refugees 20–64 over longer stays, and SCB's expected value (02)
    Kpi(REFUGEES_EMPLOYED, "Förvärvsarbetande flyktingar 20–64 år", Unit.SHARE, True, (_E,), _SCB),
    Kpi(REFUGEES_STUDYING, "Studerande flyktingar 20–64 år", Unit.SHARE, False, (_E,), _SCB),
    Kpi(
        REFUGEES_EMPLOYED_4_6,
        "Förvärvsarbetande flyktingar 20–64 år, vistelsetid 4–6 år",
        Unit.SHARE,
        True,
        (_E,),
        _SCB,
    ),
    Kpi(
        SCB_EXPECTED,
        "Förväntat värde, förvärvsarbetande flyktingar 20–64 år (Koladas modell, SKR)",
        Unit.SHARE,
        False,
        (_E,),
        _SKR_SCB,
    ),
    Kpi(
        SCB_DEVIATION,
        "Avvikelse från förväntat värde, förvärvsarbetande flyktingar 20–64 år (Koladas modell, SKR)",
        Unit.POINTS,
        False,
        (_E,),
        _SKR_SCB,
        signed=True,
    ),
    Kpi(
        REFUGEES_BISTAND_SHARE,
        "Försörjningsstöd som andel av nettoinkomsten, flyktingar 20–64 år",
        Unit.SHARE,
        False,
        (_B,),
        _SCB,
    ),
    # ekonomiskt bistånd (03)
    Kpi(
        BISTAND_KR_PER_INV,
        "Utbetalt ekonomiskt bistånd inkl. flyktinghushåll",
        Unit.KR_PER_INV,
        False,
        (_B,),
        _SOS,
        rate_of=Rate(BISTAND_TKR, 1000, 0),
    ),
    Kpi(
        BISTAND_EXCL_REFUGEES_KR_PER_INV,
        "Utbetalt ekonomiskt bistånd exkl. flyktinghushåll",
        Unit.KR_PER_INV,
        False,
        (_B,),
        _SOS,
    ),
    Kpi(BISTAND_TKR, "Utbetalt ekonomiskt bistånd totalt", Unit.TKR, False, (_B,), _SOS, True),
    Kpi(
        BISTAND_KR_PER_HOUSEHOLD,
        "Utbetalt ekonomiskt bistånd per hushåll",
        Unit.KR_PER_HOUSEHOLD,
        False,
        (_B,),
        _SOS,
    ),
    Kpi(BISTAND_HOUSEHOLDS, "Biståndshushåll under året", Unit.COUNT, False, (_B,), _SOS),
    Kpi(
        BISTAND_ETABLERING_SHARE,
        "Vuxna biståndsmottagare som är arbetslösa med etableringsersättning",
        Unit.SHARE,
        False,
        (_B,),
        _SOS,
    ),
    Kpi(
        BISTAND_COST_KR_PER_INV,
        "Kostnad ekonomiskt bistånd exkl. flyktinghushåll",
        Unit.KR_PER_INV,
        False,
        (_B,),
        _SCB,
    ),
    Kpi("N31008", "Nettokostnad ekonomiskt bistånd", Unit.KR_PER_INV, False, (), _SCB, signed=True),
    Kpi(
        "N31807",
        "Invånare som fått ekonomiskt bistånd någon gång under året",
        Unit.SHARE,
        False,
        (),
        _SOS,
    ),
    Kpi(
        "N31814",
        "Vuxna biståndsmottagare med långvarigt bistånd, andel av mottagarna",
        Unit.SHARE,
        True,
        (),
        _SOS,
    ),
    Kpi(
        "N31816",
        "Vuxna med långvarigt ekonomiskt bistånd, andel av befolkningen",
        Unit.SHARE,
        True,
        (),
        _SOS,
    ),
    Kpi("N31848", "Biståndsmottagare under året", Unit.COUNT, False, (), _SOS),
    Kpi(
        BISTAND_ADULTS_HINDER,
        "Vuxna biståndsmottagare med försörjningshinder",
        Unit.COUNT,
        False,
        (_B,),
        _SOS,
    ),
    Kpi(
        "U31801",
        "Vuxna biståndsmottagare med mycket långvarigt bistånd",
        Unit.SHARE,
        False,
        (),
        _SOS,
    ),
    Kpi("U31803", "Barn i familjer med ekonomiskt bistånd", Unit.SHARE, False, (), _SOS),
    Kpi("N40007", "Kostnad flyktingmottagande", Unit.KR_PER_INV, False, (), _SCB, signed=True),
    Kpi("N40010", "Nettokostnad flyktingmottagande", Unit.KR_PER_INV, False, (), _SCB, signed=True),
    Kpi("U30464", "Kommunen tar emot anvisade nyanlända", Unit.YES_NO, False, (), "RKA"),
    Kpi(
        "U30465",
        "Kommunen har goda möjligheter att erbjuda anvisade nyanlända bostad",
        Unit.YES_NO,
        False,
        (),
        "RKA",
    ),
)

CATALOGUE: dict[str, Kpi] = {k.id: k for k in _ALL}


def get(kpi_id: str) -> Kpi:
    """The catalogue entry; a KeyError names the id (an id outside the catalogue is a bug)."""
    return CATALOGUE[kpi_id]


def in_group(group: Group | str) -> list[str]:
    group = Group(group)
    return [k.id for k in _ALL if group in k.groups]


def report_kpis() -> list[str]:
    """Every KPI some report uses: what `etablering data fetch` gets by default."""
    return [k.id for k in _ALL if k.groups]


def title(kpi_id: str) -> str:
    return CATALOGUE[kpi_id].title
