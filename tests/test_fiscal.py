"""The fiscal block: budget revenue by tax and budget level (iomodel.fiscal, tables/fiscal/).

Known answers are hand computations from the rates in ``tables/fiscal/*.toml``, each of which
cites its article of the Tax Code (НК РФ) or Budget Code (БК РФ):

* PIT 2025+: 13 % to 2.4 mn RUB, 15 % to 5 mn, … (НК РФ art. 224, 176-FZ); the part above 13 %
  federal, the rest 85 % regional / 15 % local (БК РФ art. 56, 61.x, documented default).
* Contributions: 30 % to the base limit, 15.1 % above (art. 425); limit 2 979 000 RUB in 2026
  (Government decree No. 1701 of 31.10.2025).
* Profit tax: 25 %, 8 % federal + 17 % regional in 2025-2030, 7 % + 18 % from 2031 (art. 284);
  taxable share of operating surplus 0.40 (an estimate, profit.toml).
* NDPI: 4.8 % × Кrenta 3.5 × Крм 0.1 = 1.68 % (art. 342, 342.7); the amount comes from the
  scenario's lines, split 40 % federal, 60 % regional (БК РФ art. 50, 56).
* Property tax (art. 380): the amount comes from the scenario's line, all regional (art. 56).
  VAT on household purchases 0.109 × 22 / 20 from 2026.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from iomodel.errors import FiscalError, IOModelError
from iomodel.fiscal import (
    BUDGETS,
    REGIMES,
    TAXES,
    load_fiscal,
    mineral_extraction_rate,
    regime_codes,
    revenue,
    revenue_dataarray,
    wages_from_compensation,
)

from .conftest import ROOT, edit

FISCAL = ROOT / "tables" / "fiscal"
T = {name: i for i, name in enumerate(TAXES)}
B = {name: i for i, name in enumerate(BUDGETS)}


@pytest.fixture(scope="module")
def law():
    return load_fiscal()


@pytest.fixture()
def fiscal_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "fiscal"
    shutil.copytree(FISCAL, folder)
    return folder


def line(result: np.ndarray, tax: str) -> dict[str, float]:
    return {b: float(result[..., T[tax], B[b]]) for b in BUDGETS}


# ------------------------------------------------------------------ hand-computed tax lines


def test_pit_below_first_threshold(law):
    """100 of wages at an average wage of 1.2 mn RUB (2026): 13 % → 13, all sub-federal."""
    r = revenue(law, 2026, wages=100.0, average_wage=1_200_000)
    assert line(r, "pit") == pytest.approx(
        {"federal": 0.0, "regional": 11.05, "local": 1.95, "social_funds": 0.0}
    )


def test_pit_progressive_scale_and_federal_part(law):
    """Average wage 3 mn RUB: 312 000 + 15 % × 600 000 = 402 000 per worker → 13.4 %.

    Federal part 2 % × 600 000 = 12 000 → 0.4 % of wages; the other 13.0 split 85/15.
    """
    r = revenue(law, 2026, wages=100.0, average_wage=3_000_000)
    assert line(r, "pit") == pytest.approx(
        {"federal": 0.4, "regional": 13.0 * 0.85, "local": 13.0 * 0.15, "social_funds": 0.0}
    )


def test_pit_northern_supplements_on_their_own_scale(law):
    """Wage 3 mn RUB, half of it northern supplements (2026).

    Main part 1.5 mn at 13 % = 195 000; northern part 1.5 mn at 13 % = 195 000 (its scale
    steps up only at 5 mn): 390 000 / 3 mn = 13 %, nothing federal.
    """
    r = revenue(law, 2026, wages=100.0, average_wage=3_000_000, northern_share=0.5)
    assert sum(line(r, "pit").values()) == pytest.approx(13.0)
    assert line(r, "pit")["federal"] == pytest.approx(0.0)


def test_contributions_below_and_above_the_base_limit(law):
    """30 % below the 2026 limit (2 979 000 RUB); above it 15.1 % on the excess.

    Wage 4 mn: 0.30 × 2 979 000 + 0.151 × 1 021 000 = 1 047 871 → 26.196775 % of wages.
    """
    low = revenue(law, 2026, wages=100.0, average_wage=1_200_000)
    high = revenue(law, 2026, wages=100.0, average_wage=4_000_000)
    assert line(low, "contributions")["social_funds"] == pytest.approx(30.0)
    assert line(high, "contributions")["social_funds"] == pytest.approx(26.196775)
    assert sum(line(high, "contributions").values()) == pytest.approx(26.196775)


def test_profit_tax(law):
    """Surplus 100 × taxable share 0.40 = 40; 8 % federal = 3.2, 17 % regional = 6.8."""
    r = revenue(law, 2026, operating_surplus=100.0)
    assert line(r, "profit") == pytest.approx(
        {"federal": 3.2, "regional": 6.8, "local": 0.0, "social_funds": 0.0}
    )
    own = revenue(law, 2026, operating_surplus=100.0, taxable_share=0.5)
    assert sum(line(own, "profit").values()) == pytest.approx(12.5)


def test_mineral_extraction_tax(law):
    """A scenario's NDPI of 1.68 (100 of extracted value at 1.68 %): 40 % federal 0.672, 60 %
    regional 1.008."""
    r = revenue(law, 2035, mineral_extraction_tax=1.68)
    assert line(r, "mineral_extraction") == pytest.approx(
        {"federal": 0.672, "regional": 1.008, "local": 0.0, "social_funds": 0.0}
    )


def test_property_tax(law):
    """A scenario's property tax of 2.2 (residual value 100 at 2.2 %), all regional."""
    r = revenue(law, 2030, property_tax=2.2)
    assert line(r, "property") == pytest.approx(
        {"federal": 0.0, "regional": 2.2, "local": 0.0, "social_funds": 0.0}
    )


