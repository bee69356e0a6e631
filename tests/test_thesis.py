"""Issue 12: processing stages, localisation of operating purchases, cluster versus standalone.

The model is linear in its shocks, so a stage must add exactly what the stage alone does;
localisation must move purchases between home and abroad without creating or losing any; the
cluster can never cost more than its deposits developed one by one; and the accounting
identities hold for every case.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from iomodel.errors import ScenarioError
from iomodel.impact import VARIABLES, run_impact
from iomodel.prices import load_prices
from iomodel.scenario import Scenario
from iomodel.shock import Column, build_columns, build_shock, load_bridge
from iomodel.thesis import case_columns

from .conftest import ROOT, edit

DATA = Path(__file__).parent / "data"
MINI = DATA / "mini_thesis.toml"
LEAKS = ("value_added", "imports", "product_taxes")


@pytest.fixture(scope="module")
def prices():
    return load_prices(ROOT / "tables" / "prices")


@pytest.fixture(scope="module")
def bridge(rosstat):
    return load_bridge(DATA / "bridge.toml", rosstat)


@pytest.fixture(scope="module")
def mini():
    return Scenario.load(MINI)


def _column(scenario, name, stages, base=True, **kw):
    central = scenario.variants["central"]
    return Column(name, central, "central", base=base, stages=stages, **kw)


@pytest.fixture(scope="module")
def parts(rosstat, bridge, prices, mini):
    """Type II run of the base, the base with each stage, and each stage alone."""
    columns = [
        _column(mini, "base", (False, False)),
        _column(mini, "with_oxides", (True, False)),
        _column(mini, "with_both", (True, True)),
        _column(mini, "oxides_alone", (True, False), base=False),
        _column(mini, "metal_alone", (False, True), base=False),
    ]
    shock = build_columns(mini, rosstat, bridge, prices, columns)
    return shock, run_impact(rosstat, [shock], "II")


def test_a_stage_adds_exactly_its_increments(parts):
    """base + stage = the base run and the stage's own run summed, variable by variable."""
    _, ds = parts
    run = ds.sel(centre="mini_thesis")
    for k in (*VARIABLES, "capex", "exports", "domestic_sales", "operating_surplus"):
        v = run[k]
        np.testing.assert_allclose(
            v.sel(variant="with_oxides"),
            v.sel(variant="base") + v.sel(variant="oxides_alone"),
            rtol=1e-10,
            atol=1e-7,
            err_msg=k,
        )
        np.testing.assert_allclose(
            v.sel(variant="with_both"),
            v.sel(variant="with_oxides") + v.sel(variant="metal_alone"),
            rtol=1e-10,
            atol=1e-7,
            err_msg=k,
        )
    # and the stage is not nothing: it adds value added and capex
    added = run.value_added.sel(variant="oxides_alone").sum()
    assert float(added) > 0
    assert float(run.capex.sel(variant="oxides_alone").sum()) == pytest.approx(2000.0)


def test_a_stage_at_an_existing_plant_costs_no_capex(parts):
    _, ds = parts
    assert float(ds.capex.sel(variant="metal_alone").sum()) == 0.0
    assert float(ds.value_added.sel(variant="metal_alone").sum()) > 0


def test_feeds_leave_sales_and_enter_own_use(parts):
    """The concentrate a stage processes is no longer sold: sales + own use = output."""
    shock, _ = parts
    d = shock.direct.sel(variant="with_both")
    np.testing.assert_allclose(
        (d.exports + d.domestic_sales + d.own_use).values, d.output.values, atol=1e-9
    )
    # 2026: 60 % of the concentrate (5,000 mn RUB) feeds the oxide plant, half the oxide the
    # metal plant (4,500 × 0.5)
    used = d.own_use.sel(year=2026)
    assert float(used.sel(sector="07.2")) == pytest.approx(0.6 * 5000.0)
    assert float(used.sel(sector="20")) == pytest.approx(0.5 * 4500.0)


def test_new_activity_accounts_close_with_stages(parts):
    """Output = purchases + own use + wages + taxes + surplus for the base and its stages."""
    shock, _ = parts
    d = shock.direct.sel(variant="with_both").sum("sector")
    bought = (shock.demand + shock.imports).sel(variant="with_both", phase="operation")
    np.testing.assert_allclose(
        (d.output - bought.sum("sector") - d.own_use).values, d.value_added.values, atol=1e-7
    )
    np.testing.assert_allclose(
        d.value_added.values,
        (d.compensation + d.taxes + d.operating_surplus).values,
        atol=1e-7,
    )


