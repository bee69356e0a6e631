"""The uncertainty study (issue 15): distributions, basis shocks, batched draws, sensitivity."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from iomodel.errors import ScenarioError, UncertaintyError
from iomodel.impact import run_impact
from iomodel.pipeline import (
    _groups,
    _with_regions,
    productivity_by_sector,
    run_centres,
    with_revenue,
)
from iomodel.readers.regional import load_regional
from iomodel.resources import tables_dir
from iomodel.scenario import Scenario
from iomodel.shock import DIRECT_VARIABLES, Column, build_columns, build_shock
from iomodel.summary import INDICATORS, REGIONAL_INDICATORS, key_figures, load_appraisal
from iomodel.uncertainty import engine
from iomodel.uncertainty.basis import central_values, mixture
from iomodel.uncertainty.distributions import Dirichlet, Scalar, parse_scalar, parse_shares
from iomodel.uncertainty.factors import load_model_uncertainty
from iomodel.uncertainty.regional import grid_weights, regional_basis
from iomodel.uncertainty.revenue import revenue_basis

from .conftest import ROOT, edit

CENTRES = ["kola", "stavropol"]


@pytest.fixture(scope="session")
def small():
    """Kola and Stavropol, central variant: the run, and the study's setup on it (the regional
    step's δ drawn)."""
    run = run_centres(CENTRES, variants=["central"], cases=None)
    appraisal = load_appraisal(tables_dir() / "appraisal.toml")
    setup = engine.prepare(
        run.table,
        run.scenarios,
        run.bridge,
        run.prices,
        load_model_uncertainty(tables_dir() / "uncertainty.toml"),
        appraisal,
        groups=_groups(run.table),
        productivity=productivity_by_sector(run.table),
        delta=load_regional().settings.delta,
    )
    return run, setup, appraisal


@pytest.fixture(scope="session")
def later(small):
    """The revenue and regional bases of the small study."""
    run, setup, _ = small
    prod = productivity_by_sector(run.table)
    return (
        revenue_basis(setup, run.scenarios, run.prices, prod),
        regional_basis(setup, run.scenarios, prod),
    )


def _fixed(setup):
    """``setup`` with every distribution collapsed to its central value."""
    return replace(
        setup,
        factors=tuple(
            replace(
                f,
                distribution=Dirichlet(tuple(f.central), float("inf"))
                if f.size > 1
                else Scalar("fixed", f.central, f.central, f.central),
            )
            for f in setup.factors
        ),
    )


# ------------------------------------------------------------------ distributions


@pytest.mark.parametrize(
    "dist",
    [
        Scalar("uniform", 2.0, 3.0, 4.0),
        Scalar("triangular", 0.37, 0.5, 0.65),
        Scalar("triangular", 0.13, 0.13, 0.14),
        Scalar("pert", 95.0, 100.0, 110.0),
    ],
)
def test_scalars_respect_their_bounds(dist):
    u = np.concatenate([np.random.default_rng(0).random(20_000), [0.0, 1.0]])
    x = dist.ppf(u)
    assert x.min() >= dist.low - 1e-12 and x.max() <= dist.high + 1e-12
    assert x[-2] == pytest.approx(dist.low) and x[-1] == pytest.approx(dist.high)
    assert np.all(np.diff(dist.ppf(np.linspace(0, 1, 101))) >= -1e-12)  # a quantile function


def test_triangular_and_pert_known_moments():
    """Triangular mean (a + b + c)/3; PERT mean (a + 4b + c)/6 (Vose 2008, *Risk Analysis*)."""
    u = (np.arange(50_000) + 0.5) / 50_000
    assert Scalar("triangular", 95, 100, 110).ppf(u).mean() == pytest.approx(305 / 3, rel=1e-4)
    assert Scalar("pert", 95, 100, 110).ppf(u).mean() == pytest.approx(605 / 6, rel=1e-4)


