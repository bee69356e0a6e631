"""The regional step of a run (iomodel.regional_impact) on the shipped centres.

Identities on the shipped runs (every centre, variant, phase, year and effect): the locations add
up to the national result; abroad holds the imports and nothing else; a centre has nothing in
another centre's regions.  Theory: what stays in the region never rises with δ for variables
with non-negative coefficients.  Behaviour: fly-in/fly-out moves induced effects to the rest of
Russia and leaves totals unchanged; on-site products are bought in the region; products made
outside are not.  Refusals: unknown regions, splits naming other regions, unknown products.
"""

from __future__ import annotations

import dataclasses
import json
import shutil

import numpy as np
import numpy.testing as npt
import pytest
import xarray as xr

from iomodel import regional as R
from iomodel.errors import ScenarioError
from iomodel.impact import VARIABLES
from iomodel.multipliers import household_closure
from iomodel.pipeline import productivity_by_sector, run_centres
from iomodel.readers.regional import load_regional, regionalise_table
from iomodel.regional_impact import (
    ABROAD,
    REST,
    geography,
    regional_effects,
    revenue_by_region,
    revenue_in_region_by_delta,
)
from iomodel.scenario import RegionalAssumptions, Scenario
from iomodel.shock import PHASES

from .conftest import ROOT, edit

NON_NEGATIVE = ("output", "value_added", "compensation", "employment", "product_taxes")


@pytest.fixture(scope="module")
def shipped():
    """All eight centres, every variant, Type II (default closure), FLQ δ = 0.3."""
    return run_centres()


@pytest.fixture(scope="module")
def kola():
    """Kola, central variant, national part only: the base of the what-if runs below."""
    run = run_centres(["kola"], variants=["central"], regional=False)
    return run, productivity_by_sector(run.table)


def _regional(run, productivity, scenario, **options):
    return regional_effects(
        run.table, [scenario], run.shocks, run.dataset, productivity=productivity, **options
    )


def test_locations_add_up_to_national_on_shipped_runs(shipped):
    ds = shipped.dataset
    assert ds.attrs["regional_method"] == "flq" and ds.attrs["regional_delta"] == 0.3
    for v in VARIABLES:
        national = ds[v].sum("sector")
        by_region = ds[f"{v}_by_region"]
        scale = float(abs(national).max())
        assert scale > 0, v
        npt.assert_allclose(
            by_region.sum("region").transpose(*national.dims).values,
            national.values,
            rtol=0,
            atol=1e-10 * scale,
            err_msg=v,
        )
    # budget revenue (iomodel.budget) by where it is paid: every tax and budget level
    revenue = ds["revenue_by_region"]
    assert float(abs(revenue.sel(region=ABROAD)).max()) == 0.0
    npt.assert_allclose(
        revenue.sum("region").transpose(*ds["revenue"].dims).values,
        ds["revenue"].values,
        rtol=0,
        atol=1e-10 * float(abs(ds["revenue"]).max()),
    )
    home = revenue.where(ds.home, 0.0).sum("region")
    npt.assert_allclose(
        ds["revenue_in_region_by_delta"].sel(delta=0.3).transpose(*home.dims).values,
        home.values,
        rtol=1e-9,
        atol=1e-9,
    )


def test_abroad_holds_only_imports_and_other_regions_are_empty(shipped):
    ds = shipped.dataset
    for v in VARIABLES:
        part = ds[f"{v}_by_region"]
        if v == "imports":
            assert float(abs(part.drop_sel(region=ABROAD)).max()) == 0.0
            assert float(part.sel(region=ABROAD).sum()) > 0
        else:
            assert float(abs(part.sel(region=ABROAD)).max()) == 0.0
        for centre in ds.centre.values:
            home = ds.home.sel(centre=centre)
            elsewhere = [
                r
                for r, h in zip(ds.region.values, home.values)
                if not h and r not in (REST, ABROAD)
            ]
            assert float(abs(part.sel(centre=centre, region=elsewhere)).max()) == 0.0
    # every centre has its own regions marked, and something happens in them
    assert ds.home.sum("region").to_series().to_dict() == {
        "east_transbaikal": 1,
        "kola": 1,
        "seligdar": 1,
        "south_siberia": 2,
        "stavropol": 1,
        "tambov_central": 1,
        "tomtor": 2,
        "west_siberia": 2,
    }
    staying = ds.value_added_by_region.where(ds.home).sum(["region", "year", "effect"])
    assert bool((staying > 0).all())


