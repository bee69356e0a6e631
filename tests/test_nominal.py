"""Money in current prices (``iomodel report --prices nominal``, :mod:`iomodel.nominal`): pure
functions on a small Dataset; the report path is tested in ``tests/test_report.py``."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from iomodel.nominal import current_prices, money_variables, nominal_appraisal
from iomodel.summary import Appraisal, discount_factors

YEARS = [2025, 2026, 2027]
LEVEL = {2025: 1.5, 2026: 1.56, 2027: 1.6224}


def _ds() -> xr.Dataset:
    money = {"units": "mn RUB, 2021 basic prices"}
    coords = {"centre": ["a"], "year": YEARS}
    return xr.Dataset(
        {
            "output": (("centre", "year"), [[10.0, 20.0, 30.0]], money),
            "capex": (("year", "centre"), [[1.0], [2.0], [0.0]], {"units": "mn RUB, 2021 prices"}),
            "employment": (("centre", "year"), [[5.0, 6.0, 7.0]], {"units": "persons"}),
            "indicator": (("centre",), [99.0], money),  # no year: an aggregate, left alone
        },
        coords=coords,
        attrs={"table_year": "2021"},
    )


def test_each_year_is_moved_by_its_own_price_level():
    ds = _ds()
    assert sorted(money_variables(ds)) == ["capex", "output"]
    out = current_prices(ds, LEVEL)
    np.testing.assert_allclose(out.output.values, [[15.0, 31.2, 48.672]])
    np.testing.assert_allclose(out.capex.values[:, 0], [1.5, 3.12, 0.0])
    assert out.capex.dims == ("year", "centre")  # dims kept in their order
    np.testing.assert_array_equal(out.employment.values, ds.employment.values)
    assert float(out.indicator.sum()) == 99.0
    assert out.output.attrs["units"] == "mn RUB, current prices"
    assert out.attrs["money_prices"] == "current" and "money_prices" not in ds.attrs
    assert float(ds.output.sum()) == 60.0  # the input is not changed


def test_a_missing_year_is_refused():
    with pytest.raises(ValueError, match=r"no price level for year\(s\) \[2027\]"):
        current_prices(_ds(), {2025: 1.0, 2026: 1.0})
    with pytest.raises(ValueError, match="discount base year 2025"):
        nominal_appraisal(Appraisal(0.025, 2025, "x"), {2026: 1.0})


def test_nominal_discounting_is_the_real_rate_with_the_inflation_fisher():
    """(1 + r)(1 + π) − 1 each year: 2.5 % real and 4 % inflation give 6.6 % nominal, so a
    nominal flow discounted so equals the real flow discounted at 2.5 % times P(2025)."""
    real = Appraisal(0.025, 2025, "x")
    nominal = nominal_appraisal(real, LEVEL)
    assert nominal.nominal and not real.nominal
    years = np.array(YEARS)
    d_real = discount_factors(years, real).values
    d_nom = discount_factors(years, nominal).values
    np.testing.assert_allclose(d_nom[1:] / d_nom[:-1], [1 / 1.066, 1 / 1.066])
    flows = _ds().output.sel(centre="a")
    pv_real = float((flows * d_real).sum())
    pv_nom = float((current_prices(_ds(), LEVEL).output.sel(centre="a") * d_nom).sum())
    assert pv_nom == pytest.approx(pv_real * LEVEL[2025], rel=1e-12)