def test_dirichlet_shares_sum_to_one_with_the_stated_means():
    mean = (0.40, 0.30, 0.07, 0.05, 0.13, 0.05)
    dist = Dirichlet(mean, 100.0)
    x = dist.ppf(np.random.default_rng(1).random((40_000, 6)))
    assert np.allclose(x.sum(axis=1), 1.0) and x.min() >= 0
    assert x.mean(axis=0) == pytest.approx(mean, abs=2e-3)
    # variance m(1 − m)/(κ + 1)
    assert x.std(axis=0) == pytest.approx(
        np.sqrt(np.multiply(mean, 1 - np.array(mean)) / 101), rel=0.05
    )
    zero = Dirichlet((0.5, 0.0, 0.5), 50.0).ppf(np.random.default_rng(2).random((100, 3)))
    assert np.all(zero[:, 1] == 0)


def test_bad_distributions_are_refused_with_the_key():
    with pytest.raises(UncertaintyError, match=r"x\.capex: distribution 'gauss'"):
        parse_scalar({"distribution": "gauss"}, "x.capex", UncertaintyError)
    with pytest.raises(UncertaintyError, match="leaves out the central value 100"):
        parse_scalar(
            {"distribution": "triangular", "low": 110, "mode": 120, "high": 130},
            "x.capex",
            UncertaintyError,
            central=100,
        )
    with pytest.raises(UncertaintyError, match=r"values must lie in \[0, 1\]"):
        parse_scalar(
            {"distribution": "uniform", "low": 0.2, "high": 1.2}, "s", UncertaintyError, (0, 1)
        )
    with pytest.raises(UncertaintyError, match="low ≤ mode ≤ high"):
        parse_scalar(
            {"distribution": "pert", "low": 3, "mode": 1, "high": 4}, "s", UncertaintyError
        )
    with pytest.raises(UncertaintyError, match="concentration must be a positive"):
        parse_shares({"distribution": "dirichlet", "concentration": -1}, "p", UncertaintyError, [1])


def test_scenario_uncertainty_block(tmp_path):
    path = tmp_path / "kola.toml"
    path.write_text((ROOT / "shocks" / "kola.toml").read_text())
    with path.open("a") as fh:
        fh.write(
            '\n[uncertainty]\nestimate = "test"\n'
            'capex = {distribution = "pert", low = 90, mode = 100, high = 130}\n'
            'purposes = {distribution = "dirichlet", concentration = 30}\n'
            "jobs = 1300\n"
        )
    scenario = Scenario.load(path)
    assert scenario.uncertainty is not None
    assert scenario.uncertainty.distributions["capex"] == Scalar("pert", 90, 100, 130)
    assert scenario.uncertainty.distributions["jobs"].spread is False
    edit(path, "high = 130}", "high = 99}")
    with pytest.raises(ScenarioError, match=r"uncertainty\.capex: needs low ≤ mode ≤ high"):
        Scenario.load(path)
    edit(path, "mode = 100, high = 99}", "mode = 95, high = 99}")
    with pytest.raises(
        ScenarioError, match=r"uncertainty\.capex: the range 90–99 leaves out the central"
    ):
        Scenario.load(path)


# ------------------------------------------------------------------ basis and draws


def test_basis_at_central_values_is_the_central_shock(small):
    run, setup, _ = small
    for scenario, basis in zip(run.scenarios, setup.bases):
        w = basis.weights(central_values(scenario))[0]
        shock = build_shock(scenario, run.table, run.bridge, run.prices, ["central"])
        years = [int(y) for y in shock.demand.year.values]
        idx = [years.index(y) for y in basis.years]
        for name in ("demand", "imports", "product_taxes", "purchasers", "income"):
            ref = getattr(shock, name).values[0][:, idx]
            assert np.allclose(
                np.tensordot(w, getattr(basis, name), 1), ref, rtol=0, atol=1e-9 * abs(ref).max()
            )
        for name in DIRECT_VARIABLES:
            ref = shock.direct[name].values[0][idx]
            assert np.allclose(
                np.tensordot(w, basis.direct[name], 1), ref, atol=1e-9 * max(abs(ref).max(), 1)
            )


