"""Budget revenue of a run (iomodel.budget): hand-computed lines, preferences, an independent
recomputation for Kola, and the shipped scenarios' tax lines against the law data.

Rates (tables/fiscal/, each with its article): PIT 13 % up to 2.4 mn RUB a year (НК РФ art. 224),
the sub-federal part 85 % regional / 15 % local (БК РФ art. 56, 61.x); contributions 30 % up to
the base limit, 15.1 % above (art. 425); profit tax 25 %, 8 + 17 % in 2025-2030 (art. 284) on
0.40 of gross operating surplus (an estimate) or, for the new activity, on its surplus less tax
depreciation over 15 years; NDPI 40 % federal / 60 % regional (БК РФ art. 50, 56); property tax
regional (art. 56); VAT 0.109 per rouble of household purchases at 20 %, × 22/20 from 2026
(art. 164); Arctic residents: contributions 7.6 %, profit tax 0 % federal and 5 % regional for
the first five years (art. 427, 284.4).
"""

from __future__ import annotations

import csv
import json
import tomllib

import numpy as np
import pytest
import xarray as xr

from iomodel.budget import (
    MoneyBasis,
    Setting,
    add_revenue,
    budget_revenue,
    money_basis,
    tax_depreciation,
    taxable_profit,
)
from iomodel.errors import FiscalError, ScenarioError
from iomodel.fiscal import BUDGETS, TAXES, load_fiscal
from iomodel.multipliers import consumption_per_income
from iomodel.pipeline import productivity_by_sector, run_centres, shocks_dir
from iomodel.prices import load_prices
from iomodel.scenario import MineralExtractionTax, PropertyTax, Scenario, load_scenarios

from .conftest import ROOT, edit

FISCAL = ROOT / "tables" / "fiscal"
VAT_2029 = 0.109 * 0.22 / 0.20


@pytest.fixture(scope="module")
def law():
    return load_fiscal()


def _small() -> xr.Dataset:
    """One centre, years 2029 (construction) and 2030 (operation), products a and b, in roubles.

    Construction 2029, indirect, product a: compensation 1.3 mn RUB for 1 worker, value added
    2.0 mn, net taxes 0.2 mn of which 0.1 mn on products; capex 15 mn RUB in 2029.
    The new activity (product b) in 2030: compensation 2.6 mn RUB for 2 workers, output 20 mn,
    operating surplus 10 mn, NDPI 1 mn, property tax 0.5 mn, other taxes 0.2 mn.
    """
    dims = ("centre", "variant", "phase", "year", "sector", "effect")
    shape = (1, 1, 2, 2, 2, 3)
    coords = {
        "centre": ["c"],
        "variant": ["central"],
        "phase": ["construction", "operation"],
        "year": [2029, 2030],
        "sector": ["a", "b"],
        "effect": ["direct", "indirect", "induced"],
    }
    data = {k: np.zeros(shape) for k in ("output", "value_added", "compensation", "employment")}
    data |= {k: np.zeros(shape) for k in ("taxes", "product_taxes", "imports")}
    chain = (0, 0, 0, 0, 0, 1)  # construction, 2029, a, indirect
    own = (0, 0, 1, 1, 1, 0)  # operation, 2030, b, direct
    for name, value in (
        ("compensation", 1.3e6),
        ("employment", 1.0),
        ("value_added", 2.0e6),
        ("taxes", 0.2e6),
        ("product_taxes", 0.1e6),
    ):
        data[name][chain] = value
    data["compensation"][own], data["employment"][own], data["output"][own] = 2.6e6, 2.0, 20e6
    activity = {}
    for name, value in (
        ("operating_surplus", 10e6),
        ("mineral_extraction_tax", 1e6),
        ("property_tax", 0.5e6),
        ("other_taxes", 0.2e6),
    ):
        arr = np.zeros((1, 1, 2, 2))
        arr[0, 0, 1, 1] = value
        activity[name] = (("centre", "variant", "year", "sector"), arr)
    capex = np.zeros((1, 1, 2, 2))
    capex[0, 0, 0, 0] = 15e6
    return xr.Dataset(
        {k: (dims, v) for k, v in data.items()}
        | activity
        | {"capex": (("centre", "variant", "phase", "year"), capex)},
        coords=coords,
        attrs={"table_unit": "RUB"},
    )


