"""Budget revenue of a solved run: the fiscal block applied to the impact Dataset (issue 10).

A post-processing step. :func:`add_revenue` takes the Dataset :func:`iomodel.impact.run_impact`
made and returns it with a variable ``revenue`` (centre, variant, phase, year, effect, tax,
budget) in the Dataset's money (table units, table-year prices). The law is
:mod:`iomodel.fiscal`'s (``tables/fiscal/``); every number comes from the Dataset and from the
explicit inputs here, so the revenue of a stored Dataset can be recomputed.

Two parts, each computed on the stacked arrays at once (no loop over cases, sectors or years):

*the economy* — construction's direct effect and every indirect and induced effect, which follow
the table's coefficients:

* wages (D11) and pay per worker by year and product: compensation ÷ employment, in nominal
  roubles of the year, gives the effective PIT rate and contribution tariff of each product;
  applied to its compensation and summed over products;
* profit tax on ``taxable_share`` × gross operating surplus (value added − compensation − net
  taxes on production = P51c + B2n+B3n of the table);
* VAT on the purchases of households out of all the compensation the case creates (the
  spending that drives the induced effect; booked as ``induced``, Type II only);
* the table's net taxes on products and on production, under ``other_net_taxes``;

*the new activity* (operation phase, direct effect) — its own accounts:

* wages and pay per worker from its compensation and direct jobs, with the scenario's
  preferential regime (contributions) and northern share (PIT);
* profit tax on its operating surplus (already net of its own taxes) less the tax depreciation
  of its capex, losses carried forward, with the regime's rates;
* its mineral extraction and property taxes as the engine computed them from the scenario's
  tax lines (only split over budgets here), its other tax lines under ``other_net_taxes``.

Money basis: flows are in table-year prices; thresholds and the contribution base limit are
nominal. Pay per worker is converted to nominal roubles of the year with the price level of
:func:`money_basis` (shipped deflator to its last year, then ``nominal.toml``'s growth); the
rates found there (shares) are applied to the flows, so revenue stays in table-year prices.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr

from .errors import FiscalError
from .fiscal import (
    BUDGETS,
    TAXES,
    FiscalLaw,
    regime_codes,
    revenue,
    wages_from_compensation,
)
from .multipliers import ClosureKind, consumption_per_income
from .prices import Prices, price_level
from .table import IOTable

__all__ = [
    "MoneyBasis",
    "Setting",
    "add_revenue",
    "budget_revenue",
    "household_spending_per_income",
    "money_basis",
    "tax_depreciation",
    "taxable_profit",
]


@dataclass(frozen=True)
class Setting:
    """A centre's fiscal setting: the regime its new activity is taxed under (``"none"``,
    ``"arctic"``, ``"tor"``), the year the regime starts, and the northern share of its pay."""

    regime: str = "none"
    regime_start: int | None = None
    northern_share: float = 0.0


@dataclass(frozen=True)
class MoneyBasis:
    """How the run's money (table units, table-year prices) relates to the law's nominal roubles.

    ``price_level`` (year): nominal ÷ table-year prices; ``base_limit_index`` (year): the
    contribution base limit of the year ÷ the one the law sets (1 up to its last listed year);
    ``unit``: roubles per table unit.
    """

    price_level: xr.DataArray
    base_limit_index: xr.DataArray
    unit: float
    description: str = ""


def money_basis(
    law: FiscalLaw,
    prices: Prices,
    table: IOTable,
    years: Sequence[int],
    productivity: pd.DataFrame | None = None,
) -> MoneyBasis:
    """Price level and base-limit index for ``years`` (``nominal.toml``).

    Price level: the deflator series ``law.price_series`` chained from the table year to its
    last year with data, then ``law.price_growth`` a year. Base-limit index: after the last year
    the law lists a limit (``law.contrib_limit_last_year``), the limit moves with the run's
    nominal average pay, price level × the economy-wide real pay per worker, which grows as the
    employment coefficients fall with ``productivity`` (year × product index, None: frozen).
    """
    if table.meta.currency != "RUB":
        raise FiscalError(
            f"{table.meta.path}: the fiscal block needs a table in roubles, not "
            f"{table.meta.currency}"
        )
    base = table.meta.year
    known = [y for s, y in prices.indices if s == law.price_series]
    if not known:
        raise FiscalError(
            f"{law.folder / 'nominal.toml'}: price_level.series {law.price_series!r} is not in "
            f"{prices.path / 'deflators.csv'}"
        )
    last = max(known)
    years_arr = np.asarray(list(years), dtype=int)

    def level(year: int) -> float:
        return price_level(prices, law.price_series, base, [year], law.price_growth)[0]

    price = np.array(price_level(prices, law.price_series, base, years_arr, law.price_growth))
    real_pay = np.ones(len(years_arr))
    limit_year = law.contrib_limit_last_year
    if productivity is not None and table.employment is not None:
        weights = np.asarray(table.employment, dtype=float)
        need = sorted(set(years_arr.tolist()) | {limit_year})
        index = productivity.reindex(index=need, columns=table.codes)
        if index.isna().to_numpy().any():
            raise FiscalError(
                "the productivity index lacks some years or products the fiscal block needs "
                f"({need[0]}-{need[-1]}); extend it or run with frozen productivity"
            )
        pay = weights.sum() / (weights / index.to_numpy()).sum(axis=1)  # ΣE / Σ(E/P(t))
        by_year = dict(zip(need, pay))
        real_pay = np.array([by_year[int(y)] for y in years_arr])
        limit_pay = by_year[limit_year]
    else:
        limit_pay = 1.0
    nominal_pay = price * real_pay
    limit_nominal = level(limit_year) * limit_pay
    limit_index = np.where(years_arr > limit_year, nominal_pay / limit_nominal, 1.0)
    coords = {"year": years_arr}
    return MoneyBasis(
        price_level=xr.DataArray(price, dims="year", coords=coords),
        base_limit_index=xr.DataArray(limit_index, dims="year", coords=coords),
        unit=float(table.meta.unit),
        description=(
            f"pay per worker converted to nominal roubles with deflator series "
            f"'{law.price_series}' from {base} to {last}, then {law.price_growth:.1%} a year; "
            f"contribution base limit as listed to {limit_year}, then moving with the run's "
            "nominal average pay; PIT thresholds nominal, not indexed; revenue in "
            f"{base} prices"
        ),
    )


def household_spending_per_income(
    law: FiscalLaw, table: IOTable, closure: ClosureKind = "default"
) -> float:
    """Household purchases at basic prices (domestic and imported) per unit of compensation.

    The domestic purchases are the household closure's own (``consumption_per_income``); the
    imported ones are added with ``vat.toml``'s ratio of imported to domestic purchases.
    """
    return consumption_per_income(table, closure) * (1.0 + law.household_imports_per_domestic)


def tax_depreciation(capex: xr.DataArray, first_year: xr.DataArray, life: float) -> xr.DataArray:
    """Straight-line depreciation of each year's capex from when it is in use.

    ``capex`` (…, year); ``first_year`` (…): the first year of operation (NaN: none). A year's
    capex is in use from the later of its own year and ``first_year`` and is written off in
    ``life`` equal yearly parts from then (the scenarios' property lines put assets in service
    the same way).
    """
    years = capex["year"].to_numpy()
    start = np.maximum(years[None, :], first_year.to_numpy()[..., None])  # (…, vintage)
    age = years[:, None] - start[..., None, :]  # (…, year, vintage)
    share = np.where((age >= 0) & (age < life), 1.0 / life, 0.0)
    share = np.where(np.isnan(start)[..., None, :], 0.0, share)
    share_da = xr.DataArray(
        share,
        dims=(*first_year.dims, "year", "vintage"),
        coords={**first_year.coords, "year": years, "vintage": years},
    )
    return xr.dot(share_da, capex.rename(year="vintage"), dim="vintage")


def taxable_profit(profit: xr.DataArray) -> xr.DataArray:
    """Taxable profit by year with losses carried forward without limit (НК РФ art. 283).

    Cumulative taxable profit to year t is max(0, the largest cumulative profit to t): a loss
    reduces later profits until it is used up, and a loss after profits recovers no tax.
    """
    axis = profit.get_axis_num("year")
    cumulative = np.cumsum(profit.to_numpy(), axis=axis)
    taxed = np.maximum.accumulate(np.maximum(cumulative, 0.0), axis=axis)
    return profit.copy(data=np.diff(taxed, axis=axis, prepend=0.0))


def _economy_mask(ds: xr.Dataset) -> xr.DataArray:
    """True where the effects follow the table's coefficients (not the new activity itself)."""
    own = (ds["phase"] == "operation") & (ds["effect"] == "direct")
    return ~own