def test_zero_spread_equals_the_deterministic_run(small, later):
    """Every indicator the draws compute — national, budget revenue by level, regional — is
    the deterministic run's when nothing varies (regional budget revenue is not drawn)."""
    run, setup, appraisal = small
    U = engine.sample(setup, 2, seed=3)
    cells = engine.evaluate(setup, U, frozen=range(len(setup.factors)))
    got = engine.indicator_values(setup, cells)
    ref = key_figures(run.dataset, "central", appraisal)
    drawn = [i for i, name in enumerate(INDICATORS) if name in engine.DRAWN]
    for k, centre in enumerate(setup.centres):
        expected = ref.loc[centre].to_numpy(float)[drawn]
        assert np.allclose(got[0, k, drawn], expected, rtol=1e-9, equal_nan=True), centre
        assert np.allclose(got[1, k, drawn], expected, rtol=1e-9, equal_nan=True)
    revenue, regional = later
    ds = engine.simulate(_fixed(setup), 4, 1, revenue=revenue, regional=regional)
    names = [*engine.DRAWN, *engine.REVENUE, *engine.REGIONAL]
    assert set(INDICATORS) - set(names) == {i for i in REGIONAL_INDICATORS if "revenue" in i}
    for centre in setup.centres:
        q = ds.indicator_q.sel(centre=centre, indicator=names).values
        for row in q:
            assert np.allclose(
                row, ref.loc[centre, names].to_numpy(float), rtol=1e-9, equal_nan=True
            )


def test_seeded_draws_are_reproducible(small):
    _, setup, _ = small
    a = engine.summarise(setup, engine.evaluate(setup, engine.sample(setup, 64, seed=7)))
    b = engine.summarise(setup, engine.evaluate(setup, engine.sample(setup, 64, seed=7)))
    c = engine.summarise(setup, engine.evaluate(setup, engine.sample(setup, 64, seed=8)))
    assert a.identical(b)
    assert not np.allclose(a.indicator_q, c.indicator_q, equal_nan=True)


def _looped(run, setup, vals, k, regional=False):
    """One draw of centre ``k`` through the public API: a scenario, a variant and a table with
    the draw's values, ``build_columns``, ``run_impact``, the budget step (and the regional
    step at the draw's δ); key figures of the central run."""
    scenario = run.scenarios[k]
    v = {name: np.asarray(x)[0] for name, x in vals.items()}
    central = scenario.variants["central"]
    variant = replace(
        central,
        capex=float(v["capex"]),
        equipment_import_share=float(v["equipment_import_share"]),
        price_scale=float(v["price_scale"]),
        volume_scale=float(v["volume_scale"]),
    )
    path = setup.bases[k].paths[round(float(v["operating_localisation"]) * 2)]
    column = Column(
        "central",
        variant,
        path,
        purposes=tuple(v["purposes"]),
        costs=tuple(v["costs"][:-1]),
        jobs=float(v["jobs"]),
    )
    base = replace(scenario, stages=(), cluster=None)
    p = run.table.closure_parameters
    table = replace(
        run.table,
        closure_parameters=replace(
            p,
            propensity_to_consume=float(v["propensity_to_consume"]),
            income_tax_rate=float(v["income_tax_rate"]),
        ),
    )
    shock = build_columns(base, table, run.bridge, run.prices, [column])
    prod = productivity_by_sector(table)
    ds = run_impact(table, [shock], productivity=prod, groups=None)
    ds = with_revenue(ds, table, run.prices, [scenario], prod, "II", "default")
    if regional:
        ds = _with_regions(table, [scenario], [shock], ds, prod, None, float(v["flq_delta"]))
    return key_figures(ds, "central", load_appraisal(tables_dir() / "appraisal.toml")).iloc[0]


def _column(setup, centre, name):
    offsets = dict(zip([(f.centre, f.name) for f in setup.factors], setup.offsets()))
    return offsets[(centre, name)]