def _basis(years=(2029, 2030)) -> MoneyBasis:
    ones = xr.DataArray(np.ones(len(years)), dims="year", coords={"year": list(years)})
    return MoneyBasis(price_level=ones, base_limit_index=ones, unit=1.0)


def _lines(r: xr.DataArray, **where) -> dict[str, dict[str, float]]:
    part = r.sel(centre="c", variant="central", **where)
    part = part.sum([d for d in part.dims if d not in ("tax", "budget")])
    return {t: {b: float(part.sel(tax=t, budget=b)) for b in BUDGETS} for t in TAXES}


def _budget(federal=0.0, regional=0.0, local=0.0, social_funds=0.0) -> dict[str, float]:
    return {"federal": federal, "regional": regional, "local": local, "social_funds": social_funds}


def test_small_case_every_line_by_hand(law):
    """Each tax line of the small case, computed by hand (see :func:`_small`)."""
    r = budget_revenue(_small(), law, _basis(), spending_per_income=0.5)
    chain = _lines(r, phase="construction", year=2029, effect="indirect")
    # pay 1.3 mn of D1 → wage 1.0 mn (1.3 / 1.30): PIT 13 %, contributions 30 %
    assert chain["pit"] == pytest.approx(_budget(regional=110_500, local=19_500))
    assert chain["contributions"] == pytest.approx(_budget(social_funds=300_000))
    # surplus 2.0 − 1.3 − 0.1 (taxes on production) = 0.6 mn; 0.40 of it at 8 % + 17 %
    assert chain["profit"] == pytest.approx(_budget(federal=19_200, regional=40_800))
    # the table's net taxes: 0.1 mn on products (federal), 0.1 mn on production (85/15)
    assert chain["other_net_taxes"] == pytest.approx(
        _budget(federal=100_000, regional=85_000, local=15_000)
    )
    for tax in ("mineral_extraction", "property", "vat"):
        assert chain[tax] == pytest.approx(_budget()), tax
    # VAT: households spend 0.5 of the 1.3 mn created, at 0.109 × 22/20, booked as induced
    vat = _lines(r, phase="construction", year=2029, effect="induced")["vat"]
    assert vat == pytest.approx(_budget(federal=0.65e6 * VAT_2029))
    assert _lines(r, phase="operation", effect="induced")["vat"] == pytest.approx(
        _budget(federal=1.3e6 * VAT_2029)
    )

    own = _lines(r, phase="operation", year=2030, effect="direct")
    assert own["pit"] == pytest.approx(_budget(regional=221_000, local=39_000))
    assert own["contributions"] == pytest.approx(_budget(social_funds=600_000))
    # surplus 10 mn less depreciation of the 15 mn capex over 15 years (1 mn), in use from 2030
    assert own["profit"] == pytest.approx(_budget(federal=720_000, regional=1_530_000))
    assert own["mineral_extraction"] == pytest.approx(_budget(federal=400_000, regional=600_000))
    assert own["property"] == pytest.approx(_budget(regional=500_000))
    assert own["other_net_taxes"] == pytest.approx(_budget(regional=170_000, local=30_000))
    assert own["vat"] == pytest.approx(_budget())
    # nothing else anywhere: the totals are the sum of the lines above
    total = float(r.sum())
    expected = 130_000 + 300_000 + 60_000 + 200_000 + 1.95e6 * VAT_2029
    expected += 260_000 + 600_000 + 2_250_000 + 1e6 + 0.5e6 + 0.2e6
    assert total == pytest.approx(expected)


def test_arctic_regime_lowers_exactly_contributions_and_profit_of_the_new_activity(law):
    """Arctic resident from 2030: 7.6 % contributions, profit 0 % federal + 5 % regional."""
    ds = _small()
    standard = budget_revenue(ds, law, _basis())
    arctic = budget_revenue(ds, law, _basis(), {"c": Setting("arctic", 2030)})
    own = _lines(arctic, phase="operation", year=2030, effect="direct")
    assert own["contributions"] == pytest.approx(_budget(social_funds=152_000))
    assert own["profit"] == pytest.approx(_budget(regional=450_000))
    diff = (arctic - standard).where(lambda d: np.abs(d) > 1e-6, drop=True)
    assert set(diff["tax"].values) == {"contributions", "profit"}
    assert diff["phase"].values.tolist() == ["operation"]
    assert diff["effect"].values.tolist() == ["direct"]
    assert (arctic <= standard + 1e-9).all()
    # not yet in force (start 2031): nothing changes
    later = budget_revenue(ds, law, _basis(), {"c": Setting("arctic", 2031)})
    xr.testing.assert_allclose(later, standard)