def test_type1_leakages_equal_output_less_own_use(rosstat, parts):
    shock, _ = parts
    ds = run_impact(rosstat, [shock], "I").sel(centre="mini_thesis", phase="operation")
    leaks = sum(ds[k].sum(["sector", "effect"]) for k in LEAKS)
    own = shock.direct.output.sum("sector") - shock.direct.own_use.sum("sector")
    active = np.abs(own) > 0
    np.testing.assert_allclose(
        (leaks / own.where(active)).where(active, 1.0).values, 1.0, rtol=0, atol=5e-4
    )


def test_a_stage_cannot_process_more_than_is_produced(tmp_path, rosstat, bridge, prices):
    bad = tmp_path / "mini_thesis.toml"
    bad.write_text(MINI.read_text())
    edit(bad, "start_year = 2025\nend_year = 2026", "start_year = 2024\nend_year = 2026")
    scenario = Scenario.load(bad)
    with pytest.raises(ScenarioError, match="process more of 'concentrate'"):
        build_columns(scenario, rosstat, bridge, prices, [_column(scenario, "x", (True, False))])


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('product = "concentrate"\nshare = 0.6', 'product = "nothing"\nshare = 0.6', "earlier"),
        ('product = "oxide"\nshare = 0.5', 'product = "metal"\nshare = 0.5', "earlier stage"),
        ("capex_share = 0.6", "capex_share = 0.7", "sum to 1.100000"),
        ('products = ["byproduct"]', 'products = ["concentrate"]', "exactly one deposit"),
        ("exponent = 0.6", "exponent = 1.6", "above the maximum"),
        ('spares = [[2021, "table"]]', 'spares = [[2021, "tabel"]]', "tabel"),
        ("reagents = [[2024, 0.6]]", "reagents = [[2024, 0.6], [2023, 0.7]]", "must rise"),
        ("[operation.domestic_share.high]", "[operation.domestic_share.highest]", "no variant"),
        ("planned = false\nsite_ru", 'planned = "no"\nsite_ru', "true"),
        ('reason_ru = "бедные руды"\n', "", "reason_ru"),
        ("capex = 2.0\n", "capex = 2.0e5\n", "ceiling"),
        ("construction = 1.0\nmachinery = 0.0", "construction = 0.9\nmachinery = 0.0", "sum to"),
    ],
)
def test_bad_thesis_blocks_are_refused(tmp_path, old, new, message):
    bad = tmp_path / "mini_thesis.toml"
    bad.write_text(MINI.read_text())
    edit(bad, old, new)
    with pytest.raises(ScenarioError, match=message) as err:
        Scenario.load(bad)
    assert str(bad) in str(err.value)


def test_localisation_conserves_purchases(rosstat, bridge, prices, mini):
    """Every localisation path moves purchases between home and abroad, never their total."""
    columns = case_columns(mini)
    shock = build_shock(mini, rosstat, bridge, prices, ["low", "central", "high"], columns)
    for part in (shock, shock.cases):
        dim = part.demand.dims[0]
        bought = (part.demand + part.imports).sel(phase="operation")
        first = bought.isel({dim: 0})
        # low and high localisation are the same volume: identical purchases, other split
        if dim == "case":
            same = bought.sel(case=["localisation_low", "localisation_high"])
            np.testing.assert_allclose(same.isel(case=0), same.isel(case=1), rtol=1e-12)
            home = part.demand.sel(phase="operation", case="localisation_high").sum()
            assert float(home) > float(
                part.demand.sel(phase="operation", case="localisation_low").sum()
            )
        assert float(first.sum()) > 0


def test_domestic_share_paths_by_variant(rosstat, bridge, prices, mini):
    """With spares the only purchase, the domestic share of purchases is the variant's path:
    the table's mix held (low), 0.95 from 2026 (high), and in between for central."""
    from iomodel.shock import _domestic_intermediate_share

    d, _ = _domestic_intermediate_share(rosstat)
    mix = float(bridge.opex.loc["spares"].to_numpy() @ d)
    costs = {k: 0.0 for k in mini.operation.costs} | {"spares": 0.3}
    only = replace(mini, operation=replace(mini.operation, costs=costs), stages=(), cluster=None)
    shock = build_shock(only, rosstat, bridge, prices, ["low", "central", "high"])
    home = shock.demand.sel(phase="operation").sum("sector")
    total = (shock.demand + shock.imports).sel(phase="operation").sum("sector")
    share = (home / total).sel(year=[2025, 2026])
    np.testing.assert_allclose(share.sel(variant="low"), mix, rtol=1e-12)
    np.testing.assert_allclose(share.sel(variant="high", year=2026), 0.95, rtol=1e-12)
    central = mix + (0.85 - mix) * (np.array([2025, 2026]) - 2021) / 9
    np.testing.assert_allclose(share.sel(variant="central"), central, rtol=1e-12)


