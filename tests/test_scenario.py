"""Scenario files: validation of bad input, the bridge, prices, and the shock they make."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from iomodel.errors import PriceError, ScenarioError
from iomodel.prices import load_prices
from iomodel.scenario import Scenario, load_scenarios
from iomodel.shock import build_shock, load_bridge

from .conftest import ROOT, edit

DATA = Path(__file__).parent / "data"
MINI = DATA / "mini.toml"


@pytest.fixture(scope="module")
def prices():
    return load_prices(ROOT / "tables" / "prices")


@pytest.fixture(scope="module")
def bridge(rosstat):
    return load_bridge(DATA / "bridge.toml", rosstat)


@pytest.fixture()
def mini(tmp_path: Path) -> Path:
    target = tmp_path / "mini.toml"
    shutil.copy(MINI, target)
    return target


def test_russian_estimate_is_kept(mini):
    edit(
        mini,
        'jobs = 500\nestimate = "fictitious"',
        'jobs = 500\nestimate = "fictitious"\nestimate_ru = "вымышленные данные"',
    )
    assert Scenario.load(mini).operation.estimate_ru == "вымышленные данные"


def test_mini_loads():
    s = Scenario.load(MINI)
    assert s.id == "mini" and list(s.variants) == ["low", "central", "high"]
    assert s.construction.years == (2022, 2023) and s.operation.years == (2024, 2025, 2026)
    assert len(s.sha256) == 64


@pytest.mark.parametrize(
    "old,new,message",
    [
        (
            "capex = 10.0",
            "capex = -10.0",
            r"mini.toml: variants.central.capex is -10.0, below the minimum 0.0; amounts cannot be negative",
        ),
        (
            "machinery = 0.3\n",
            "machinery = 0.4\n",
            r"construction.purposes shares sum to 1.100000, not 1; adjust them",
        ),
        (
            "price_year = 2021\nprice_basis",
            "price_basis",
            r"construction.price_year is missing; say which year's prices",
        ),
        (
            'currency = "RUB"\nunit = "bn"\nprice_year = 2021\nprice_basis',
            'currency = "EUR"\nunit = "bn"\nprice_year = 2021\nprice_basis',
            r"construction.currency is 'EUR'; choose one of RUB, USD",
        ),
        (
            "[variants.high]",
            "[variants.highest]",
            r"variants \['high'\] are missing; every scenario has at least low, central and high",
        ),
        (
            "profile = [0.4, 0.6]",
            "profile = [0.4, 0.5]",
            r"construction.profile sums to 0.900000, not 1",
        ),
        (
            'sources = ["test"]\n\n[[centre.deposits]]',
            'sources = ["nope"]\n\n[[centre.deposits]]',
            r"centre.sources cites source 'nope', which is not in \[\[sources\]\]",
        ),
        (
            'estimate = "fictitious"\n\n[construction.purposes]',
            "\n[construction.purposes]",
            r"construction has neither sources nor estimate",
        ),
        (
            "price_year = 2021\nprice_basis",
            "price_year = 2030\nprice_basis",
            r"construction.price_year is 2030, outside 2000–2025",
        ),
        (
            "engineering = 0.9",
            "engineering = 1.9",
            r"construction.domestic_share.engineering is 1.9, above the maximum 1.0",
        ),
        (
            'kind = "object"',
            'kind = "mine"',
            r"centre.kind is 'mine'; choose one of centre, object",
        ),
        ("jobs = 500", "jobs = 500\nstaff = 3", r"operation has unknown key\(s\) \['staff'\]"),
        ("schema = 2", "schema = 3", r"schema is 3; this iomodel reads schema 2"),
        ("schema = 2", "schema = 1", r"schema is 1, an older format.*price_scale.*volume_scale"),
        (
            "price_scale = 1.2\nvolume_scale = 1.0",
            "output_scale = 1.2",
            r"variants.high.output_scale is no longer read: it mixed price and volume. Give "
            r"price_scale .* and volume_scale",
        ),
        (
            "wages = 0.2\n",
            "wages = 0.2\ntaxes = 0.05\n",
            r"operation.costs.taxes is no longer read: give the taxes as \[\[operation.taxes\]\]",
        ),
        (
            "wages = 0.2\n",
            "wages = 0.2\noperating_surplus = 0.3\n",
            r"operation.costs.operating_surplus is no longer read: operating surplus is now the "
            r"remainder",
        ),
        (
            "wages = 0.2\n",
            "wages = 0.7\n",
            r"operation.costs \(purchases and wages\) sum to 1.1000",
        ),
        (
            'products = ["concentrate"]',
            'products = ["ore"]',
            r"operation.taxes\[0\].products names \['ore'\]; use ids of \[\[operation.products\]\]: "
            r"concentrate",
        ),
        (
            "reduction_start = 2024-07-01",
            "reduction_start = 2024-07-15",
            r"operation.taxes\[0\].reduction_start is 2024-07-15; tax periods are calendar months",
        ),
        (
            "reduction_months = 18\n",
            "",
            r"operation.taxes\[0\].reduction_months is missing",
        ),
        (
            'kind = "property"',
            'kind = "land"',
            r"operation.taxes\[1\].kind is 'land'; choose one of mineral_extraction, property, other",
        ),
        (
            "useful_life = 20",
            "useful_life = 0",
            r"operation.taxes\[1\].useful_life is 0.0; it must be above 0",
        ),
        (
            'id = "concentrate"',
            'id = "Concentrate!"',
            r"operation.products\[0\].id 'Concentrate!' must use",
        ),
        (
            'jobs = 500\nestimate = "fictitious"',
            'jobs = 500\nsources = ["test"]\nestimate_ru = "вымысел"',
            r"operation.estimate_ru must be a string: the Russian text of `estimate` \(give `estimate` too\)",
        ),
        ('id = "mini"', 'id = "other"', r"centre.id 'other' must equal the file name \('mini'\)"),
    ],
)
def test_bad_scenarios_are_refused(mini, old, new, message):
    edit(mini, old, new)
    with pytest.raises(ScenarioError, match=message):
        Scenario.load(mini)


def test_bad_toml_syntax(mini):
    edit(mini, 'kind = "object"', "kind = object")
    with pytest.raises(ScenarioError, match=r"mini.toml: not valid UTF-8 TOML"):
        Scenario.load(mini)


def test_unknown_product_code(mini, rosstat, bridge, prices):
    edit(mini, 'product = "07.2"', 'product = "07.9"')
    with pytest.raises(
        ScenarioError,
        match=r"mini.toml: operation product '07.9' is not a product "
        r"of table rosstat-2021",
    ):
        build_shock(Scenario.load(mini), rosstat, bridge, prices)


def test_year_before_table(mini, rosstat, bridge, prices):
    edit(mini, "start_year = 2022", "start_year = 2019")
    with pytest.raises(ScenarioError, match=r"starts in 2019, before the table year 2021"):
        build_shock(Scenario.load(mini), rosstat, bridge, prices)


def test_unknown_variant(rosstat, bridge, prices):
    with pytest.raises(
        ScenarioError, match=r"unknown variant 'baseline'; this file has low, central, high"
    ):
        build_shock(Scenario.load(MINI), rosstat, bridge, prices, ["baseline"])


def test_unknown_centre():
    with pytest.raises(ScenarioError, match=r"no scenario for centre 'atlantis'"):
        load_scenarios(DATA, ["atlantis"])


def test_missing_exchange_rate(mini, rosstat, bridge, prices):
    edit(
        mini,
        'currency = "RUB"\nunit = "bn"\nprice_year = 2021\nprice_basis',
        'currency = "USD"\nunit = "bn"\nprice_year = 2009\nprice_basis',
    )
    with pytest.raises(
        ScenarioError,
        match=r"cannot convert USD of 2009 to 2021 prices — .*no USD "
        r"rate for 2009",
    ):
        build_shock(Scenario.load(mini), rosstat, bridge, prices)


def test_bridge_with_unknown_product(tmp_path, rosstat):
    bad = tmp_path / "bridge.toml"
    bad.write_text((DATA / "bridge.toml").read_text().replace('"27" = 1.0', '"27.9" = 1.0'))
    with pytest.raises(ScenarioError, match=r"\[capex.electrical\] names product '27.9'"):
        load_bridge(bad, rosstat)


def test_price_round_trip(prices):
    for key in ("capex.construction", "capex.machinery", "operation.output"):
        there = prices.convert(100.0, "RUB", 2024, 2021, key)
        back = prices.convert(there, "RUB", 2021, 2024, key)
        assert back == pytest.approx(100.0, rel=1e-12)
    usd = prices.convert(1.0, "USD", 2021, 2021)
    assert usd == pytest.approx(73.65)
    with pytest.raises(PriceError, match=r"unknown currency 'EUR'"):
        prices.convert(1.0, "EUR", 2021, 2021)


def test_price_factor_chains_indices(prices):
    f = prices.factor("F", 2021, 2023)
    assert f == pytest.approx(prices.indices[("F", 2022)] / 100 * prices.indices[("F", 2023)] / 100)
    assert prices.factor("F", 2023, 2021) == pytest.approx(1 / f)


def test_conservation_through_the_bridge(rosstat, bridge, prices):
    """Purchasers' price total = domestic basic + imports + product taxes + margins (all domestic)."""
    shock = build_shock(Scenario.load(MINI), rosstat, bridge, prices)
    cons = (
        shock.demand.sel(phase="construction").sum("sector")
        + shock.imports.sel(phase="construction").sum("sector")
        + shock.product_taxes.sel(phase="construction").sum("sector")
    )
    np.testing.assert_allclose(
        cons.values, shock.purchasers.sel(phase="construction").values, rtol=1e-12
    )
    # 4 bn RUB of 2021 in the first year = 4000 table units
    assert float(
        shock.purchasers.sel(variant="central", phase="construction", year=2022)
    ) == pytest.approx(4000.0)
    # margins go to trade and transport services
    trade = shock.demand.sel(variant="central", phase="construction", sector=["45", "46"]).sum()
    assert float(trade) > 0


