"""GRAS against the example of Junius & Oosterhaven (2003), used again by Lenzen, Wood & Gallego
(2007) and Temurshoev, Miller & Bouwmeester (2013, ESR 25(3), 361–367).

Source of the numbers: the base matrix and targets are the papers' example as given in the
documentation of two independent public implementations (an R/Rcpp GRAS by O. Reiter, "example
from the papers", and U. Temurshoev's own code, the online appendix of the 2013 note).  The
papers themselves were not available to us, so the **published** solution table could not be
checked; the expected matrix below is the solution printed in the R implementation's unit test
(to 9 decimals, computed with a looser stopping rule, hence the 1e-6 tolerance).  The structural
checks (the solution has the GRAS form r·P·s − N/(r·s), meets the targets and keeps signs) hold
independently of that source.
"""

from __future__ import annotations

import numpy as np
import pytest

from iomodel.gras import gras

X0 = np.array([[7, 3, 5, -3], [2, 9, 8, 0], [-2, 0, 2, 0]], dtype=float)
U = np.array([15, 26, -1], dtype=float)
V = np.array([9, 16, 17, -2], dtype=float)
EXPECTED = np.array(
    [
        [8.424340881, 3.375237362, 5.200422021, -2.000000263],
        [3.000997078, 12.624763744, 10.374239178, 0],
        [-2.425339135, 0, 1.425339135, 0],
    ]
)


def test_known_answer():
    res = gras(X0, U, V)
    assert res.converged and res.max_residual < 1e-8
    np.testing.assert_allclose(res.X, EXPECTED, atol=1e-6)
    # the GRAS form: positive cells r_i a_ij s_j, negative cells a_ij / (r_i s_j)
    P, N = np.clip(X0, 0, None), np.clip(-X0, 0, None)
    form = res.r[:, None] * P * res.s - N / (res.r[:, None] * res.s)
    np.testing.assert_allclose(res.X, form, rtol=1e-12)
    assert res.adjustment == pytest.approx(np.abs(res.X - X0).sum() / np.abs(X0).sum())


def test_targets_already_met_change_nothing():
    res = gras(X0, X0.sum(axis=1), X0.sum(axis=0))
    np.testing.assert_allclose(res.X, X0, atol=1e-12)
    assert res.adjustment < 1e-12 and res.iterations == 1


def test_iteration_cap_reports_not_converged():
    res = gras(X0, U, V, max_iter=2, tol=1e-14)
    assert not res.converged and res.iterations == 2 and res.max_relative_residual > 1e-14


@pytest.mark.parametrize(
    ("u", "v", "message"),
    [
        (U, V[:3], "column targets"),
        (U + 1, V, "must be equal"),
        (np.array([15, 27, -2.0]), np.array([9, 16, 17, -2.0]), None),  # feasible
        (np.array([15, 26, 1.0]), np.array([9, 16, 19, -2.0]), None),
    ],
)
def test_bad_targets(u, v, message):
    if message is None:
        gras(X0, u, v)
        return
    with pytest.raises(ValueError, match=message):
        gras(X0, u, v)


def test_unreachable_targets_are_refused():
    X = np.array([[1.0, 2.0], [0.0, 0.0]])
    with pytest.raises(ValueError, match="row 1 cannot reach its target 1"):
        gras(X, np.array([2.0, 1.0]), np.array([1.5, 1.5]))
    # a row of positive cells cannot sum to zero without losing its signs
    X = np.array([[1.0, 2.0], [3.0, -1.0]])
    with pytest.raises(ValueError, match="row 0 cannot reach its target 0"):
        gras(X, np.array([0.0, 2.0]), np.array([1.0, 1.0]))
