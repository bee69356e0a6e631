"""Invariants of the regionalisation (hypothesis, random productive tables and regions)."""

from __future__ import annotations

import numpy as np
import numpy.testing as npt
from hypothesis import given, settings
from hypothesis import strategies as st

from iomodel import leontief
from iomodel import regional as R

METHOD = st.sampled_from(R.METHODS)
DELTA = st.floats(0.0, 0.9)


def economy(seed: int, n: int, regions: int):
    """A (column sums < 0.9), sections for n products, GVA of `regions` regions and the nation."""
    rng = np.random.default_rng(seed)
    A = rng.uniform(0, 1, (n, n)) * (rng.uniform(0.05, 0.9, n) / n)
    sections = [f"s{i}" for i in rng.integers(0, max(1, n - 1), n)]
    names = sorted(set(sections))
    # GVA by section of every region of a nation of regions + 3 others; some cells empty
    gva = rng.uniform(0, 100, (regions + 3, len(names))) * (
        rng.uniform(0, 1, (regions + 3, len(names))) > 0.15
    )
    gva[:, 0] += 1.0  # no region is empty
    return rng, A, sections, names, gva[:regions], gva.sum(axis=0)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 7), st.integers(1, 2), METHOD, DELTA)
def test_regional_coefficients_never_exceed_national(seed, n, regions, method, delta):
    _, A, sections, names, gva, national = economy(seed, n, regions)
    rg = R.regionalise(A, sections, gva, national, names, method, delta)
    assert np.all(rg.regional <= A[None] + 1e-15)
    assert np.all(rg.regional >= 0)
    assert np.all((rg.rpc >= 0) & (rg.rpc <= 1))
    # every buyer's column sums over origins to the national column
    L = regions + 1
    blocks = rg.M.reshape(L, n, L, n)
    for b in range(L):
        npt.assert_allclose(blocks[:, :, b, :].sum(axis=0), A, atol=1e-14)
    assert np.all(rg.M >= 0)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 7), st.integers(1, 2), METHOD, DELTA)
def test_locations_add_up_to_national_type1_and_type2(seed, n, regions, method, delta):
    """Region(s) + rest of Russia = national, for any non-negative shock and its split by buyer
    location, open (Type I) and household-closed (Type II, with fly-in/fly-out shares)."""
    rng, A, sections, names, gva, national = economy(seed, n, regions)
    rg = R.regionalise(A, sections, gva, national, names, method, delta)
    L = regions + 1
    demand = rng.uniform(0, 10, (L, n, 3)) * (rng.uniform(0, 1, (L, n, 3)) > 0.3)
    y = R.regional_demand(demand, rg.rpc, rg.supply)
    npt.assert_allclose(y.reshape(L, n, 3).sum(axis=0), demand.sum(axis=0), atol=1e-12)
    x = rg.factorization().solve(y)
    national_x = leontief.factorize(A).solve(demand.sum(axis=0))
    npt.assert_allclose(x.reshape(L, n, 3).sum(axis=0), national_x, rtol=1e-10, atol=1e-10)
    assert np.all(x >= -1e-12)

    income = rng.uniform(0.05, 0.4, n)
    consumption = rng.dirichlet(np.ones(n)) * rng.uniform(0.1, 0.6)
    phi = rng.uniform(0, 1, regions)
    closed = rg.closed_factorization(income, consumption, nonresident_share=phi)
    xc = closed.solve(np.vstack([y, np.zeros((L, 3))]))
    national_closed = leontief.factorize(
        leontief.closed_coefficients(A, leontief.Closure(income, consumption))
    )
    xn = national_closed.solve(np.vstack([demand.sum(axis=0), np.zeros((1, 3))]))
    npt.assert_allclose(xc[: L * n].reshape(L, n, 3).sum(axis=0), xn[:n], rtol=1e-9, atol=1e-9)
    npt.assert_allclose(xc[L * n :].sum(axis=0), xn[n], rtol=1e-9, atol=1e-9)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 7), METHOD, DELTA)