def test_standalone_case_drops_what_only_the_cluster_works(rosstat, bridge, prices, mini):
    shock = build_shock(mini, rosstat, bridge, prices, ["central"], case_columns(mini))
    cases = shock.cases
    assert list(cases.demand.case.values) == [
        "base",
        "stage_1",
        "stage_2",
        "localisation_low",
        "localisation_high",
        "standalone",
    ]
    values = {p.id: p.value for p in mini.operation.products}
    ratio, _ = mini.cluster.standalone(values, mini.construction.purposes)
    capex = cases.purchasers.sel(phase="construction").sum("year")
    assert float(capex.sel(case="standalone")) == pytest.approx(
        ratio * float(capex.sel(case="base"))
    )
    # the small deposit is worked only inside the cluster: its by-product is gone standalone
    out = cases.direct.output.sel(year=2026).sum("sector")
    assert float(out.sel(case="base") - out.sel(case="standalone")) == pytest.approx(1000.0)
    # every deposit developed alone (the small one too) would cost more than the cluster
    assert sum(mini.cluster.standalone_shares(values).values()) > 1.0


def test_no_cases_without_their_variant(mini):
    assert case_columns(mini, "missing") == []


def test_the_template_documents_a_valid_thesis_example(rosstat, bridge, prices):
    """shocks/TEMPLATE.toml's stage, paths and cluster build every case without error."""
    template = Scenario.load(ROOT / "shocks" / "TEMPLATE.toml")
    columns = case_columns(template)
    shock = build_shock(template, rosstat, bridge, prices, None, columns)
    names = list(shock.cases.demand.case.values)
    assert names == ["base", "stage_1", "localisation_low", "localisation_high", "standalone"]
    own = shock.cases.direct.own_use.sel(case="stage_1").sum()
    assert float(own) > 0


@pytest.fixture(scope="module")
def shipped():
    """Kola (two stages, one without capex; a cluster sharing nothing) and South Siberia (two
    stages; a cluster with a deposit worked only inside it), Type II with cases."""
    from iomodel.pipeline import run_centres

    return run_centres(["kola", "south_siberia"]).dataset


@pytest.fixture(scope="module")
def appraisal():
    from iomodel.summary import load_appraisal

    return load_appraisal(ROOT / "tables" / "appraisal.toml")


def test_thesis_table_rows_add_up(shipped, appraisal):
    from iomodel.thesis import thesis_table

    t = thesis_table(shipped, appraisal).set_index(["centre", "case"])
    for k in ("capex", "value_added_discounted", "job_years", "adjacent_output_discounted"):
        centres = t.loc[[("kola", "base"), ("south_siberia", "base")], k].sum()
        assert t.loc[("all", "base"), k] == pytest.approx(centres)
    # a stage's delta is the difference from the previous case, its marginal ratio delta / capex
    kola = t.loc["kola"]
    d = (
        kola.loc["stage_2", "value_added_discounted"]
        - kola.loc["stage_1", "value_added_discounted"]
    )
    assert kola.loc["stage_2", "delta_value_added_discounted"] == pytest.approx(d)
    assert kola.loc["stage_2", "marginal_value_added_per_rouble"] == pytest.approx(
        d / kola.loc["stage_2", "delta_capex_discounted"]
    )
    # Solikamsk's existing plant: value added without capex, so no ratio of its own
    assert kola.loc["stage_1", "delta_capex"] == pytest.approx(0.0, abs=1e-9)
    assert kola.loc["stage_1", "delta_value_added_discounted"] > 0
    assert np.isnan(kola.loc["stage_1", "marginal_value_added_per_rouble"])
    # Kola's deposits share nothing: standalone is the cluster
    assert kola.loc["standalone", "capex"] == pytest.approx(kola.loc["base", "capex"])
    # South Siberia standalone drops Beloziminskoye (capex and output) and is never dearer
    ss = t.loc["south_siberia"]
    assert ss.loc["standalone", "capex"] < ss.loc["base", "capex"]
    assert ss.loc["standalone", "delta_value_added_discounted"] < 0
    # budget revenue per case (the fiscal block): all centres are the sum of the centres
    centres = t.loc[[("kola", "base"), ("south_siberia", "base")], "revenue_discounted"].sum()
    assert t.loc[("all", "base"), "revenue_discounted"] == pytest.approx(centres)
    assert (t["revenue_per_rouble"] > 0).all()
    d = kola.loc["stage_2", "revenue_discounted"] - kola.loc["stage_1", "revenue_discounted"]
    assert kola.loc["stage_2", "marginal_revenue_per_rouble"] == pytest.approx(
        d / kola.loc["stage_2", "delta_capex_discounted"]
    )
    # without the fiscal block the revenue columns are empty, not zero
    bare = thesis_table(shipped.drop_vars("case_revenue"), appraisal)
    assert bare["revenue_per_rouble"].isna().all() and bare["revenue_discounted"].isna().all()


