"""The cohort arithmetic, on arrays shaped (draws, gender, month).

Inputs are monthly exits from the programme (Kolada's leavers spread over the months of their
year; later years from the stock and the projected entrants), the stock in the programme, and
the share in work or studies for each exit month (`Prepared`, built in model.py).

After the programme, households, not persons: of the adults who leave in month e,

- a share 1 − c lives alone; that household is on bistånd with probability
  need · (1 − p_g) (p_g: the gender's share in work or studies);
- a share c lives with a partner; the couple is on bistånd only when neither has work or
  studies: need · [(1 − p_K)(1 − p_M) + ρ·√(p_K(1−p_K)p_M(1−p_M))], one household per two
  adults, its cost counted half for each partner.

A household on bistånd leaves it with probability h a month, one off bistånd comes back with r,
and either moves out of the area with m (a two-state chain per exit cohort, the same for every
cohort, so the stock is a convolution of the exits with two response kernels). Kronor: the
households of each kind × the kind's monthly payment × the area's level. During the programme,
bistånd per participant-month (`topup`).
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.fft

from ...core.gender import BOTH
from .draws import Draws
from .households import couple_share, kind_cost, topup_per_month
from .local import Local
from .params import BASELINE, KefuParams, Scenario

GENDERS = tuple(map(str, BOTH))  # plain "K", "M": they become stored column labels


@dataclass(frozen=True)
class Prepared:
    """Everything a run needs except the per-draw parameter values."""

    params: KefuParams
    scenario_name: str
    scenario: Scenario
    scenario_params: KefuParams  # params with the scenario's overrides
    months: pd.PeriodIndex  # January of the first data year … December of end_year
    last_data_year: int
    entrants_data: np.ndarray  # (2, T) derived from Kolada, and 0 after the data
    entrants_future: np.ndarray  # (2, T) projected entrants at future_factor 1
    exits_data: np.ndarray  # (2, T) leavers in the data years and the data's stock after
    exits_future: np.ndarray  # (2, T) exits of the projected entrants
    prog_data: np.ndarray  # (2, T) in the programme
    prog_future: np.ndarray
    kefu_exits: np.ndarray  # (2, T) exits of KEFU's cohorts
    outcome: np.ndarray  # (2, T) share in work or studies for an exit in month t
    scenario_outcome: np.ndarray  # (2, T) the same under the scenario
    policy_index: int  # first month the scenario applies to (exits from then on)
    window_end: np.ndarray  # (T,) last month index counted as flyktinghushåll for exit month t
    noise_households: np.ndarray  # (2, Y) expected households from each year's exits
    local: Local
    dependency: (
        np.ndarray
    )  # (T,) the area's REFUGEES_BISTAND_SHARE factor on the need after the programme
    ceiling: np.ndarray  # (Y,) most the cohorts may cost in a year with bistånd data (NaN: none)
    local_area: bool  # a kommun or a län: moving out and the local level's spread apply
    start_year: int
    end_year: int
    peer_target: dict | None  # the 'aktiv från dag ett' shares (required: with_scenario reads it)
    # 1, or the factor local.level was lowered by so that the model stays within the
    # flyktinghushåll statistic (model.cap_to_refugee_statistic)
    window_scale: float = 1.0
    name: str = ""  # the area's, for the text about a län's kommuner

    @property
    def years(self) -> np.ndarray:
        return np.arange(self.months[0].year, self.end_year + 1)

    @property
    def n_months(self) -> int:
        return len(self.months)

    @property
    def future_entrants(self) -> pd.Series:
        """New participants per year after the data (women and men, future_factor 1)."""
        by_year = pd.Series(
            self.entrants_future.sum(axis=0).reshape(-1, 12).sum(axis=1), index=self.years
        )
        return by_year[by_year.index > self.last_data_year]


@dataclass(frozen=True)
class Flows:
    """(draws, 2, T) arrays by gender."""

    entrants: np.ndarray
    in_programme: np.ndarray
    exits: np.ndarray
    single_on: np.ndarray  # single households on bistånd (counted by the adult's gender)
    couple_on: np.ndarray  # couple households on bistånd, half per partner
    cost_after: np.ndarray  # kronor after the programme
    cost_during: np.ndarray  # kronor during the programme
    cost_window: np.ndarray  # the part Socialstyrelsen counts as flyktinghushåll
    kefu_cost: np.ndarray  # KEFU's scope (our reading), every month
    kefu_households: np.ndarray
    ceiling_scale: np.ndarray  # (D,) 1, or less where the kommun's total bistånd capped it

    @property
    def cost(self) -> np.ndarray:
        return self.cost_after + self.cost_during

    @property
    def households(self) -> np.ndarray:
        return self.single_on + self.couple_on

    @property
    def adults_on(self) -> np.ndarray:
        return self.single_on + 2 * self.couple_on


@dataclass(frozen=True)
class Group:
    """Several areas run with the same parameter draws and summed (a län = its kommuner, each
    with its own cohorts, outcomes and level; counts vary independently per kommun)."""

    members: tuple[Prepared, ...]

    def __post_init__(self):
        months = {tuple(m.months) for m in self.members}
        if len(months) != 1:
            raise ValueError("alla kommuner i en grupp måste ha samma månader")

    def __getattr__(self, name):  # params, years, months, start_year, … from the first
        return getattr(self.members[0], name)

    @property
    def future_entrants(self) -> pd.Series:
        """The members' projected new participants, summed (years after the latest data)."""
        return sum((m.future_entrants for m in self.members[1:]), self.members[0].future_entrants)

    @property
    def outcome(self) -> np.ndarray:
        """(2, T) the members' shares weighted by their exits."""
        ex = np.stack([m.exits_data + m.exits_future for m in self.members])
        out = np.stack([m.outcome for m in self.members])
        w = ex.sum(axis=0)
        return np.where(w > 0, (ex * out).sum(axis=0) / np.where(w > 0, w, 1), out.mean(axis=0))


