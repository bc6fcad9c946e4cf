"""Service-time, patience and delay distributions: objects with ``sample(rng, n)``.

Every distribution is described by its mean (``mean_s``, seconds) and, where it
has one, its coefficient of variation ``cv`` (standard deviation ÷ mean), so a
planner can write ``{distribution: lognormal, mean_s: 240, cv: 0.8}``.  Each
object also gives its analytic ``mean`` and ``variance`` (as in Ciw), used by the
tests and by the Erlang comparisons.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class Exponential:
    mean: float

    @property
    def variance(self) -> float:
        return self.mean**2

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.exponential(self.mean, n)


@dataclass(frozen=True, slots=True)
class Fixed:
    mean: float

    @property
    def variance(self) -> float:
        return 0.0

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return np.full(n, float(self.mean))


@dataclass(frozen=True, slots=True)
class Lognormal:
    """Lognormal with the given mean and cv: σ² = ln(1+cv²), μ = ln(mean) − σ²/2."""

    mean: float
    cv: float

    @property
    def variance(self) -> float:
        return (self.mean * self.cv) ** 2

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        s2 = math.log1p(self.cv**2)
        return rng.lognormal(math.log(self.mean) - s2 / 2, math.sqrt(s2), n)


@dataclass(frozen=True, slots=True)
class Gamma:
    """Gamma with the given mean and cv: shape k = 1/cv², scale = mean/k."""

    mean: float
    cv: float

    @property
    def variance(self) -> float:
        return (self.mean * self.cv) ** 2

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        k = 1.0 / self.cv**2
        return rng.gamma(k, self.mean / k, n)


@dataclass(frozen=True, slots=True)
class Empirical:
    """Draws uniformly from observed values (e.g. last month's handle times)."""

    values: tuple[float, ...]

    @property
    def mean(self) -> float:
        return float(np.mean(self.values))

    @property
    def variance(self) -> float:
        return float(np.var(self.values))

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.choice(np.asarray(self.values, dtype=float), n)


@dataclass(frozen=True, slots=True)
class Never:
    """Patience of a customer who never abandons."""

    mean: float = math.inf

    @property
    def variance(self) -> float:
        return 0.0

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return np.full(n, math.inf)


Distribution = Exponential | Fixed | Lognormal | Gamma | Empirical | Never


def make(kind: str, mean_s: float | None = None, cv: float | None = None,
         values: tuple[float, ...] | list[float] | None = None) -> Distribution:
    """Build a distribution object from its declarative description."""
    if kind == "exponential":
        return Exponential(float(mean_s))
    if kind == "fixed":
        return Fixed(float(mean_s))
    if kind == "lognormal":
        return Lognormal(float(mean_s), float(cv if cv is not None else 1.0))
    if kind == "gamma":
        return Gamma(float(mean_s), float(cv if cv is not None else 1.0))
    if kind == "empirical":
        return Empirical(tuple(float(v) for v in (values or ())))
    raise ValueError(f"unknown distribution {kind}")