def test_base_case_revenue_is_the_main_revenue(shipped):
    """The base case is the central variant: pay per worker by product and year does not
    depend on the mix of cases, so its revenue equals the run's ``revenue`` of the central
    variant in every tax, budget level, effect, phase and year (to rounding)."""
    base = shipped.case_revenue.sel(case="base", drop=True)
    main = shipped.revenue.sel(variant="central", drop=True).transpose(*base.dims)
    assert base.shape == main.shape and float(abs(main).max()) > 0
    np.testing.assert_allclose(base.values, main.values, rtol=1e-9, atol=1e-9)


def test_stage_case_revenue(shipped):
    """A case's revenue is never negative in a year; a stage that adds output adds revenue
    over the horizon (it may cost revenue in a year its depreciation exceeds its margin); a case
    a centre does not have has no revenue (NaN), like its other ``case_*`` variables."""
    revenue = shipped.case_revenue.sum(["phase", "effect", "tax", "budget"])
    own = shipped.case_own_output.sum("group")
    checked = 0
    for centre in ("kola", "south_siberia"):
        stages = [c for c in shipped.case.values.tolist() if c.startswith("stage_")]
        for previous, stage in zip(["base", *stages], stages):
            if not bool(shipped.case_capex.sel(centre=centre, case=stage).notnull().any()):
                continue
            by_year = revenue.sel(centre=centre, case=stage)
            assert float(by_year.min()) >= 0.0
            adds = own.sel(centre=centre, case=stage) - own.sel(centre=centre, case=previous)
            assert float(adds.max()) > 0
            gain = by_year - revenue.sel(centre=centre, case=previous)
            assert float(gain.where(adds > 0).sum()) > 0
            checked += 1
    assert checked >= 3
    defined = shipped.case_capex.notnull().any(["phase", "year"])
    has_revenue = shipped.case_revenue.notnull().all(["phase", "year", "effect", "tax", "budget"])
    assert (has_revenue == defined).all()


def test_localisation_gain_both_phases(shipped):
    from iomodel.thesis import localisation_gain

    g = localisation_gain(shipped).set_index(["centre", "phase", "group"])
    np.testing.assert_allclose(g["output_gain"], g["output_high"] - g["output_low"])
    for phase in ("construction", "operation"):
        assert g.loc[("kola", phase, "machine_building"), "output_gain"] > 0
        assert g.loc[("kola", phase, "total"), "employment_gain"] > 0


def test_views_carry_the_thesis_sheets(shipped, appraisal):
    from iomodel.summary import load_groups, views

    groups = load_groups(ROOT / "tables" / "rosstat-2021" / "sector_groups.toml", _table())
    sheets = views(shipped, groups, appraisal)
    assert {"thesis", "thesis_localisation"} <= set(sheets)
    assert sheets["thesis"]["case_label_ru"].notna().all()


def _table():
    from iomodel.readers import load_table

    return load_table("rosstat-2021")


def test_cli_compare_thesis(shipped, appraisal):
    """`iomodel compare --thesis` prints the thesis table (JSON: every case of every centre and
    of all together; text: one line a case); a variant other than central is refused."""
    import json

    from click.testing import CliRunner

    from iomodel.cli import _thesis_text, main
    from iomodel.pipeline import Run

    runner = CliRunner()
    out = runner.invoke(main, ["compare", "--thesis", "--quiet", "--format", "json"])
    assert out.exit_code == 0, out.output
    records = json.loads(out.output)
    cases = {(r["centre"], r["case"]) for r in records}
    assert {("kola", "stage_2"), ("south_siberia", "standalone"), ("all", "stages_all")} <= cases
    assert all(r["revenue_per_rouble"] > 0 for r in records)  # every case has budget revenue
    run = Run(_table(), None, None, (), (), shipped)  # type: ignore[arg-type]
    text = _thesis_text(run, appraisal, "II", "text")
    assert "stage va/rouble" in text and "revenue/rouble" in text
    kola_base = next(line for line in text.splitlines() if line.startswith("kola  "))
    revenue_cell = kola_base[18 + 19 + 4 * 16 : 18 + 19 + 5 * 16]  # the fifth column
    assert float(revenue_cell) > 0  # the base case's budget revenue per rouble
    assert len(text.splitlines()) == 2 + len(json.loads(_thesis_text(run, appraisal, "II", "json")))
    refused = runner.invoke(main, ["compare", "--thesis", "--variant", "low", "--quiet"])
    assert refused.exit_code != 0 and "central variant" in refused.output
