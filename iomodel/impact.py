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
from collections.abc import Callable, Sequence
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

__all__ = [
    "CASE_VARIABLES",
    "EFFECTS",
    "VARIABLES",
    "effect_coefficients",
    "iomodel_version",
    "run_impact",
]

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
#: The thesis cases (issue 12): the variables summed over effects by (centre, case, phase, year,
#: group); the new activity's own output, own use and exports by (centre, case, year, group);
#: capex by (centre, case, phase, year).
CASE_VARIABLES = (
    *(f"case_{k}" for k in VARIABLES),
    "case_own_output",
    "case_own_use",
    "case_exports",
    "case_capex",
)
ModelType = Literal["I", "II"]
#: Budget revenue of a sector-level Dataset (dims of :func:`run_impact`'s, ``variant`` holding
#: the cases) by (centre, variant, phase, year, effect, tax, budget): the fiscal block's
#: :func:`iomodel.budget.budget_revenue` with a run's law and settings, passed in by the caller
#: so the engine needs no tax law.
RevenueHook = Callable[[xr.Dataset], xr.DataArray]


@lru_cache(maxsize=1)
def iomodel_version() -> str:
    """Installed iomodel version."""
    try:
        return version("iomodel")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown"


@dataclass(frozen=True)
class _Stacked:
    demand: np.ndarray  # (centre, column, phase, year, sector)
    imports: np.ndarray
    taxes: np.ndarray
    income: np.ndarray  # (centre, column, phase, year)
    purchasers: np.ndarray
    direct: dict[str, np.ndarray]  # (centre, column, year, sector)
    variants: list[str]  # the columns' names (variants, or cases)
    years: list[int]
    defined: np.ndarray  # (centre, column): the centre has this column


def _stack(
    shocks: Sequence[Shock | None], n: int, years: list[int], dim: str = "variant"
) -> _Stacked:
    """Shocks side by side along their first dim (``variant``, or ``case``), on ``years``."""
    variants: list[str] = []
    for s in shocks:
        if s is None:
            continue
        variants += [v for v in s.demand.coords[dim].values.tolist() if v not in variants]
    if dim == "case":
        variants.sort(key=_case_order)
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
        np.zeros((c, v), dtype=bool),
    )
    for a, s in enumerate(shocks):
        if s is None:
            continue
        vi = [variants.index(x) for x in s.demand.coords[dim].values.tolist()]
        ti = [years.index(int(y)) for y in s.demand.coords["year"].values]
        out.defined[a, vi] = True
        ix = np.ix_([a], vi, range(p), ti)
        out.demand[ix] = s.demand.values[None]
        out.imports[ix] = s.imports.values[None]
        out.taxes[ix] = s.product_taxes.values[None]
        out.income[ix] = s.income.values[None]
        out.purchasers[ix] = s.purchasers.values[None]
        for k in DIRECT_VARIABLES:
            out.direct[k][np.ix_([a], vi, ti)] = s.direct[k].values[None]
    return out


def _case_order(name: str) -> tuple[int, int]:
    """Thesis cases in reading order: the base, its stages, localisation, standalone."""
    if name.startswith("stage_") and name[6:].isdigit():
        return 1, int(name[6:])
    fixed = ("base", "", "localisation_low", "localisation_high", "standalone")
    return (fixed.index(name), 0) if name in fixed else (len(fixed), 0)


def _productivity(index: pd.DataFrame, years: Sequence[int], table: IOTable) -> np.ndarray:
    """The (year, sector) productivity index for the run's years, checked."""
    missing_years = [y for y in years if y not in index.index]
    missing_codes = [c for c in table.codes if c not in index.columns]
    if missing_years or missing_codes:
        raise ValueError(
            f"the productivity index lacks years {missing_years[:5]} or sectors "
            f"{missing_codes[:5]}; extend it or run with frozen productivity"
        )
    values = index.loc[list(years), table.codes].to_numpy(float)
    if not np.all(np.isfinite(values)) or np.any(values <= 0):
        raise ValueError("the productivity index must be finite and positive")
    return values


def effect_coefficients(
    table: IOTable, years: Sequence[int], productivity: pd.DataFrame | None = None
) -> dict[str, np.ndarray]:
    """Direct coefficient of each of :data:`VARIABLES` per unit of output: (sector,), or for
    employment with a productivity path (year, sector) — the table's coefficient divided by the
    index of each of ``years``."""
    coef = {k: table.direct.get(k, np.zeros(table.n)) for k in VARIABLES}
    if productivity is not None and "employment" in table.direct:
        coef["employment"] = table.direct["employment"] / _productivity(productivity, years, table)
    return coef