def test_regional_multipliers_at_most_national(seed, n, method, delta):
    """The region's share of any multiplier is ≤ the national multiplier, and the region's own
    (closed-region) multiplier from its coefficients alone is ≤ national too."""
    rng, A, sections, names, gva, national = economy(seed, n, 1)
    rg = R.regionalise(A, sections, gva, national, names, method, delta)
    C = np.vstack([np.ones(n), rng.uniform(0, 1, (2, n))])
    nat = leontief.multipliers(leontief.factorize(A), C)
    for rpc in (rg.rpc, np.ones_like(rg.rpc)):
        m = R.regional_multipliers(rg.factorization(), C, rpc, rg.supply)
        assert np.all(m[0] <= nat + 1e-12)
        npt.assert_allclose(m.sum(axis=0), nat, rtol=1e-10, atol=1e-12)
    own = leontief.leontief_inverse(rg.regional[0]).sum(axis=0)
    assert np.all(own <= leontief.leontief_inverse(A).sum(axis=0) + 1e-12)
    # Type II: region's part ≤ national Type II
    income = rng.uniform(0.05, 0.4, n)
    consumption = rng.dirichlet(np.ones(n)) * 0.4
    closed = rg.closed_factorization(income, consumption, 0.2)
    m2 = R.regional_multipliers(closed, C, rg.rpc, rg.supply)
    nat_closed = leontief.factorize(
        leontief.closed_coefficients(A, leontief.Closure(income, consumption))
    )
    nat2 = leontief.multipliers(nat_closed, np.hstack([C, np.zeros((3, 1))]))[:, :n]
    assert np.all(m2[0] <= nat2 + 1e-12)
    npt.assert_allclose(m2.sum(axis=0), nat2, rtol=1e-10, atol=1e-12)


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.integers(0, 500).map(lambda v: v / 100), min_size=2, max_size=8),
    st.floats(0.001, 1.0),
    st.integers(0, 3),
)
def test_flq_tends_to_cilq_and_limits(slq, size, cut):
    """FLQ(δ = 0) = CILQ exactly and FLQ(δ → 0) → CILQ, with the same diagonal convention;
    a region as large as the nation (size 1) has λ* = 1, so FLQ = CILQ for any δ."""
    slq = np.array(slq)
    groups = [f"g{min(i, cut)}" for i in range(len(slq))]
    cilq = R.quotients(slq, "cilq", groups=groups)
    npt.assert_array_equal(R.quotients(slq, "flq", groups=groups, size=size, delta=0.0), cilq)
    npt.assert_allclose(
        R.quotients(slq, "flq", groups=groups, size=size, delta=1e-9), cilq, rtol=1e-7
    )
    npt.assert_allclose(R.quotients(slq, "flq", groups=groups, size=1.0, delta=0.7), cilq)
    # λ* falls as the region shrinks or δ grows
    assert R.flq_scale(size, 0.3) <= R.flq_scale(min(1.0, size * 2), 0.3) + 1e-15
    assert R.flq_scale(size, 0.4) <= R.flq_scale(size, 0.2) + 1e-15


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 7), st.floats(0.01, 0.5))
def test_region_shaped_like_the_nation_keeps_national_coefficients(seed, n, scale):
    """A region whose GVA structure equals the nation's has SLQ = 1: SLQ and CILQ leave A
    unchanged (no leakage), FLQ scales it by λ* < 1."""
    _, A, sections, names, _, national = economy(seed, n, 1)
    regional = scale * national
    slq = R.location_quotients(regional, national)
    npt.assert_allclose(slq[national > 0], 1.0)
    for method in ("slq", "cilq"):
        rg = R.regionalise(A, sections, regional, national, names, method)
        npt.assert_allclose(rg.regional[0], A, atol=1e-15)
    rg = R.regionalise(A, sections, regional, national, names, "flq", 0.3)
    npt.assert_allclose(rg.regional[0], R.flq_scale(scale, 0.3) * A, rtol=1e-12, atol=1e-15)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 7), st.integers(1, 2), METHOD, DELTA)
def test_rest_eliminated_solves_equal_the_full_system(seed, n, regions, method, delta):
    """Eliminating the rest of Russia with the national solution (an LU of K·n unknowns) gives
    the full interregional solution, open and household-closed."""
    rng, A, sections, names, gva, national = economy(seed, n, regions)
    rg = R.regionalise(A, sections, gva, national, names, method, delta)
    L = regions + 1
    y = rng.uniform(0, 10, (L * n, 3))
    full = rg.factorization().solve(y)
    nat = leontief.factorize(A).solve(y.reshape(L, n, 3).sum(axis=0))
    npt.assert_allclose(rg.reduced_factorization().solve(y, nat), full, rtol=1e-9, atol=1e-9)

    income = rng.uniform(0.05, 0.4, n)
    consumption = rng.dirichlet(np.ones(n)) * rng.uniform(0.1, 0.6)
    phi = rng.uniform(0, 1, regions)
    g = rng.uniform(-1, 1, (L, 3))
    rhs = np.vstack([y, g])
    full = rg.closed_factorization(income, consumption, phi, rg.simple_rpc).solve(rhs)
    closure = leontief.Closure(income, consumption)
    nat = leontief.factorize(leontief.closed_coefficients(A, closure)).solve(
        np.vstack([y.reshape(L, n, 3).sum(axis=0), g.sum(axis=0)])
    )
    reduced, order = rg.reduced_closed_factorization(income, consumption, phi, rg.simple_rpc)
    got = np.empty_like(full)
    got[order] = reduced.solve(rhs[order], nat)
    npt.assert_allclose(got, full, rtol=1e-9, atol=1e-9)
