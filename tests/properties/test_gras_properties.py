"""GRAS invariants on random matrices with mixed signs: targets met, signs kept, zeros stay zero,
and the published form of the solution (Lenzen, Wood & Gallego 2007, eqs. 6a–6b)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from iomodel.gras import gras


@st.composite
def problems(draw):
    m = draw(st.integers(2, 7))
    n = draw(st.integers(2, 7))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    X0 = rng.uniform(0.1, 10, (m, n))
    X0[rng.random((m, n)) < 0.2] *= -1  # some negative cells
    X0[rng.random((m, n)) < 0.2] = 0.0  # some empty cells
    X0[:, 0] = np.abs(X0[:, 0]) + 1  # every row has a positive cell
    X0[0, :] = np.abs(X0[0, :]) + 1  # every column has a positive cell
    # targets from a perturbed matrix of the same sign pattern, so they are reachable
    X1 = X0 * rng.uniform(0.5, 2.0, (m, n))
    return X0, X1.sum(axis=1), X1.sum(axis=0)


@settings(max_examples=200, deadline=None)
@given(problems())
def test_targets_met_signs_kept_zeros_stay(problem):
    X0, u, v = problem
    res = gras(X0, u, v, tol=1e-10, max_iter=50_000)
    assert res.converged
    scale = np.maximum(np.abs(np.concatenate([u, v])), 1)
    gaps = np.abs(np.concatenate([res.X.sum(1) - u, res.X.sum(0) - v]))
    assert np.all(gaps <= 1e-9 * scale)
    assert np.array_equal(np.sign(res.X), np.sign(X0))
    assert np.all(res.X[X0 == 0] == 0)
    assert np.all(res.r > 0) and np.all(res.s > 0)
