"""The regional indicators (issue 11) in the draws: the regional step on the basis shocks, for
each δ of a grid, and a draw's δ between two of them.

For a given δ the regional model (:mod:`iomodel.regional_impact`) is linear in the shock, so it
runs once on every centre's basis shocks (a variant per basis shock) — one batch of
factorisations per δ of a grid 0.025 apart over the range of the δ factor, the run's δ among
them.  A draw's value added and jobs in the centre's regions are the weights times the basis
responses, interpolated linearly in δ between the two neighbouring grid points: exact at the
grid points, off by at most 0.07 % between them in the cases measured (Kola and Stavropol, four
draws; grids 0.05 and 0.1 apart were off by up to 0.46 % and 2 %).  The induced part in the region is scaled by the
national household feedback of the draw's closure — exact when the closure is held, and within
the same 0.07 % when it is drawn too (the regional households' feedback follows the national
one to first order).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from ..scenario import Scenario
from ..shock import PHASES
from .distributions import Scalar
from .engine import REGIONAL, Setup, basis_dataset

__all__ = ["RegionalBasis", "grid_weights", "regional_basis", "regional_indicators"]

#: Step of the δ grid: linear interpolation between grid points was off by up to 2 % of the
#: regional figures 0.1 apart, 0.46 % 0.05 apart and 0.07 % 0.025 apart (Kola, Stavropol).
STEP = 0.025
#: Variables of the regional indicators.
_VARIABLES = ("value_added", "employment")


@dataclass(frozen=True)
class RegionalBasis:
    """Per centre: value added and jobs in the centre's own regions of each basis shock, by
    δ of the grid: (slot, delta, variable, phase, year), direct and indirect (``open``) and
    induced."""

    deltas: tuple[float, ...]
    open: tuple[np.ndarray, ...]
    induced: tuple[np.ndarray, ...]
    delta: float  # the run's δ


def regional_basis(
    setup: Setup,
    scenarios: Sequence[Scenario],
    productivity: pd.DataFrame | None,
    method: str | None = None,
    delta: float | None = None,
    step: float = STEP,
) -> RegionalBasis | None:
    """The regional step on every centre's basis shocks, for δ on a grid of ``step`` over the
    δ factor's range (and the run's δ); None when the method has no δ (SLQ, CILQ: the regional
    indicators are then not drawn)."""
    from ..readers.regional import load_regional
    from ..regional_impact import regional_effects

    data = load_regional()
    method = method or data.settings.method
    if method not in ("flq", "aflq"):
        return None
    delta = data.settings.delta if delta is None else float(delta)
    factor = next((f.distribution for f in setup.factors if f.name == "flq_delta"), None)
    low, high = (factor.low, factor.high) if isinstance(factor, Scalar) else (delta, delta)
    count = max(1, round((high - low) / step))
    grid = {round(float(x), 9) for x in np.linspace(low, high, count + 1)} | {delta}
    data = replace(data, settings=replace(data.settings, delta_sensitivity=tuple(sorted(grid))))
    years = list(setup.layout.years)
    opened, induced = [], []
    deltas: list[float] = []
    for k, scenario in enumerate(scenarios):
        basis = setup.bases[k]
        assert basis.shock is not None and scenario.id == basis.centre
        ds = basis_dataset(setup, k, productivity)
        out = regional_effects(
            setup.table,
            [scenario],
            [basis.shock],
            ds,
            productivity=productivity,
            data=data,
            method=method,
            delta=delta,
        )
        deltas = [float(d) for d in out["delta"].values]
        stays = [
            out[f"{v}_in_region_by_delta"]
            .sel(centre=basis.centre)
            .reindex(year=years, fill_value=0.0)
            .transpose("variant", "delta", "phase", "year", "effect")
            for v in _VARIABLES
        ]
        both = np.stack([s.to_numpy() for s in stays], axis=2)  # slot, delta, var, phase, year, eff
        effects = [str(e) for e in out["effect"].values]
        kept = [effects.index(e) for e in ("direct", "indirect")]
        opened.append(both[..., kept].sum(-1))
        induced.append(
            both[..., effects.index("induced")]
            if "induced" in effects
            else np.zeros_like(opened[-1])
        )
    return RegionalBasis(tuple(deltas), tuple(opened), tuple(induced), delta)


def grid_weights(grid: Sequence[float], values: np.ndarray) -> np.ndarray:
    """(draw, grid point) weights interpolating linearly between the two grid points around each
    value (values outside the grid take the nearest end)."""
    grid_a = np.asarray(grid, dtype=float)
    values = np.clip(np.asarray(values, dtype=float), grid_a[0], grid_a[-1])
    out = np.zeros((values.shape[0], len(grid_a)))
    if len(grid_a) == 1:
        out[:, 0] = 1.0
        return out
    hi = np.clip(np.searchsorted(grid_a, values, side="right"), 1, len(grid_a) - 1)
    lo = hi - 1
    t = (values - grid_a[lo]) / (grid_a[hi] - grid_a[lo])
    rows = np.arange(values.shape[0])
    out[rows, lo] = 1 - t
    out[rows, hi] += t
    return out


def regional_indicators(
    setup: Setup,
    rb: RegionalBasis,
    k: int,
    weights: np.ndarray,
    psi: np.ndarray,
    delta: np.ndarray | None,
    national: dict[str, np.ndarray],
) -> dict[str, np.ndarray]:
    """The regional indicators of :data:`iomodel.summary.REGIONAL_INDICATORS` that are not
    revenue, for centre ``k``'s draws; ``national`` holds the draws' national figures the shares
    and ratios need (construction and operation value added and jobs, discounted value added,
    capex)."""
    d, slots = weights.shape
    lam = grid_weights(rb.deltas, np.full(d, rb.delta) if delta is None else delta)
    both = np.hstack([weights, psi[:, None] * weights])  # (draw, 2 · slot)
    flat = np.zeros((d, len(_VARIABLES) * len(PHASES) * len(setup.layout.years)))
    for g in range(len(rb.deltas)):  # each draw needs only the two grid points around its δ
        rows = np.flatnonzero(lam[:, g])
        if rows.size:
            basis = np.concatenate(
                [rb.open[k][:, g].reshape(slots, -1), rb.induced[k][:, g].reshape(slots, -1)]
            )
            flat[rows] += lam[rows, g, None] * (both[rows] @ basis)
    stays = flat.reshape(d, len(_VARIABLES), len(PHASES), len(setup.layout.years))
    out: dict[str, np.ndarray] = {}
    year = setup.design[k]
    for i, v in enumerate(_VARIABLES):
        cons = stays[:, i, 0].sum(-1)
        op = stays[:, i, 1, year] if year >= 0 else np.zeros(d)
        out[f"construction_{v}_in_region"] = cons
        out[f"operation_{v}_in_region"] = op
        out[f"construction_{v}_region_share"] = cons / _nonzero(national[f"construction_{v}"])
        out[f"operation_{v}_region_share"] = op / _nonzero(national[f"operation_{v}"])
    discounted = (stays[:, 0].sum(1) * setup.discount).sum(-1)
    out["discounted_value_added_in_region"] = discounted
    out["discounted_value_added_region_share"] = discounted / _nonzero(
        national["discounted_value_added"]
    )
    capex = np.where(national["capex"] > 0, national["capex"], np.nan)
    out["value_added_in_region_per_capex"] = out["construction_value_added_in_region"] / capex
    out["jobs_in_region_per_bn_capex"] = (
        out["construction_employment_in_region"] / capex * 1e9 / setup.unit_value
    )
    assert set(out) == set(REGIONAL)
    return out


def _nonzero(values: np.ndarray) -> np.ndarray:
    return np.where(values != 0, values, np.nan)
