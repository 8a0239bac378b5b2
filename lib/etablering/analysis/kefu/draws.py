"""Parameter values per Monte Carlo draw: the model reads every uncertain scalar from here.

A deterministic run is one draw holding the parameter values, so the plain projection and the
Monte Carlo run share every line of arithmetic (and agree exactly when the spread is zero).
"""

from dataclasses import dataclass

import numpy as np

from .params import UNCERTAIN_PATHS, KefuParams


@dataclass(frozen=True)
class Draws:
    n: int
    values: dict[str, np.ndarray]  # path -> (n,) array

    def __getitem__(self, path: str) -> np.ndarray:
        return self.values[path]

    @classmethod
    def at_values(cls, params: KefuParams, n: int = 1) -> "Draws":
        return cls(n, {p: np.full(n, float(params.value(p))) for p in UNCERTAIN_PATHS})

    def with_column(self, path: str, column: np.ndarray) -> "Draws":
        values = dict(self.values)
        values[path] = np.asarray(column, dtype=float)
        return Draws(self.n, values)