def test_sensitivity_at_the_chosen_delta_equals_the_regional_variables(shipped):
    ds = shipped.dataset
    assert json.loads(ds.attrs["regional_delta_sensitivity"]) == [0.1, 0.2, 0.3, 0.4]
    for v in VARIABLES:
        if v == "imports":
            assert f"{v}_in_region_by_delta" not in ds
            continue
        home = ds[f"{v}_by_region"].where(ds.home, 0.0).sum("region")
        at = ds[f"{v}_in_region_by_delta"].sel(delta=0.3)
        npt.assert_allclose(at.transpose(*home.dims).values, home.values, rtol=1e-12, atol=1e-9)


def test_what_stays_never_rises_with_delta(shipped):
    """λ* = [log2(1 + size)]^δ falls with δ for any region smaller than the nation, so the
    regional coefficients and purchase coefficients fall too (checked below on the pure
    functions); on the shipped runs what stays in the region — every effect, every case — then
    never rises with δ for the variables with non-negative coefficients.  (Net taxes can: a
    subsidised product leaving the region takes its negative taxes with it.)"""
    ds = shipped.dataset
    for v in NON_NEGATIVE:
        steps = ds[f"{v}_in_region_by_delta"].diff("delta")
        scale = float(ds[f"{v}_in_region_by_delta"].max())
        assert float(steps.max()) <= 1e-9 * scale, v
        assert float(steps.min()) < 0, v  # δ matters
    table = shipped.table
    previous = None
    for delta in (0.1, 0.2, 0.3, 0.4):
        rg = regionalise_table(table, ["irkutsk", "krasnoyarsk"], delta=delta)
        if previous is not None:
            assert np.all(rg.regional <= previous.regional + 1e-15)
            assert np.all(rg.rpc <= previous.rpc + 1e-15)
        previous = rg


def test_fly_in_fly_out_moves_induced_effects_and_keeps_totals(kola):
    """More non-residents: less induced effect in Murmansk oblast, more in the rest of Russia,
    the same national total; direct and indirect effects do not move."""
    run, productivity = kola
    scenario = run.scenario("kola")
    assumptions = scenario.regional
    results = []
    for phi in (0.0, 0.5, 1.0):
        changed = dataclasses.replace(
            assumptions, nonresident_construction=phi, nonresident_operation=phi
        )
        results.append(
            _regional(run, productivity, dataclasses.replace(scenario, regional=changed))
        )
    for v in ("output", "value_added", "employment", "compensation"):
        parts = [
            r[f"{v}_by_region"].sel(centre="kola", variant="central").sum("year") for r in results
        ]
        for phase in PHASES:
            home = [float(p.sel(phase=phase, region="murmansk", effect="induced")) for p in parts]
            rest = [float(p.sel(phase=phase, region=REST, effect="induced")) for p in parts]
            assert home[0] > home[1] > home[2] > 0, (v, phase, home)
            assert rest[0] < rest[1] < rest[2], (v, phase, rest)
            totals = [float(p.sel(phase=phase, effect="induced").sum()) for p in parts]
            npt.assert_allclose(totals, totals[0], rtol=1e-11)
            for effect in ("direct", "indirect"):
                same = [p.sel(phase=phase, effect=effect) for p in parts]
                xr.testing.assert_allclose(same[0], same[2])
        national = run.dataset[v].sel(centre="kola", variant="central").sum(["sector", "year"])
        npt.assert_allclose(
            parts[2].sum("region").transpose(*national.dims).values,
            national.values,
            rtol=1e-10,
        )