class Convolution:
    """out[..., t] = Σ_i Σ_k streams[i][..., t−k] · kernels[i][draw, k]: exit streams (D, G, T)
    convolved with the draws' kernels (D, T). Each kernel's spectrum is taken once, and a sum of
    convolutions is summed before the one inverse transform."""

    def __init__(self, kernels: list[np.ndarray], length: int):
        self.length = length
        self.n = scipy.fft.next_fast_len(2 * length - 1, real=True)  # no wrap-around
        self.spectra = [np.fft.rfft(k, self.n, axis=-1)[:, None, :] for k in kernels]

    def __call__(self, *streams: np.ndarray) -> np.ndarray:
        """Σ_i streams[i] convolved with kernels[i]; each stream (D, G, T)."""
        total = sum(
            np.fft.rfft(x, self.n, axis=-1) * f for x, f in zip(streams, self.spectra, strict=True)
        )
        out = np.fft.irfft(total, self.n, axis=-1)[..., : self.length]
        out[np.abs(out) < 1e-9] = 0.0  # rounding noise where nothing has left yet
        return out


def kernels(h: np.ndarray, r: np.ndarray, m: np.ndarray, length: int) -> tuple:
    """(draws, length) share on bistånd k months after exit, for a household that starts on
    bistånd (A) and one that starts off it (B). Leaving and coming back happen at the end of a
    month; moving out removes the household from the area.

    Each month is the same two-state step [on, off] -> [[1−h−m, r], [h, 1−r−m]] · [on, off],
    whose eigenvalues are 1 − m and 1 − m − h − r, so after k months
    A = (r·(1−m)^k + h·(1−m−h−r)^k) / (h + r) and B = r·((1−m)^k − (1−m−h−r)^k) / (h + r);
    with h + r = 0 nothing changes state and A = (1−m)^k, B = 0."""
    k = np.arange(length, dtype=float)
    h, r, m = (np.asarray(v, dtype=float)[:, None] for v in (h, r, m))
    stay = (1 - m) ** k  # (D, length)
    mixed = (1 - m - h - r) ** k
    moving = h + r
    safe = np.where(moving > 0, moving, 1.0)
    A = np.where(moving > 0, (r * stay + h * mixed) / safe, stay)
    B = np.where(moving > 0, r * (stay - mixed) / safe, 0.0)
    return A, B


def _monthly(yearly: np.ndarray, prep: Prepared) -> np.ndarray:
    """(D, Y) -> (D, T) repeating each year's value over its months."""
    return np.repeat(yearly, 12, axis=-1)[..., : prep.n_months]


