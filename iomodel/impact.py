"""The impact engine: every centre × variant × phase × year solved at once.

One LU factorisation of ``I − A`` (and one of the household-closed matrix for Type II) serves all
right-hand sides, stacked as the columns of one matrix.  The result is an ``xarray.Dataset`` with
dims ``centre, variant, phase, year, sector, effect`` and variables ``output, value_added,
compensation, employment, taxes, imports`` (table units of currency; employment in the table's
employment unit).

Effects:

``direct``
    construction: the domestic final demand itself (output = the shock) plus the imports and
    product taxes paid on the capex; operation: the new activity's own output, value added,
    compensation, taxes, imports and jobs (new-industry method).
``indirect``
    the supply chain, ``L·y − y`` (construction) or ``L·y`` (operation, whose purchases are the
    first round of the chain), times each effect's direct coefficient.
``induced``
    the household-closed model minus the open one: spending of the income created (including the
    new activity's own wages) — only for Type II.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from typing import Literal

import numpy as np
import pandas as pd
import xarray as xr

from .multipliers import ClosureKind, closed_factorization
from .shock import DIRECT_VARIABLES, PHASES, Shock
from .table import IOTable

__all__ = ["EFFECTS", "VARIABLES", "iomodel_version", "run_impact"]

VARIABLES = (
    "output",
    "value_added",
    "compensation",
    "employment",
    "taxes",
    "product_taxes",
    "imports",
)
#: The new activity's own figures (operation phase), dims (centre, variant, year, sector).
ACTIVITY_VARIABLES = (
    "exports",
    "domestic_sales",
    "operating_surplus",
    "mineral_extraction_tax",
    "property_tax",
    "other_taxes",
)
EFFECTS = ("direct", "indirect", "induced")
ModelType = Literal["I", "II"]


@lru_cache(maxsize=1)
def iomodel_version() -> str:
    """Installed iomodel version."""
    try:
        return version("iomodel")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown"


@dataclass(frozen=True)
class _Stacked:
    demand: np.ndarray  # (centre, variant, phase, year, sector)
    imports: np.ndarray
    taxes: np.ndarray
    income: np.ndarray  # (centre, variant, phase, year)
    purchasers: np.ndarray
    direct: dict[str, np.ndarray]  # (centre, variant, year, sector)
    variants: list[str]
    years: list[int]


def _stack(shocks: Sequence[Shock], n: int) -> _Stacked:
    variants: list[str] = []
    for s in shocks:
        variants += [v for v in s.demand.coords["variant"].values.tolist() if v not in variants]
    years = sorted({int(y) for s in shocks for y in s.demand.coords["year"].values})
    c, v, p, t = len(shocks), len(variants), len(PHASES), len(years)
    out = _Stacked(
        np.zeros((c, v, p, t, n)),
        np.zeros((c, v, p, t, n)),
        np.zeros((c, v, p, t, n)),
        np.zeros((c, v, p, t)),
        np.zeros((c, v, p, t)),
        {k: np.zeros((c, v, t, n)) for k in DIRECT_VARIABLES},
        variants,
        years,
    )
    for a, s in enumerate(shocks):
        vi = [variants.index(x) for x in s.demand.coords["variant"].values.tolist()]
        ti = [years.index(int(y)) for y in s.demand.coords["year"].values]
        ix = np.ix_([a], vi, range(p), ti)
        out.demand[ix] = s.demand.values[None]
        out.imports[ix] = s.imports.values[None]
        out.taxes[ix] = s.product_taxes.values[None]
        out.income[ix] = s.income.values[None]
        out.purchasers[ix] = s.purchasers.values[None]
        for k in DIRECT_VARIABLES:
            out.direct[k][np.ix_([a], vi, ti)] = s.direct[k].values[None]
    return out


def _productivity(index: pd.DataFrame, st: _Stacked, table: IOTable) -> np.ndarray:
    """The (year, sector) productivity index for the run's years, checked."""
    missing_years = [y for y in st.years if y not in index.index]
    missing_codes = [c for c in table.codes if c not in index.columns]
    if missing_years or missing_codes:
        raise ValueError(
            f"the productivity index lacks years {missing_years[:5]} or sectors "
            f"{missing_codes[:5]}; extend it or run with frozen productivity"
        )
    values = index.loc[st.years, table.codes].to_numpy(float)
    if not np.all(np.isfinite(values)) or np.any(values <= 0):
        raise ValueError("the productivity index must be finite and positive")
    return values


