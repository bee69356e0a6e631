"""The impact engine, its summaries and exports."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from iomodel.export import read_csv, read_netcdf, tidy, write_csv, write_excel, write_netcdf
from iomodel.impact import VARIABLES, run_impact
from iomodel.pipeline import workbook_money_unit
from iomodel.prices import load_prices
from iomodel.scenario import Scenario
from iomodel.shock import build_shock, load_bridge
from iomodel.summary import compare, key_figures, load_appraisal, load_groups, localisation, views
from iomodel.workbook import sheets

from .conftest import ROOT

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def parts(rosstat):
    prices = load_prices(ROOT / "tables" / "prices")
    bridge = load_bridge(DATA / "bridge.toml", rosstat)
    mini = Scenario.load(DATA / "mini.toml")
    # a second centre: the same file scaled, under another id
    other = Scenario.load(DATA / "mini.toml")
    from dataclasses import replace

    other = replace(
        other,
        centre=replace(other.centre, id="mini2"),
        variants={k: replace(v, capex=v.capex * 3) for k, v in other.variants.items()},
    )
    shocks = [build_shock(s, rosstat, bridge, prices) for s in (mini, other)]
    return dict(prices=prices, bridge=bridge, scenarios=(mini, other), shocks=shocks)


@pytest.fixture(scope="module")
def ds(rosstat, parts):
    return run_impact(rosstat, parts["shocks"], "II")


def test_dims_and_attrs(ds):
    assert set(ds.dims) == {"centre", "variant", "phase", "year", "sector", "effect"}
    assert list(ds.effect.values) == ["direct", "indirect", "induced"]
    assert set(VARIABLES) <= set(ds.data_vars)
    assert ds.attrs["table_id"] == "rosstat-2021" and ds.attrs["closure"] == "default"
    assert "baz_tzv-2021.xlsx" in ds.attrs["table_files_sha256"]


def test_direct_equals_shock(ds, parts):
    shock = parts["shocks"][0]
    direct = ds.output.sel(centre="mini", effect="direct", phase="construction")
    np.testing.assert_allclose(direct.values, shock.demand.sel(phase="construction").values)
    op = ds.output.sel(centre="mini", effect="direct", phase="operation")
    np.testing.assert_allclose(op.values, shock.direct.output.values)


def test_effects_add_up_to_total(rosstat, ds, parts):
    """direct + indirect + induced = the closed model's total output for every cell."""
    from iomodel import leontief
    from iomodel.multipliers import household_closure

    shock = parts["shocks"][0]
    y = shock.demand.sel(variant="central", phase="construction", year=2022).values
    closed = leontief.factorize(leontief.closed_coefficients(rosstat.A, household_closure(rosstat)))
    total = closed.solve(np.append(y, 0.0))[: rosstat.n]
    got = ds.output.sel(centre="mini", variant="central", phase="construction", year=2022).sum(
        "effect"
    )
    np.testing.assert_allclose(got.values, total, rtol=1e-10, atol=1e-9)


def test_linearity_in_the_shock(ds):
    a = ds.sel(centre="mini", phase="construction")
    b = ds.sel(centre="mini2", phase="construction")
    for v in VARIABLES:
        np.testing.assert_allclose(b[v].values, 3 * a[v].values, rtol=1e-10, atol=1e-9)


def test_subset_equals_subset_of_all(rosstat, ds, parts):
    alone = run_impact(rosstat, parts["shocks"][1:], "II")
    for v in VARIABLES:
        np.testing.assert_allclose(
            alone[v].sel(centre="mini2").values,
            ds[v].sel(centre="mini2", year=alone.year).values,
            rtol=1e-12,
        )


def test_type1_is_type2_without_induced(rosstat, ds, parts):
    t1 = run_impact(rosstat, parts["shocks"], "I")
    assert list(t1.effect.values) == ["direct", "indirect"]
    for v in VARIABLES:
        np.testing.assert_allclose(
            t1[v].values, ds[v].sel(effect=["direct", "indirect"]).values, rtol=1e-12, atol=1e-12
        )
    assert (ds.output.sel(effect="induced") >= -1e-9).all()


def test_leakages_recorded(ds, parts):
    shock = parts["shocks"][0]
    imported = ds.imports.sel(centre="mini", effect="direct", phase="construction").sum("sector")
    from_shock = shock.imports.sel(phase="construction").sum("sector")
    assert (imported >= from_shock - 1e-9).all()
    assert float(ds.capex.sel(centre="mini", variant="central").sum()) == pytest.approx(10000.0)


def test_round_trip_netcdf_csv_excel(tmp_path, rosstat, ds, parts):
    nc = read_netcdf(write_netcdf(ds, tmp_path / "impact.nc"))
    xr.testing.assert_allclose(nc[list(VARIABLES)], ds[list(VARIABLES)])
    assert nc.attrs == ds.attrs
    csv = read_csv(write_csv(ds, tmp_path / "impact.csv"))
    pd.testing.assert_frame_equal(csv, tidy(ds), check_dtype=False)
    total = csv.query("variable == 'output' and centre == 'mini'")["value"].sum()
    assert total == pytest.approx(float(ds.output.sel(centre="mini").sum()), rel=1e-12)
    appraisal = load_appraisal(ROOT / "tables" / "appraisal.toml")
    groups = load_groups(ROOT / "tables" / "rosstat-2021" / "sector_groups.toml", rosstat)
    tables = views(ds, groups, appraisal)
    money = workbook_money_unit("RUB", 2021)
    for lang, title, header in (
        ("en", "Key figures", f"Value added, discounted, {money[1]}"),
        ("ru", "Основные показатели", f"ДС, дисконтированная, {money[0]}"),
    ):
        path = tmp_path / f"impact.{lang}.xlsx"
        write_excel(path, sheets(tables, {"table": "rosstat-2021"}, 1e-3, money, lang))
        back = pd.read_excel(path, sheet_name=title)
        assert (back[header] * 1e3).tolist() == pytest.approx(  # in bn, the Dataset in mn
            tables["key_figures"]["discounted_value_added"].tolist()
        )


def test_failed_write_keeps_the_old_file(tmp_path, ds):
    target = tmp_path / "impact.nc"
    write_netcdf(ds, target)
    before = target.read_bytes()
    with pytest.raises(TypeError):
        write_netcdf(ds.assign_attrs(bad={"not": "serialisable"}), target)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["impact.nc"]


def test_summaries(rosstat, ds, parts):
    appraisal = load_appraisal(ROOT / "tables" / "appraisal.toml")
    kf = key_figures(ds, "central", appraisal)
    assert kf.loc["mini2", "capex"] == pytest.approx(3 * kf.loc["mini", "capex"])
    assert kf.loc["mini", "output_per_capex"] == pytest.approx(kf.loc["mini2", "output_per_capex"])
    assert kf.loc["mini", "operation_employment"] > 500  # direct jobs plus the chain
    ranked = compare(ds, "central", appraisal, "construction_output")
    assert ranked.index.tolist() == ["mini2", "mini"] and ranked["rank"].tolist() == [1, 2]
    groups = load_groups(ROOT / "tables" / "rosstat-2021" / "sector_groups.toml", rosstat)
    loc = localisation(parts["scenarios"][0], rosstat, parts["bridge"], parts["prices"], groups)
    assert loc["machine_output_gain"] > 0 and loc["machine_jobs_gain"] > 0
    assert loc["import_share_high"] == 0.65 and loc["import_share_low"] == 0.37
