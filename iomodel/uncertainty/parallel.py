"""The draws on dask, through xarray: local threads, or a ``dask.distributed`` cluster.

The driver draws the uniform numbers (so the draws are the same whatever runs them), splits them
into chunks of draws, and each task evaluates its chunk on the shared setup (one copy per worker,
sent once); the cells and indicators come back as dask-backed ``xarray.DataArray`` objects,
whose quantiles along ``draw`` xarray computes chunk by chunk of cells (every draw of a few cells
at a time), and whose outranking probabilities are means over draws.  The summary is the same
Dataset as in memory (:func:`iomodel.uncertainty.engine.summarise`) to rounding.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import xarray as xr

from ..summary import INDICATORS
from .engine import (
    QUANTILES,
    RANKING,
    Setup,
    draw_indicators,
    evaluate,
    sample,
    summary_dataset,
)

if TYPE_CHECKING:
    from .regional import RegionalBasis
    from .revenue import RevenueBasis

__all__ = ["simulate_dask"]


def _chunk(setup: Setup, U: np.ndarray, part: str, extra: tuple = (None, None)) -> np.ndarray:
    """One chunk of draws: cells (draw, centre, cell) or indicators (draw, centre, indicator;
    with the revenue and regional bases of ``extra`` when given)."""
    if part == "indicators":
        return draw_indicators(setup, U, *extra)
    stop = setup.layout.slices()["by_group"].stop
    return np.stack([c[:, :stop] for c in evaluate(setup, U)], axis=1)


def simulate_dask(
    setup: Setup,
    draws: int,
    seed: int,
    scheduler: str = "threads",
    chunk: int = 2000,
    revenue: RevenueBasis | None = None,
    regional: RegionalBasis | None = None,
) -> xr.Dataset:
    """:func:`~iomodel.uncertainty.engine.simulate` of ``draws`` draws from ``seed`` (with the
    ``revenue`` and ``regional`` bases when given), computed on dask: ``scheduler`` "threads"
    (local threads) or a ``dask.distributed`` address."""
    try:
        import dask
        import dask.array as da
    except ImportError:  # pragma: no cover - the extra is not installed
        raise RuntimeError("the dask scheduler needs dask: pip install 'iomodel[dask]'") from None
    U = sample(setup, draws, seed)
    client = None
    if scheduler not in ("threads", "sync", "synchronous"):
        from distributed import Client

        client = Client(scheduler)
        shared = client.scatter(setup, broadcast=True)
        bases = client.scatter((revenue, regional), broadcast=True)
    else:
        shared = dask.delayed(setup, pure=True)
        bases = dask.delayed((revenue, regional), pure=True)
    c = len(setup.centres)
    width = setup.layout.slices()["by_group"].stop
    try:
        parts: dict[str, list] = {"cells": [], "indicators": []}
        for start in range(0, draws, chunk):
            block = U[start : start + chunk]
            for part, size in (("cells", width), ("indicators", len(INDICATORS))):
                task = dask.delayed(_chunk)(shared, block, part, bases)
                parts[part].append(da.from_delayed(task, (len(block), c, size), dtype=float))
        cells = xr.DataArray(da.concatenate(parts["cells"]), dims=("draw", "centre", "cell")).chunk(
            {"draw": -1, "cell": 128}
        )
        ind = xr.DataArray(
            da.concatenate(parts["indicators"]),
            dims=("draw", "centre", "indicator"),
            coords={"centre": list(setup.centres), "indicator": list(INDICATORS)},
        )
        crit = ind.sel(indicator=list(RANKING)).rename(indicator="criterion")
        wins = (crit > crit.rename(centre="rival")).mean("draw")
        q = list(QUANTILES)
        lazy = (
            cells.quantile(q, dim="draw"),
            ind.chunk({"draw": -1}).quantile(q, dim="draw", skipna=True),
            ind.mean("draw", skipna=True),
            wins.transpose("criterion", "centre", "rival"),
        )
        if client is None:
            out = dask.compute(*lazy, scheduler=scheduler)
        else:
            out = client.compute(list(lazy), sync=True)
    finally:
        if client is not None:
            client.close()
    cell_q, ind_q, ind_mean, won = (np.asarray(x.values) for x in out)
    return summary_dataset(setup, np.asarray(q), cell_q, ind_q, ind_mean, won)