def test_onsite_and_made_outside_known_answer(kola):
    """Direct construction output in the region = Σ_j rpc'_j·y_j, where rpc' is the FLQ
    purchase coefficient with the on-site products at 1 and the made-outside ones at 0
    (Murmansk oblast, δ = 0.3), and the Type I indirect effect there is the region's rows of
    (I − M)⁻¹·Y − Y, solved here with numpy on the interregional matrix."""
    run, productivity = kola
    scenario = run.scenario("kola")
    table = run.table
    ds = _regional(run, productivity, scenario)
    absent = np.isin(table.codes, scenario.regional.made_outside)
    assert absent.sum() == 4
    rg = regionalise_table(table, "murmansk", absent=absent)
    rpc = rg.rpc[0].copy()
    assert np.all(rpc[absent] == 0)
    rpc[table.codes.index("41-43")] = 1.0
    y = run.shocks[0].demand.sel(variant="central", phase="construction").values  # year × n
    year = 2028
    t = list(run.shocks[0].demand.year.values).index(year)
    local = rpc * y[t]
    got = ds.output_by_region.sel(
        centre="kola", variant="central", phase="construction", year=year, region="murmansk"
    )
    npt.assert_allclose(float(got.sel(effect="direct")), local.sum(), rtol=1e-12)
    # the rest of Russia supplies what the region does not: s_i of the RoR buyer plus 1 − rpc
    Y = np.concatenate([local, y[t] - local])
    x = np.linalg.solve(np.eye(2 * table.n) - rg.M, Y)
    indirect = x[: table.n].sum() - local.sum()
    npt.assert_allclose(float(got.sel(effect="indirect")), indirect, rtol=1e-9)
    # declaring nothing made outside buys more of the equipment in the region
    none = dataclasses.replace(
        scenario, regional=dataclasses.replace(scenario.regional, made_outside=())
    )
    more = _regional(run, productivity, none).output_by_region.sel(
        centre="kola", variant="central", phase="construction", year=year, region="murmansk"
    )
    assert float(more.sel(effect="direct")) > float(got.sel(effect="direct"))


def test_onsite_wages_of_non_residents_leave_the_household_of_the_region(kola):
    """Construction: the region's household loses φ of the on-site works' wages, exactly; the
    household-closed solution is checked against a direct numpy solve of the closed matrix."""
    run, productivity = kola
    scenario = run.scenario("kola")
    table = run.table
    phi = scenario.regional.nonresident_construction
    ds = _regional(run, productivity, scenario)
    absent = np.isin(table.codes, scenario.regional.made_outside)
    rg = regionalise_table(table, "murmansk", absent=absent)
    closure = household_closure(table)
    n = table.n
    rpc = rg.rpc[0].copy()
    j = table.codes.index("41-43")
    rpc[j] = 1.0
    year = 2028
    y = run.shocks[0].demand.sel(variant="central", phase="construction", year=year).values
    Y = np.concatenate([rpc * y, (1 - rpc) * y])
    wages = closure.income[j] * y[j]
    closed = R.closed_interregional_coefficients(
        rg.M, closure.income, closure.consumption, rg.simple_rpc, rg.supply
    )
    rhs = np.concatenate([Y, [-phi * wages, phi * wages]])
    x = np.linalg.solve(np.eye(2 * (n + 1)) - closed, rhs)
    x_open = np.linalg.solve(np.eye(2 * n) - rg.M, Y)
    induced = x[:n].sum() - x_open[:n].sum()
    got = ds.output_by_region.sel(
        centre="kola", variant="central", phase="construction", year=year, region="murmansk"
    )
    npt.assert_allclose(float(got.sel(effect="induced")), induced, rtol=1e-9)


def test_multi_region_split_and_extraction(shipped):
    ds = shipped.dataset
    centres = json.loads(ds.attrs["regional_centres"])
    tomtor = centres["tomtor"]
    assert tomtor["construction"] == {"yakutia": 0.45, "zabaykalsky": 0.55}
    assert tomtor["extraction"] == {"yakutia": 1.0, "zabaykalsky": 0.0}
    assert centres["kola"]["nonresident_share"] == {"construction": 0.5, "operation": 0.25}
    # the new activity's own jobs sit in its regions by the operation split
    own = ds.employment_by_region.sel(
        centre="tomtor", variant="central", phase="operation", year=2040, effect="direct"
    )
    total = float(own.sum())
    npt.assert_allclose(float(own.sel(region="yakutia")), 0.35 * total, rtol=1e-12)
    npt.assert_allclose(float(own.sel(region="zabaykalsky")), 0.65 * total, rtol=1e-12)