def _pay_per_worker(ds: xr.Dataset, economy: xr.DataArray) -> xr.DataArray:
    """Compensation ÷ employment by year and product over the table's effects of every case."""

    def total(name: str) -> xr.DataArray:
        by_slot = ds[name].sum(["centre", "variant"], skipna=False)  # phase, year, sector, effect
        return (by_slot * economy).sum(["phase", "effect"], skipna=False)

    comp, jobs = total("compensation"), total("employment")
    return (comp / jobs.where(jobs > 0)).fillna(0.0)


def _law_years(law: FiscalLaw, years: xr.DataArray) -> xr.DataArray:
    return years.clip(law.first_year, law.last_year)


def budget_revenue(
    ds: xr.Dataset,
    law: FiscalLaw,
    basis: MoneyBasis,
    settings: Mapping[str, Setting] | None = None,
    spending_per_income: float = 0.0,
) -> xr.DataArray:
    """Revenue by tax and budget level for every case of ``ds``.

    Parameters
    ----------
    ds
        A Dataset from :func:`iomodel.impact.run_impact`.
    law
        From :func:`iomodel.fiscal.load_fiscal`.
    basis
        From :func:`money_basis` (its years must cover ``ds.year``).
    settings
        Each centre's regime and northern share (missing centres: the standard law).
    spending_per_income
        Household purchases at basic prices per unit of compensation
        (:func:`household_spending_per_income`); only used with an ``induced`` effect.

    Returns
    -------
    xarray.DataArray
        dims (centre, variant, phase, year, effect, tax, budget), table units.
    """
    settings = settings or {}
    years = ds["year"]
    law_year = _law_years(law, years)
    price = basis.price_level.sel(year=years)
    limit = basis.base_limit_index.sel(year=years)
    economy = _economy_mask(ds)  # (phase, effect): the sums below mask after summing sectors

    # --- the economy: rates by year and product, applied to each product's compensation
    pay = _pay_per_worker(ds, economy) * basis.unit * price  # (year, sector), D1
    wage_share = xr.apply_ufunc(
        lambda p, y, k: wages_from_compensation(law, 1.0, p, y, k), pay, law_year, limit
    )
    per_comp = xr.apply_ufunc(
        lambda s, p, y, k: revenue(law, y, wages=s, average_wage=p * s, base_limit_index=k),
        wage_share,
        pay,
        law_year,
        limit,
        output_core_dims=[["tax", "budget"]],
    )  # revenue per unit of compensation, (year, sector, tax, budget)
    from_wages = xr.dot(ds["compensation"], per_comp, dim="sector") * economy

    def economy_sum(name: str) -> xr.DataArray:
        return ds[name].sum("sector", skipna=False) * economy

    production = economy_sum("taxes") - economy_sum("product_taxes")
    surplus = economy_sum("value_added") - economy_sum("compensation") - production
    income = ds["compensation"].sum(["sector", "effect"], skipna=False)  # all wages created
    purchases = (income * spending_per_income).expand_dims(effect=ds["effect"].values) * (
        ds["effect"] == "induced"
    )
    flows = xr.broadcast(surplus, purchases, economy_sum("product_taxes"), production, law_year)
    others = xr.apply_ufunc(
        lambda s, h, p, q, y: revenue(
            law,
            y,
            operating_surplus=s,
            household_purchases=h,
            other_net_taxes_products=p,
            other_net_taxes_production=q,
        ),
        *flows,
        output_core_dims=[["tax", "budget"]],
    )
    economy_revenue = from_wages + others

    # --- the new activity: its own accounts (operation, direct)
    activity = activity_revenue(ds, law, basis, settings)
    own_slot = ((ds["phase"] == "operation") & (ds["effect"] == "direct")).astype(float)
    total = economy_revenue + activity * own_slot
    total = total.transpose("centre", "variant", "phase", "year", "effect", "tax", "budget")
    return total.assign_coords(tax=list(TAXES), budget=list(BUDGETS)).rename("revenue")


