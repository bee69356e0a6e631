"""Time reading a Rosstat table: the GFCF valuation (8 sheets) and the whole load.

Baseline: ``iomodel/readers/rosstat_valuation.py`` as it was at commit ``ae3db94`` (openpyxl,
read-only mode, every sheet read whole), taken from git and run on the same workbook; that
module imports only numpy, pandas and openpyxl, so it runs on its own. Current: the same
valuation through :mod:`iomodel.readers.xlsx` (each sheet read once, only the four columns
needed). Both results are checked equal before anything is timed. The whole cold load of the 2021
table is timed for the baseline commit too, in fresh processes from a temporary git worktree.

    .venv/bin/python benchmarks/bench_load.py [--repeat N]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
# "cold" means parsing the workbook: keep the parsed-table cache out of these timings
os.environ.setdefault("IOMODEL_NO_CACHE", "1")
sys.path.insert(0, str(ROOT))

from iomodel.readers import _load_resolved, load_table  # noqa: E402
from iomodel.readers.rosstat_valuation import read_final_demand_valuation  # noqa: E402

BASELINE_COMMIT = "ae3db94"
WORKBOOK = ROOT / "tables" / "rosstat-2021" / "raw" / "baz_tzv-2021.xlsx"
MARGINS = {"trade_codes": ("45", "46", "47"), "transport_codes": ("49", "50", "51", "52")}


def _baseline_module():
    source = subprocess.run(
        ["git", "show", f"{BASELINE_COMMIT}:iomodel/readers/rosstat_valuation.py"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    path = Path(tempfile.mkdtemp()) / "old_valuation.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("old_valuation", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


_BASELINE_LOAD = """
import sys, time
sys.path.insert(0, sys.argv[1])
import iomodel.readers as readers
assert readers.__file__.startswith(sys.argv[1]), readers.__file__
start = time.perf_counter()
readers.load_table("rosstat-2021")
print(time.perf_counter() - start)
"""


def _baseline_load_times(repeat: int) -> list[float]:
    """Cold loads of the 2021 table by the baseline commit's reader, each in a fresh process,
    from a temporary git worktree of that commit."""
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "baseline"
        git = ["git", "-C", str(ROOT), "worktree"]
        subprocess.run([*git, "add", "-q", "--detach", str(tree), BASELINE_COMMIT], check=True)
        try:
            env = {"IOMODEL_HOME": str(tree), "PATH": "/usr/bin:/bin"}
            return [
                float(
                    subprocess.run(
                        [sys.executable, "-c", _BASELINE_LOAD, str(tree)],
                        cwd=tmp,
                        env=env,
                        check=True,
                        capture_output=True,
                        text=True,
                    ).stdout
                )
                for _ in range(repeat)
            ]
        finally:
            subprocess.run([*git, "remove", "--force", str(tree)], check=True)


def _times(func, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        out.append(time.perf_counter() - start)
    return out


def _show(name: str, times: list[float]) -> float:
    median = statistics.median(times)
    print(f"{name:<52} median {median:7.3f} s   min {min(times):7.3f} s   ({len(times)} runs)")
    return median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    old = _baseline_module()
    before = old.read_final_demand_valuation(WORKBOOK, "P51")
    after = read_final_demand_valuation(WORKBOOK, "P51", **MARGINS)
    pd.testing.assert_frame_equal(before, after)
    print(f"valuation of P51, {WORKBOOK.name}: results identical (checked)")

    t_old = _show(
        f"valuation, baseline ({BASELINE_COMMIT}, openpyxl)",
        _times(lambda: old.read_final_demand_valuation(WORKBOOK, "P51"), args.repeat),
    )
    t_new = _show(
        "valuation, current (xlsx.py, 4 columns per sheet)",
        _times(lambda: read_final_demand_valuation(WORKBOOK, "P51", **MARGINS), args.repeat),
    )
    print(f"{'valuation speed-up (baseline / current)':<52} {t_old / t_new:7.1f} ×")

    t_old_load = _show(
        f"load_table('rosstat-2021'), cold, baseline ({BASELINE_COMMIT})",
        _baseline_load_times(args.repeat),
    )

    def cold(table_id: str):
        _load_resolved.cache_clear()
        return load_table(table_id)

    for table_id in ("rosstat-2021", "rosstat-2016", "rosstat-2011"):
        times = _times(lambda t=table_id: cold(t), args.repeat)
        median = _show(f"load_table({table_id!r}), cold, current", times)
        if table_id == "rosstat-2021":
            print(f"{'whole-load speed-up (baseline / current)':<52} {t_old_load / median:7.1f} ×")


if __name__ == "__main__":
    main()