def test_revenue_follows_its_bases(shipped):
    """A revenue array split by region sums back to it; PIT follows compensation by place of
    work, the mineral extraction tax the deposit's region, nothing goes abroad."""
    ds = shipped.dataset.sel(variant=["central"])
    template = ds.value_added.sum("sector")
    rng = np.random.default_rng(0)
    taxes = ["pit", "contributions", "profit", "mineral_extraction", "property", "vat"]
    revenue = xr.DataArray(
        rng.uniform(0, 1, template.shape + (len(taxes), 2)),
        dims=(*template.dims, "tax", "budget"),
        coords={**template.coords, "tax": taxes, "budget": ["federal", "regional"]},
    )
    split = revenue_by_region(revenue, ds)
    npt.assert_allclose(
        split.sum("region").transpose(*revenue.dims).values, revenue.values, rtol=1e-12
    )
    assert float(abs(split.sel(region=ABROAD)).max()) == 0.0
    pit = split.sel(tax="pit", budget="federal", centre="kola", phase="construction", year=2028)
    wages = ds.compensation_by_region.sel(centre="kola", phase="construction", year=2028)
    share = (wages / wages.sum("region")).fillna(0)
    npt.assert_allclose(
        (pit / pit.sum("region")).transpose(*share.dims).values, share.values, atol=1e-12
    )
    ndpi = split.sel(tax="mineral_extraction", centre="tomtor").sum(["budget", "year", "phase"])
    npt.assert_allclose(ndpi.sel(region="yakutia").values, ndpi.sum("region").values)
    # what stays by δ: at the run's δ the regional split summed over the centre's regions
    by_delta = revenue_in_region_by_delta(revenue, ds)
    home = split.where(ds.home, 0.0).sum("region")
    npt.assert_allclose(
        by_delta.sel(delta=0.3).transpose(*home.dims).values, home.values, rtol=1e-9, atol=1e-12
    )
    wage_taxes = by_delta.sel(tax="pit").sum(["budget", "year", "effect"])
    assert float(wage_taxes.diff("delta").max()) <= 1e-12


# --------------------------------------------------------------------------- refusals
@pytest.fixture
def shocks_copy(tmp_path):
    folder = tmp_path / "shocks"
    folder.mkdir()
    for name in ("tomtor.toml", "kola.toml"):
        shutil.copy(ROOT / "shocks" / name, folder / name)
    return folder


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        (
            "kola.toml",
            'regions_ru = ["Мурманская область"]',
            'regions_ru = ["Кольская область"]',
            r"centre\.regions_ru: .*unknown region 'Кольская область'; valid ids are: .*murmansk",
        ),
        (
            "tomtor.toml",
            "construction = { yakutia = 0.45, zabaykalsky = 0.55 }",
            "construction = { yakutia = 0.45, irkutsk = 0.55 }",
            r"region_split\.construction names \['irkutsk'\], not among the centre's regions "
            r"\(yakutia, zabaykalsky",
        ),
        (
            "kola.toml",
            'made_outside = ["26", "27", "28", "29"]',
            'made_outside = ["26", "27", "28", "99"]',
            r"regional\.made_outside names \['99'\], not products of table rosstat-2021",
        ),
    ],
)
def test_bad_regional_input_refused_at_run(shocks_copy, file, old, new, message):
    edit(shocks_copy / file, old, new)
    with pytest.raises(ScenarioError, match=message) as info:
        run_centres([file.removesuffix(".toml")], variants=["central"], shocks_folder=shocks_copy)
    assert file in str(info.value)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "construction = { yakutia = 0.45, zabaykalsky = 0.55 }",
            "construction = { yakutia = 0.45, zabaykalsky = 0.50 }",
            r"centre\.region_split\.construction shares sum to 0\.950000, not 1",
        ),
        (
            "construction = { yakutia = 0.45, zabaykalsky = 0.55 }",
            'construction = { yakutia = 0.45, "Zabaykalsky krai" = 0.55 }',
            r"is not a region id",
        ),
        (
            "nonresident_share = { construction = 0.5, operation = 0.3 }",
            "nonresident_share = { construction = 1.5, operation = 0.3 }",
            r"regional\.nonresident_share\.construction is 1\.5, above the maximum 1",
        ),
        (
            "nonresident_share = { construction = 0.5, operation = 0.3 }",
            "nonresident_share = { construction = 0.5 }",
            r"regional\.nonresident_share lacks operation",
        ),
        ('onsite = ["41-43"]', 'onsite = ["41-43", "28"]', r"lists \['28'\], also in onsite"),
        ('onsite = ["41-43"]', 'onsite = ["41-43"]\nshare = 1', r"unknown key\(s\) \['share'\]"),
    ],
)
def test_bad_regional_blocks_refused_at_load(shocks_copy, old, new, message):
    edit(shocks_copy / "tomtor.toml", old, new)
    with pytest.raises(ScenarioError, match=message):
        Scenario.load(shocks_copy / "tomtor.toml")


