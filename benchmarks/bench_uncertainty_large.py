"""Beyond one machine: the uncertainty study's solve on a synthetic table of thousands of sectors,
on dask through xarray, against pymrio's ``calc_all`` on the same table.

A multi-regional table of all Russian regions would have about 85 × 113 ≈ 9,600 sectors.  The
synthetic table (seeded) has ``--sectors`` sectors (default 5,000), 5 % of its coefficients
non-zero, column sums 0.6.  The study's work on it, as the engine does it on the real table:

* one LU factorisation of I − A (in the driver: LAPACK, both cores);
* multiplier rows c'·L for 7 variables × 11 sector groups (77 transposed solves, chunked over
  rows on dask) — the aggregates never need L or any sector of any draw;
* basis responses R = M·Y (reduced to cells: each variable by group, and by phase and year)
  for 8 centres × 36 basis shocks × 2 phases × 20 years (11,520
  right-hand sides, each non-zero in 50 sectors; chunked over columns);
* 10,000 draws as weights on the basis (chunked over draws), and their quantiles (xarray on
  dask, chunk by chunk of cells).

pymrio: an ``IOSystem`` with the same Z, a final-demand column and a 7-row extension;
``calc_all`` (x, A, the Leontief inverse by inversion, the extension's multipliers).  Each method
runs in its own process, which reports its peak memory (ru_maxrss).  The machine's 2 cores are
shared with other work: timings vary with the load.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

import numpy as np

CENTRES, SLOTS, PHASES, YEARS, ROWS = 8, 36, 2, 20, 77


def synthetic(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    A = rng.random((n, n)) * (rng.random((n, n)) < 0.05)
    A *= 0.6 / A.sum(axis=0)
    x = rng.uniform(100.0, 1000.0, n)
    return A, x


def ours(n: int, draws: int, scheduler: str) -> dict:
    import dask
    import dask.array as da
    import xarray as xr
    from scipy import sparse
    from scipy.linalg import lu_factor, lu_solve

    A, _ = synthetic(n)
    rng = np.random.default_rng(1)
    coef = rng.random((ROWS, n))  # direct coefficients by variable and group (masked rows)
    k = CENTRES * SLOTS * PHASES * YEARS
    cols = np.repeat(np.arange(k), 50)
    Y = sparse.csc_matrix((rng.random(cols.size), (rng.integers(0, n, cols.size), cols)), (n, k))
    compute = {} if scheduler == "address" else {"scheduler": scheduler}
    t0 = time.perf_counter()
    M = np.negative(A)
    del A
    M[np.diag_indices(n)] += 1.0
    lu = lu_factor(M, overwrite_a=True, check_finite=False)  # one n×n buffer
    t1 = time.perf_counter()
    shared = dask.delayed(lu, pure=True)
    rows = [
        dask.delayed(lu_solve)(shared, coef[i : i + 16].T, trans=1, check_finite=False)
        for i in range(0, ROWS, 16)
    ]
    multipliers = dask.delayed(np.hstack)(rows)  # (sector, row): c'·L, never L itself
    blocks = [
        da.from_delayed(
            dask.delayed(lambda m, y: (y.T @ m).T)(multipliers, Y[:, j : j + 2880]),
            (ROWS, min(2880, k - j)),
            dtype=float,
        )
        for j in range(0, k, 2880)
    ]
    R = da.concatenate(blocks, axis=1).persist(**compute)  # basis responses (row, column)
    t2 = time.perf_counter()
    # per centre and basis shock: each variable by group (years summed) and by phase and year
    # (groups summed) — the engine's cells
    R5 = xr.DataArray(
        R.reshape(7, ROWS // 7, CENTRES, SLOTS, PHASES, YEARS),
        dims=("variable", "group", "centre", "slot", "phase", "year"),
    )
    by_group = R5.sum("year").transpose("centre", "slot", ...).data.reshape(CENTRES, SLOTS, -1)
    by_year = R5.sum("group").transpose("centre", "slot", ...).data.reshape(CENTRES, SLOTS, -1)
    cells_basis = xr.DataArray(
        da.concatenate([by_group, by_year], axis=2), dims=("centre", "slot", "cell")
    )
    W = xr.DataArray(
        da.random.default_rng(2).random((draws, CENTRES, SLOTS), chunks=(2500, CENTRES, SLOTS)),
        dims=("draw", "centre", "slot"),
    )
    cells = xr.dot(W, cells_basis, dim="slot")  # (draw, centre, cell)
    q = cells.chunk({"draw": -1, "cell": 64}).quantile([0.05, 0.5, 0.95], dim="draw")
    out = q.compute(**compute)
    t3 = time.perf_counter()
    return {
        "lu_s": t1 - t0,
        "responses_s": t2 - t1,
        "draws_s": t3 - t2,
        "total_s": t3 - t0,
        "shape": list(out.shape),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def pymrio_calc_all(n: int) -> dict:
    import pandas as pd
    import pymrio

    A, x = synthetic(n)
    idx = pd.MultiIndex.from_product(
        [["reg"], [f"s{i}" for i in range(n)]], names=["region", "sector"]
    )
    Z = pd.DataFrame(A * x, index=idx, columns=idx)
    Y = pd.DataFrame(
        np.random.default_rng(3).uniform(10.0, 100.0, (n, 1)),
        index=idx,
        columns=pd.MultiIndex.from_product([["reg"], ["final"]], names=["region", "category"]),
    )
    stressor = pd.Index([f"f{i}" for i in range(7)], name="stressor")
    F = pd.DataFrame(np.random.default_rng(4).random((7, n)) * x, index=stressor, columns=idx)
    io = pymrio.IOSystem(
        Z=Z,
        Y=Y,
        factors={
            "name": "factors",
            "F": F,
            "unit": pd.DataFrame({"unit": ["table units"] * 7}, index=stressor),
        },
    )
    t0 = time.perf_counter()
    io.calc_all()
    t1 = time.perf_counter()
    return {
        "total_s": t1 - t0,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sectors", type=int, default=5000)
    parser.add_argument("--draws", type=int, default=10_000)
    parser.add_argument("--scheduler", default="threads")
    parser.add_argument("--part", choices=["ours", "pymrio"], default=None)
    args = parser.parse_args()
    if args.part == "ours":
        print(json.dumps(ours(args.sectors, args.draws, args.scheduler)))
        return
    if args.part == "pymrio":
        print(json.dumps(pymrio_calc_all(args.sectors)))
        return
    results = {}
    for part in ("ours", "pymrio"):
        cmd = [
            sys.executable,
            __file__,
            "--part",
            part,
            "--sectors",
            str(args.sectors),
            "--draws",
            str(args.draws),
            "--scheduler",
            args.scheduler,
        ]
        done = subprocess.run(cmd, capture_output=True, text=True, check=True)
        results[part] = json.loads(done.stdout.strip().splitlines()[-1])
    a, b = results["ours"], results["pymrio"]
    print(
        f"{args.sectors} sectors: study on dask ({args.scheduler}; LU {a['lu_s']:.1f} s, multiplier "
        f"rows and {CENTRES * SLOTS * PHASES * YEARS} basis responses {a['responses_s']:.1f} s, "
        f"{args.draws} draws and quantiles {a['draws_s']:.1f} s) {a['total_s']:.1f} s, peak "
        f"{a['peak_mb']:.0f} MB; pymrio calc_all "
        f"{b['total_s']:.1f} s, peak {b['peak_mb']:.0f} MB; time ratio {b['total_s'] / a['total_s']:.1f}x"
    )


if __name__ == "__main__":
    main()