def test_bad_settings_refused(law):
    with pytest.raises(FiscalError, match="unknown preference regime 'sez'"):
        budget_revenue(_small(), law, _basis(), {"c": Setting("sez", 2030)})
    with pytest.raises(FiscalError, match=r"centre 'c': regime 'tor' needs regime_start"):
        budget_revenue(_small(), law, _basis(), {"c": Setting("tor")})


def test_zero_wages_and_surplus_give_zero_revenue(law):
    zero = _small().copy(deep=True)
    for name in zero.data_vars:
        zero[name][:] = 0.0
    r = budget_revenue(zero, law, _basis(), {"c": Setting("tor", 2029)}, 0.5)
    assert r.dims == ("centre", "variant", "phase", "year", "effect", "tax", "budget")
    assert not r.values.any()


def test_northern_share_moves_pit_only(law):
    """Wage 2.9 mn RUB a worker (D1 3.77 mn, below the base limit × 1.3), 2030: 312 000 + 15 % ×
    500 000 = 387 000 on the main scale; with half of it northern supplements both halves stay
    under 2.4 and 5 mn: 13 %."""
    ds = _small()
    ds["compensation"].loc[{"phase": "operation", "year": 2030, "sector": "b"}] = [0, 0, 0]
    ds["compensation"].loc[
        {"phase": "operation", "year": 2030, "sector": "b", "effect": "direct"}
    ] = 7.54e6
    standard = _lines(budget_revenue(ds, law, _basis()), phase="operation", effect="direct")
    north = budget_revenue(ds, law, _basis(), {"c": Setting(northern_share=0.5)})
    northern = _lines(north, phase="operation", effect="direct")
    assert sum(standard["pit"].values()) == pytest.approx(2 * 387_000)
    assert sum(northern["pit"].values()) == pytest.approx(0.13 * 5.8e6)
    for tax in TAXES[1:]:
        assert northern[tax] == pytest.approx(standard[tax]), tax


def test_tax_depreciation_and_loss_carry_forward():
    years = [2026, 2027, 2028, 2029, 2030]
    capex = xr.DataArray([[10.0, 20.0, 30.0, 0.0, 0.0]], dims=("centre", "year"))
    capex = capex.assign_coords(centre=["c"], year=years)
    first = xr.DataArray([2027.0], dims="centre", coords={"centre": ["c"]})
    dep = tax_depreciation(capex, first, life=2).sel(centre="c")
    assert dep.values.tolist() == pytest.approx([0.0, 15.0, 30.0, 15.0, 0.0])
    none = xr.DataArray([np.nan], dims="centre", coords={"centre": ["c"]})
    assert not tax_depreciation(capex, none, life=2).values.any()
    profit = xr.DataArray([-5.0, 3.0, 4.0, 10.0, -5.0, 3.0], dims="year")
    # the loss of 5 absorbs 3 and 2 of 4; a later loss recovers nothing and absorbs the next 3
    assert taxable_profit(profit).values.tolist() == pytest.approx([0, 0, 2, 10, 0, 0])


def test_each_column_is_written_off_from_its_own_first_year(law):
    """Tax depreciation starts with each column's own operation: a variant (or thesis case)
    that does not run in 2030 is not written off from another's start.  The small case's
    profit tax (10 mn surplus less 1 mn depreciation at 25 %) stays as by hand; the idle
    column's surplus of 10 mn is taxed whole (no asset in use)."""
    one = _small()
    idle = one.assign_coords(variant=["idle"])
    idle["output"] = idle["output"] * 0.0
    both = xr.concat([one, idle], dim="variant")
    r = budget_revenue(both, law, _basis())
    own = r.sel(centre="c", phase="operation", year=2030, effect="direct", tax="profit")
    assert own.sel(variant="central").sum() == pytest.approx(2_250_000)
    assert own.sel(variant="idle").sum() == pytest.approx(2_500_000)