def test_batched_draws_equal_draws_looped_through_the_public_api(small, later):
    """Every indicator but the regional ones (closure parameters drawn too), draw by draw."""
    run, setup, _ = small
    revenue, _ = later
    U = engine.sample(setup, 3, seed=11)
    for centre in setup.centres:  # localisation paths exactly: least, central, most
        U[:, _column(setup, centre, "operating_localisation")] = [0.0, 0.5, 1.0]
    got = engine.draw_indicators(setup, U, revenue)
    for d in range(3):
        vals = engine.values(setup, U[d : d + 1])
        for k in range(len(setup.centres)):
            ref = _looped(run, setup, vals[k], k).to_numpy(float)
            assert np.allclose(got[d, k], ref, rtol=1e-8, equal_nan=True), (d, setup.centres[k])


def test_regional_draws_equal_the_regional_step_at_the_grid(small, later):
    """The regional indicators of draws whose δ is a grid point (0.2, 0.4) and whose closure
    is central equal the regional step run at that δ through the public API."""
    run, setup, _ = small
    revenue, regional = later
    U = engine.sample(setup, 2, seed=12)
    U[:, _column(setup, None, "flq_delta")] = [1 / 6, 1.0]  # triangular 0.1/0.3/0.4: 0.2, 0.4
    U[:, _column(setup, None, "propensity_to_consume")] = 0.4  # its mode, 0.82
    U[:, _column(setup, None, "income_tax_rate")] = 0.0  # 0.13
    for centre in setup.centres:
        U[:, _column(setup, centre, "operating_localisation")] = 0.5
    deltas = engine.values(setup, U)[0]["flq_delta"]
    assert np.allclose(deltas, [0.2, 0.4])
    got = engine.draw_indicators(setup, U, revenue, regional)
    names = [INDICATORS.index(i) for i in engine.REGIONAL]
    for d in range(2):
        vals = engine.values(setup, U[d : d + 1])
        for k in range(len(setup.centres)):
            ref = _looped(run, setup, vals[k], k, regional=True).to_numpy(float)[names]
            assert np.allclose(got[d, k, names], ref, rtol=1e-8), (d, setup.centres[k])


def test_grid_weights():
    w = grid_weights([0.1, 0.2, 0.3, 0.4], np.array([0.1, 0.25, 0.4, 0.05]))
    assert np.allclose(w, [[1, 0, 0, 0], [0, 0.5, 0.5, 0], [0, 0, 0, 1], [1, 0, 0, 0]])


def test_perturbed_coefficients_equal_the_perturbed_table(small):
    """With a coefficient CV each draw has its own matrix; the batched factorisations give what
    the public API gives on a table built from that draw's matrix."""
    run, setup0, appraisal = small
    setup = replace(
        setup0,
        factors=setup0.factors
        + (
            replace(
                next(f for f in setup0.factors if f.name == "propensity_to_consume"),
                name="coefficients",
                distribution=Scalar("uniform", 0, 0.5, 1),
                central=0.2,
            ),
        ),
    )
    U = engine.sample(setup, 2, seed=5)
    frozen = [i for i, f in enumerate(setup.factors) if f.name != "coefficients"]
    got = engine.indicator_values(setup, engine.evaluate(setup, U, frozen))
    seeds = engine.values(setup, U, frozen)[0]["coefficients"]
    A = engine.perturbed_matrices(run.table.A, 0.2, seeds)
    assert not np.allclose(A[0], run.table.A)
    assert np.allclose(A[0].sum(axis=0), run.table.A.sum(axis=0))
    for d in range(2):
        table = replace(run.table, Z=A[d] * run.table.x)
        ds = run_impact(table, list(run.shocks), productivity=productivity_by_sector(table))
        ref = key_figures(ds, "central", appraisal)[list(engine.DRAWN)]
        for k, centre in enumerate(setup.centres):
            mine = got[d, k, [INDICATORS.index(i) for i in engine.DRAWN]]
            assert np.allclose(mine, ref.loc[centre].to_numpy(float), rtol=1e-8, equal_nan=True)