def test_vat_on_household_purchases(law):
    """0.109 per rouble at 20 % (2021 table) → 0.109 × 22/20 = 0.1199 from 2026, federal."""
    r = revenue(law, 2026, household_purchases=100.0)
    assert line(r, "vat") == pytest.approx(
        {"federal": 11.99, "regional": 0.0, "local": 0.0, "social_funds": 0.0}
    )


def test_other_net_taxes_keep_the_tables_figures(law):
    """Products 10 → federal; production 10 → 85 % regional, 15 % local (estimates)."""
    r = revenue(law, 2026, other_net_taxes_products=10.0, other_net_taxes_production=10.0)
    assert line(r, "other_net_taxes") == pytest.approx(
        {"federal": 10.0, "regional": 8.5, "local": 1.5, "social_funds": 0.0}
    )


# ------------------------------------------------------------------ identities


def test_zero_wages_and_surplus_give_zero_revenue(law):
    r = revenue(
        law, np.arange(2026, 2049), wages=0.0, average_wage=1_500_000, operating_surplus=0.0
    )
    assert r.shape == (23, len(TAXES), len(BUDGETS))
    assert not r.any()


def test_budget_split_sums_to_each_tax_total(law):
    rng = np.random.default_rng(7)
    shape = (3, 23, 5)
    years = np.broadcast_to(np.arange(2026, 2049)[None, :, None], shape)
    flows = {
        k: rng.uniform(0, 100, shape)
        for k in (
            "wages",
            "operating_surplus",
            "mineral_extraction_tax",
            "property_tax",
            "household_purchases",
            "other_net_taxes_products",
            "other_net_taxes_production",
        )
    }
    avg = rng.uniform(5e5, 8e6, shape)
    r = revenue(law, years, average_wage=avg, **flows)
    totals = r.sum(-1)
    yi = years - law.first_year
    assert totals[..., T["mineral_extraction"]] == pytest.approx(flows["mineral_extraction_tax"])
    assert totals[..., T["property"]] == pytest.approx(flows["property_tax"])
    assert totals[..., T["vat"]] == pytest.approx(
        flows["household_purchases"] * law.vat_household[yi]
    )
    assert totals[..., T["profit"]] == pytest.approx(
        flows["operating_surplus"] * 0.40 * (law.profit_federal + law.profit_regional)[yi]
    )
    assert totals[..., T["other_net_taxes"]] == pytest.approx(
        flows["other_net_taxes_products"] + flows["other_net_taxes_production"]
    )
    for split in law.splits.values():
        assert split.sum(-1) == pytest.approx(1.0)
    assert law.pit_subfederal.sum(-1) == pytest.approx(1.0)


