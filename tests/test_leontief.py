"""Known answers and identities of the pure maths module."""

from __future__ import annotations

import numpy as np
import numpy.testing as npt
import pytest

from iomodel import leontief
from iomodel.multipliers import household_closure, type1, type2


def test_miller_blair_coefficients_and_inverse(miller_blair):
    npt.assert_allclose(miller_blair.A, [[0.15, 0.25], [0.20, 0.05]])
    L = leontief.leontief_inverse(miller_blair.A)
    npt.assert_allclose(L, [[1.2541, 0.3300], [0.2640, 1.1221]], atol=5e-5)
    npt.assert_allclose(L.sum(axis=0), [1.5181, 1.4521], atol=1e-4)


def test_miller_blair_new_final_demand(miller_blair):
    x_new = miller_blair.factorization.solve(np.array([600.0, 1500.0]))
    npt.assert_allclose(x_new, [1247.5, 1841.6], atol=0.05)
    labour = miller_blair.direct["compensation"] * x_new
    npt.assert_allclose(miller_blair.direct["compensation"], [0.3, 0.25])
    npt.assert_allclose(labour, [374.25, 460.4], atol=0.02)


def test_output_multipliers_match_column_sums(miller_blair):
    npt.assert_allclose(type1(miller_blair)["output"], [1.5181, 1.4521], atol=1e-4)


def test_inverse_identity_and_solve(rosstat):
    L = leontief.leontief_inverse(rosstat.A)
    npt.assert_allclose(L @ (np.eye(rosstat.n) - rosstat.A), np.eye(rosstat.n), atol=1e-10)
    y = rosstat.Y.sum(axis=1)
    npt.assert_allclose(rosstat.factorization.solve(y), L @ y, rtol=1e-10)
    npt.assert_allclose(
        rosstat.factorization.solve_transposed(np.ones(rosstat.n)), L.sum(axis=0), rtol=1e-10
    )


def test_many_right_hand_sides_at_once(miller_blair):
    Y = np.array([[600.0, 350.0, 1.0], [1500.0, 1700.0, 0.0]])
    X = miller_blair.factorization.solve(Y)
    npt.assert_allclose(X[:, 1], [1000, 2000])
    npt.assert_allclose(X[:, 2], leontief.leontief_inverse(miller_blair.A)[:, 0])


def test_type2_income_is_type1_scaled_by_household_feedback(miller_blair):
    """Partitioned inverse: Type II income = Type I income / (1 − h_r·L·h_c) (Miller & Blair §6.2)."""
    closure = household_closure(miller_blair, "textbook")
    L = leontief.leontief_inverse(miller_blair.A)
    feedback = 1.0 / (1.0 - closure.income @ L @ closure.consumption)
    npt.assert_allclose(
        type2(miller_blair, "textbook")["compensation"],
        type1(miller_blair)["compensation"] * feedback,
        rtol=1e-12,
    )


def test_zero_output_column_gets_zero_coefficients():
    Z = np.array([[1.0, 0.0], [2.0, 0.0]])
    A = leontief.technical_coefficients(Z, np.array([10.0, 0.0]))
    npt.assert_allclose(A, [[0.1, 0.0], [0.2, 0.0]])
    with pytest.raises(ValueError, match=r"columns \[1\] have zero output"):
        leontief.technical_coefficients(np.array([[1.0, 1.0], [0.0, 0.0]]), np.array([10.0, 0.0]))


def test_productivity():
    assert leontief.is_productive(np.array([[0.5, 0.4], [0.4, 0.5]]))
    assert not leontief.is_productive(np.array([[0.6, 0.5], [0.5, 0.6]]))
    assert leontief.spectral_radius(np.array([[0.6, 0.5], [0.5, 0.6]])) == pytest.approx(1.1)