def test_quantiles_bracket_the_central_run_and_outranking_is_a_probability(small):
    run, setup, appraisal = small
    ds = engine.summarise(setup, engine.evaluate(setup, engine.sample(setup, 400, seed=1)))
    ref = key_figures(run.dataset, "central", appraisal)
    for centre in setup.centres:
        for name in ("discounted_value_added", "construction_employment", "capex"):
            q = ds.indicator_q.sel(centre=centre, indicator=name).values
            assert q[0] <= ref.loc[centre, name] <= q[2]
    p = ds.outrank_probability.values
    assert np.all((p >= 0) & (p <= 1))
    assert np.allclose(p + np.swapaxes(p, 1, 2), 1 - np.eye(2)[None] * 1.0) or np.all(
        p + np.swapaxes(p, 1, 2) <= 1
    )
    assert np.all(np.diagonal(p, axis1=1, axis2=2) == 0)


def test_mixture_weights():
    w = mixture(np.array([0.0, 0.25, 0.5, 1.0]), 3)
    assert np.allclose(w, [[1, 0, 0], [0.5, 0.5, 0], [0, 1, 0], [0, 0, 1]])


def test_sensitivity(small):
    from iomodel.uncertainty.sensitivity import sensitivity

    _, setup, _ = small
    ds = sensitivity(setup, sweep=64, base=64, seed=1)
    kola = ds.sel(centre="kola", headline="construction_employment")
    assert np.isnan(kola.tornado.sel(parameter="volume_scale")).all()  # fixed in Kola's variants
    assert kola.tornado.sel(parameter="capex", bound="low") < kola.tornado.sel(
        parameter="capex", bound="high"
    )
    # capex drives construction jobs more than the price of lithium (which does not move them)
    assert kola.sobol_total.sel(parameter="capex") > kola.sobol_total.sel(parameter="price_scale")
    assert float(kola.sobol_total.sel(parameter="price_scale")) == pytest.approx(0, abs=0.05)


def test_study_in_the_run_dataset():
    run = run_centres(["stavropol"], variants=["central"], cases=None, draws=50, seed=3)
    ds = run.dataset
    assert ds.attrs["uncertainty_draws"] == 50 and "uncertainty.toml" in ds.attrs["inputs_sha256"]
    assert set(ds.indicator_q.indicator.values) == set(INDICATORS)
    assert ds.value_added_q.sizes["year"] == ds.sizes["year"]
    assert float(ds.value_added_group_q.sel(quantile=0.5).sum()) > 0


def test_dask_on_a_local_cluster_equals_in_memory(small, later):
    """The draws on a dask.distributed LocalCluster (threads, for speed) and on local threads
    give the in-memory summary, revenue and regional indicators included."""
    distributed = pytest.importorskip("distributed")
    from iomodel.uncertainty.parallel import simulate_dask

    _, setup, _ = small
    revenue, regional = later
    expected = engine.simulate(setup, 150, 2, revenue=revenue, regional=regional)
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
    ) as cluster:
        on_cluster = simulate_dask(
            setup, 150, 2, cluster.scheduler_address, chunk=50, revenue=revenue, regional=regional
        )
    on_threads = simulate_dask(
        setup, 150, 2, "threads", chunk=64, revenue=revenue, regional=regional
    )
    assert np.isfinite(expected.indicator_q.sel(indicator="discounted_revenue")).all()
    for got in (on_cluster, on_threads):
        for name in expected.data_vars:
            assert np.allclose(got[name], expected[name], rtol=1e-10, atol=1e-9, equal_nan=True), (
                name
            )


def test_simulate_one_centre_at_a_time_equals_summarise(small):
    _, setup, _ = small
    expected = engine.summarise(setup, engine.evaluate(setup, engine.sample(setup, 200, seed=4)))
    got = engine.simulate(setup, 200, 4)
    for name in expected.data_vars:
        assert np.allclose(got[name], expected[name], rtol=1e-12, equal_nan=True), name


def test_revenue_and_regional_draws_spread(small, later):
    _, setup, _ = small
    revenue, regional = later
    ds = engine.simulate(setup, 200, 1, revenue=revenue, regional=regional).indicator_q
    for name in (
        "discounted_revenue",
        "discounted_revenue_regional",
        "discounted_value_added_in_region",
    ):
        q = ds.sel(indicator=name).values
        assert np.all(q[0] < q[2]), name
