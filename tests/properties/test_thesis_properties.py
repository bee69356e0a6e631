"""Properties of issue 12's two pure rules: localised shares and the cluster's standalone capex."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iomodel.scenario import Cluster, ClusterDeposit, SharedItem
from iomodel.shock import localised_shares


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.floats(0, 1), min_size=5, max_size=5),
    st.lists(st.floats(0, 1), min_size=5, max_size=5),
    st.floats(0, 1),
)
def test_localised_shares_hit_the_target(shares, raw_weights, target):
    """The item's weighted domestic share is the target; every share stays in [0, 1];
    domestic + imported = 1 product by product."""
    d = np.array(shares)
    w = np.array(raw_weights) + 1e-3
    w = (w / w.sum())[None, :]
    out = localised_shares(d, w, np.array([target]))
    assert out.shape == (1, 5)
    assert np.all(out >= -1e-12) and np.all(out <= 1 + 1e-12)
    assert float(w[0] @ out[0]) == pytest.approx(target, abs=1e-9)
    np.testing.assert_allclose(localised_shares(d, w, np.array([np.nan]))[0], d)
    np.testing.assert_allclose(localised_shares(d, w, np.array([w[0] @ d]))[0], d, atol=1e-12)


def _cluster(shares, exponents, n_deposits):
    deposits = tuple(
        ClusterDeposit(f"d{k}", "", "", (f"p{k}",), 0.0, True, "-", "-", (), "x")
        for k in range(n_deposits)
    )
    items = tuple(
        SharedItem(f"i{k}", "", "", s, e, tuple(d.id for d in deposits), None, (), "x")
        for k, (s, e) in enumerate(zip(shares, exponents))
    )
    own = (1.0 - sum(shares)) / n_deposits
    deposits = tuple(replace(d, capex_share=own) for d in deposits)
    return Cluster(deposits, items, (), "x")


@settings(max_examples=200, deadline=None)
@given(
    st.integers(2, 5),
    st.lists(st.floats(0.0, 0.25), min_size=1, max_size=4),
    st.lists(st.floats(0.0, 1.0), min_size=4, max_size=4),
    st.lists(st.floats(0.01, 100.0), min_size=5, max_size=5),
)
def test_cluster_never_costs_more_than_its_deposits_alone(n, shares, exponents, values):
    """Σ standalone capex ≥ cluster capex for any shares, exponents in [0, 1] and outputs."""
    cluster = _cluster(shares, exponents[: len(shares)], n)
    alone = cluster.standalone_shares({f"p{k}": values[k] for k in range(n)})
    assert sum(alone.values()) >= 1.0 - 1e-9
    # with every exponent 1 (no economies of scale) sharing saves nothing
    flat = _cluster(shares, [1.0] * len(shares), n)
    flat_alone = flat.standalone_shares({f"p{k}": values[k] for k in range(n)})
    assert sum(flat_alone.values()) == pytest.approx(1.0)