def test_localisation_lever(rosstat, bridge, prices):
    shock = build_shock(Scenario.load(MINI), rosstat, bridge, prices)
    machinery = shock.demand.sel(phase="construction", sector="28").sum("year")
    # central: 50% imported; low: 65% at capex 8; high: 37% at capex 12
    ratio_low = float(machinery.sel(variant="low")) / float(machinery.sel(variant="central"))
    assert ratio_low == pytest.approx(0.8 * 0.35 / 0.5)


def test_operation_new_industry_method(rosstat, bridge, prices):
    s = Scenario.load(MINI)
    shock = build_shock(s, rosstat, bridge, prices, ["central"])
    direct = shock.direct.sel(variant="central")
    # 5 bn RUB of 2021 at full output; half in the first (ramp-up) year
    assert float(direct.output.sel(year=2025, sector="07.2")) == pytest.approx(5000.0)
    assert float(direct.output.sel(year=2024, sector="07.2")) == pytest.approx(2500.0)
    assert float(direct.compensation.sel(year=2025).sum()) == pytest.approx(1000.0)
    assert float(direct.employment.sel(year=2025).sum()) == pytest.approx(500.0)
    purchases = (
        shock.demand.sel(variant="central", phase="operation", year=2025).sum()
        + shock.imports.sel(variant="central", phase="operation", year=2025).sum()
    )
    assert float(purchases) == pytest.approx(5000.0 * 0.40)
    # no demand for the ore itself: the new activity's output is not pushed through its column
    assert float(shock.demand.sel(variant="central", phase="operation", sector="07.2").sum()) == 0
    assert float(direct.value_added.sel(year=2025).sum()) == pytest.approx(5000.0 * 0.60)


