"""Time iomodel.fiscal.revenue on a stacked array the size of a full run.

Shape: 8 centres × 3 variants × 2 phases × 23 years × 113 products × 3 effects (~375 000
cases). Baseline: the same cases computed one at a time in a Python loop over a sample of
2 000 cases, scaled up (the loop is what the vectorised call replaces).
"""

from __future__ import annotations

import time

import numpy as np

from iomodel.fiscal import load_fiscal, revenue


def main() -> None:
    law = load_fiscal()
    rng = np.random.default_rng(0)
    shape = (8, 3, 2, 23, 113, 3)
    years = np.broadcast_to(np.arange(2026, 2049)[:, None, None], shape)
    flows = {
        k: rng.uniform(0, 100, shape)
        for k in ("wages", "operating_surplus", "household_purchases", "mineral_extraction_tax")
    }
    avg = rng.uniform(6e5, 4e6, shape)
    start = time.perf_counter()
    stacked = revenue(law, years, average_wage=avg, **flows)
    vectorised = time.perf_counter() - start
    n = int(np.prod(shape))
    sample = 2000
    flat = {k: v.reshape(-1) for k, v in flows.items()}
    y, a = years.reshape(-1), avg.reshape(-1)
    start = time.perf_counter()
    for i in range(sample):
        revenue(
            law,
            int(y[i]),
            average_wage=a[i],
            **{k: v[i] for k, v in flat.items()},
        )
    loop = (time.perf_counter() - start) * n / sample
    print(f"cases: {n:,}; result {stacked.shape}, {stacked.nbytes / 1e6:.0f} MB")
    print(f"vectorised revenue(): {vectorised:.2f} s")
    print(f"one case at a time (extrapolated from {sample}): {loop:.0f} s")
    print(f"ratio: {loop / vectorised:.0f}x")


if __name__ == "__main__":
    main()