def _entry_shares(p: np.ndarray, c: float, need: np.ndarray, rho: np.ndarray):
    """Per adult exit: single and couple households on bistånd at exit (D, 2, T) each."""
    pk, pm = p[:, 0, :], p[:, 1, :]
    both = (1 - pk) * (1 - pm) + rho[:, None] * np.sqrt(pk * (1 - pk) * pm * (1 - pm))
    single = need[:, None, None] * (1 - c) * (1 - p)
    couple = need[:, None, None] * (c / 2) * np.clip(both, 0.0, 1.0)[:, None, :]
    return single, np.broadcast_to(couple, single.shape)


def _after(
    prep: Prepared,
    params: KefuParams,
    draws: Draws,
    exits: np.ndarray,
    p: np.ndarray,
    window: bool = True,
    kind: np.ndarray | None = None,
):
    """Households on bistånd after the programme and their cost, for one exit stream; with
    `window`, also the cost inside Socialstyrelsen's flyktinghushåll years."""
    T = prep.n_months
    c = couple_share(params)
    need = draws["bistand.need_share"]
    s0, c0 = _entry_shares(p, c, need, draws["bistand.partner_correlation"])
    h, r = draws["bistand.leave_rate"], draws["bistand.return_rate"]
    m = draws["bistand.move_away_rate"] * float(prep.local_area)
    convolve = Convolution(kernels(h, r, m, T), T)
    x = np.concatenate([exits * s0, exits * c0], axis=1)  # (D, 4, T) start on bistånd
    y = np.concatenate([exits * ((1 - c) - s0), exits * (c / 2 - c0)], axis=1)  # start off
    on = np.maximum(convolve(x, y), 0.0)
    if kind is None:
        kind = _monthly(kind_cost(prep.years, params, draws), prep)  # (D, 2, T)
    level = prep.local.level * _spread(prep, draws)[:, None]
    single_on, couple_on = on[:, :2], on[:, 2:]
    level = level[:, :, None] * prep.dependency[None, None, :]
    cost = (single_on * kind[:, :1] + couple_on * kind[:, 1:]) * level
    in_window = np.zeros_like(cost)
    for end in np.unique(prep.window_end) if window else ():
        mask = prep.window_end == end
        if not mask.any() or end < 0:
            continue
        on_w = np.maximum(convolve(x * mask, y * mask), 0.0)
        keep = np.arange(T) <= end
        w = (on_w[:, :2] * kind[:, :1] + on_w[:, 2:] * kind[:, 1:]) * level
        in_window += w * keep
    return single_on, couple_on, cost, in_window


def _spread(prep: Prepared, draws: Draws) -> np.ndarray:
    """The local level's uncertainty: for a kommun or län only (riket is the calibration). A
    level lowered to the flyktinghushåll statistic keeps its spread: the statistic rests on what
    the kommun reports, and cutting the draws above it made the backtest worse (the 2016–2020
    change inside the 95 % span in 51 % of kommuner instead of 53 %)."""
    if prep.local_area:
        return draws["local.level_spread"]
    return np.ones(draws.n)


def _noise(prep: Prepared, draws: Draws, rng: np.random.Generator | None) -> np.ndarray:
    """(D, 2, T) multiplicative count noise per gender and exit year (Gamma with mean 1 and
    the variance of a count with the expected number of households), 1 without rng."""
    if rng is None:
        return np.ones((draws.n, 2, prep.n_months))
    shape = np.maximum(prep.noise_households, 0.25)
    g = rng.gamma(shape[None], 1.0 / shape[None], size=(draws.n, *shape.shape))
    return _monthly(g, prep)


def _outcome(prep: Prepared, draws: Draws, base: np.ndarray) -> np.ndarray:
    shift = np.stack([draws["outcomes.women_shift"], draws["outcomes.men_shift"]], axis=1)
    return np.clip(base[None] + shift[:, :, None], 0.0, 1.0)


