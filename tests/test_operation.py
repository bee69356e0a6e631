"""The operation phase (issue 8): imports counted once, price apart from volume, scheduled taxes.

The new-industry method (Miller & Blair 2009, §13.1) makes every rouble of the new activity's
output end up, through its own accounts and its supply chain, as value added, imports or net
product taxes of someone: with the open model (Type I) the three add up to the new output exactly,
up to the table's own small residual rows (purchases of non-residents P34 and the CIF/FOB
adjustment P6a, below 0.05 % of any product's output).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from iomodel.impact import run_impact
from iomodel.prices import load_prices
from iomodel.scenario import Scenario
from iomodel.shock import build_shock, load_bridge

from .conftest import ROOT

DATA = Path(__file__).parent / "data"
LEAKS = ["value_added", "imports", "product_taxes"]


@pytest.fixture(scope="module")
def prices():
    return load_prices(ROOT / "tables" / "prices")


@pytest.fixture(scope="module")
def bridge(rosstat):
    return load_bridge(DATA / "bridge.toml", rosstat)


@pytest.fixture(scope="module")
def mini():
    return Scenario.load(DATA / "mini.toml")


def _with_variants(scenario: Scenario, **changes: dict) -> Scenario:
    """The scenario with extra variants derived from its central one."""
    base = scenario.variants["central"]
    extra = {name: replace(base, name=name, **kw) for name, kw in changes.items()}
    return replace(scenario, variants={**scenario.variants, **extra})


def test_operation_leakages_add_up_to_the_new_output(rosstat, bridge, prices, mini):
    """Type I: direct + indirect value added + imports + product taxes = the new output."""
    shock = build_shock(mini, rosstat, bridge, prices)
    ds = run_impact(rosstat, [shock], "I")
    op = ds.sel(phase="operation").sum(["sector", "effect"])
    new_output = ds.output.sel(phase="operation", effect="direct").sum("sector")
    leaks = sum(op[k] for k in LEAKS)
    running = new_output > 0
    np.testing.assert_allclose(
        (leaks / new_output).where(running, 1.0).values, 1.0, rtol=0, atol=5e-4
    )


def test_imports_of_the_new_activity_counted_once(rosstat, bridge, prices, mini):
    shock = build_shock(mini, rosstat, bridge, prices, ["central"])
    ds = run_impact(rosstat, [shock], "I")
    direct = ds.imports.sel(phase="operation", effect="direct", variant="central").sum("sector")
    np.testing.assert_allclose(
        direct.values[0], shock.imports.sel(phase="operation").sum("sector").values[0]
    )
    # 2025 at design output: purchases are 40 % of 5,000; the imported part leaks once
    bought = float(
        (shock.demand + shock.imports).sel(variant="central", phase="operation", year=2025).sum()
    )
    assert bought == pytest.approx(2000.0)
    assert "imports" not in shock.direct


def test_price_moves_value_not_jobs_or_purchases(rosstat, bridge, prices, mini):
    scenario = _with_variants(mini, dearer={"price_scale": 1.3})
    shock = build_shock(scenario, rosstat, bridge, prices, ["central", "dearer"])
    ds = run_impact(rosstat, [shock], "II")
    a, b = (ds.sel(centre="mini", phase="operation", variant=v) for v in ("central", "dearer"))
    for k in ("employment", "imports", "compensation"):
        np.testing.assert_allclose(b[k].values, a[k].values, rtol=1e-12, atol=1e-9)
    for part in (shock.demand, shock.imports):
        op = part.sel(phase="operation")
        np.testing.assert_allclose(op.sel(variant="dearer"), op.sel(variant="central"))
    new_a = shock.direct.sel(variant="central")
    new_b = shock.direct.sel(variant="dearer")
    np.testing.assert_allclose(new_b.output, 1.3 * new_a.output)
    np.testing.assert_allclose(new_b.value_added - new_a.value_added, 0.3 * new_a.output)
    np.testing.assert_allclose(new_b.mineral_extraction_tax, 1.3 * new_a.mineral_extraction_tax)
    np.testing.assert_allclose(new_b.property_tax, new_a.property_tax)
    np.testing.assert_allclose(new_b.employment, new_a.employment)


def test_volume_moves_jobs_and_purchases(rosstat, bridge, prices, mini):
    scenario = _with_variants(mini, bigger={"volume_scale": 1.5})
    shock = build_shock(scenario, rosstat, bridge, prices, ["central", "bigger"])
    d = shock.direct
    np.testing.assert_allclose(
        d.employment.sel(variant="bigger"), 1.5 * d.employment.sel(variant="central")
    )
    op = shock.demand.sel(phase="operation")
    np.testing.assert_allclose(op.sel(variant="bigger"), 1.5 * op.sel(variant="central"))


def test_direct_jobs_follow_the_ramp_up(rosstat, bridge, prices, mini):
    shock = build_shock(mini, rosstat, bridge, prices, ["central"])
    jobs = shock.direct.employment.sel(variant="central").sum("sector")
    assert float(jobs.sel(year=2024)) == pytest.approx(250.0)  # ramp-up 0.5 of 500
    assert float(jobs.sel(year=2025)) == pytest.approx(500.0)
    staffed = replace(mini, operation=replace(mini.operation, jobs_ramp_up=(0.9,)))
    shock = build_shock(staffed, rosstat, bridge, prices, ["central"])
    jobs = shock.direct.employment.sel(variant="central").sum("sector")
    assert float(jobs.sel(year=2024)) == pytest.approx(450.0)


def test_mineral_extraction_tax_steps_by_month(rosstat, bridge, prices, mini):
    """mini: 8 % on half the concentrate's value, × 0.1 for 18 months from July 2024."""
    shock = build_shock(mini, rosstat, bridge, prices, ["central"])
    d = shock.direct.sel(variant="central").sum("sector")
    rate = {2024: 0.08 * (6 * 0.1 + 6) / 12, 2025: 0.008, 2026: 0.08}
    for year, r in rate.items():
        expected = float(d.output.sel(year=year)) * 0.5 * r
        assert float(d.mineral_extraction_tax.sel(year=year)) == pytest.approx(expected)


