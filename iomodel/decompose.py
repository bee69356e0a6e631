"""Decomposing a change between two runs into the inputs that changed (pure functions).

Two runs differ in several inputs at once — the table, the prices, the scenarios.  Re-running the
model with every combination of old and new inputs gives ``f(S)``, the figure with the inputs in
``S`` at their new value and the others at their old one (``2**n`` runs for ``n`` inputs).  The
**Shapley decomposition** gives each input the average, over every order in which the inputs
could be switched from old to new, of the change its own switch makes:

    φ_i = Σ_{S ⊆ N∖{i}}  |S|! (n − |S| − 1)! / n!  · [f(S ∪ {i}) − f(S)]

The parts add up exactly to the whole change, ``Σ_i φ_i = f(N) − f(∅)``, they do not depend on
an arbitrary order, an input that changes nothing gets exactly zero, and when ``f`` is additive in
the inputs each gets exactly its own effect (Shapley 1953; for index decompositions, Dietzenbacher
& Los 1998 on the dependence of structural decompositions on the order of substitution).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from itertools import combinations
from math import factorial
from typing import Any, TypeVar

__all__ = ["combinations_of", "shapley"]

T = TypeVar("T")


def combinations_of(factors: Sequence[str]) -> list[frozenset[str]]:
    """Every subset of ``factors`` (the inputs switched to their new value), smallest first."""
    return [frozenset(c) for k in range(len(factors) + 1) for c in combinations(factors, k)]


def shapley(
    values: Mapping[frozenset[str], T] | Callable[[frozenset[str]], T],
    factors: Sequence[str],
) -> dict[str, T]:
    """Shapley decomposition of ``f(all factors) − f(none)`` over ``factors``.

    Parameters
    ----------
    values
        ``f(S)`` for every subset ``S`` of ``factors`` (a mapping or a function); any type with
        ``+``, ``−`` and multiplication by a float (numbers, numpy arrays, pandas objects).
    factors
        The inputs, each switched from its old to its new value.

    Returns
    -------
    dict
        Each factor's share of the change; they sum to ``f(all) − f(none)``.
    """
    get: Callable[[frozenset[str]], Any] = values if callable(values) else values.__getitem__
    names = list(factors)
    if len(set(names)) != len(names):
        raise ValueError(f"factors must be distinct, got {names}")
    n = len(names)
    out: dict[str, Any] = {}
    for factor in names:
        others = [f for f in names if f != factor]
        total: Any = None
        for size in range(n):
            weight = factorial(size) * factorial(n - size - 1) / factorial(n)
            for subset in combinations(others, size):
                s = frozenset(subset)
                term = (get(s | {factor}) - get(s)) * weight
                total = term if total is None else total + term
        out[factor] = total
    return out
