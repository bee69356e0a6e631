"""Property-based tests (hypothesis) on random productive tables."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.testing as npt
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from iomodel import leontief
from iomodel.multipliers import multiplier_table, type1, type2
from iomodel.table import ClosureParameters, IOTable, Roles, TableMeta, Tolerance

ROLES = Roles(
    household_consumption="households",
    compensation="labour",
    value_added=("labour", "surplus"),
    imports=("imports",),
    product_taxes=("taxes",),
    production_taxes=(),
)
CLOSURE = ClosureParameters(
    income_tax_rate=0.13,
    propensity_to_consume=0.8,
    wage_share=0.8,
    domestic_share=0.75,
    sources={"income_tax_rate": "test"},
)


def make_table(seed: int, n: int, order: np.ndarray | None = None) -> IOTable:
    """A random productive table built from A (column sums < 0.9) and final demand y > 0."""
    rng = np.random.default_rng(seed)
    A = rng.uniform(0, 1, (n, n)) * (rng.uniform(0.05, 0.9, n) / n)
    y = rng.uniform(1, 100, n)
    x = np.linalg.solve(np.eye(n) - A, y)
    Z = A * x
    hh = rng.uniform(0.2, 0.8, n)
    rest = x - Z.sum(axis=0)
    shares = rng.dirichlet(np.ones(4), n).T  # labour, surplus, imports, taxes
    shares[0] = np.maximum(shares[0], 0.05)
    shares /= shares.sum(axis=0)
    V = shares * rest
    emp = rng.uniform(0, 5, n) * x / 100
    codes = [f"s{i}" for i in range(n)]
    order = np.arange(n) if order is None else order
    c = [codes[i] for i in order]
    meta = TableMeta(
        id="random",
        name="random",
        year=2021,
        currency="RUB",
        unit=1.0,
        price_basis="test",
        source="test",
        path=Path("random"),
    )
    sectors = pd.DataFrame({"label_ru": c, "label_en": c}, index=pd.Index(c, name="code"))
    Zp = Z[np.ix_(order, order)]
    return IOTable.build(
        meta=meta,
        sectors=sectors,
        Z=pd.DataFrame(Zp, index=c, columns=c),
        Y=pd.DataFrame({"households": (y * hh)[order], "other": (y * (1 - hh))[order]}, index=c),
        V=pd.DataFrame(V[:, order], index=["labour", "surplus", "imports", "taxes"], columns=c),
        employment=pd.Series(emp[order], index=c),
        roles=ROLES,
        closure_parameters=CLOSURE,
        tolerance=Tolerance(relative=1e-9),
    )


tables = st.builds(make_table, st.integers(0, 2**32 - 1), st.integers(2, 8))


@settings(max_examples=60, deadline=None)
@given(tables, st.integers(0, 2**32 - 1), st.floats(-5, 5), st.floats(-5, 5))
def test_linearity(table, seed, a, b):
    rng = np.random.default_rng(seed)
    y1, y2 = rng.uniform(0, 10, table.n), rng.uniform(0, 10, table.n)
    solve = table.factorization.solve
    npt.assert_allclose(solve(a * y1 + b * y2), a * solve(y1) + b * solve(y2), atol=1e-8)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(2, 7), st.randoms(use_true_random=False))
def test_permutation_invariance(seed, n, rnd):
    order = np.array(rnd.sample(range(n), n))
    base = multiplier_table(make_table(seed, n))
    permuted = multiplier_table(make_table(seed, n, order))
    pd.testing.assert_frame_equal(
        base.drop(columns="label"), permuted.loc[base.index].drop(columns="label"), rtol=1e-9
    )


@settings(max_examples=60, deadline=None)
@given(tables, st.sampled_from(["textbook", "default"]))
def test_type2_at_least_type1_at_least_one(table, closure):
    t1, t2 = type1(table), type2(table, closure)
    assert (t1["output"] >= 1 - 1e-12).all()
    for effect in t1.columns:
        assert (t2[effect] >= t1[effect] - 1e-12).all(), effect


@settings(max_examples=60, deadline=None)
@given(tables, st.sampled_from(["textbook", "default"]))
def test_income_ratio_type2_over_type1_equal_across_sectors(table, closure):
    m = multiplier_table(table, closure)
    ratio = (m["income_ratio_type2"] / m["income_ratio_type1"]).to_numpy()
    npt.assert_allclose(ratio, ratio[0], rtol=1e-9)


@settings(max_examples=60, deadline=None)
@given(tables)
def test_inverse_and_leakage_identities(table):
    L = leontief.leontief_inverse(table.A)
    npt.assert_allclose(L @ (np.eye(table.n) - table.A), np.eye(table.n), atol=1e-10)
    npt.assert_allclose(L @ table.Y.sum(axis=1), table.x, rtol=1e-9)
    leak = table.factorization.solve_transposed(table.coefficients(table.primary_inputs))
    npt.assert_allclose(leak, 1.0, rtol=1e-9)