def simulate(
    prep: "Prepared | Group",
    draws: Draws,
    rng: np.random.Generator | None = None,
    window: bool = True,
    _kind: np.ndarray | None = None,
) -> Flows:
    """Every flow for every draw; with `rng`, random variation in the counts as well. The
    flyktinghushåll window costs a dozen extra convolutions: `window=False` skips it."""
    if isinstance(prep, Group):
        kind = _monthly(kind_cost(prep.years, prep.params, draws), prep.members[0])
        parts = []
        for member in prep.members:
            d = draws
            if rng is not None:  # each kommun's own level deviation, drawn independently
                spread = rng.permutation(draws["local.level_spread"])
                d = draws.with_column("local.level_spread", spread)
            parts.append(simulate(member, d, rng, window, _kind=kind))
        summed = {
            f: sum(getattr(p, f) for p in parts)
            for f in Flows.__dataclass_fields__
            if f != "ceiling_scale"
        }
        scale = np.min([p.ceiling_scale for p in parts], axis=0)
        return Flows(**summed, ceiling_scale=scale)
    f = draws["cohorts.future_factor"][:, None, None]
    noise = _noise(prep, draws, rng)
    entrants = prep.entrants_data[None] + f * prep.entrants_future[None]
    exits = (prep.exits_data[None] + f * prep.exits_future[None]) * noise
    in_programme = prep.prog_data[None] + f * prep.prog_future[None]

    p_base = _outcome(prep, draws, prep.outcome)
    kind = _kind if _kind is not None else _monthly(kind_cost(prep.years, prep.params, draws), prep)
    if prep.scenario_name == BASELINE:
        single_on, couple_on, cost_after, in_window = _after(
            prep, prep.params, draws, exits, p_base, window, kind
        )
    else:
        before = np.arange(prep.n_months) < prep.policy_index
        p_scen = _outcome(prep, draws, prep.scenario_outcome)
        a = _after(prep, prep.params, draws, exits * before, p_base, window, kind)
        scen_draws = rebase(draws, prep.params, prep.scenario_params)
        b = _after(prep, prep.scenario_params, scen_draws, exits * ~before, p_scen, window)
        single_on, couple_on, cost_after, in_window = (u + v for u, v in zip(a, b, strict=True))

    topup = _monthly(topup_per_month(prep.years, prep.params, draws), prep)
    level = prep.local.level * _spread(prep, draws)
    cost_during = in_programme * (topup * prep.local.topup * level[:, None])[:, None, :]

    kefu_exits = np.broadcast_to(prep.kefu_exits[None], exits.shape) * noise
    k_single, k_couple, kefu_cost, _ = _after(
        prep, prep.params, draws, kefu_exits, p_base, window=False, kind=kind
    )
    scale = _ceiling_scale(prep, cost_after + cost_during)
    cost_after, cost_during, in_window, kefu_cost = (
        a * scale[:, None, None] for a in (cost_after, cost_during, in_window, kefu_cost)
    )
    return Flows(
        entrants=entrants,
        in_programme=in_programme,
        exits=exits,
        single_on=single_on,
        couple_on=couple_on,
        cost_after=cost_after,
        cost_during=cost_during,
        cost_window=in_window + cost_during,
        kefu_cost=kefu_cost,
        kefu_households=k_single + k_couple,
        ceiling_scale=scale,
    )


def _ceiling_scale(prep: Prepared, cost: np.ndarray) -> np.ndarray:
    """(D,) factor ≤ 1 so that no year with utfall costs more than the ceiling."""
    yearly_cost = cost.reshape(cost.shape[0], -1, prep.n_months // 12, 12).sum(axis=(1, 3))
    ok = np.isfinite(prep.ceiling) & (prep.ceiling > 0)
    if not ok.any():
        return np.ones(cost.shape[0])
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(yearly_cost[:, ok] > 0, prep.ceiling[ok] / yearly_cost[:, ok], np.inf)
    return np.minimum(1.0, ratio.min(axis=1))


def rebase(draws: Draws, base: KefuParams, changed: KefuParams) -> Draws:
    """Draws for a scenario whose overrides change drawn parameters: each draw is scaled by
    the scenario's value over the base value (or set to it when the base is 0)."""
    out = draws
    for path in draws.values:
        old, new = base.value(path), changed.value(path)
        if old != new:
            col = draws[path] * (new / old) if old else np.full(draws.n, new)
            out = out.with_column(path, col)
    return out


def yearly(prep: Prepared, monthly: np.ndarray) -> np.ndarray:
    """(D, 2, T) -> (D, 3, Y) summed over the months of each year, genders K, M, T."""
    D, G, T = monthly.shape
    y = monthly.reshape(D, G, T // 12, 12).sum(axis=-1)
    return np.concatenate([y, y.sum(axis=1, keepdims=True)], axis=1)


__all__ = [
    "GENDERS",
    "Convolution",
    "Flows",
    "Group",
    "Prepared",
    "kernels",
    "simulate",
    "yearly",
]