def test_revenue_is_linear_in_the_flows(law):
    """Direct, indirect and induced revenue add up: revenue(a + b) = revenue(a) + revenue(b)."""
    a = {"wages": 3.0, "operating_surplus": 5.0, "household_purchases": 2.0}
    b = {"wages": 7.0, "operating_surplus": -1.0, "household_purchases": 4.0}
    both = {k: a[k] + b[k] for k in a}
    kw = {"average_wage": 2_700_000, "regime": 1, "regime_year": 3}
    np.testing.assert_allclose(
        revenue(law, 2030, **both, **kw),
        revenue(law, 2030, **a, **kw) + revenue(law, 2030, **b, **kw),
    )


def test_stacked_cases_match_one_at_a_time(law):
    """The vectorised call equals the same cases computed one by one."""
    rng = np.random.default_rng(3)
    years = np.array([[2026, 2031], [2040, 2048]])
    wages = rng.uniform(1, 10, (2, 2))
    avg = np.array([[1e6, 3e6], [6e6, 2.5e6]])
    regime = np.array([[0, 1], [2, 1]])
    stacked = revenue(law, years, wages=wages, average_wage=avg, regime=regime, regime_year=2)
    for i in range(2):
        for j in range(2):
            one = revenue(
                law,
                int(years[i, j]),
                wages=wages[i, j],
                average_wage=avg[i, j],
                regime=int(regime[i, j]),
                regime_year=2,
            )
            np.testing.assert_allclose(stacked[i, j], one)


# ------------------------------------------------------------------ preferences


def test_preference_lowers_exactly_contributions_and_profit(law):
    flows = dict(
        wages=100.0,
        average_wage=1_200_000,
        operating_surplus=100.0,
        mineral_extraction_tax=1.68,
        property_tax=2.2,
        household_purchases=100.0,
        other_net_taxes_products=10.0,
        other_net_taxes_production=10.0,
    )
    standard = revenue(law, 2030, **flows)
    for name in ("arctic", "tor"):
        preferred = revenue(law, 2030, regime=regime_codes(name), regime_year=0, **flows)
        changed = {
            TAXES[t] for t in range(len(TAXES)) if not np.allclose(preferred[t], standard[t])
        }
        assert changed == {"contributions", "profit"}, name
        assert (preferred <= standard + 1e-12).all(), name
        # 7.6 % below the limit; profit: federal 0, regional 5 % of the base of 40
        assert line(preferred, "contributions")["social_funds"] == pytest.approx(7.6)
        assert line(preferred, "profit") == pytest.approx(
            {"federal": 0.0, "regional": 2.0, "local": 0.0, "social_funds": 0.0}
        )


def test_preference_ends_and_steps_by_regime_year(law):
    """TOR: regional 10 % and the standard federal 8 % in years 5-9; standard from year 10."""
    base = {"operating_surplus": 100.0}
    tor = REGIMES.index("tor")
    year6 = revenue(law, 2030, regime=tor, regime_year=6, **base)
    assert line(year6, "profit")["regional"] == pytest.approx(4.0)
    assert line(year6, "profit")["federal"] == pytest.approx(3.2)
    for k in (10, 25, -1):
        np.testing.assert_allclose(
            revenue(law, 2030, regime=tor, regime_year=k, **base), revenue(law, 2030, **base)
        )


def test_regime_codes():
    np.testing.assert_array_equal(regime_codes(["none", "tor", "arctic"]), [0, 2, 1])
    with pytest.raises(FiscalError, match="unknown preference regime 'sez'"):
        regime_codes(["none", "sez"])


# ------------------------------------------------------------------ year dependence


@pytest.mark.parametrize(
    ("tax", "flows", "before", "after", "year"),
    [
        # PIT: 2024 flat 13 % below 5 mn; 2025 the 15 % bracket from 2.4 mn (13.4 %)
        ("pit", {"wages": 100.0, "average_wage": 3_000_000}, 13.0, 13.4, 2025),
        # contributions: the base limit rises from 2 759 000 to 2 979 000 in 2026
        (
            "contributions",
            {"wages": 100.0, "average_wage": 3_000_000},
            100 * (0.3 * 2_759_000 + 0.151 * 241_000) / 3e6,
            100 * (0.3 * 2_979_000 + 0.151 * 21_000) / 3e6,
            2026,
        ),
        # VAT: 20 % → 22 % in 2026
        ("vat", {"household_purchases": 100.0}, 10.9, 11.99, 2026),
    ],
)
def test_a_rate_steps_exactly_in_its_year(law, tax, flows, before, after, year):
    years = np.arange(year - 1, year + 3)
    r = revenue(law, years, **flows).sum(-1)[:, T[tax]]
    assert r == pytest.approx([before, after, after, after])