def test_money_basis_price_level_and_base_limit(law, rosstat):
    """Price level: the GVA deflator 2021→2025, then 4 % a year; base limit as listed to 2026,
    then with the nominal average pay (frozen productivity: the price level alone)."""
    prices = load_prices(ROOT / "tables" / "prices")
    years = list(range(2024, 2036))
    frozen = money_basis(law, prices, rosstat, years)
    level = {}
    with open(ROOT / "tables" / "prices" / "deflators.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["series"] == "total":
                level[int(row["year"])] = float(row["index_prev_year"]) / 100
    to_2025 = np.prod([level[y] for y in range(2022, 2026)])
    assert float(frozen.price_level.sel(year=2025)) == pytest.approx(to_2025)
    assert float(frozen.price_level.sel(year=2035)) == pytest.approx(to_2025 * 1.04**10)
    assert frozen.base_limit_index.sel(year=slice(2024, 2026)).values.tolist() == [1, 1, 1]
    assert float(frozen.base_limit_index.sel(year=2035)) == pytest.approx(1.04**9)
    path = money_basis(law, prices, rosstat, years, productivity_by_sector(rosstat))
    growth = path.base_limit_index / frozen.base_limit_index
    assert float(growth.sel(year=2026)) == 1.0
    assert (growth.sel(year=slice(2027, None)).diff("year") > 0).all()  # real pay rises


# ------------------------------------------------------------------ through the pipeline


@pytest.fixture(scope="module")
def kola_runs():
    """Kola, central: the shipped setting, the eligible Arctic regime, frozen productivity."""
    kw = {"variants": ["central"]}
    return {
        "scenario": run_centres(["kola"], **kw).dataset,
        "eligible": run_centres(["kola"], preferences="eligible", **kw).dataset,
        "frozen": run_centres(["kola"], productivity="frozen", **kw).dataset,
    }


def test_dataset_records_the_fiscal_data(kola_runs, law):
    ds = kola_runs["scenario"]
    assert ds["revenue"].dims == ("centre", "variant", "phase", "year", "effect", "tax", "budget")
    assert json.loads(ds.attrs["fiscal_sha256"]) == dict(law.sha256)
    assert json.loads(ds.attrs["fiscal_settings"])["kola"]["regime"] == "none"
    assert json.loads(kola_runs["eligible"].attrs["fiscal_settings"])["kola"] == {
        "regime": "arctic",
        "regime_start": 2028,
        "northern_share": 0.0,
    }
    assert ds["tax_label_ru"].sel(tax="other_net_taxes") == (
        "Чистые налоги на продукты и производство (по таблице)"
    )
    basis = json.loads(ds.attrs["fiscal_basis"])
    assert "ст. 342.7" in basis["mineral_extraction"][0] and "art. 284" in basis["profit"][1]


def test_kola_eligible_arctic_regime_lowers_exactly_its_lines(kola_runs):
    """The Arctic regime from 2028: only the new activity's contributions (10 years) and profit
    tax (10 years from the first profit) fall; every other line, phase and effect is unchanged."""
    base, arctic = kola_runs["scenario"]["revenue"], kola_runs["eligible"]["revenue"]
    diff = (arctic - base).where(lambda d: np.abs(d) > 1e-9, drop=True)
    assert set(diff["tax"].values) == {"contributions", "profit"}
    assert diff["phase"].values.tolist() == ["operation"]
    assert diff["effect"].values.tolist() == ["direct"]
    assert int(diff["year"].min()) >= 2028 and int(diff["year"].max()) <= 2037
    assert float(diff.sum()) < 0 and (arctic <= base + 1e-9).all()
    for name in ("output", "compensation", "employment", "taxes"):
        xr.testing.assert_equal(kola_runs["eligible"][name], kola_runs["scenario"][name])


def test_kola_2035_by_an_independent_path(kola_runs, rosstat):
    """Kola, central, operation 2035 (Type II, frozen productivity), recomputed from the law
    files (tomllib), the deflators (csv) and the Dataset's flows with plain Python.

    The engine's flows are checked elsewhere (tests/test_known_answer_kola.py); here only the
    fiscal arithmetic is redone: nominal pay per worker, its wage and effective rates,
    depreciation, carried-forward losses, budget splits.
    """
    year = 2035
    ds = kola_runs["frozen"].sel(centre="kola", variant="central")
    law = {f: tomllib.loads((FISCAL / f"{f}.toml").read_text("utf-8")) for f in TAXES}
    pit_scale = law["pit"]["scale"][-1]  # from 2025
    split_sub = law["pit"]["subfederal_split"][0]
    tariff = law["contributions"]["tariff"][0]
    limit_2026 = law["contributions"]["base_limit"][-1]["value"]
    profit = law["profit"]["rate"][-1]  # from 2031
    share = law["profit"]["taxable_share"]["value"]
    life = law["profit"]["new_activity"]["depreciation_life_years"]
    vat = law["vat"]["household"]["effective_rate_2021"] * 0.22 / 0.20
    imports = law["vat"]["household"]["imports_per_domestic"]
    index = {}
    with open(ROOT / "tables" / "prices" / "deflators.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["series"] == "total":
                index[int(row["year"])] = float(row["index_prev_year"]) / 100
    price = float(np.prod([index[y] for y in range(2022, 2026)])) * 1.04 ** (year - 2025)
    limit = limit_2026 * 1.04 ** (year - 2026)  # frozen productivity: with prices only

    def wage_of(pay):  # D1 per worker → D11 per worker, standard tariff
        b, c = tariff["below_limit"], tariff["above_limit"]
        return pay / (1 + b) if pay <= limit * (1 + b) else (pay - (b - c) * limit) / (1 + c)

    def pit_of(wage):  # (tax, federal part) per worker
        tax = fed = 0.0
        bounds = pit_scale["thresholds"] + [float("inf")]
        for lo, hi, rate, f in zip(
            bounds, bounds[1:], pit_scale["rates"], pit_scale["federal_rates"]
        ):
            slab = min(max(wage - lo, 0.0), hi - lo)
            tax, fed = tax + slab * rate, fed + slab * f
        return tax, fed

    def contributions_of(wage):
        return tariff["below_limit"] * min(wage, limit) + tariff["above_limit"] * max(
            wage - limit, 0.0
        )

    expected = {t: dict.fromkeys(BUDGETS, 0.0) for t in TAXES}

    def wage_lines(comp, jobs):
        if comp == 0:
            return
        if jobs > 0:
            pay = comp / jobs * 1e6 * price
            w = wage_of(pay)
            wages = comp * w / pay
            tax, fed = pit_of(w)
            rate, fed_rate, tariff_rate = tax / w, fed / w, contributions_of(w) / w
        else:  # no jobs: the first bracket and the tariff below the limit
            wages = comp / (1 + tariff["below_limit"])
            rate, fed_rate, tariff_rate = pit_scale["rates"][0], 0.0, tariff["below_limit"]
        expected["pit"]["federal"] += wages * fed_rate
        expected["pit"]["regional"] += wages * (rate - fed_rate) * split_sub["regional"]
        expected["pit"]["local"] += wages * (rate - fed_rate) * split_sub["local"]
        expected["contributions"]["social_funds"] += wages * tariff_rate

    op = ds.sel(phase="operation", year=year)
    chain_effects = op.sel(effect=["indirect", "induced"])
    comp = chain_effects["compensation"].transpose("sector", "effect").values.tolist()
    jobs = chain_effects["employment"].transpose("sector", "effect").values.tolist()
    for c_s, j_s in zip(comp, jobs):
        # pay per worker of the product: the same for every case of the table's effects
        for c in c_s:
            wage_lines(c, sum(j_s) / sum(c_s) * c if sum(c_s) else 0.0)
    chain = op.sel(effect=["indirect", "induced"]).sum(["sector", "effect"])
    production = float(chain["taxes"] - chain["product_taxes"])
    surplus = float(chain["value_added"] - chain["compensation"]) - production
    expected["profit"]["federal"] += surplus * share * profit["federal"]
    expected["profit"]["regional"] += surplus * share * profit["regional"]
    expected["other_net_taxes"]["federal"] += float(chain["product_taxes"])
    expected["other_net_taxes"]["regional"] += production * 0.85
    expected["other_net_taxes"]["local"] += production * 0.15
    income = float(op["compensation"].sum())
    expected["vat"]["federal"] += (
        income * consumption_per_income(rosstat, "default") * (1 + imports) * vat
    )

    own = ds.sel(phase="operation", effect="direct").sum("sector")
    wage_lines(float(own["compensation"].sel(year=year)), float(own["employment"].sel(year=year)))
    years = ds["year"].values.tolist()
    first = min(y for y in years if float(own["output"].sel(year=y)) > 0)
    capex = ds["capex"].sel(phase="construction")
    cumulative, paid = 0.0, 0.0
    for y in years[: years.index(year) + 1]:
        dep = sum(float(capex.sel(year=v)) / life for v in years if 0 <= y - max(v, first) < life)
        cumulative += float(ds["operating_surplus"].sel(year=y).sum()) - dep
        taxable = max(cumulative, paid) - paid
        paid = max(cumulative, paid)
    expected["profit"]["federal"] += taxable * profit["federal"]
    expected["profit"]["regional"] += taxable * profit["regional"]
    ndpi = float(ds["mineral_extraction_tax"].sel(year=year).sum())
    expected["mineral_extraction"] = _budget(federal=0.4 * ndpi, regional=0.6 * ndpi)
    expected["property"]["regional"] = float(ds["property_tax"].sel(year=year).sum())
    other = float(ds["other_taxes"].sel(year=year).sum())
    expected["other_net_taxes"]["regional"] += other * 0.85
    expected["other_net_taxes"]["local"] += other * 0.15

    got = ds["revenue"].sel(phase="operation", year=year).sum("effect")
    for tax in TAXES:
        for budget in BUDGETS:
            assert float(got.sel(tax=tax, budget=budget)) == pytest.approx(
                expected[tax][budget], rel=1e-9, abs=1e-9
            ), (tax, budget)
    assert float(got.sum()) > 5_000  # more than 5 bn RUB a year at design output


# ------------------------------------------------------------------ law data vs scenarios

#: Which mineral of tables/fiscal/mineral_extraction.toml each shipped NDPI line taxes.
MINERALS = {
    ("east_transbaikal", "lithium_carbonate"): "lithium_ore",
    ("east_transbaikal", "zavitinskoye_byproducts"): None,  # two lines: Ta/Nb (4.8 %), tin (8 %)
    ("east_transbaikal", "ta_nb_restart_concentrate"): "tantalum_niobium_ore",
    ("kola", "lithium_chemicals"): "lithium_ore",
    ("kola", "loparite_concentrate"): "loparite_ore",
    ("seligdar", "apatite_concentrate"): "apatite_ore",
    ("seligdar", "ree_concentrate"): "ree_in_apatite",
    ("south_siberia", "zashikhinskoye_ta_nb_concentrate"): "tantalum_niobium_ore",
    ("south_siberia", "chuktukon_ree_carbonate"): "ree_ore",
    ("stavropol", "zircon_concentrate"): "titanium_zirconium_placer",
    ("tambov_central", "ilmenite_concentrate"): "titanium_zirconium_placer",
    ("tomtor", "niobium_oxide"): "ree_ore",
    ("west_siberia", "zircon_concentrate"): "titanium_zirconium_placer",
    ("west_siberia", "quartz_sand"): "quartz_sand",
}


def test_shipped_tax_lines_follow_the_law_data(law):
    """The scenarios' NDPI and property lines (the model's single computation of those taxes)
    use the rates of tables/fiscal/: base rate × Кrenta of the mineral in its years, Крм 0.1 for
    120 months where the reduction applies, and the property rate of art. 380."""
    rates = {name: set(np.round(m.rate[~np.isnan(m.rate)], 6)) for name, m in law.minerals.items()}
    allowed = set().union(*rates.values())
    for scenario in load_scenarios(shocks_dir()):
        for line in scenario.operation.taxes:
            if isinstance(line, PropertyTax):
                assert line.rate == pytest.approx(law.property_rate.max()), scenario.id
            elif isinstance(line, MineralExtractionTax):
                mineral = MINERALS.get((scenario.id, line.products[0]))
                effective = round(line.rate * line.multiplier, 6)
                if mineral == "apatite_ore":  # specific rate since 2022: the scenario's estimate
                    assert np.isnan(law.minerals[mineral].rate[-1])
                    continue
                assert effective in (rates[mineral] if mineral else allowed), scenario.id
                if line.reduction != 1.0:
                    assert line.reduction == law.krm, scenario.id
                    assert line.reduction_months == 12 * law.krm_years, scenario.id
                    assert mineral is None or law.minerals[mineral].krm_eligible, scenario.id


def test_shipped_fiscal_settings():
    """Kola and Tomtor could hold the Arctic regime, Seligdar the TOR one; none is assumed."""
    found = {s.id: s.fiscal for s in load_scenarios(shocks_dir())}
    assert {c: f.eligible for c, f in found.items() if f.eligible != "none"} == {
        "kola": "arctic",
        "tomtor": "arctic",
        "seligdar": "tor",
    }
    assert all(f.regime == "none" for f in found.values())
    assert all(found[c].sources and found[c].estimate_ru for c in ("kola", "tomtor", "seligdar"))


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('regime = "none"\neligible = "tor"', 'regime = "sez"', r"fiscal.regime is 'sez'"),
        ('regime = "none"', 'regime = "arctic"', r"fiscal.eligible is 'tor' but .* 'arctic'"),
        ("regime_start = 2033\n", "", r"fiscal.regime_start is missing"),
        ('eligible = "tor"\n', "", r"fiscal.regime_start is only read with a regime"),
        ("regime_start = 2033", "regime_start = 2020", r"fiscal.regime_start is 2020, outside"),
        ("northern_share = 0.0", "northern_share = 1.5", r"northern_share is 1.5, above"),
        ("northern_share = 0.0", "levy = 1", r"fiscal has unknown key\(s\) \['levy'\]"),
    ],
)
def test_bad_fiscal_block_refused(tmp_path, old, new, message):
    path = tmp_path / "TEMPLATE.toml"
    path.write_text((ROOT / "shocks" / "TEMPLATE.toml").read_text("utf-8"), "utf-8")
    edit(path, old, new)
    with pytest.raises(ScenarioError, match=message):
        Scenario.load(path)


