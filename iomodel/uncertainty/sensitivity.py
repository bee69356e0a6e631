"""Which parameter matters most: one-at-a-time ranges (tornado) and Sobol indices (SALib).

* **Tornado**: for each parameter, the headline's 5th and 95th percentiles when only that
  parameter varies over its distribution and every other stays at its central value (a seeded
  sweep; for a scalar parameter on which the headline is monotone these are the headline at the
  parameter's own 5th and 95th percentiles).
* **Sobol**: first-order and total indices of each parameter (a Dirichlet's shares as one group)
  from Saltelli's design and estimators (SALib: Herman & Usher 2017; Saltelli et al. 2010), per
  centre, over that centre's parameters and the model's.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import xarray as xr

from ..summary import INDICATORS
from .engine import HEADLINES, Setup, evaluate, indicator_values
from .factors import CENTRE_PARAMETERS, MODEL_PARAMETERS

__all__ = ["PARAMETERS", "sensitivity", "sobol", "tornado"]

#: Every parameter that may appear, in the order reports list them.
PARAMETERS = (*CENTRE_PARAMETERS, *MODEL_PARAMETERS)


def _headlines(
    setup: Setup, U: np.ndarray, frozen: Sequence[int], only: int | None = None
) -> np.ndarray:
    """(draw, centre, headline) for uniform numbers ``U`` with ``frozen`` factors central
    (only centre ``only`` computed when given)."""
    ind = indicator_values(setup, evaluate(setup, U, frozen, only), only)
    return ind[:, :, [INDICATORS.index(h) for h in HEADLINES]]


def tornado(setup: Setup, sweep: int = 256, seed: int = 0) -> xr.DataArray:
    """(centre, headline, parameter, bound) — the headline's P5 ("low") and P95 ("high") when
    only the parameter varies; NaN for a parameter a centre does not have or that is fixed."""
    out = np.full((len(setup.centres), len(HEADLINES), len(PARAMETERS), 2), np.nan)
    rng = np.random.default_rng(seed)
    everything = set(range(len(setup.factors)))
    for i, f in enumerate(setup.factors):
        if not f.spread:
            continue
        U = rng.random((sweep, setup.width))
        only = None if f.centre is None else setup.centres.index(f.centre)
        h = _headlines(setup, U, sorted(everything - {i}), only)
        p = PARAMETERS.index(f.name)
        for k, centre in enumerate(setup.centres):
            if f.centre in (None, centre):
                out[k, :, p] = np.quantile(h[:, k], [0.05, 0.95], axis=0).T
    return xr.DataArray(
        out,
        dims=("centre", "headline", "parameter", "bound"),
        coords={
            "centre": list(setup.centres),
            "headline": list(HEADLINES),
            "parameter": list(PARAMETERS),
            "bound": ["low", "high"],
        },
    )


def sobol(setup: Setup, base: int = 256, seed: int = 0) -> xr.Dataset:
    """First-order and total Sobol indices (centre, headline, parameter) with their 95 %
    confidence half-widths, from ``base`` × (parameters + 2) model evaluations per centre."""
    from SALib.analyze import sobol as analyze
    from SALib.sample import sobol as design

    shape = (len(setup.centres), len(HEADLINES), len(PARAMETERS))
    first, total = np.full(shape, np.nan), np.full(shape, np.nan)
    first_conf, total_conf = np.full(shape, np.nan), np.full(shape, np.nan)
    offsets = setup.offsets()
    for k, centre in enumerate(setup.centres):
        chosen = [i for i in setup.centre_factors(centre) if setup.factors[i].spread]
        if len(chosen) < 2:
            continue
        columns, names, groups = [], [], []
        for i in chosen:
            f = setup.factors[i]
            for j in range(f.size):
                columns.append(offsets[i] + j)
                names.append(f"{f.name}[{j}]" if f.size > 1 else f.name)
                groups.append(f.name)
        problem = {
            "num_vars": len(columns),
            "names": names,
            "bounds": [[0.0, 1.0]] * len(columns),
            "groups": groups,
        }
        X = design.sample(problem, base, calc_second_order=False, seed=seed)
        U = np.full((X.shape[0], setup.width), 0.5)
        U[:, columns] = X
        frozen = [i for i in range(len(setup.factors)) if i not in chosen]
        h = _headlines(setup, U, frozen, k)[:, k]  # (run, headline)
        order = list(dict.fromkeys(groups))
        for j in range(len(HEADLINES)):
            y = h[:, j]
            if not np.all(np.isfinite(y)) or np.ptp(y) == 0:
                continue
            res = analyze.analyze(problem, y, calc_second_order=False, num_resamples=100, seed=seed)
            for g, name in enumerate(order):
                p = PARAMETERS.index(name)
                first[k, j, p], total[k, j, p] = res["S1"][g], res["ST"][g]
                first_conf[k, j, p], total_conf[k, j, p] = res["S1_conf"][g], res["ST_conf"][g]
    dims = ("centre", "headline", "parameter")
    coords = {
        "centre": list(setup.centres),
        "headline": list(HEADLINES),
        "parameter": list(PARAMETERS),
    }
    return xr.Dataset(
        {
            "sobol_first": (dims, first),
            "sobol_total": (dims, total),
            "sobol_first_conf": (dims, first_conf),
            "sobol_total_conf": (dims, total_conf),
        },
        coords=coords,
    )


def sensitivity(setup: Setup, sweep: int = 256, base: int = 256, seed: int = 0) -> xr.Dataset:
    """Tornado ranges and Sobol indices of every centre's headlines in one Dataset."""
    ds = sobol(setup, base, seed)
    ds["tornado"] = tornado(setup, sweep, seed)
    return ds
