"""Projecting a basic input-output table to a later year with GRAS (labelled as projected).

Rosstat publishes basic tables every five years (2011, 2016, 2021) but national accounts every
year.  :func:`project_table` moves the latest basic table to a later year with the figures the
accounts publish by OKVED2 section, and balances the rest with GRAS (:mod:`iomodel.gras`):

1. **Value added** (the rows of ``roles.value_added``) of every product grows with the gross
   value added of its OKVED2 section at current prices, ``g_s = GVA_s(year) / GVA_s(base)``
   (products split over sections grow with their share-weighted mix).  The sections' GVA in the
   projected table therefore grows exactly as in the accounts — the margins are met.
2. **Output** of every product grows with the same factor: the accounts publish no output by
   section (Rosstat's GVA workbook has none), so each product's output/GVA ratio is kept.
3. **Final-demand categories** (columns of ``Y``) and the **primary inputs outside value added**
   (imports, product taxes, CIF/FOB and non-resident rows) grow with total GVA; this factor is
   the one that balances the table's grand totals (``ΣY − ΣV_other = ΣGVA``).  An estimate.
4. **GRAS** then balances ``[[Z, Y], [V_other, 0]]`` to these row and column totals, keeping
   every cell's sign (inventory changes, subsidies and declared sign exceptions stay negative;
   empty cells stay empty).

Employment, when given for the target year by OKVED2 section, is spread over the products of
each section in proportion to their projected compensation of employees.

The result is a new, validated :class:`~iomodel.table.IOTable` whose ``meta.projection`` records
what it was projected from, to which year, the margins used, the GRAS iterations, residual and
size of adjustment (``gras_adjustment``, Σ|X − X0|/Σ|X0|, mostly nominal growth, and
``structural_adjustment``, the same against the base scaled by total growth); its id and name say "projected".  Pure: data in, table out; no I/O.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from .errors import TableError
from .gras import gras
from .table import IOTable

__all__ = ["allocate_employment", "project_table", "section_growth"]


def section_growth(base: IOTable, year: int, gva: pd.DataFrame) -> pd.Series:
    """Growth of GVA at current prices, ``GVA_s(year) / GVA_s(base year)``, for every OKVED2
    section the table's products belong to."""
    if base.section_shares is None:
        raise TableError(
            f"{base.meta.path}: the table has no concordance to OKVED2 sections; it cannot be "
            "projected with GVA by section"
        )
    for y in (base.meta.year, year):
        if y not in gva.columns:
            raise TableError(
                f"no GVA by section for {y} (the national accounts have "
                f"{min(gva.columns)}–{max(gva.columns)}); choose another year"
            )
    used = [s for s in base.section_shares.columns if base.section_shares[s].sum() > 0]
    missing = [s for s in used if s not in gva.index]
    if missing:
        raise TableError(f"no GVA series for sections {missing} in the national accounts")
    growth = gva.loc[used, year] / gva.loc[used, base.meta.year]
    if not np.all(np.isfinite(growth)) or (growth <= 0).any():
        bad = growth[~(np.isfinite(growth) & (growth > 0))].index.tolist()
        raise TableError(f"GVA growth of sections {bad} is not a positive number")
    return growth.astype(float)


def allocate_employment(
    shares: pd.DataFrame, by: np.ndarray, persons: pd.Series
) -> tuple[np.ndarray, list[str]]:
    """Employment by section (``persons``) spread over products by ``shares × by``.

    Returns employment by product and the sections that have products but no figure (their
    products get zero).
    """
    # C order whatever the frame's layout (a table read back from the cache is column-major):
    # the sums below then add in the same order and give the same bits
    weights = np.ascontiguousarray(shares.to_numpy(float)) * np.asarray(by, float)[:, None]
    totals = weights.sum(axis=0)
    sections = list(shares.columns)
    unknown = sorted(set(persons.index) - {s for s, t in zip(sections, totals) if t > 0})
    if unknown:
        raise TableError(f"employment given for sections {unknown}, which have no product")
    per_weight = np.array(
        [persons.get(s, 0.0) / t if t > 0 else 0.0 for s, t in zip(sections, totals)]
    )
    without = [s for s, t in zip(sections, totals) if t > 0 and s not in persons.index]
    return weights @ per_weight, without


