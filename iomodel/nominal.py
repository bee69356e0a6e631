"""Money in current (nominal) prices: each year's flows at that year's price level.

The model's money is in the table year's prices.  ``iomodel report --prices nominal`` shows each
year's flows in that year's prices instead, so cumulative totals sum nominal roubles.  The price
level is the project's one (:func:`iomodel.prices.price_level`, the series and the growth after
the data that ``tables/fiscal/nominal.toml`` names).  Discounted totals of nominal flows use the
nominal rate that matches the real appraisal rate ``r`` under the same inflation path (Fisher):
``(1 + r)(1 + π_t) − 1``, so a discount factor is ``(1 + r)^−(t − b) · P_b / P_t`` and a
discounted nominal total equals the real one moved to the prices of the discount base year ``b``.

Pure functions of a Dataset and a price level; no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import xarray as xr

from .summary import Appraisal

__all__ = ["current_prices", "money_variables", "nominal_appraisal"]

#: The ``units`` attribute of a money variable names its price basis (e.g. "mn RUB, 2021 basic
#: prices"); employment ("persons") and shares have none.
_PRICE_WORD = "prices"


def money_variables(ds: xr.Dataset) -> list[str]:
    """Variables of ``ds`` that hold money by year: a ``year`` dimension and units naming a price
    basis (employment, shares and aggregates over years are left out)."""
    return [
        str(name)
        for name, var in ds.data_vars.items()
        if "year" in var.dims and _PRICE_WORD in str(var.attrs.get("units", ""))
    ]


def _level(level: Mapping[int, float], years) -> xr.DataArray:
    missing = [int(y) for y in years if int(y) not in level]
    if missing:
        raise ValueError(f"no price level for year(s) {missing[:5]}")
    return xr.DataArray(
        [float(level[int(y)]) for y in years], dims="year", coords={"year": list(years)}
    )


def current_prices(ds: xr.Dataset, level: Mapping[int, float]) -> xr.Dataset:
    """``ds`` with every money variable's value in year *t* multiplied by ``level[t]`` (the price
    level of *t* relative to the prices the Dataset is in), its units saying so.

    The attribute ``money_prices`` is set to ``"current"``.
    """
    names = money_variables(ds)
    factor = _level(level, ds.year.values)
    out = ds.copy()
    for name in names:
        var = ds[name] * factor
        units = str(ds[name].attrs.get("units", ""))
        var.attrs = {**ds[name].attrs, "units": f"{units.split(',')[0]}, current prices"}
        out[name] = var.transpose(*ds[name].dims)
    out.attrs = {**ds.attrs, "money_prices": "current"}
    return out


def nominal_appraisal(appraisal: Appraisal, level: Mapping[int, float]) -> Appraisal:
    """``appraisal`` for flows in current prices: the same real rate made nominal with the
    price level's inflation (Fisher), see the module docstring."""
    if appraisal.base_year not in level:
        raise ValueError(f"no price level for the discount base year {appraisal.base_year}")
    return replace(
        appraisal, price_level=tuple(sorted((int(y), float(p)) for y, p in level.items()))
    )