def run_impact(
    table: IOTable,
    shocks: Sequence[Shock],
    model: ModelType = "II",
    closure: ClosureKind = "default",
    scenario_hashes: dict[str, str] | None = None,
    input_hashes: dict[str, str] | None = None,
    productivity: pd.DataFrame | None = None,
    productivity_label: str = "",
) -> xr.Dataset:
    """Direct, indirect and (Type II) induced effects of every shock, by sector.

    Parameters
    ----------
    table : IOTable
    shocks : sequence of Shock
        One per centre (see :func:`iomodel.shock.build_shock`).
    model : "I" or "II"
        Type I leaves the ``induced`` effect out.
    closure : "default" or "textbook"
        Household closure for Type II.
    scenario_hashes : dict, optional
        sha256 of each centre's scenario file, recorded in the attributes.
    input_hashes : dict, optional
        sha256 of the other files that shaped the shocks (bridge, prices), recorded likewise.
    productivity : DataFrame, optional
        Labour-productivity index by year (rows) and sector code (columns), 1 in the table year:
        the table's employment coefficients of year *t* are divided by it.  None keeps the
        table year's productivity (coefficients frozen).  A scenario's own direct jobs are
        counted as given.
    productivity_label : str
        What ``productivity`` is (recorded in the attributes).

    Returns
    -------
    xarray.Dataset
        dims (centre, variant, phase, year, sector, effect).
    """
    n = table.n
    st = _stack(shocks, n)
    shape = st.demand.shape
    y = st.demand.reshape(-1, n).T  # n × K, one column per case
    x_cases = table.factorization.solve(y)

    coef = {k: table.direct.get(k, np.zeros(n)) for k in VARIABLES}
    if productivity is not None and "employment" in table.direct:
        coef["employment"] = table.direct["employment"] / _productivity(productivity, st, table)
    if model not in ("I", "II"):
        raise ValueError(f"model must be 'I' or 'II', not {model!r}")
    effects = ["direct", "indirect"] + (["induced"] if model == "II" else [])
    x_open = x_cases.T.reshape(shape)
    levels = np.empty(shape + (len(effects),))  # output levels by effect, filled in place
    build = PHASES.index("construction")
    levels[..., 0] = 0.0
    levels[:, :, build, :, :, 0] = st.demand[:, :, build]  # construction: the shock is direct
    np.subtract(x_open, levels[..., 0], out=levels[..., 1])
    if model == "II":
        # bordered solve on the open LU: the closed model's output is the open one plus the
        # households' spending u·w (see leontief.ClosedFactorization), no second factorisation
        closed = closed_factorization(table, closure)
        w = (st.income.reshape(-1) + closed.closure.income @ x_cases) / closed.s
        levels[..., 2] = np.multiply.outer(w, closed.u).reshape(shape)

    data: dict[str, tuple[tuple[str, ...], np.ndarray]] = {}
    operation = PHASES.index("operation")
    dims = ("centre", "variant", "phase", "year", "sector", "effect")
    for k in VARIABLES:
        c = coef[k]  # (sector,) or, with a productivity path, (year, sector)
        values = levels * (c[:, :, None] if c.ndim == 2 else c[:, None])
        direct = values[..., 0]
        if k == "imports":
            direct += st.imports  # imported capital goods and the new activity's imported inputs
        elif k in ("taxes", "product_taxes"):
            direct += st.taxes  # product taxes paid on capex
        if k in st.direct:
            direct[:, :, operation] += st.direct[k]  # the new activity's own effects
        data[k] = (dims, values)
    for k in ACTIVITY_VARIABLES:
        data[k] = (("centre", "variant", "year", "sector"), st.direct[k])

    centres = [s.centre for s in shocks]
    data["capex"] = (("centre", "variant", "phase", "year"), st.purchasers)
    units = f"{table.meta.unit_label}, {table.meta.year} basic prices"
    ds = xr.Dataset(
        data,
        coords={
            "centre": centres,
            "variant": st.variants,
            "phase": list(PHASES),
            "year": st.years,
            "sector": table.codes,
            "effect": effects,
            "sector_label_ru": ("sector", table.labels("ru")),
            "sector_label_en": ("sector", table.labels("en")),
        },
        attrs={
            "table_id": table.meta.id,
            "table_year": table.meta.year,
            "table_unit": table.meta.unit_label,
            "table_files_sha256": json.dumps(table.meta.file_hashes, sort_keys=True),
            "scenario_sha256": json.dumps(scenario_hashes or {}, sort_keys=True),
            "inputs_sha256": json.dumps(input_hashes or {}, sort_keys=True),
            "model_type": model,
            "closure": closure if model == "II" else "none",
            "productivity": productivity_label if productivity is not None else "frozen",
            "iomodel_version": iomodel_version(),
            "notes": json.dumps(
                {s.centre: [n.en for n in s.notes] for s in shocks}, ensure_ascii=False
            ),
            "notes_ru": json.dumps(
                {s.centre: [n.ru for n in s.notes] for s in shocks}, ensure_ascii=False
            ),
        },
    )
    for k in VARIABLES + ACTIVITY_VARIABLES:
        ds[k].attrs["units"] = f"{table.meta.employment_unit}" if k == "employment" else units
    ds["capex"].attrs["units"] = f"{table.meta.unit_label}, {table.meta.year} purchasers' prices"
    return ds