def project_table(
    base: IOTable,
    year: int,
    gva: pd.DataFrame,
    *,
    employment: pd.Series | None = None,
    tol: float = 1e-10,
    max_iter: int = 10_000,
) -> IOTable:
    """Project ``base`` to ``year`` with GVA by OKVED2 section as margins (module docstring).

    Parameters
    ----------
    base : IOTable
        A basic table with a concordance to OKVED2 sections (``section_shares``).
    year : int
        Target year; must be in ``gva``.
    gva : pandas.DataFrame
        GVA at current prices, rows OKVED2 sections (and ``GVA``), columns years; e.g.
        :func:`iomodel.readers.national_accounts.load_gva_by_section`.
    employment : pandas.Series, optional
        Persons employed in ``year`` by OKVED2 section; without it the table has none.
    tol, max_iter
        GRAS convergence tolerance (relative to each target) and iteration cap.

    Raises
    ------
    TableError
        If a margin is missing, GRAS does not converge, or the projected table fails
        validation.
    """
    if year <= base.meta.year:
        raise TableError(f"projection year {year} must be after the table's ({base.meta.year})")
    growth = section_growth(base, year, gva)
    assert base.section_shares is not None  # section_growth refuses a table without one
    factor = base.section_shares[growth.index].to_numpy(float) @ growth.to_numpy()
    roles = base.roles
    va_rows = [base.primary_inputs.index(r) for r in roles.value_added]
    other_rows = [k for k in range(len(base.primary_inputs)) if k not in va_rows]
    va_base = base.V[va_rows]
    va_new = va_base * factor[None, :]
    x_new = base.x * factor
    n, k = base.n, base.Y.shape[1]
    other = base.V[other_rows]
    matrix = np.block([[base.Z, base.Y], [other, np.zeros((len(other_rows), k))]])
    row_x = x_new.copy()
    col_x = x_new - va_new.sum(axis=0)
    # a product row or column with no entries (e.g. households as employers: output = value
    # added) must have a zero target; the base's rounding would leave a few units
    row_x[~matrix[:n].any(axis=1)] = 0.0
    col_x[~matrix[:, :n].any(axis=0)] = 0.0
    # final demand and the other primary inputs grow with the factor that makes the grand
    # totals equal: ΣY − ΣV_other = ΣGVA in a balanced table, so it is total GVA growth up to
    # the base table's published rounding
    total_growth = float((row_x.sum() - col_x.sum()) / (base.Y.sum() - other.sum()))
    row_targets = np.concatenate([row_x, other.sum(axis=1) * total_growth])
    col_targets = np.concatenate([col_x, base.Y.sum(axis=0) * total_growth])
    result = gras(matrix, row_targets, col_targets, tol=tol, max_iter=max_iter)
    if not result.converged:
        raise TableError(
            f"{base.meta.id}: GRAS did not converge in {result.iterations} iterations "
            f"(largest relative residual {result.max_relative_residual:.2e}); raise max_iter"
        )
    Z, Y, other_new = result.X[:n, :n], result.X[:n, n:], result.X[n:, :n]
    V = np.zeros_like(base.V)
    V[va_rows] = va_new
    V[other_rows] = other_new

    emp = None
    without: list[str] = []
    if employment is not None:
        comp = V[base.primary_inputs.index(roles.compensation)]
        values, without = allocate_employment(base.section_shares, comp, employment)
        emp = pd.Series(values, index=base.codes)

    # the imputed rent of owner-occupied dwellings (a level in table units) keeps its share of
    # household consumption of its product; the other closure parameters are ratios
    closure = base.closure_parameters
    rent_growth = None
    if closure.imputed_rent:
        j = base.locate(closure.imputed_rent_product or "")
        h = base.final_demand.index(roles.household_consumption)
        rent_growth = float(Y[j, h] / base.Y[j, h]) if base.Y[j, h] else 1.0
        closure = replace(closure, imputed_rent=closure.imputed_rent * rent_growth)

    projection = {
        "projected_from": base.meta.id,
        "base_year": base.meta.year,
        "year": year,
        "method": "GRAS (Junius & Oosterhaven 2003; Lenzen, Wood & Gallego 2007; "
        "Temurshoev, Miller & Bouwmeester 2013)",
        "margins": "GVA by OKVED2 section at current prices (Rosstat, VDS_god_OKVED2, sheet 1): "
        "value added of each product grows with its section; output keeps each product's "
        "output/GVA ratio (no output by section is published); final-demand categories, imports "
        "and product taxes grow with total GVA (estimate)",
        "section_growth": {s: float(g) for s, g in growth.items()},
        "total_gva_growth": total_growth,
        "gras_iterations": result.iterations,
        "gras_max_residual": result.max_residual,
        "gras_max_relative_residual": result.max_relative_residual,
        "gras_adjustment": result.adjustment,
        # the change beyond uniform nominal growth: Σ|X − φ·X0| / Σ|φ·X0|, φ = total growth
        "structural_adjustment": float(
            np.abs(result.X - total_growth * matrix).sum() / (total_growth * np.abs(matrix).sum())
        ),
        "employment": "given by OKVED2 section, allocated by compensation"
        if employment is not None
        else "none",
        "sections_without_employment": without,
        "imputed_rent_growth": rent_growth,
        "carried_from_base": "closure parameters (wage and domestic shares of the base year; the "
        "imputed rent keeps its share of household consumption of its product); "
        "GFCF valuation (base-year values, only its ratios are used); imports-use matrix scaled "
        "with total GVA",
    }
    meta = replace(
        base.meta,
        id=f"{base.meta.id}-projected-{year}",
        name=f"PROJECTED {year} (GRAS from {base.meta.id}): {base.meta.name}",
        year=year,
        price_basis=f"basic prices, current prices of {year} (projected)",
        source=f"projected from {base.meta.id} ({base.meta.source}) with GVA by OKVED2 section",
        projection=projection,
    )
    codes = base.codes
    return IOTable.build(
        meta=meta,
        sectors=base.sectors,
        Z=pd.DataFrame(Z, index=codes, columns=codes),
        Y=pd.DataFrame(Y, index=codes, columns=list(base.final_demand)),
        V=pd.DataFrame(V, index=list(base.primary_inputs), columns=codes),
        x=pd.Series(x_new, index=codes),
        employment=emp,
        roles=roles,
        allow_negative=base.allow_negative,
        sign_exceptions=base.sign_exceptions,
        tolerance=base.tolerance,
        closure_parameters=closure,
        imported_intermediate=None
        if base.imported_intermediate is None
        else pd.DataFrame(base.imported_intermediate * total_growth, index=codes, columns=codes),
        gfcf_valuation=base.gfcf_valuation,
        section_shares=base.section_shares,
    )
