"""Monte Carlo on basis responses: one factorisation, draws as weights, summaries as quantiles.

Each centre's shock is a weighted sum of basis shocks (:mod:`.basis`), and everything the model
computes from a shock is linear in it, so the model is solved once for the basis shocks (stacked
right-hand sides of the table's one LU) and reduced at once to the figures a summary needs
("cells": each variable by phase and year summed over sectors, by phase and sector group, and
the new activity's own series) — never every sector of every draw.  A draw is then a row of
weights: its cells are ``W·R_open + ψ·W·R_induced``, where ψ rescales the household feedback for
the draw's closure parameters (the closure changes one scalar of the bordered solve, see
:class:`iomodel.leontief.ClosedFactorization`).  When the technical coefficients are perturbed
too, each draw has its own matrix: the draws' own shocks are solved in batches of factorisations
(``numpy.linalg.solve`` on stacked matrices), the rest is the same.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import xarray as xr

from ..impact import ACTIVITY_VARIABLES, VARIABLES
from ..multipliers import closed_factorization
from ..prices import Prices
from ..scenario import Scenario
from ..shock import PHASES, Bridge
from ..summary import INDICATORS, REGIONAL_INDICATORS, Appraisal
from ..table import IOTable
from .basis import Basis, build_basis

if TYPE_CHECKING:  # revenue.py and regional.py import this module
    from .regional import RegionalBasis
    from .revenue import RevenueBasis
from .factors import Factor, ModelUncertainty, centre_factors, model_factors

__all__ = [
    "EXTRA",
    "HEADLINES",
    "QUANTILES",
    "RANKING",
    "Setup",
    "evaluate",
    "indicator_values",
    "prepare",
    "sample",
    "simulate",
    "summarise",
]

QUANTILES = (0.05, 0.5, 0.95)
#: The new activity's own series kept by year (sums over sectors), besides capex.
EXTRA = ("capex", *ACTIVITY_VARIABLES)
#: Indicators the draws compute from the basis alone (linear in the shock, and their ratios).
#: Budget revenue (issue 10) is not linear as a whole: :mod:`.revenue` draws it (its economy
#: part through the basis, the new activity's own taxes per draw); the regional indicators
#: (issue 11) come from :mod:`.regional` (the regional model per δ of a grid).
REVENUE = tuple(i for i in INDICATORS if "revenue" in i and i not in REGIONAL_INDICATORS)
REGIONAL = tuple(i for i in REGIONAL_INDICATORS if "revenue" not in i)
DRAWN = tuple(i for i in INDICATORS if i not in (*REVENUE, *REGIONAL_INDICATORS))
#: Indicators the sensitivity analysis explains, per centre.
HEADLINES = (
    "discounted_value_added",
    "construction_employment",
    "operation_employment",
    "discounted_taxes",
    "value_added_per_capex",
)
#: Criteria the comparison ranks by; outranking probabilities are kept for these.
RANKING = (
    "value_added_per_discounted_capex",
    "job_years_per_bn_capex",
    "discounted_value_added",
    "value_added_per_capex",
    "construction_employment",
    "jobs_per_bn_capex",
    "operation_employment",
    "discounted_taxes",
)


@dataclass(frozen=True)
class Layout:
    """Where each figure sits in a cell vector (the same for every centre of a run)."""

    years: tuple[int, ...]
    groups: tuple[str, ...]

    @property
    def sizes(self) -> dict[str, int]:
        v, t, g = len(VARIABLES), len(self.years), len(self.groups)
        return {"by_year": v * 2 * t, "by_group": v * 2 * g, "extra": len(EXTRA) * t, "open": 1}

    def slices(self) -> dict[str, slice]:
        out, start = {}, 0
        for name, size in self.sizes.items():
            out[name] = slice(start, start + size)
            start += size
        return out

    @property
    def width(self) -> int:
        return sum(self.sizes.values())


@dataclass(frozen=True)
class Setup:
    """Everything the draws need, built once per run by :func:`prepare`."""

    table: IOTable
    factors: tuple[Factor, ...]
    centres: tuple[str, ...]
    bases: tuple[Basis, ...]
    layout: Layout
    fixed: tuple[np.ndarray, ...]  # per centre (slot, cell): what needs no solve
    open: tuple[np.ndarray, ...]  # per centre (slot, cell): fixed + the open model's response
    induced: tuple[np.ndarray, ...]  # per centre (slot, cell): households, central closure
    design: tuple[int, ...]  # per centre: index of the design year in layout.years (-1: none)
    discount: np.ndarray  # (year,)
    coef: dict[str, np.ndarray]  # variable → (year, sector)
    member: np.ndarray  # (sector, group)
    model: str
    closure: str
    s: float  # 1 − h_r·L·h_c of the central closure (1 for Type I)
    unit_value: float
    model_file: ModelUncertainty | None = None
    descriptions: dict[str, list[dict]] = field(default_factory=dict)

    def offsets(self) -> list[int]:
        """Column of U where each factor's uniform numbers start."""
        return list(np.cumsum([0] + [f.size for f in self.factors])[:-1])

    @property
    def width(self) -> int:
        return sum(f.size for f in self.factors)

    def centre_factors(self, centre: str) -> list[int]:
        """Indices of the factors that move ``centre``: its own and the model's."""
        return [i for i, f in enumerate(self.factors) if f.centre in (None, centre)]


