"""Type I and Type II multipliers of a table, and the household closure behind Type II.

Type I effects come from the open model, ``m' = c'·(I − A)⁻¹`` for a row ``c`` of direct
coefficients.  Type II effects come from the model closed with respect to households: a household
row (income per unit of output) and a household column (domestic products bought per unit of
income) are appended to ``A`` and the same formula is applied to the (n+1)-square matrix; the
multiplier of a sector sums the n production rows only.

Two closures:

``textbook``
    income row = compensation of employees ÷ output; consumption column = household consumption
    of domestic products ÷ total compensation (Miller & Blair 2009, §2.5).
``default``
    the same income row; the consumption column is the structure of household consumption of
    domestic products scaled to ``k`` = wage share × (1 − personal income tax) × propensity to
    consume × domestic share of household purchases — what households actually spend at home per
    rouble of compensation (parameters and sources in the table's ``table.toml`` ``[closure]``).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

import numpy as np
import pandas as pd

from . import leontief
from .errors import TableError
from .table import IOTable

__all__ = [
    "EFFECTS",
    "ClosureKind",
    "closed_factorization",
    "consumption_per_income",
    "has_closure",
    "household_closure",
    "household_purchases",
    "multiplier_table",
    "open_solver",
    "type1",
    "type2",
]

ClosureKind = Literal["textbook", "default"]
EFFECTS = ("output", "value_added", "compensation", "employment", "taxes", "imports")


def household_purchases(table: IOTable) -> np.ndarray:
    """Household consumption of domestic products that income buys, by product (table units).

    The household-consumption column less the imputed rent of owner-occupied dwellings (when the
    table's ``[closure]`` gives it): nobody pays it out of wages, so it induces nothing.
    """
    household = np.array(table.final_demand_column(table.roles.household_consumption), dtype=float)
    p = table.closure_parameters
    if p.imputed_rent:
        j = table.locate(p.imputed_rent_product or "")
        if p.imputed_rent > household[j]:
            raise TableError(
                f"{table.meta.path}: closure.imputed_rent {p.imputed_rent:,.0f} exceeds household "
                f"consumption of {table.codes[j]} ({household[j]:,.0f}); check the figure and "
                "its unit"
            )
        household[j] -= p.imputed_rent
    return household


def consumption_per_income(table: IOTable, kind: ClosureKind = "default") -> float:
    """Domestic products bought by households per unit of compensation of employees.

    ``textbook``: household purchases of domestic products ÷ total compensation.
    ``default``: wage share × (1 − income tax rate) × propensity to consume × domestic share,
    the domestic share taken without imputed rent (a domestic service nobody buys).
    """
    purchases = household_purchases(table)
    if kind == "textbook":
        total_income = table.primary_row(table.roles.compensation).sum()
        return float(purchases.sum() / total_income)
    if kind != "default":
        raise ValueError(f"closure must be 'textbook' or 'default', not {kind!r}")
    p = table.closure_parameters
    missing = [
        name
        for name in ("income_tax_rate", "propensity_to_consume", "wage_share", "domestic_share")
        if getattr(p, name) is None
    ]
    if (
        missing
        or p.wage_share is None
        or p.income_tax_rate is None
        or p.propensity_to_consume is None
        or p.domestic_share is None
    ):
        raise TableError(
            f"{table.meta.path}: the default household closure needs "
            f"{', '.join(missing)} in table.toml [closure] (with a source); add them "
            "or use the textbook closure (--closure textbook)"
        )
    assert p.domestic_share is not None  # checked above
    domestic = p.domestic_share
    if p.imputed_rent:
        # domestic share = domestic purchases ÷ all purchases at purchasers' prices; take the
        # imputed rent out of both
        with_rent = table.final_demand_column(table.roles.household_consumption).sum()
        domestic = (with_rent - p.imputed_rent) / (with_rent / p.domestic_share - p.imputed_rent)
    return float(p.wage_share * (1 - p.income_tax_rate) * p.propensity_to_consume * domestic)


def household_closure(table: IOTable, kind: ClosureKind = "default") -> leontief.Closure:
    """The household row and column used to close ``table`` for Type II effects."""
    purchases = household_purchases(table)
    structure = purchases / purchases.sum()
    return leontief.Closure(
        income=table.direct["compensation"],
        consumption=consumption_per_income(table, kind) * structure,
    )


def has_closure(table: IOTable, kind: ClosureKind = "default") -> bool:
    """True when ``table`` has what the ``kind`` closure needs (the default closure needs its
    four parameters in table.toml [closure])."""
    if kind == "textbook":
        return True
    p = table.closure_parameters
    return all(
        getattr(p, name) is not None
        for name in ("income_tax_rate", "propensity_to_consume", "wage_share", "domestic_share")
    )


#: From this many sectors on, multipliers (a few right-hand sides) come from the Neumann series
#: rather than an LU factorisation (see :class:`iomodel.leontief.NeumannSolver`).
SERIES_SIZE = 1000


@lru_cache(maxsize=8)
def open_solver(table: IOTable) -> leontief.Solver:
    """Solves of ``I − A`` for a few right-hand sides: the table's own LU when the table is small
    or already factorised, else the Neumann series (which factorises only if it would be slow)."""
    if (
        table.n >= SERIES_SIZE
        and "factorization" not in table.__dict__  # an LU already made is the cheapest
        and table.A.sum(axis=0).max() < 1.0
        and bool(np.all(table.A >= 0))
    ):
        return leontief.NeumannSolver(table.A)
    return table.factorization


@lru_cache(maxsize=8)
def closed_factorization(
    table: IOTable, kind: ClosureKind = "default"
) -> leontief.ClosedFactorization:
    """Solves of the household-closed model of ``table``, on the table's own LU of ``I − A``
    (no second factorisation; see :class:`iomodel.leontief.ClosedFactorization`)."""
    closed = leontief.factorize_closed(open_solver(table), household_closure(table, kind))
    if not closed.productive:
        rho = leontief.spectral_radius(
            leontief.closed_coefficients(table.A, household_closure(table, kind))
        )
        raise TableError(
            f"{table.meta.path}: the household-closed model is not productive "
            f"(spectral radius {rho:.4f} ≥ 1) with the "
            f"{kind} closure; households would re-spend more than they earn — check "
            "the [closure] parameters"
        )
    return closed


def _coefficient_block(table: IOTable, effects: tuple[str, ...]) -> np.ndarray:
    return np.vstack([table.direct[e] for e in effects])


@lru_cache(maxsize=8)
def _open_multipliers(table: IOTable, effects: tuple[str, ...]) -> np.ndarray:
    """``c'·L`` for the direct-coefficient rows of ``effects`` (k × n, read-only), shared by
    Type I and Type II."""
    m = leontief.multipliers(open_solver(table), _coefficient_block(table, effects))
    m.flags.writeable = False
    return m


def type1(table: IOTable, effects: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Type I effects per unit of final demand for each sector (rows) and effect (columns)."""
    effects = effects or tuple(e for e in EFFECTS if e in table.direct)
    m = _open_multipliers(table, effects)
    return pd.DataFrame(m.T, index=table.codes, columns=list(effects))


def type2(
    table: IOTable, closure: ClosureKind = "default", effects: tuple[str, ...] | None = None
) -> pd.DataFrame:
    """Type II effects per unit of final demand (household-closed model, first n rows summed)."""
    effects = effects or tuple(e for e in EFFECTS if e in table.direct)
    closed = closed_factorization(table, closure)
    # the closed model's rows of c*'·(I − A*)⁻¹ with c* = [c, 0], from the open ones
    m = closed.extend_transposed(_open_multipliers(table, effects).T, 0.0)[: table.n].T
    return pd.DataFrame(m.T, index=table.codes, columns=list(effects))


def _ratio(effect: np.ndarray, direct: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.where(direct > 0, effect / np.where(direct > 0, direct, 1.0), np.nan)


def multiplier_table(table: IOTable, closure: ClosureKind | None = "default") -> pd.DataFrame:
    """Every multiplier the CLI prints, one row per sector.

    Columns: ``label`` and ``output_type1``, ``output_type2``, ``value_added_type1/2``,
    ``income_type1/2``, ``income_ratio_type1/2``, ``employment_type1/2``,
    ``employment_ratio_type1/2``, ``taxes_type1``, ``imports_type1`` — effects per one table unit
    of final demand (employment in the table's employment unit; NaN when the table has none).
    Ratio forms divide the effect by the sector's own direct coefficient (NaN where it is 0).
    ``closure`` None leaves the Type II columns NaN (Type I only).
    """
    t1 = type1(table)
    nan = np.full(table.n, np.nan)
    t2 = (
        type2(table, closure)
        if closure is not None
        else pd.DataFrame({k: nan for k in t1.columns}, index=t1.index)
    )
    emp1 = t1["employment"].to_numpy() if "employment" in t1 else nan
    emp2 = t2["employment"].to_numpy() if "employment" in t2 else nan
    emp_direct = table.direct.get("employment", nan)
    income_direct = table.direct["compensation"]
    out = pd.DataFrame(
        {
            "label": table.labels("en"),
            "output_type1": t1["output"].to_numpy(),
            "output_type2": t2["output"].to_numpy(),
            "value_added_type1": t1["value_added"].to_numpy(),
            "value_added_type2": t2["value_added"].to_numpy(),
            "income_type1": t1["compensation"].to_numpy(),
            "income_type2": t2["compensation"].to_numpy(),
            "income_ratio_type1": _ratio(t1["compensation"].to_numpy(), income_direct),
            "income_ratio_type2": _ratio(t2["compensation"].to_numpy(), income_direct),
            "employment_type1": emp1,
            "employment_type2": emp2,
            "employment_ratio_type1": _ratio(emp1, emp_direct),
            "employment_ratio_type2": _ratio(emp2, emp_direct),
            "taxes_type1": t1["taxes"].to_numpy(),
            "imports_type1": t1["imports"].to_numpy(),
        },
        index=pd.Index(table.codes, name="code"),
    )
    inactive = table.x == 0
    out.loc[inactive, out.columns[1:]] = np.nan
    return out