def test_property_tax_on_the_depreciating_asset(rosstat, bridge, prices, mini):
    """2.2 % × half of capex (10 bn of 2021 = 10,000 units) × (1 − (age + 0.5)/20)."""
    shock = build_shock(mini, rosstat, bridge, prices, ["central"])
    tax = shock.direct.property_tax.sel(variant="central").sum("sector")
    for year in (2024, 2025, 2026):
        residual = 1 - (year - 2024 + 0.5) / 20
        assert float(tax.sel(year=year)) == pytest.approx(0.022 * 0.5 * 10000.0 * residual)


def test_operating_surplus_is_the_remainder(rosstat, bridge, prices, mini):
    shock = build_shock(mini, rosstat, bridge, prices)
    d = shock.direct
    np.testing.assert_allclose(
        d.operating_surplus + d.compensation + d.taxes, d.value_added, atol=1e-9
    )
    np.testing.assert_allclose(
        d.taxes, d.mineral_extraction_tax + d.property_tax + d.other_taxes, atol=1e-9
    )


def test_exports_and_domestic_sales(rosstat, bridge, prices, mini):
    shock = build_shock(mini, rosstat, bridge, prices, ["central"])
    d = shock.direct.sel(variant="central")
    np.testing.assert_allclose(d.exports, 0.5 * d.output)
    np.testing.assert_allclose(d.exports + d.domestic_sales, d.output)


def test_installation_keeps_the_tables_domestic_share(rosstat, prices, mini):
    real = load_bridge(ROOT / "tables" / "rosstat-2021" / "bridge.toml", rosstat)
    shock = build_shock(mini, rosstat, real, prices, ["low", "high"])
    cons = shock.demand + shock.imports
    share = shock.imports.sel(phase="construction", sector="33").sum("year") / cons.sel(
        phase="construction", sector="33"
    ).sum("year")
    np.testing.assert_allclose(share.values, 1 - 0.8922, rtol=1e-9)


def test_property_tax_only_on_assets_in_use(rosstat, bridge, prices, mini):
    """Operation from 2023 while 60 % of capex is still spent that year: each vintage enters the
    base when it is in use, and nothing is taxed before operation starts."""
    early = replace(mini, operation=replace(mini.operation, start_year=2023))
    shock = build_shock(early, rosstat, bridge, prices, ["central"])
    tax = shock.direct.property_tax.sel(variant="central").sum("sector")
    rate = 0.022 * 0.5
    assert float(tax.sel(year=2022)) == 0
    assert float(tax.sel(year=2023)) == pytest.approx(rate * 10000.0 * (1 - 0.5 / 20))
    assert float(tax.sel(year=2025)) == pytest.approx(rate * 10000.0 * (1 - 2.5 / 20))
    spent_2022 = replace(early, construction=replace(early.construction, profile=(1.0, 0.0)))
    shock = build_shock(spent_2022, rosstat, bridge, prices, ["central"])
    tax = shock.direct.property_tax.sel(variant="central").sum("sector")
    assert float(tax.sel(year=2022)) == 0  # built, not yet in use