def activity_revenue(
    ds: xr.Dataset,
    law: FiscalLaw,
    basis: MoneyBasis,
    settings: Mapping[str, Setting] | None = None,
) -> xr.DataArray:
    """The new activity's own revenue (centre, variant, year, tax, budget) from its accounts in
    ``ds`` (operation phase, direct effect): PIT and contributions at its pay per worker and
    regime, profit tax on its operating surplus less tax depreciation with losses carried
    forward, its mineral extraction, property and other taxes.  Part of
    :func:`budget_revenue`; also applied alone to the draws of the uncertainty study."""
    settings = settings or {}
    years = ds["year"]
    law_year = _law_years(law, years)
    price = basis.price_level.sel(year=years)
    limit = basis.base_limit_index.sel(year=years)
    own = ds.sel(phase="operation", effect="direct", drop=True)
    comp_a = own["compensation"].sum("sector")
    jobs_a = own["employment"].sum("sector")
    pay_a = (comp_a / jobs_a.where(jobs_a > 0)).fillna(0.0) * basis.unit * price
    wages_a = xr.apply_ufunc(
        lambda c, p, y, k: wages_from_compensation(law, c, p, y, k), comp_a, pay_a, law_year, limit
    )
    wage_a = (pay_a * wages_a / comp_a.where(comp_a != 0)).fillna(0.0)
    # each column's own first year of operation (centre, variant): a case or a variant that
    # starts later is not written off from another's start; NaN without an operation phase
    running = own["output"].sum("sector") > 0
    first = years.where(running).min("year")
    capex = ds["capex"].sel(phase="construction", drop=True)
    depreciation = tax_depreciation(capex, first, law.depreciation_life)
    profit = taxable_profit(own["operating_surplus"].sum("sector") - depreciation)
    centres = ds["centre"].values.tolist()
    choose = [settings.get(c, Setting()) for c in centres]
    for c, s in zip(centres, choose):
        if s.regime != "none" and s.regime_start is None:
            raise FiscalError(
                f"centre {c!r}: regime {s.regime!r} needs regime_start, the first tax period "
                "(year) it applies to"
            )
    code = xr.DataArray(regime_codes([s.regime for s in choose]), dims="centre")
    start = xr.DataArray(
        [s.regime_start if s.regime_start is not None else 0 for s in choose], dims="centre"
    )
    north = xr.DataArray([s.northern_share for s in choose], dims="centre")
    inputs = xr.broadcast(
        wages_a,
        wage_a,
        profit,
        own["mineral_extraction_tax"].sum("sector"),
        own["property_tax"].sum("sector"),
        own["other_taxes"].sum("sector"),
        code.assign_coords(centre=centres),
        (years - start).assign_coords(centre=centres),
        north.assign_coords(centre=centres),
        law_year,
        limit,
    )
    activity = xr.apply_ufunc(
        lambda w, a, s, m, p, o, r, ry, n, y, k: revenue(
            law,
            y,
            wages=w,
            average_wage=a,
            operating_surplus=s,
            taxable_share=1.0,
            mineral_extraction_tax=m,
            property_tax=p,
            other_net_taxes_production=o,
            regime=r,
            regime_year=ry,
            northern_share=n,
            base_limit_index=k,
        ),
        *inputs,
        output_core_dims=[["tax", "budget"]],
    )
    return activity