def test_profit_split_changes_in_2031_total_does_not(law):
    r = revenue(law, np.array([2030, 2031]), operating_surplus=100.0)[:, T["profit"]]
    assert r[:, B["federal"]] == pytest.approx([3.2, 2.8])
    assert r[:, B["regional"]] == pytest.approx([6.8, 7.2])


def test_unknown_year_is_refused(law):
    with pytest.raises(FiscalError, match=r"no fiscal law for year 2022.*2023-2100"):
        revenue(law, [2022, 2026], wages=1.0)


# ------------------------------------------------------------------ helpers


def test_mineral_extraction_rate_schedule(law):
    """Lithium, first extraction 2031: 1.68 % for 10 years (Крм 0.1), then 16.8 %."""
    years = np.arange(2030, 2044)
    rate = mineral_extraction_rate(law, "lithium_ore", years, first_extraction_year=2031)
    assert rate == pytest.approx([0.168] + [0.0168] * 10 + [0.168] * 3)
    # loparite (Lovozero: Крм long expired) and Ti-Zr (not on the Крм list): 16.8 % throughout
    for mineral in ("loparite_ore", "titanium_zirconium_placer"):
        assert mineral_extraction_rate(law, mineral, years, 2031) == pytest.approx(0.168)
    assert np.isnan(mineral_extraction_rate(law, "apatite_ore", 2030))
    with pytest.raises(FiscalError, match="no mineral 'gold'"):
        mineral_extraction_rate(law, "gold", 2030)


def test_wages_from_compensation(law):
    """D1 = 130 at an average pay below the limit (30 % tariff) holds 100 of wages.

    Above the 2026 limit (2 979 000): pay 4 mn RUB of D1 per worker holds a wage w with
    4 000 000 = w + 0.30 × 2 979 000 + 0.151 × (w − 2 979 000), w = 3 087 662.9; and the limit
    doubled (index 2) puts the same pay below it again (w = 4 mn / 1.3).
    """
    assert wages_from_compensation(law, 130.0, 1_560_000, 2026) == pytest.approx(100.0)
    wage = (4e6 - (0.30 - 0.151) * 2_979_000) / 1.151
    assert wages_from_compensation(law, 4e6, 4e6, 2026) == pytest.approx(wage)
    assert wage + 0.30 * 2_979_000 + 0.151 * (wage - 2_979_000) == pytest.approx(4e6)
    assert wages_from_compensation(law, 4e6, 4e6, 2026, 2.0) == pytest.approx(4e6 / 1.3)
    assert wages_from_compensation(law, 13.0, 0.0, 2026) == pytest.approx(10.0)
    # the wage and its contributions at the standard tariff add up to the compensation
    for pay in (1e6, 2.9e6, 3.9e6, 8e6):
        w = float(wages_from_compensation(law, pay, pay, 2030))
        c = revenue(law, 2030, wages=w, average_wage=w)[T["contributions"]].sum()
        assert w + c == pytest.approx(pay)


def test_base_limit_index_moves_the_limit(law):
    """Wage 4 mn RUB in 2026 with the limit doubled (5 958 000): all of it at 30 %."""
    r = revenue(law, 2026, wages=100.0, average_wage=4_000_000, base_limit_index=2.0)
    assert line(r, "contributions")["social_funds"] == pytest.approx(30.0)
    with pytest.raises(FiscalError, match="base_limit_index"):
        revenue(law, 2026, wages=1.0, base_limit_index=0.0)