def prepare(
    table: IOTable,
    scenarios: Sequence[Scenario],
    bridge: Bridge,
    prices: Prices,
    uncertainty: ModelUncertainty,
    appraisal: Appraisal,
    groups: pd.DataFrame | None = None,
    model: str = "II",
    closure: str = "default",
    productivity: pd.DataFrame | None = None,
    coefficient_cv: float | None = None,
    delta: float | None = None,
) -> Setup:
    """Factors, basis shocks and their responses for the central variant of ``scenarios``
    (``delta``: the regional step's FLQ δ, drawn when given)."""
    bases = [build_basis(s, table, bridge, prices) for s in scenarios]
    years = tuple(sorted({y for b in bases for y in b.years}))
    if groups is None:
        names = tuple(table.codes)
        member = np.eye(table.n)
    else:
        frame = groups.reindex(table.codes)
        names = tuple(dict.fromkeys(frame["group"]))
        member = (frame["group"].to_numpy()[:, None] == np.array(names)[None, :]).astype(float)
    layout = Layout(years, names)
    coef = {k: np.tile(table.direct.get(k, np.zeros(table.n)), (len(years), 1)) for k in VARIABLES}
    if productivity is not None and "employment" in table.direct:
        from ..impact import _productivity

        coef["employment"] = table.direct["employment"] / _productivity(
            productivity, list(years), table
        )
    factors: list[Factor] = model_factors(
        table, uncertainty, closure if model == "II" else "none", coefficient_cv, delta
    )
    for s in scenarios:
        factors += centre_factors(s, uncertainty)
    design = tuple(years.index(b.design_year) if b.design_year else -1 for b in bases)
    disc = (1 + appraisal.discount_rate) ** -(np.array(years) - appraisal.base_year).astype(float)
    closed = closed_factorization(table, closure) if model == "II" else None
    s_value = closed.s if closed is not None else 1.0
    fixed, opened, induced = [], [], []
    for basis, d in zip(bases, design):
        shocks = _on_years(basis, years)
        fix = _fixed_cells(shocks, layout, coef, member, d)
        x = table.factorization.solve(shocks["demand"].reshape(-1, table.n).T).T
        levels = x.reshape(shocks["demand"].shape)
        fixed.append(fix)
        opened.append(fix + _level_cells(levels, layout, coef, member, d, open_part=True))
        if closed is not None:
            w = (shocks["income"] + levels @ closed.closure.income) / closed.s
            induced.append(_level_cells(w[..., None] * closed.u, layout, coef, member, d))
        else:
            induced.append(np.zeros_like(fix))
    from ..summary import _unit_value

    return Setup(
        table=table,
        factors=tuple(factors),
        centres=tuple(s.id for s in scenarios),
        bases=tuple(bases),
        layout=layout,
        fixed=tuple(fixed),
        open=tuple(opened),
        induced=tuple(induced),
        design=design,
        discount=disc,
        coef=coef,
        member=member,
        model=model,
        closure=closure,
        s=s_value,
        unit_value=_unit_value(xr.Dataset(attrs={"table_unit": table.meta.unit_label})),
        model_file=uncertainty,
        descriptions=_descriptions(factors),
    )