def test_leakage_identity_exact(miller_blair):
    t1 = type1(miller_blair)
    product_taxes = miller_blair.factorization.solve_transposed(miller_blair.coefficients("taxes"))
    npt.assert_allclose(t1["imports"] + product_taxes + t1["value_added"], [1.0, 1.0], rtol=1e-12)


@pytest.mark.parametrize("kind", ["textbook", "default"])
def test_bordered_closed_solves_equal_the_closed_factorisation(rosstat, kind):
    """Type II on the open LU (bordered solve) equals factorising A* itself, to 1e-10."""
    from iomodel.multipliers import closed_factorization

    closure = household_closure(rosstat, kind)
    full = leontief.factorize(leontief.closed_coefficients(rosstat.A, closure))
    bordered = closed_factorization(rosstat, kind)
    rng = np.random.default_rng(7)
    rhs = rng.uniform(0, 100, (rosstat.n + 1, 5))  # income in the last row too
    npt.assert_allclose(bordered.solve(rhs), full.solve(rhs), rtol=1e-10)
    npt.assert_allclose(bordered.solve_transposed(rhs), full.solve_transposed(rhs), rtol=1e-10)
    npt.assert_allclose(bordered.solve(rhs[:, 0]), full.solve(rhs[:, 0]), rtol=1e-10)
    assert bordered.productive and bordered.s == pytest.approx(
        1 - closure.income @ leontief.leontief_inverse(rosstat.A) @ closure.consumption
    )


def test_productivity_without_eigenvalues():
    """Column sums ≥ 1 but ρ < 1: decided by one solve on the LU, agreeing with the eigenvalues."""
    rng = np.random.default_rng(3)
    for scale in (0.5, 0.99, 1.01, 2.0):
        A = rng.uniform(0, 1, (30, 30))
        A[:, 0] *= 5  # one column sums to more than 1
        A *= scale / np.max(np.abs(np.linalg.eigvals(A)))
        assert leontief.is_productive(A) == (scale < 1)
    singular = np.array([[0.5, 0.5], [0.5, 0.5]])  # ρ = 1 exactly
    assert not leontief.is_productive(singular)


def test_spectral_radius_by_power_iteration_matches_eigenvalues():
    rng = np.random.default_rng(5)
    A = rng.uniform(0, 1, (400, 400)) * (rng.uniform(0.1, 0.9, 400) / 400)
    A[:, 17] = 0.0  # an inactive sector: A is reducible
    A[17, :] = 0.0
    expected = np.max(np.abs(np.linalg.eigvals(A)))
    assert leontief.spectral_radius(A) == pytest.approx(expected, rel=1e-8)
    periodic = np.zeros((300, 300))  # a cycle: eigenvalues spread on a circle of radius 0.7
    periodic[np.arange(1, 300), np.arange(299)] = 0.7
    periodic[0, 299] = 0.7
    assert leontief.spectral_radius(periodic) == pytest.approx(0.7, rel=1e-6)


def test_neumann_series_equals_the_lu_solves():
    """The series for a few right-hand sides of a large table agrees with the LU to 1e-12, and
    falls back to the LU when it would converge too slowly."""
    rng = np.random.default_rng(11)
    n = 1500
    A = rng.uniform(0, 1, (n, n)) * (rng.uniform(0.05, 0.95, n) / n)
    lu = leontief.factorize(A)
    series = leontief.NeumannSolver(A)
    rhs = rng.uniform(0, 1, (n, 4))
    npt.assert_allclose(series.solve_transposed(rhs), lu.solve_transposed(rhs), rtol=1e-12)
    npt.assert_allclose(series.solve(rhs[:, 0]), lu.solve(rhs[:, 0]), rtol=1e-12)
    assert not series.factorized
    slow = np.full((n, n), 0.999 / n)  # ρ = 0.999: the series would need thousands of terms
    fallback = leontief.NeumannSolver(slow)
    npt.assert_allclose(fallback.solve(rhs), leontief.factorize(slow).solve(rhs), rtol=1e-12)
    assert fallback.factorized
