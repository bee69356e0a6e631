"""Budget revenue (issue 10) in the draws: what is linear through the basis, the rest per draw.

Revenue is not linear in the shock as a whole, but it splits into two parts
(:func:`iomodel.budget.budget_revenue`):

* *the economy* (every effect but the new activity's own): PIT and contributions at each
  product's rates by year (which follow the table's pay per worker, the same for any shock),
  profit tax on the table's share of operating surplus, net taxes — linear in the shock, so the
  budget step is run once on the basis shocks (one Dataset per centre, a variant per basis
  shock).  The VAT on household purchases is booked under ``induced`` but follows the closure's
  spending per unit of all income created: it is kept apart (the step run twice, with and
  without that spending), split by the income it is bought from (direct and indirect, or
  induced), and scaled by the draw's closure ratio (times the household feedback for the
  induced income).
* *the new activity* (operation, direct): its PIT and contributions follow its pay per worker
  (its wages ÷ its jobs, a ratio), its profit tax carries losses forward — not linear, so the
  same budget step is applied to each draw's own accounts (a thin Dataset, draws as variants,
  sectors summed), one centre at a time.

Revenue is then summed over taxes by phase, year and budget level, and turned into the revenue
indicators of :func:`iomodel.summary.key_figures`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr

from ..budget import (
    Setting,
    activity_revenue,
    budget_revenue,
    household_spending_per_income,
    money_basis,
)
from ..fiscal import BUDGETS, FiscalLaw, load_fiscal
from ..prices import Prices
from ..scenario import Scenario
from ..shock import PHASES
from .engine import REVENUE, Setup, basis_dataset

__all__ = ["RevenueBasis", "revenue_basis", "revenue_indicators"]


@dataclass(frozen=True)
class RevenueBasis:
    """Per centre: the economy's revenue of each basis shock (slot, phase, year, budget) —
    direct and indirect, induced without household purchases, and the VAT on those purchases —
    and what the new activity's budget step needs."""

    open: tuple[np.ndarray, ...]
    induced: tuple[np.ndarray, ...]
    purchases: tuple[np.ndarray, ...]  # VAT on purchases out of direct and indirect income
    purchases_induced: tuple[np.ndarray, ...]  # … out of induced income
    law: FiscalLaw
    money: object  # iomodel.budget.MoneyBasis
    settings: dict[str, Setting]
    own: tuple[dict[str, np.ndarray], ...]  # per centre: the new activity's accounts (slot, year)


def revenue_basis(
    setup: Setup,
    scenarios: Sequence[Scenario],
    prices: Prices,
    productivity: pd.DataFrame | None,
    preferences: str = "scenario",
) -> RevenueBasis | None:
    """The budget step on every centre's basis shocks; None when the table is not in roubles
    (no budget revenue then, as in :func:`iomodel.pipeline.run_centres`)."""
    table = setup.table
    if table.meta.currency != "RUB":
        return None
    law = load_fiscal()
    years = list(setup.layout.years)
    money = money_basis(law, prices, table, years, productivity)
    settings = {
        s.id: Setting(
            regime, s.fiscal.regime_start if regime != "none" else None, s.fiscal.northern_share
        )
        for s in scenarios
        for regime in [s.fiscal.applied(preferences)]
    }
    spending = (
        household_spending_per_income(law, table, setup.closure)  # type: ignore[arg-type]
        if setup.model == "II"
        else 0.0
    )
    parts: dict[str, list[np.ndarray]] = {
        "open": [],
        "induced": [],
        "purchases": [],
        "purchases_induced": [],
    }
    for basis in setup.bases:
        assert basis.shock is not None
        ds = basis_dataset(setup, setup.bases.index(basis), productivity)
        with_spending = budget_revenue(ds, law, money, settings, spending)
        without = budget_revenue(ds, law, money, settings, 0.0)
        economy = ~((ds["phase"] == "operation") & (ds["effect"] == "direct"))
        args = (economy, basis.centre, years)
        parts["open"].append(_economy_part(without, ["direct", "indirect"], *args))
        parts["induced"].append(_economy_part(without, ["induced"], *args))
        # the VAT on households' purchases is a rate by year times all the income created:
        # the part bought out of induced income grows with the household feedback too
        vat = _economy_part(with_spending, ["induced"], *args) - parts["induced"][-1]
        income = ds["compensation"].sum("sector").sel(centre=basis.centre)
        income = income.reindex(year=years, fill_value=0.0)
        total = income.sum("effect").transpose("variant", "phase", "year").to_numpy()
        induced = (
            income.sel(effect="induced").transpose("variant", "phase", "year").to_numpy()
            if "induced" in income.effect.values
            else np.zeros_like(total)
        )
        share = np.where(total != 0, induced / np.where(total != 0, total, 1.0), 0.0)[..., None]
        parts["purchases"].append(vat * (1 - share))
        parts["purchases_induced"].append(vat * share)
    return RevenueBasis(
        tuple(parts["open"]),
        tuple(parts["induced"]),
        tuple(parts["purchases"]),
        tuple(parts["purchases_induced"]),
        law,
        money,
        settings,
        tuple({v: b.direct[v].sum(-1) for v in _OWN} for b in setup.bases),
    )