def basis_dataset(setup: Setup, k: int, productivity: pd.DataFrame | None) -> xr.Dataset:
    """The national run of centre ``k``'s basis shocks (a variant per basis shock), for the
    steps that follow the solve (budget revenue, the regional step)."""
    from ..impact import run_impact

    shock = setup.bases[k].shock
    assert shock is not None
    return run_impact(
        setup.table,
        [shock],
        model=setup.model,  # type: ignore[arg-type]
        closure=setup.closure,  # type: ignore[arg-type]
        productivity=productivity,
    )


def _descriptions(factors: Sequence[Factor]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for f in factors:
        out.setdefault(f.centre or "model", []).append(
            {"parameter": f.name, "distribution": f.distribution.describe(), "declared": f.declared}
        )
    return out


def _on_years(basis: Basis, years: tuple[int, ...]) -> dict[str, np.ndarray]:
    """The basis arrays on the run's ``years`` (zero where the centre has none)."""
    idx = [years.index(y) for y in basis.years]
    t = len(years)

    def place(values: np.ndarray, axis: int) -> np.ndarray:
        shape = list(values.shape)
        shape[axis] = t
        out = np.zeros(shape)
        index = [slice(None)] * len(shape)
        index[axis] = idx  # type: ignore[call-overload]
        out[tuple(index)] = values
        return out

    out = {
        k: place(getattr(basis, k), 2)
        for k in ("demand", "imports", "product_taxes", "purchasers", "income")
    }
    for k, v in basis.direct.items():
        out[f"direct.{k}"] = place(v, 1)
    return out


def _level_cells(
    levels: np.ndarray,
    layout: Layout,
    coef: dict[str, np.ndarray],
    member: np.ndarray,
    design: int,
    open_part: bool = False,
) -> np.ndarray:
    """Cells of output ``levels`` (N, phase, year, sector): each variable's coefficient times
    the levels, summed over sectors (by year) and into groups.  ``open_part`` also fills the
    cell of construction output without households (Type II ÷ Type I)."""
    out, by_year = _reduced(
        lambda v: levels * coef[v][None, None], levels.shape[0], layout, member, design
    )
    if open_part:
        out[:, layout.slices()["open"]] = by_year[:, VARIABLES.index("output"), 0].sum(-1)[:, None]
    return out


def _reduced(
    per_variable: Callable[[str], np.ndarray],
    n_rows: int,
    layout: Layout,
    member: np.ndarray,
    design: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Cells (N, cell) of each variable's values (N, phase, year, sector) from
    ``per_variable``: summed over sectors by year, and into groups (construction over its years,
    operation in the design year); also the by-year sums (N, variable, phase, year)."""
    out = np.zeros((n_rows, layout.width))
    cut = layout.slices()
    by_year = np.zeros((n_rows, len(VARIABLES), 2, len(layout.years)))
    by_group = np.zeros((n_rows, len(VARIABLES), 2, len(layout.groups)))
    for k, v in enumerate(VARIABLES):
        values = per_variable(v)
        by_year[:, k] = values.sum(-1)
        by_group[:, k, 0] = values[:, 0].sum(1) @ member
        if design >= 0:
            by_group[:, k, 1] = values[:, 1, design] @ member
    out[:, cut["by_year"]] = by_year.reshape(n_rows, -1)
    out[:, cut["by_group"]] = by_group.reshape(n_rows, -1)
    return out, by_year


def _fixed_cells(
    shocks: dict[str, np.ndarray],
    layout: Layout,
    coef: dict[str, np.ndarray],
    member: np.ndarray,
    design: int,
) -> np.ndarray:
    """Cells of what each basis adds without a solve: the imports and product taxes that leak
    directly, the new activity's own accounts, and its series by year (capex, sales, taxes)."""
    n_rows = shocks["demand"].shape[0]
    operation = PHASES.index("operation")

    def added(v: str) -> np.ndarray:
        values = np.zeros(shocks["demand"].shape)
        if v == "imports":
            values += shocks["imports"]
        if v in ("taxes", "product_taxes"):
            values += shocks["product_taxes"]
        if f"direct.{v}" in shocks:
            values[:, operation] += shocks[f"direct.{v}"]
        return values

    out, _ = _reduced(added, n_rows, layout, member, design)
    cut = layout.slices()
    t = len(layout.years)
    series = np.zeros((n_rows, len(EXTRA), t))
    series[:, 0] = shocks["purchasers"][:, PHASES.index("construction")]
    for e, name in enumerate(EXTRA[1:], start=1):
        series[:, e] = shocks[f"direct.{name}"].sum(-1)
    out[:, cut["extra"]] = series.reshape(n_rows, -1)
    return out


# ----------------------------------------------------------------------------- draws


def sample(setup: Setup, draws: int, seed: int) -> np.ndarray:
    """Uniform numbers (draw, factor column) for ``draws`` draws, reproducible from ``seed``."""
    if draws < 1:
        raise ValueError(f"draws must be at least 1, got {draws}")
    return np.random.default_rng(seed).random((draws, setup.width))


def values(setup: Setup, U: np.ndarray, frozen: Sequence[int] = ()) -> list[dict[str, np.ndarray]]:
    """Each factor's values for the uniform numbers ``U`` (draw, column), as one dict per
    centre (the model's factors included in each); factors in ``frozen`` stay central."""
    d = U.shape[0]
    model: dict[str, np.ndarray] = {}
    per_centre: dict[str, dict[str, np.ndarray]] = {c: {} for c in setup.centres}
    for i, (f, off) in enumerate(zip(setup.factors, setup.offsets())):
        if i in frozen:
            value = np.broadcast_to(np.asarray(f.central, dtype=float), (d, f.size)).copy()
        else:
            value = f.distribution.ppf(U[:, off : off + f.size] if f.size > 1 else U[:, off])
        value = value.reshape(d, f.size) if f.size > 1 else value.reshape(d)
        if f.name == "coefficients" and i in frozen:
            value = np.full(d, np.nan)  # no perturbation
        (model if f.centre is None else per_centre[f.centre])[f.name] = value
    return [{**model, **per_centre[c]} for c in setup.centres]


def _closure_ratio(setup: Setup, vals: dict[str, np.ndarray], d: int) -> np.ndarray:
    """ψ: each draw's household feedback relative to the central closure's."""
    if setup.model != "II" or "propensity_to_consume" not in vals:
        return np.ones(d)
    p = setup.table.closure_parameters
    assert p.propensity_to_consume is not None and p.income_tax_rate is not None
    r = (vals["propensity_to_consume"] / p.propensity_to_consume) * (
        (1 - vals["income_tax_rate"]) / (1 - p.income_tax_rate)
    )
    return r * setup.s / (1 - r * (1 - setup.s))


def evaluate(
    setup: Setup, U: np.ndarray, frozen: Sequence[int] = (), only: int | None = None
) -> list[np.ndarray]:
    """The cells of every draw: one (draw, cell) array per centre (or for centre ``only``;
    the others' are then empty)."""
    vals = values(setup, U, frozen)
    d = U.shape[0]
    coefficients = vals[0].get("coefficients") if vals else None
    if coefficients is not None and np.isfinite(coefficients).any():
        return _evaluate_perturbed(setup, vals, coefficients)
    return [
        _centre_cells(setup, vals, k, d)
        if only is None or k == only
        else np.zeros((d, setup.layout.width))
        for k in range(len(setup.bases))
    ]


def _centre_cells(setup: Setup, vals: list[dict[str, np.ndarray]], k: int, d: int) -> np.ndarray:
    """Centre ``k``'s cells (draw, cell) for its parameter values: one product of the draws'
    weights (open and household parts) with the basis responses."""
    w = setup.bases[k].weights(vals[k])
    psi = _closure_ratio(setup, vals[k], d)
    both = np.hstack([w, psi[:, None] * w])
    return both @ np.vstack([setup.open[k], setup.induced[k]])


def perturbed_matrices(A: np.ndarray, cv: float, seeds: np.ndarray) -> np.ndarray:
    """One perturbed copy of ``A`` per seed (NaN: ``A`` itself): every coefficient times an
    independent lognormal factor with mean 1 and coefficient of variation ``cv``, each column
    then scaled back to its own sum (its intermediate share), so the matrix stays productive."""
    sigma = np.sqrt(np.log1p(cv**2))
    out = np.empty((len(seeds),) + A.shape)
    sums = A.sum(axis=0)
    for b, seed in enumerate(seeds):  # one generator per draw keeps a draw's matrix reproducible
        if not np.isfinite(seed):
            out[b] = A
            continue
        rng = np.random.default_rng(int(seed * 2**52))
        noisy = A * np.exp(sigma * rng.standard_normal(A.shape) - sigma**2 / 2)
        total = noisy.sum(axis=0)
        out[b] = noisy * np.where(total > 0, sums / np.where(total > 0, total, 1.0), 0.0)
    return out


def _evaluate_perturbed(
    setup: Setup, vals: list[dict[str, np.ndarray]], seeds: np.ndarray, batch: int = 64
) -> list[np.ndarray]:
    """Cells of draws whose technical coefficients differ: batches of factorisations of the
    draws' own matrices, each solving that draw's shocks of every centre at once."""
    table, n = setup.table, setup.table.n
    cv = next(float(np.asarray(f.central)) for f in setup.factors if f.name == "coefficients")
    d = len(seeds)
    weights = [b.weights(v) for b, v in zip(setup.bases, vals)]
    psi_r = [_closure_ratio(setup, v, d) for v in vals]
    shocks = [_on_years(b, setup.layout.years) for b in setup.bases]
    out = [w @ f for w, f in zip(weights, setup.fixed)]
    closure = closed_factorization(table, setup.closure) if setup.model == "II" else None
    t = len(setup.layout.years)
    for start in range(0, d, batch):
        part = slice(start, min(start + batch, d))
        A = perturbed_matrices(table.A, cv, seeds[part])
        M = np.eye(n)[None] - A
        rhs = [np.einsum("bs,spti->bpti", w[part], sh["demand"]) for w, sh in zip(weights, shocks)]
        stack = np.concatenate([r.reshape(r.shape[0], -1, n) for r in rhs], axis=1)  # (b, K, n)
        if closure is not None:
            stack = np.concatenate(
                [stack, closure.closure.consumption[None, None].repeat(len(A), 0)], 1
            )
        x = np.linalg.solve(M, np.swapaxes(stack, 1, 2))  # (b, n, K)
        x = np.swapaxes(x, 1, 2)
        pos = 0
        for k, r in enumerate(rhs):
            size = 2 * t
            levels = x[:, pos : pos + size].reshape(r.shape)
            pos += size
            cells = _level_cells(
                levels, setup.layout, setup.coef, setup.member, setup.design[k], True
            )
            if closure is not None:
                u = x[:, -1]  # (b, n): L_d·h_c of the central closure
                h_r = closure.closure.income
                income = np.einsum("bs,spt->bpt", weights[k][part], shocks[k]["income"])
                ratio = _ratio_from_psi(psi_r[k][part], setup.s)
                s_d = 1 - ratio * (u @ h_r)
                wd = ratio[:, None, None] * (income + levels @ h_r) / s_d[:, None, None]
                cells += _level_cells(
                    wd[..., None] * u[:, None, None, :],
                    setup.layout,
                    setup.coef,
                    setup.member,
                    setup.design[k],
                )
            out[k][part] += cells
    return out


def _ratio_from_psi(psi: np.ndarray, s: float) -> np.ndarray:
    """The closure's k ratio r back from ψ = r·s / (1 − r(1 − s))."""
    return psi / (s + psi * (1 - s))


# ----------------------------------------------------------------------------- summaries


def indicator_values(
    setup: Setup, cells: list[np.ndarray], only: int | None = None, offset: int = 0
) -> np.ndarray:
    """(draw, centre, indicator) of :data:`iomodel.summary.INDICATORS` for each draw's cells
    (NaN for the centres other than ``only`` when it is given); ``cells[j]`` belongs to centre
    ``offset + j``."""
    lay = setup.layout
    cut = lay.slices()
    t = len(lay.years)
    v = {name: i for i, name in enumerate(VARIABLES)}
    d = cells[0].shape[0] if cells else 0
    out = np.full((d, len(setup.centres), len(INDICATORS)), np.nan)
    col = {name: i for i, name in enumerate(INDICATORS)}
    for j, c in enumerate(cells):
        k = offset + j
        if only is not None and k != only:
            continue
        by_year = c[:, cut["by_year"]].reshape(d, len(VARIABLES), 2, t)
        extra = c[:, cut["extra"]].reshape(d, len(EXTRA), t)
        capex = extra[:, 0].sum(-1)
        out[:, k, col["capex"]] = capex
        for name, i in v.items():
            if f"construction_{name}" in col:
                out[:, k, col[f"construction_{name}"]] = by_year[:, i, 0].sum(-1)
        year = setup.design[k]
        out[:, k, col["design_year"]] = lay.years[year] if year >= 0 else np.nan
        for name, i in v.items():
            if f"operation_{name}" in col:
                out[:, k, col[f"operation_{name}"]] = by_year[:, i, 1, year] if year >= 0 else 0.0
        for name in ("exports", "domestic_sales"):
            series = extra[:, EXTRA.index(name)]
            out[:, k, col[f"operation_{name}"]] = series[:, year] if year >= 0 else 0.0
        safe = np.where(capex > 0, capex, np.nan)
        out[:, k, col["output_per_capex"]] = out[:, k, col["construction_output"]] / safe
        out[:, k, col["value_added_per_capex"]] = out[:, k, col["construction_value_added"]] / safe
        out[:, k, col["jobs_per_bn_capex"]] = (
            out[:, k, col["construction_employment"]] / safe * 1e9 / setup.unit_value
        )
        for name in ("output", "value_added", "taxes"):
            out[:, k, col[f"discounted_{name}"]] = (
                by_year[:, v[name]].sum(1) * setup.discount
            ).sum(-1)
        out[:, k, col["discounted_exports"]] = (
            extra[:, EXTRA.index("exports")] * setup.discount
        ).sum(-1)
        discounted_capex = (extra[:, 0] * setup.discount).sum(-1)
        out[:, k, col["discounted_capex"]] = discounted_capex
        out[:, k, col["value_added_per_discounted_capex"]] = out[
            :, k, col["discounted_value_added"]
        ] / np.where(discounted_capex > 0, discounted_capex, np.nan)
        job_years = by_year[:, v["employment"]].sum((-2, -1))
        out[:, k, col["job_years"]] = job_years
        out[:, k, col["job_years_per_bn_capex"]] = job_years / safe * 1e9 / setup.unit_value
        if setup.model == "II":
            base = c[:, cut["open"]][:, 0]
            out[:, k, col["type2_over_type1_output"]] = out[:, k, col["construction_output"]] / (
                np.where(base > 0, base, np.nan)
            )
    return out


def _quantiles(x: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Quantiles ``q`` of each column of ``x`` (draw, column), numpy's default (linear)
    definition; one sort along the draws (faster than ``np.quantile``'s partitions here)."""
    ordered = np.sort(x, axis=0)
    pos = q * (x.shape[0] - 1)
    lo = np.floor(pos).astype(int)
    hi = np.minimum(lo + 1, x.shape[0] - 1)
    frac = (pos - lo)[:, None]
    return ordered[lo] * (1 - frac) + ordered[hi] * frac


def summarise(
    setup: Setup, cells: list[np.ndarray], quantiles: Sequence[float] = QUANTILES
) -> xr.Dataset:
    """Quantiles of every cell and indicator, and the probability that each centre outranks
    each other under each criterion of :data:`RANKING`, as a Dataset (dim ``quantile``)."""
    q = np.asarray(quantiles)
    cut = setup.layout.slices()
    ind = indicator_values(setup, cells)
    cell_q = np.stack([_quantiles(c[:, : cut["by_group"].stop], q) for c in cells], axis=1)
    with warnings.catch_warnings():  # indicators no draw computes (revenue) stay NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        ind_q, ind_mean = np.nanquantile(ind, q, axis=0), np.nanmean(ind, axis=0)
    return summary_dataset(setup, q, cell_q, ind_q, ind_mean, outranking(ind))


def outranking(ind: np.ndarray) -> np.ndarray:
    """(criterion, centre, rival): share of draws in which the centre's indicator exceeds the
    rival's, for the criteria of :data:`RANKING` (``ind``: draw, centre, indicator)."""
    a = ind[:, :, [INDICATORS.index(r) for r in RANKING]]
    wins = (a[:, :, None, :] > a[:, None, :, :]).mean(axis=0)  # (centre, rival, criterion)
    return np.moveaxis(wins, -1, 0)


def summary_dataset(
    setup: Setup,
    q: np.ndarray,
    cell_q: np.ndarray,
    indicator_q: np.ndarray,
    indicator_mean: np.ndarray,
    wins: np.ndarray,
) -> xr.Dataset:
    """The study's Dataset from the quantiles of the cells (quantile, centre, cell: by year and
    by group), of the indicators (quantile, centre, indicator), their means and the outranking
    probabilities — whichever way (in memory, on dask) they were computed."""
    lay = setup.layout
    cut = lay.slices()
    t, g, v, n = len(lay.years), len(lay.groups), len(VARIABLES), len(q)
    c = len(setup.centres)
    by_year = cell_q[..., cut["by_year"]].reshape(n, c, v, 2, t)
    by_group = cell_q[..., cut["by_group"]].reshape(n, c, v, 2, g)
    data: dict[str, tuple[tuple[str, ...], np.ndarray]] = {}
    for i, name in enumerate(VARIABLES):
        data[f"{name}_q"] = (("quantile", "centre", "phase", "year"), by_year[:, :, i])
        data[f"{name}_group_q"] = (("quantile", "centre", "phase", "group"), by_group[:, :, i])
    data["indicator_q"] = (("quantile", "centre", "indicator"), indicator_q)
    data["indicator_mean"] = (("centre", "indicator"), indicator_mean)
    data["outrank_probability"] = (("criterion", "centre", "rival"), wins)
    return xr.Dataset(
        data,
        coords={
            "quantile": list(q),
            "centre": list(setup.centres),
            "phase": list(PHASES),
            "year": list(lay.years),
            "group": list(lay.groups),
            "indicator": list(INDICATORS),
            "criterion": list(RANKING),
            "rival": list(setup.centres),
        },
    )


def simulate(
    setup: Setup,
    draws: int,
    seed: int,
    quantiles: Sequence[float] = QUANTILES,
    revenue: RevenueBasis | None = None,
    regional: RegionalBasis | None = None,
) -> xr.Dataset:
    """``draws`` Monte Carlo draws from ``seed``: the Dataset of :func:`summarise`, computed one
    centre at a time (only one centre's cells of every draw are held at once; the indicators of
    all centres are kept for the outranking probabilities).  With ``revenue``
    (:func:`iomodel.uncertainty.revenue.revenue_basis`) the budget revenue indicators are drawn
    too, with ``regional`` (:func:`iomodel.uncertainty.regional.regional_basis`) the regional
    indicators (neither with perturbed coefficients: their bases are the table's)."""
    q = np.asarray(quantiles)
    stop = setup.layout.slices()["by_group"].stop
    cell_q = np.zeros((len(q), len(setup.centres), stop))

    def keep(k: int, cells: np.ndarray) -> None:
        cell_q[:, k] = _quantiles(cells[:, :stop], q)

    ind = draw_indicators(setup, sample(setup, draws, seed), revenue, regional, keep)
    with warnings.catch_warnings():  # indicators no draw computes stay NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        ind_q, ind_mean = np.nanquantile(ind, q, axis=0), np.nanmean(ind, axis=0)
    return summary_dataset(setup, q, cell_q, ind_q, ind_mean, outranking(ind))


def draw_indicators(
    setup: Setup,
    U: np.ndarray,
    revenue: RevenueBasis | None = None,
    regional: RegionalBasis | None = None,
    cells_seen: Callable[[int, np.ndarray], None] | None = None,
) -> np.ndarray:
    """(draw, centre, indicator) for the uniform numbers ``U``, one centre at a time: the
    indicators from the cells, and the revenue and regional ones when their bases are given;
    ``cells_seen(k, cells)`` is shown each centre's cells before they are dropped."""
    draws = U.shape[0]
    ind = np.full((draws, len(setup.centres), len(INDICATORS)), np.nan)
    vals = values(setup, U)
    coefficients = vals[0].get("coefficients") if vals else None
    perturbed = coefficients is not None and bool(np.isfinite(coefficients).any())
    every = evaluate(setup, U) if perturbed else None  # one batch of solves serves all centres
    for k in range(len(setup.centres)):
        cells = every[k] if every is not None else _centre_cells(setup, vals, k, draws)
        if cells_seen is not None:
            cells_seen(k, cells)
        ind[:, k] = indicator_values(setup, [cells], offset=k)[:, k]
        if (revenue is not None or regional is not None) and not perturbed:
            w = setup.bases[k].weights(vals[k])
            psi = _closure_ratio(setup, vals[k], draws)
            figures: dict[str, np.ndarray] = {}
            if revenue is not None:
                from .revenue import revenue_indicators

                extra = cells[:, setup.layout.slices()["extra"]].reshape(draws, len(EXTRA), -1)
                ratio = _ratio_from_psi(psi, setup.s)
                figures |= revenue_indicators(setup, revenue, k, w, psi, ratio, extra[:, 0])
            if regional is not None:
                from .regional import regional_indicators

                national = {name: ind[:, k, INDICATORS.index(name)] for name in DRAWN}
                delta = vals[k].get("flq_delta")
                figures |= regional_indicators(setup, regional, k, w, psi, delta, national)
            for name, value in figures.items():
                ind[:, k, INDICATORS.index(name)] = value
        del cells
    return ind
