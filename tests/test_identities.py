"""Accounting identities for every shipped centre, variant, phase and year.

With the open model (Type I), what goes in comes out: every rouble of capex at purchasers'
prices ends up as domestic value added, imports or net product taxes (margins are domestic
output), and so does every rouble of the new activity's output (new-industry method).  The only
gap is the table's own residual rows (purchases of non-residents P34, CIF/FOB adjustment P6a).
"""

from __future__ import annotations

import numpy as np
import pytest

from iomodel.pipeline import run_centres

LEAKS = ("value_added", "imports", "product_taxes")


@pytest.fixture(scope="module")
def type1():
    return run_centres(model="I").dataset


def _ratio(ds, phase, reference):
    part = ds.sel(phase=phase).sum(["sector", "effect"])
    leaks = sum(part[k] for k in LEAKS)
    active = reference > 0
    return (leaks / reference.where(active)).where(active, 1.0)


def test_construction_leakages_equal_capex(type1):
    capex = type1.capex.sel(phase="construction")
    ratio = _ratio(type1, "construction", capex)
    assert float(capex.sum()) > 0
    np.testing.assert_allclose(ratio.values, 1.0, rtol=0, atol=1e-3)


def test_operation_leakages_equal_new_output(type1):
    new = type1.output.sel(phase="operation", effect="direct").sum("sector")
    ratio = _ratio(type1, "operation", new)
    assert int((new > 0).sum()) > 8 * 3 * 10  # every centre and variant runs for years
    np.testing.assert_allclose(ratio.values, 1.0, rtol=0, atol=1e-3)


def test_new_activity_accounts_close(type1):
    """Output = purchases + wages + taxes + surplus; sales abroad + at home = output."""
    direct = type1.sel(phase="operation", effect="direct")
    own = direct.output.sum("sector")
    sales = (type1.exports + type1.domestic_sales).sum("sector")
    np.testing.assert_allclose(sales.values, own.values, rtol=1e-12, atol=1e-9)
    va = direct.value_added.sum("sector")
    parts = (
        direct.compensation.sum("sector")
        + (type1.mineral_extraction_tax + type1.property_tax + type1.other_taxes).sum("sector")
        + type1.operating_surplus.sum("sector")
    )
    np.testing.assert_allclose(va.values, parts.values, rtol=1e-9, atol=1e-6)


def _case_leaks(ds, phase):
    return sum(ds[f"case_{k}"].sel(phase=phase).sum("group") for k in LEAKS)


def test_thesis_cases_construction_leakages_equal_capex(type1):
    """Every thesis case (stages, localisation, standalone) conserves capex too."""
    capex = type1.case_capex.sel(phase="construction")
    defined = capex.notnull()
    ratio = (_case_leaks(type1, "construction") / capex.where(capex > 0)).where(capex > 0, 1.0)
    assert int(defined.any("year").sum()) >= 8 * 3  # base and two localisation cases each
    np.testing.assert_allclose(ratio.where(defined, 1.0).values, 1.0, rtol=0, atol=1e-3)


def test_thesis_cases_operation_leakages_equal_output_less_own_use(type1):
    """Operation: value added + imports + product taxes = the new output less what the
    centre's own later stages use of it."""
    net = (type1.case_own_output - type1.case_own_use).sum("group")
    active = net > 0
    ratio = (_case_leaks(type1, "operation") / net.where(active)).where(active, 1.0)
    assert int(active.sum()) > 8 * 3 * 10
    np.testing.assert_allclose(ratio.values, 1.0, rtol=0, atol=1e-3)


def test_thesis_base_case_is_the_central_variant(type1):
    """The base case is the central variant, summed over effects and into sector groups."""
    base = type1.case_value_added.sel(case="base").sum("group")
    central = type1.value_added.sel(variant="central").sum(["sector", "effect"])
    np.testing.assert_allclose(base.values, central.values, rtol=1e-12, atol=1e-6)


def test_budget_revenue_keeps_the_runs_taxes(type1):
    """Revenue by budget level (iomodel.budget) re-splits, never recomputes, the taxes the run
    already has: the new activity's extraction and property taxes, and the table's net taxes
    (with the new activity's other tax lines) — for every shipped centre, variant and year."""
    tax = type1.revenue.sum("budget")
    own = (type1.phase == "operation") & (type1.effect == "direct")
    for line, name in (
        ("mineral_extraction", "mineral_extraction_tax"),
        ("property", "property_tax"),
    ):
        expected = (type1[name].sum("sector") * own).transpose(*tax.sel(tax=line).dims)
        np.testing.assert_allclose(tax.sel(tax=line).values, expected.values, atol=1e-9)
    net = type1.taxes.sum("sector") - (
        (type1.mineral_extraction_tax + type1.property_tax).sum("sector") * own
    )
    np.testing.assert_allclose(
        tax.sel(tax="other_net_taxes").values,
        net.transpose(*tax.sel(tax="other_net_taxes").dims).values,
        atol=1e-6,
    )
    # budget levels as the law splits them; Type I has no household spending, hence no VAT
    r = type1.revenue
    assert float(r.sel(tax="vat").sum()) == 0
    assert float(r.sel(tax="contributions").drop_sel(budget="social_funds").sum()) == 0
    ndpi = r.sel(tax="mineral_extraction").sum(["centre", "variant", "phase", "year", "effect"])
    assert float(ndpi.sel(budget="federal") / ndpi.sum()) == pytest.approx(0.4)
    assert float(r.sel(tax="property", budget="regional").sum()) == pytest.approx(
        float(r.sel(tax="property").sum())
    )
    assert float(r.sel(tax="pit").sum()) > 0 and float(r.sel(tax="profit").sum()) > 0


def test_regions_add_up_to_national_type1(type1):
    """Type I: each centre's regions, the rest of Russia and abroad add up to the national
    result for every variable, variant, phase, year and effect (see tests/test_regional_run.py
    for Type II)."""
    assert list(type1.effect.values) == ["direct", "indirect"]
    for v in ("output", "value_added", "compensation", "employment", "taxes", "imports"):
        national = type1[v].sum("sector")
        regional = type1[f"{v}_by_region"].sum("region").transpose(*national.dims)
        np.testing.assert_allclose(
            regional.values, national.values, rtol=0, atol=1e-10 * float(abs(national).max())
        )