def test_defaults_without_the_blocks(rosstat):
    """No [regional] and no split: no non-residents, section F on site, equal shares, a note."""
    scenario = Scenario.load(ROOT / "shocks" / "tomtor.toml")
    bare = dataclasses.replace(
        scenario,
        regional=None,
        centre=dataclasses.replace(scenario.centre, region_split=None),
    )
    geo = geography(bare, rosstat, load_regional())
    assert geo.regions == ("yakutia", "zabaykalsky")
    npt.assert_array_equal(geo.construction, [0.5, 0.5])
    assert geo.nonresident == {"construction": 0.0, "operation": 0.0}
    assert geo.onsite == ("41-43",) and geo.made_outside == ()
    assert len(geo.notes) == 2 and "equally" in geo.notes[0].en
    assert isinstance(scenario.regional, RegionalAssumptions)


def test_regional_multiplier_table(rosstat):
    """Multipliers in Murmansk oblast lie between 1 (output) and the national ones, FLQ below
    SLQ (λ* < 1), Type II above Type I; a bad name is refused with the valid ids."""
    from iomodel.errors import RegionError
    from iomodel.regional_impact import regional_multiplier_table

    flq = regional_multiplier_table(rosstat, "Мурманская область")
    slq = regional_multiplier_table(rosstat, "murmansk", method="slq")
    active = flq["output_type1"].notna()
    for frame in (flq, slq):
        part = frame[active]
        assert (part["output_type1"] >= 1 - 1e-12).all()
        assert (part["output_type1"] <= part["output_type1_national"] + 1e-12).all()
        assert (part["output_type2"] <= part["output_type2_national"] + 1e-12).all()
        assert (part["output_type2"] >= part["output_type1"] - 1e-12).all()
    assert (flq.loc[active, "output_type1"] <= slq.loc[active, "output_type1"] + 1e-12).all()
    assert flq.loc["07.2", "output_type1"] == pytest.approx(1.173, abs=5e-4)
    with pytest.raises(RegionError, match=r"unknown region 'Мурманск'; valid ids are: .*murmansk"):
        regional_multiplier_table(rosstat, "Мурманск")
    with pytest.raises(RegionError, match="unknown method"):
        regional_multiplier_table(rosstat, "murmansk", method="lq")


def test_regional_views_and_key_figures_agree(shipped):
    """The workbook's regional views and the key figures come from the same Dataset cells."""
    from iomodel.readers import project_dir
    from iomodel.summary import key_figures, load_appraisal, regional_shares, regional_view

    ds = shipped.dataset
    view = regional_view(ds, "central")
    parts = view["in_region"] + view["rest_of_russia"] + view["abroad"]
    npt.assert_allclose(parts, view["national"], rtol=1e-9, atol=1e-6)
    kf = key_figures(ds, "central", load_appraisal(project_dir() / "tables" / "appraisal.toml"))
    total = view[view.effect == "total"].set_index(["centre", "phase", "variable"])
    for centre in ds.centre.values:
        for phase in PHASES:
            for v in ("value_added", "employment"):
                row = total.loc[(centre, phase, v)]
                assert row["in_region"] == pytest.approx(kf.loc[centre, f"{phase}_{v}_in_region"])
                assert row["share"] == pytest.approx(kf.loc[centre, f"{phase}_{v}_region_share"])
    shares = regional_shares(ds, "central").set_index(["centre", "phase", "variable", "delta"])
    for centre in ds.centre.values:
        got = shares.loc[(centre, "construction", "value_added", 0.3), "share"]
        assert got == pytest.approx(kf.loc[centre, "construction_value_added_region_share"])