#: The new activity's accounts its budget step reads.
_OWN = (
    "output",
    "compensation",
    "employment",
    "operating_surplus",
    "mineral_extraction_tax",
    "property_tax",
    "other_taxes",
)


def _economy_part(
    rev: xr.DataArray, effects: list[str], economy: xr.DataArray, centre: str, years: list[int]
) -> np.ndarray:
    """The economy's revenue of ``effects`` (the new activity's own slot masked out), summed
    over taxes: (variant, phase, year, budget) on ``years``."""
    kept = [e for e in effects if e in rev.effect.values]
    values = (rev * economy).sel(effect=kept).sum(["effect", "tax"]).sel(centre=centre)
    values = values.transpose("variant", "phase", "year", "budget")
    return values.reindex(year=years, fill_value=0.0).to_numpy()


def _activity(setup: Setup, rev: RevenueBasis, k: int, weights: np.ndarray) -> np.ndarray:
    """The new activity's revenue (draw, year, budget) for centre ``k``'s draws: the budget
    step on a thin Dataset of the draws' own accounts (sectors summed)."""
    basis = setup.bases[k]
    years = list(setup.layout.years)
    idx = [years.index(y) for y in basis.years]
    d, t = weights.shape[0], len(years)

    names = (*_OWN, "capex")
    stacked = np.concatenate(  # (slot, account · year): one product for every account
        [rev.own[k][n] for n in _OWN] + [basis.purchasers[:, 0]], axis=1
    )
    every = (weights @ stacked).reshape(d, len(names), -1)

    def series(name: str) -> np.ndarray:  # the draws' account by year, (draw, year)
        out = np.zeros((d, t))
        out[:, idx] = every[:, names.index(name)]
        return out

    draws = [f"d{i}" for i in range(d)]
    op = PHASES.index("operation")
    full = (1, d, len(PHASES), t, 1, 1)  # centre, variant, phase, year, sector, effect

    def own(name: str) -> np.ndarray:
        out = np.zeros(full)
        out[0, :, op, :, 0, 0] = series(name)
        return out

    dims6 = ("centre", "variant", "phase", "year", "sector", "effect")
    dims4 = ("centre", "variant", "year", "sector")
    capex = np.zeros((1, d, len(PHASES), t))
    capex[0, :, 0] = series("capex")  # construction, by year
    ds = xr.Dataset(
        {
            **{v: (dims6, own(v)) for v in ("output", "compensation", "employment")},
            **{
                v: (dims4, series(v)[None, :, :, None])
                for v in (
                    "operating_surplus",
                    "mineral_extraction_tax",
                    "property_tax",
                    "other_taxes",
                )
            },
            "capex": (("centre", "variant", "phase", "year"), capex),
        },
        coords={
            "centre": [basis.centre],
            "variant": draws,
            "phase": list(PHASES),
            "year": years,
            "sector": ["all"],
            "effect": ["direct"],
        },
    )
    result = activity_revenue(ds, rev.law, rev.money, rev.settings)  # type: ignore[arg-type]
    own_part = result.sel(centre=basis.centre).sum("tax")
    return own_part.transpose("variant", "year", "budget").to_numpy()


def revenue_indicators(
    setup: Setup,
    rev: RevenueBasis,
    k: int,
    weights: np.ndarray,
    psi: np.ndarray,
    ratio: np.ndarray,
    capex_by_year: np.ndarray,
    chunk: int = 2500,
) -> dict[str, np.ndarray]:
    """The revenue indicators of :data:`iomodel.summary.INDICATORS` for centre ``k``'s draws
    (``weights`` draw × slot, household feedback ``psi`` and closure ratio ``ratio`` by draw,
    ``capex_by_year`` draw × year)."""
    d = weights.shape[0]
    shape = rev.open[k].shape[1:]  # phase, year, budget
    flat = lambda a: a.reshape(a.shape[0], -1)  # noqa: E731
    economy = (
        weights @ flat(rev.open[k])
        + (psi[:, None] * weights) @ flat(rev.induced[k])
        + (ratio[:, None] * weights) @ flat(rev.purchases[k])
        + ((ratio * psi)[:, None] * weights) @ flat(rev.purchases_induced[k])
    ).reshape((d, *shape))
    if setup.bases[k].design_year is not None:
        for start in range(0, d, chunk):
            part = slice(start, start + chunk)
            economy[part, PHASES.index("operation")] += _activity(setup, rev, k, weights[part])
    out: dict[str, np.ndarray] = {}
    levels = {"": economy.sum(-1), **{f"_{b}": economy[..., i] for i, b in enumerate(BUDGETS)}}
    year = setup.design[k]
    for suffix, part in levels.items():  # (draw, phase, year)
        out[f"construction_revenue{suffix}"] = part[:, 0].sum(-1)
        out[f"operation_revenue{suffix}"] = part[:, 1, year] if year >= 0 else np.zeros(d)
        out[f"discounted_revenue{suffix}"] = (part.sum(1) * setup.discount).sum(-1)
    capex = capex_by_year.sum(-1)
    out["construction_revenue_per_capex"] = out["construction_revenue"] / np.where(
        capex > 0, capex, np.nan
    )
    discounted = (capex_by_year * setup.discount).sum(-1)
    out["revenue_per_capex"] = out["discounted_revenue"] / np.where(
        discounted > 0, discounted, np.nan
    )
    assert set(out) == set(REVENUE)
    return out