def run_impact(
    table: IOTable,
    shocks: Sequence[Shock],
    model: ModelType = "II",
    closure: ClosureKind = "default",
    scenario_hashes: dict[str, str] | None = None,
    input_hashes: dict[str, str] | None = None,
    productivity: pd.DataFrame | None = None,
    productivity_label: str = "",
    groups: pd.DataFrame | None = None,
    case_revenue: RevenueHook | None = None,
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
    groups : DataFrame, optional
        Sector groups (:func:`iomodel.summary.load_groups`) the thesis cases are summed into;
        None keeps each sector as its own group.
    case_revenue : callable, optional
        The budget revenue of the thesis cases (:data:`RevenueHook`), applied while the cases
        still have sector detail and stored as ``case_revenue`` (centre, case, phase, year,
        effect, tax, budget); None leaves it out.

    Returns
    -------
    xarray.Dataset
        dims (centre, variant, phase, year, sector, effect).  When the shocks carry thesis
        cases (``Shock.cases``), also the ``case_*`` variables (:data:`CASE_VARIABLES`) by
        (centre, case, phase, year, group), all effects summed, solved in the same solve.
    """
    n = table.n
    if model not in ("I", "II"):
        raise ValueError(f"model must be 'I' or 'II', not {model!r}")
    cased = [s.cases for s in shocks]
    years = sorted(
        {int(y) for s in (*shocks, *cased) if s is not None for y in s.demand.coords["year"].values}
    )
    st = _stack(shocks, n, years)
    cs = _stack(cased, n, years, "case") if any(c is not None for c in cased) else None
    parts = [st] if cs is None else [st, cs]
    coef = effect_coefficients(table, years, productivity)
    effects = ["direct", "indirect"] + (["induced"] if model == "II" else [])
    # every variant and case, phase and year of every centre: the columns of one solve
    y = np.hstack([part.demand.reshape(-1, n).T for part in parts])
    income = np.concatenate([part.income.reshape(-1) for part in parts])
    build = np.concatenate([_construction_mask(part.demand.shape[:4]) for part in parts])
    levels = _levels(table, y, income, build, model, closure, len(effects))
    split = st.demand.reshape(-1, n).shape[0]
    values = _effects(levels[:split].reshape(st.demand.shape + (len(effects),)), st, coef)

    data: dict[str, tuple[tuple[str, ...], np.ndarray]] = {}
    dims = ("centre", "variant", "phase", "year", "sector", "effect")
    for k in VARIABLES:
        data[k] = (dims, values[k])
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
            "table_name": table.meta.name,
            # a table projected from a basic one (iomodel.projection) says so wherever it appears
            "table_projected": "yes" if table.meta.projected else "no",
            "table_projection": json.dumps(table.meta.projection or {}, sort_keys=True),
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
    if cs is not None:
        case_levels = levels[split:].reshape(cs.demand.shape + (len(effects),))
        case_values = _effects(case_levels, cs, coef)
        ds = ds.assign(_case_block(case_values, cs, table, groups, shocks))
        for k in CASE_VARIABLES:
            unit = table.meta.employment_unit if k == "case_employment" else units
            ds[k].attrs["units"] = f"{unit}" if k != "case_capex" else ds["capex"].attrs["units"]
        if case_revenue is not None:
            by_case = case_revenue(_case_dataset(case_values, cs, ds)).rename(variant="case")
            missing = xr.DataArray(
                np.where(cs.defined, 1.0, np.nan),
                dims=("centre", "case"),
                coords={"centre": centres, "case": cs.variants},
            )
            ds["case_revenue"] = (by_case * missing).transpose(
                "centre", "case", "phase", "year", "effect", "tax", "budget"
            )
            ds["case_revenue"].attrs["units"] = units
    return ds


def _case_dataset(values: dict[str, np.ndarray], cs: _Stacked, ds: xr.Dataset) -> xr.Dataset:
    """The thesis cases with their sector detail, shaped like a run's Dataset (the cases as
    its ``variant``): every variable by effect, the new activity's own accounts and capex."""
    dims = ("centre", "variant", "phase", "year", "sector", "effect")
    data: dict = {k: (dims, values[k]) for k in VARIABLES}
    for k in ACTIVITY_VARIABLES:
        data[k] = (("centre", "variant", "year", "sector"), cs.direct[k])
    data["capex"] = (("centre", "variant", "phase", "year"), cs.purchasers)
    coords = {k: ds[k].values for k in ("centre", "phase", "year", "sector", "effect")}
    return xr.Dataset(data, coords={**coords, "variant": cs.variants})