def test_add_revenue_notes_years_outside_the_law(law):
    early = _small().assign_coords(year=[2021, 2022])
    out = add_revenue(early, law, _basis((2021, 2022)))
    assert "taxed under the law of the nearest year" in json.loads(out.attrs["fiscal_notes"])[0]
    assert float(out["revenue"].sum()) > 0


# ------------------------------------------------------------------ command line and workbook


def test_cli_compare_ranks_by_revenue_per_capex():
    from click.testing import CliRunner

    from iomodel.cli import main

    result = CliRunner().invoke(
        main, ["compare", "--by", "revenue_per_capex", "--quiet", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    records = json.loads(result.output)
    ratios = [r["revenue_per_capex"] for r in records]
    assert ratios == sorted(ratios, reverse=True) and len(records) == 8
    assert [r["rank"] for r in records] == list(range(1, 9))
    for r in records:
        levels = sum(r[f"discounted_revenue_{b}"] for b in BUDGETS)
        assert levels == pytest.approx(r["discounted_revenue"])


def test_cli_run_writes_the_revenue_sheet_with_units(tmp_path):
    import openpyxl
    from click.testing import CliRunner

    from iomodel.cli import main

    args = ["run", "kola", "--variant", "central", "--preferences", "eligible", "--quiet"]
    result = CliRunner().invoke(
        main, [*args, "--format", "xlsx", "--lang", "en", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(tmp_path / "impact.xlsx", read_only=True, data_only=True)
    rows = list(wb["Budget revenue"].iter_rows(values_only=True))
    head = rows[0]
    assert "Federal budget, bn RUB, 2021 prices" in head
    body = [dict(zip(head, r)) for r in rows[1:]]
    assert {r["Tax"] for r in body} == set(TAXES)
    total = head[-1]
    assert all(r[total] == pytest.approx(sum(r[h] for h in head[-5:-1]), abs=1e-9) for r in body)
    provenance = {r[0]: r[1] for r in wb["Provenance"].iter_rows(values_only=True)}
    assert "regime: arctic" in provenance["Tax regime: kola"]  # a readable row, not JSON
    assert provenance["Tax regime: --preferences"] == "eligible"
    wb.close()