def test_loader_reads_names_basis_and_money_basis(law):
    """Each tax has Russian and English names and legal basis; the money-basis parameters."""
    assert set(law.names) == set(law.basis) == set(TAXES)
    assert law.names["other_net_taxes"] == (
        "Чистые налоги на продукты и производство (по таблице)",
        "Net taxes on products and production (table)",
    )
    assert "ст. 224 НК РФ" in law.basis["pit"][0] and "art. 224" in law.basis["pit"][1]
    assert law.contrib_limit_last_year == 2026
    assert (law.price_series, law.price_growth, law.depreciation_life) == ("total", 0.04, 15.0)
    assert law.household_imports_per_domestic == pytest.approx(0.1593)
    assert set(law.sha256) == {f"{t}.toml" for t in TAXES} | {"preferences.toml", "nominal.toml"}


def test_revenue_dataarray_broadcasts_by_name(law):
    wages = xr.DataArray(
        [[100.0, 50.0]], dims=("centre", "year"), coords={"centre": ["kola"], "year": [2026, 2031]}
    )
    surplus = xr.DataArray([10.0, 20.0, 30.0], dims="sector", coords={"sector": ["a", "b", "c"]})
    r = revenue_dataarray(
        law, wages["year"], wages=wages, average_wage=1_200_000, operating_surplus=surplus
    )
    assert r.dims == ("centre", "year", "sector", "tax", "budget")
    assert list(r.tax.values) == list(TAXES) and list(r.budget.values) == list(BUDGETS)
    assert float(r.sel(centre="kola", year=2031, sector="c", tax="profit").sum()) == (
        pytest.approx(30 * 0.4 * 0.25)
    )
    assert float(r.sel(year=2026, sector="a", tax="pit").sum()) == pytest.approx(13.0)


# ------------------------------------------------------------------ bad data


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        (
            "vat.toml",
            "standard = 0.22",
            "standard = 22",
            r"vat.toml: rate\[1\].standard: rate 22 outside \[0, 1\]",
        ),
        (
            "property.toml",
            "regional = 1.0",
            "regional = 0.9",
            r"property.toml: split\[0\]: shares .* sum to 0.9, not 1",
        ),
        (
            "profit.toml",
            "from = 2031",
            "from = 2032",
            r"profit.toml: rate\[2\]: starts in 2032 but the previous entry ends in 2030",
        ),
        (
            "pit.toml",
            "thresholds = [0, 2_400_000, 5_000_000, 20_000_000, 50_000_000]",
            "thresholds = [0, 5_000_000, 2_400_000, 20_000_000, 50_000_000]",
            r"pit.toml: scale\[1\].thresholds: .* must start at 0 and rise",
        ),
        (
            "pit.toml",
            "federal_rates = [0.0, 0.02, 0.05, 0.07, 0.09]",
            "federal_rates = [0.0, 0.02, 0.25, 0.07, 0.09]",
            r"pit.toml: scale\[1\].federal_rates: a federal part exceeds its rate",
        ),
        (
            "preferences.toml",
            "[regimes.tor]",
            "[regimes.sez]",
            r"preferences.toml: regimes.sez: unknown regime",
        ),
        (
            "mineral_extraction.toml",
            "krm_eligible = true",
            'krm_eligible = "yes"',
            r"mineral_extraction.toml: minerals.lithium_ore.krm_eligible: 'yes'",
        ),
        (
            "contributions.toml",
            "year = 2024",
            "year = 2027",
            r"contributions.toml: base_limit: years \[2023, 2027, 2025, 2026\] not consecutive",
        ),
        (
            "profit.toml",
            "[taxable_share]\nvalue = 0.40",
            "[taxable_share]\nvalue = 1.4",
            r"profit.toml: taxable_share.value: rate 1.4 outside \[0, 1\]",
        ),
        ("vat.toml", "[household]", "[household", r"vat.toml: not valid TOML"),
    ],
)
def test_bad_fiscal_data_refused(fiscal_copy, file, old, new, message):
    edit(fiscal_copy / file, old, new)
    with pytest.raises(FiscalError, match=message) as info:
        load_fiscal(fiscal_copy)
    assert isinstance(info.value, IOModelError) and isinstance(info.value, ValueError)


def test_missing_file_refused(fiscal_copy):
    (fiscal_copy / "pit.toml").unlink()
    with pytest.raises(FiscalError, match=r"pit.toml: file missing"):
        load_fiscal(fiscal_copy)


def test_bad_inputs_refused(law):
    with pytest.raises(FiscalError, match="regime codes must be"):
        revenue(law, 2030, wages=1.0, regime=7)