# --------------------------------------------------------------------------- command line
def test_cli_regional_multipliers_and_refusals(rosstat):
    from click.testing import CliRunner

    from iomodel.cli import main
    from iomodel.regional_impact import regional_multiplier_table

    runner = CliRunner()
    args = ["multipliers", "rosstat-2021", "--region", "Murmansk oblast", "--sectors", "07.2,28"]
    result = runner.invoke(main, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = {r["code"]: r for r in json.loads(result.output)}
    expected = regional_multiplier_table(rosstat, "murmansk")
    assert rows["28"]["output_type2"] == pytest.approx(expected.loc["28", "output_type2"])
    text = runner.invoke(main, args).output
    assert "regionalised for Murmansk oblast (FLQ, δ = 0.3" in text and "07.2" in text
    bad = runner.invoke(main, ["multipliers", "rosstat-2021", "--region", "Kola"])
    assert bad.exit_code == 1
    assert "unknown region 'Kola'; valid ids are:" in bad.output and "murmansk" in bad.output
    assert len(bad.output.strip().splitlines()) == 1
    alone = runner.invoke(main, ["multipliers", "rosstat-2021", "--delta", "0.2"])
    assert alone.exit_code == 1 and "give --region too" in alone.output
    off = runner.invoke(main, ["compare", "--no-regional", "--method", "slq", "--quiet"])
    assert off.exit_code == 1 and "--no-regional" in off.output


# --------------------------------------------------------------------------- reports
@pytest.fixture(scope="module")
def regional_reports():
    """Kola and Tomtor: the text of Tomtor's report (central variant) and of the comparison,
    from the HTML the PDFs are rendered from (tests/test_report.py checks HTML → PDF)."""
    from iomodel.cli import _appraisal_and_groups, provenance
    from iomodel.report import centre_html, comparison_html, prepare

    run = run_centres(["kola", "tomtor"])
    appraisal, groups = _appraisal_and_groups(run)
    inputs = prepare(run, appraisal, groups, "central", provenance(run, appraisal))
    centre = _html_text(centre_html(inputs, "tomtor", "ru"))
    return run, centre, _html_text(comparison_html(inputs, "ru")), appraisal


def _html_text(html: str) -> str:
    """Text of a report's body: tags dropped, runs of spaces and line breaks made one space."""
    import re
    from html import unescape

    body = html.split("<body", 1)[1]
    return re.sub(r"[ \n]+", " ", unescape(re.sub(r"<[^>]+>", " ", body)))


def test_region_section_figures_are_the_datasets(regional_reports):
    """The «Эффекты в регионе» table of the report: Russia, in the region and the share, for
    construction and the design year, recomputed here from the Dataset's cells."""
    from iomodel.report import format_number

    run, text, _, _ = regional_reports
    ds = run.dataset.sel(centre="tomtor", variant="central")
    section = text[text.index("Доля эффектов, остающаяся в регионе") :]
    home = ds.home
    own = ds.output.sel(phase="operation", effect="direct").sum("sector")
    year = int(own.year.values[own.values >= own.values.max() * (1 - 1e-9)][0])
    subnational = ds.revenue_by_region.sel(budget=["regional", "local"]).sum(["tax", "budget"])
    for var in ("output", "value_added", "compensation", "employment", "revenue"):
        by_region = (subnational if var == "revenue" else ds[f"{var}_by_region"]).sum("effect")
        cells = []
        for part in (
            by_region.sel(phase="construction").sum("year"),
            by_region.sel(phase="operation", year=year),
        ):
            nat, stays = float(part.sum()), float(part.where(home, 0.0).sum())
            if var == "employment":
                cells += [format_number(nat, 0), format_number(stays, 0)]
            else:
                cells += [format_number(nat / 1e3, 2), format_number(stays / 1e3, 2)]
            cells.append(format_number(100 * stays / nat, 0) + "\u202f%")
        row = " ".join(cells)
        assert row in section, f"{var}: {row!r} not in the regional table"
    # the δ sensitivity row at 0.1 (construction value added) and the stated method
    low = ds.value_added_in_region_by_delta.sel(phase="construction", delta=0.1).sum()
    share = float(low) / float(ds.value_added.sel(phase="construction").sum())
    assert f"0,1 {format_number(100 * share, 0)}\u202f%" in section
    assert "методом FLQ, δ = 0,3" in text and "Республика Саха (Якутия) 45\u202f%" in text


def test_comparison_ranks_by_what_stays_in_the_region(regional_reports):
    from iomodel.report import format_number

    run, _, html, appraisal = regional_reports
    ds = run.dataset.sel(variant="central")
    section = html[html.index("Что центры оставляют в своих регионах") :]
    stays = {}
    for centre in ("kola", "tomtor"):
        home = ds.home.sel(centre=centre)
        va = ds.value_added_by_region.sel(centre=centre).where(home, 0.0)
        by_year = va.sum(["region", "effect", "phase"])
        factor = (1 + appraisal.discount_rate) ** -(by_year.year - appraisal.base_year)
        stays[centre] = float((by_year * factor).sum())
        assert format_number(stays[centre] / 1e3, 1) in section, centre
        # the regional and local budgets of the centre's regions per rouble of capex
        own = ds.revenue_by_region.sel(centre=centre, budget=["regional", "local"]).where(home, 0)
        own = own.sum(["region", "effect", "phase", "tax", "budget"])
        capex = ds.capex.sel(centre=centre).sum("phase")
        per_capex = float((own * factor).sum()) / float((capex * factor).sum())
        assert format_number(per_capex, 2) in section, centre
    first = max(stays, key=stays.get)
    assert section.index("Кольский" if first == "kola" else "Томтор") < section.index(
        "Томтор" if first == "kola" else "Кольский"
    )