def _construction_mask(shape: tuple[int, ...]) -> np.ndarray:
    """Flat mask of the construction columns among (centre, column, phase, year)."""
    mask = np.zeros(shape, dtype=bool)
    mask[:, :, PHASES.index("construction")] = True
    return mask.ravel()


def _levels(
    table: IOTable,
    y: np.ndarray,
    income: np.ndarray,
    build: np.ndarray,
    model: ModelType,
    closure: ClosureKind,
    n_effects: int,
) -> np.ndarray:
    """Output by effect for every column of ``y`` (sector × K): array (K, sector, effect).

    Direct: the construction shock itself (``build`` marks construction columns); indirect: the
    open model's output less that; induced: the household-closed model's output less the open
    one's (Type II), with ``income`` the exogenous household income of each column.
    """
    x_cases = table.factorization.solve(y)
    levels = np.zeros((y.shape[1], table.n, n_effects))
    levels[build, :, 0] = y.T[build]
    levels[..., 1] = x_cases.T - levels[..., 0]
    if model == "II":
        # bordered solve on the open LU: the closed model's output is the open one plus the
        # households' spending u·w (see leontief.ClosedFactorization), no second factorisation
        closed = closed_factorization(table, closure)
        w = (income + closed.closure.income @ x_cases) / closed.s
        levels[..., 2] = np.multiply.outer(w, closed.u)
    return levels


def _effects(
    levels: np.ndarray, st: _Stacked, coef: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """Every variable by (centre, column, phase, year, sector, effect): output levels times
    each direct coefficient, plus the direct leakages and the new activity's own accounts."""
    operation = PHASES.index("operation")
    out = {}
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
        out[k] = values
    return out


def _case_block(
    values: dict[str, np.ndarray],
    cs: _Stacked,
    table: IOTable,
    groups: pd.DataFrame | None,
    shocks: Sequence[Shock],
) -> xr.Dataset:
    """The thesis cases (issue 12) as ``case_*`` variables (``values``: each variable by centre,
    case, phase, year, sector and effect): all effects summed, sectors summed into ``groups`` (sector → ``group``, ``label_ru``, ``label_en``; None: each sector alone).
    A case a centre does not have is NaN."""
    if groups is None:
        names = list(table.codes)
        labels = {"ru": table.labels("ru"), "en": table.labels("en")}
        member = np.eye(table.n)
    else:
        frame = groups.reindex(table.codes)
        names = list(dict.fromkeys(frame["group"]))
        first = frame.drop_duplicates("group").set_index("group")
        labels = {lang: first.loc[names, f"label_{lang}"].tolist() for lang in ("ru", "en")}
        member = (frame["group"].to_numpy()[:, None] == np.array(names)[None, :]).astype(float)
    missing = np.where(cs.defined, 1.0, np.nan)
    dims = ("centre", "case", "phase", "year", "group")
    data: dict = {}
    for k in VARIABLES:
        data[f"case_{k}"] = (dims, values[k].sum(-1) @ member * missing[:, :, None, None, None])
    for k in ("output", "own_use", "exports"):
        data[f"case_{'own_output' if k == 'output' else k}"] = (
            ("centre", "case", "year", "group"),
            cs.direct[k] @ member * missing[:, :, None, None],
        )
    data["case_capex"] = (
        ("centre", "case", "phase", "year"),
        cs.purchasers * missing[:, :, None, None],
    )
    text = {lang: np.full(cs.defined.shape, "", dtype=object) for lang in ("ru", "en")}
    for a, s in enumerate(shocks):
        if s.cases is not None:
            for name, ru, en in zip(
                s.cases.demand.coords["case"].values, s.cases.labels_ru, s.cases.labels_en
            ):
                j = cs.variants.index(str(name))
                text["ru"][a, j], text["en"][a, j] = ru, en
    return xr.Dataset(
        data,
        coords={
            "case": cs.variants,
            "group": names,
            "group_label_ru": ("group", labels["ru"]),
            "group_label_en": ("group", labels["en"]),
            "case_label_ru": (("centre", "case"), text["ru"].astype(str)),
            "case_label_en": (("centre", "case"), text["en"].astype(str)),
        },
    )