def test_operation_falls_back_to_table_column(mini, rosstat, bridge, prices):
    text = mini.read_text()
    start = text.index("[operation.costs]")
    end = text.index("[[sources]]")
    mini.write_text(text[:start] + text[end:])
    shock = build_shock(Scenario.load(mini), rosstat, bridge, prices, ["central"])
    assert any("average column of 07.2" in note.en for note in shock.notes)
    assert any("средний столбец продукта 07.2" in note.ru for note in shock.notes)
    j = rosstat.codes.index("07.2")
    demand = shock.demand.sel(variant="central", phase="operation", year=2025).values
    np.testing.assert_allclose(demand, rosstat.A[:, j] * 5000.0)


def test_scenario_demand_api(rosstat, bridge, prices):
    demand = Scenario.load(MINI).demand(rosstat, bridge, prices, "central")
    assert demand.dims == ("phase", "year", "product")
    assert float(demand.sel(phase="construction").sum()) > 0


def test_all_shipped_scenarios_load_and_convert(rosstat, prices):
    """The eight shipped files validate and convert on the Rosstat 2021 table with the real bridge."""
    shipped = load_scenarios(ROOT / "shocks")
    assert sorted(s.id for s in shipped) == sorted(
        [
            "kola",
            "stavropol",
            "west_siberia",
            "south_siberia",
            "east_transbaikal",
            "tambov_central",
            "tomtor",
            "seligdar",
        ]
    )
    real_bridge = load_bridge(ROOT / "tables" / "rosstat-2021" / "bridge.toml", rosstat)
    for scenario in shipped:
        shock = build_shock(scenario, rosstat, real_bridge, prices)
        assert float(shock.demand.sum()) > 0, scenario.id
        leak = (shock.demand + shock.imports + shock.product_taxes).sel(phase="construction")
        np.testing.assert_allclose(
            leak.sum("sector").values, shock.purchasers.sel(phase="construction").values, rtol=1e-12
        )
        assert set(scenario.variants) >= {"low", "central", "high"}
    assert Scenario.load(ROOT / "shocks" / "TEMPLATE.toml").id == "template"


def test_every_shipped_source_has_a_russian_text():
    """Russian reports show each source in Russian (``text_ru``), with no working notes."""
    from iomodel.resources import shocks_dir
    from iomodel.scenario import load_scenarios

    for scenario in load_scenarios(shocks_dir()):
        for source in scenario.sources.values():
            assert re.search(r"[А-Яа-яЁё]", source.text_ru), (scenario.id, source.id)
            for text in (source.text, source.text_ru):
                assert not re.search(r"research (file|notes|update)|\.yaml|recalled", text), (
                    scenario.id,
                    source.id,
                )