def add_revenue(
    ds: xr.Dataset,
    law: FiscalLaw,
    basis: MoneyBasis,
    settings: Mapping[str, Setting] | None = None,
    spending_per_income: float = 0.0,
    preferences: str = "scenario",
) -> xr.Dataset:
    """``ds`` with ``revenue`` (see :func:`budget_revenue`) and the fiscal provenance in attrs.

    Attributes added: ``fiscal_sha256`` (each file of the fiscal data), ``fiscal_settings``
    (each centre's regime, its start and northern share, and which option chose them),
    ``fiscal_basis`` (each tax's legal basis in Russian and English), ``fiscal_money_basis``,
    ``fiscal_price_level`` and ``fiscal_base_limit_index`` by year, and
    ``fiscal_household_spending_per_income``.
    """
    settings = dict(settings or {})
    result = budget_revenue(ds, law, basis, settings, spending_per_income)
    years = ds["year"].values
    notes = []
    if years.min() < law.first_year or years.max() > law.last_year:
        notes.append(
            f"years outside {law.first_year}-{law.last_year} are taxed under the law of the "
            "nearest year the fiscal data cover"
        )
    out = ds.assign(revenue=result)
    out = out.assign_coords(
        tax_label_ru=("tax", [law.names[t][0] for t in TAXES]),
        tax_label_en=("tax", [law.names[t][1] for t in TAXES]),
    )
    out["revenue"].attrs["units"] = ds["output"].attrs.get("units", "table units")
    out["revenue"].attrs["long_name"] = "budget revenue by tax and budget level"
    price = basis.price_level.sel(year=years)
    limit = basis.base_limit_index.sel(year=years)
    out.attrs.update(
        {
            "fiscal_sha256": json.dumps(dict(law.sha256), sort_keys=True),
            "fiscal_settings": json.dumps(
                {
                    c: {
                        "regime": settings.get(c, Setting()).regime,
                        "regime_start": settings.get(c, Setting()).regime_start,
                        "northern_share": settings.get(c, Setting()).northern_share,
                    }
                    for c in ds["centre"].values.tolist()
                },
                sort_keys=True,
            ),
            "fiscal_preferences": preferences,
            "fiscal_basis": json.dumps(
                {t: list(law.basis[t]) for t in TAXES}, ensure_ascii=False, sort_keys=True
            ),
            "fiscal_money_basis": basis.description,
            "fiscal_price_level": json.dumps(
                {int(y): round(float(v), 6) for y, v in zip(years, price.values)}
            ),
            "fiscal_base_limit_index": json.dumps(
                {int(y): round(float(v), 6) for y, v in zip(years, limit.values)}
            ),
            "fiscal_household_spending_per_income": spending_per_income,
            "fiscal_notes": json.dumps(notes),
        }
    )
    return out
