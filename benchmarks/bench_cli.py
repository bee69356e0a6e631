"""Whole-process timings of the command line, and a large generic table against pymrio.

    .venv/bin/python benchmarks/bench_cli.py                 # CLI, exports, n = 1,000 and 3,000
    .venv/bin/python benchmarks/bench_cli.py --sizes 1000 3000 6000 10000 --repeat 2
    .venv/bin/python benchmarks/bench_cli.py --skip-tables   # only the CLI and the exports

What is timed (every figure is a fresh process, wall clock, minimum and median of ``--repeat``
runs, with its peak resident memory from ``getrusage``):

1. ``iomodel --help``;
2. ``iomodel multipliers rosstat-2021 --format json`` with the parsed-table cache warm, and with
   the cache off (``IOMODEL_NO_CACHE=1``: the workbook is parsed);
3. ``iomodel validate rosstat-2021`` (cache warm);
4. ``iomodel run --quiet`` split into its computation and its exports, in one process:
   ``run_centres`` (table warm), then NetCDF, CSV, and the workbook (its localisation runs,
   its views and writing it);
5. a synthetic dense table of n sectors in the generic CSV format (Z, Y with two columns, V with
   four rows, all with 17 significant digits), read, validated and its Type I and II
   multipliers computed — ``iomodel multipliers DIR --format csv`` — against the named
   baseline: pymrio reading the same CSVs (``pandas.read_csv``) into an ``IOSystem`` with the V
   rows as an extension and running ``calc_all()``.  iomodel is timed twice: with the cache off
   (it parses the CSV text, as pymrio does) and with the parsed table in the cache (the files are
   still hashed on every run to find it).

Nothing here asserts a time; the script prints figures and ratios.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
IOMODEL = str(BIN / "iomodel")

PYMRIO = """
import sys
import pandas as pd, pymrio
folder = sys.argv[1]
Z = pd.read_csv(f"{folder}/Z.csv", index_col=0)
Y = pd.read_csv(f"{folder}/Y.csv", index_col=0)
V = pd.read_csv(f"{folder}/V.csv", index_col=0)
sectors = pd.MultiIndex.from_product([["R"], Z.index], names=["region", "sector"])
Z.index, Z.columns, Y.index, V.columns = sectors, sectors, sectors, sectors
Y.columns = pd.MultiIndex.from_product([["R"], Y.columns], names=["region", "category"])
io = pymrio.IOSystem(Z=Z, Y=Y)
io.factor_inputs = pymrio.Extension(name="factor_inputs", F=V)
io.calc_all()
print(float(io.L.to_numpy().sum(axis=0)[0]))  # the output multiplier of the first sector
"""

TABLE_TOML = """id = "synthetic"
name = "Synthetic dense table ({n} sectors)"
year = 2021
currency = "RUB"
unit = 1e6
price_basis = "basic prices"
source = "benchmarks/bench_cli.py, seed {seed}"
[tolerance]
relative = 1e-9
[roles]
household_consumption = "households"
compensation = "labour"
value_added = ["labour", "surplus"]
imports = ["imports"]
product_taxes = ["taxes"]
production_taxes = []
[closure]
income_tax_rate = 0.13
income_tax_rate_source = "benchmark"
propensity_to_consume = 0.8
propensity_to_consume_source = "benchmark"
wage_share = 0.8
wage_share_source = "benchmark"
domestic_share = 0.75
domestic_share_source = "benchmark"
"""


@dataclass
class Runs:
    seconds: list[float]  # wall clock
    cpu: list[float]  # user + system CPU of the process
    peak_mib: float

    @property
    def best(self) -> float:
        return min(self.seconds)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def best_cpu(self) -> float:
        return min(self.cpu) if self.cpu else float("nan")


#: Children run as a user's would: bytecode caches written and used (this machine's environment
#: sets PYTHONDONTWRITEBYTECODE, which recompiles iomodel on every start).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
TIME = shutil.which("time") or ("/usr/bin/time" if Path("/usr/bin/time").exists() else None)


def once(args: list[str], env: dict[str, str] | None = None) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak RSS (MiB) of one fresh process, the last two from
    ``/usr/bin/time`` around it (a child forked from this process would count this process's
    pages until it execs)."""
    with tempfile.NamedTemporaryFile() as stats:
        wrapped = [TIME, "-f", "%M %U %S", "-o", stats.name, *args] if TIME else args
        start = time.perf_counter()
        done = subprocess.run(wrapped, capture_output=True, text=True, env=env or ENV)
        wall = time.perf_counter() - start
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(args)} failed:\n{done.stderr}")
        fields = Path(stats.name).read_text().split()
    if len(fields) >= 3:
        return wall, float(fields[-2]) + float(fields[-1]), int(fields[-3]) / 1024
    return wall, float("nan"), float("nan")


def whole_process(args: list[str], repeat: int, env: dict[str, str] | None = None) -> Runs:
    """``repeat`` fresh processes of ``args``."""
    return interleaved({"": (args, env)}, repeat)[""]


def interleaved(
    commands: dict[str, tuple[list[str], dict[str, str] | None]], repeat: int
) -> dict[str, Runs]:
    """Each command ``repeat`` times, taking turns, so that other load on the machine falls on
    all of them alike."""
    runs = {name: Runs([], [], 0.0) for name in commands}
    for _ in range(repeat):
        for name, (args, env) in commands.items():
            wall, cpu, peak = once(args, env)
            r = runs[name]
            r.seconds.append(wall)
            r.cpu.append(cpu)
            r.peak_mib = max(r.peak_mib, peak)
    return runs


def show(label: str, runs: Runs, extra: str = "") -> None:
    print(
        f"  {label:<56} min {runs.best:6.2f} s  median {runs.median:6.2f} s  "
        f"CPU {runs.best_cpu:6.2f} s  peak {runs.peak_mib:6.0f} MiB {extra}"
    )


def machine() -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{cores} cores, load average {load:.1f}, Python {sys.version.split()[0]}"


# ----------------------------------------------------------------------------- 1–3 the CLI
def bench_cli(repeat: int) -> None:
    print("Command line (fresh processes)")
    show("iomodel --help", whole_process([IOMODEL, "--help"], repeat))
    json_args = [IOMODEL, "multipliers", "rosstat-2021", "--format", "json"]
    whole_process(json_args, 1)  # fill the parsed-table cache
    show("iomodel multipliers rosstat-2021 --format json (warm)", whole_process(json_args, repeat))
    cold = {**ENV, "IOMODEL_NO_CACHE": "1"}
    show(
        "… the same with the cache off (the workbook parsed)",
        whole_process(json_args, max(1, repeat // 2), cold),
    )
    show(
        "iomodel validate rosstat-2021 (warm)",
        whole_process([IOMODEL, "validate", "rosstat-2021"], repeat),
    )


# ----------------------------------------------------------------------------- 4 exports
def bench_exports(repeat: int) -> None:
    sys.path.insert(0, str(ROOT))
    from iomodel.cli import _appraisal_and_groups, provenance
    from iomodel.export import write_csv, write_netcdf
    from iomodel.pipeline import localisation_table, run_centres, write_workbook
    from iomodel.summary import views

    run_centres()  # warm: table in memory, imports done
    rows: dict[str, list[float]] = {}

    def timed(name: str, fn):
        start = time.perf_counter()
        value = fn()
        rows.setdefault(name, []).append(time.perf_counter() - start)
        return value

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        for _ in range(repeat):
            start = time.process_time()
            result = timed("computation: run_centres (8 centres, all variants)", run_centres)
            rows.setdefault("cpu: computation", []).append(time.process_time() - start)
            start = time.process_time()
            appraisal, groups = _appraisal_and_groups(result)
            timed("export: NetCDF", lambda r=result: write_netcdf(r.dataset, out / "impact.nc"))
            timed("export: CSV", lambda r=result: write_csv(r.dataset, out / "impact.csv"))

            def workbook(r=result, a=appraisal, g=groups):
                write_workbook(r, a, g, provenance(r, a), out / "impact.xlsx")

            timed("export: workbook (localisation runs, views, xlsx)", workbook)
            rows.setdefault("cpu: exports", []).append(time.process_time() - start)
            # the workbook's parts again, apart (not counted twice in the ratio)
            loc = timed(
                "  of which localisation runs", lambda r=result, g=groups: localisation_table(r, g)
            )
            timed(
                "  of which views",
                lambda r=result, a=appraisal, g=groups, lt=loc: views(r.dataset, g, a, lt),
            )
        sizes = {p.name: p.stat().st_size / 2**20 for p in out.iterdir()}
    print(f"iomodel run, in one process ({repeat} repeats, median)")
    for name, times in rows.items():
        if name.startswith("cpu"):
            continue
        print(f"  {name:<58} {statistics.median(times):7.2f} s")
    compute = statistics.median(rows["computation: run_centres (8 centres, all variants)"])
    exports = sum(statistics.median(t) for n, t in rows.items() if n.startswith("export"))
    parts = [n for n in rows if n.startswith("  of which")]
    xlsx = statistics.median(rows["export: workbook (localisation runs, views, xlsx)"]) - sum(
        statistics.median(rows[n]) for n in parts
    )
    print(f"  {'  of which the sheets and the xlsx (the rest)':<58} {xlsx:7.2f} s")
    cpu = statistics.median(rows["cpu: exports"]) / statistics.median(rows["cpu: computation"])
    print(f"  exports ÷ computation: {exports / compute:.2f} (wall), {cpu:.2f} (CPU)")
    print("  file sizes: " + ", ".join(f"{k} {v:.1f} MiB" for k, v in sorted(sizes.items())))
    # this checkout's iomodel (PYTHONPATH), whatever is installed
    env = {**ENV, "PYTHONPATH": str(ROOT)}
    for fmt in ("netcdf", "csv", "xlsx", None):
        formats = ["--format", fmt] if fmt else []
        with tempfile.TemporaryDirectory() as tmp:
            args = [sys.executable, "-m", "iomodel.cli", "run", "--quiet", *formats, "--out", tmp]
            runs = whole_process(args, max(1, repeat // 2), env)
        show(f"iomodel run {' '.join(formats) or '(all three formats)'} (whole process)", runs)


# ----------------------------------------------------------------------------- 5 tables
def synthetic(folder: Path, n: int, seed: int = 1) -> None:
    """A dense productive table: A with column sums below 0.9, positive final demand."""
    rng = np.random.default_rng(seed)
    A = rng.uniform(0, 1, (n, n)) * (rng.uniform(0.05, 0.9, n) / n)
    y = rng.uniform(1e3, 1e5, n)
    x = np.linalg.solve(np.eye(n) - A, y)
    Z = A * x
    rest = x - Z.sum(axis=0)
    V = np.vstack([rest * 0.45, rest * 0.35, rest * 0.15, rest * 0.05])
    codes = [f"s{i:05d}" for i in range(n)]
    folder.mkdir(parents=True, exist_ok=True)
    fmt = "%.17g"
    pd.DataFrame(Z, index=pd.Index(codes, name="code"), columns=codes).to_csv(
        folder / "Z.csv", float_format=fmt
    )
    pd.DataFrame(
        {"households": y * 0.6, "other": y * 0.4}, index=pd.Index(codes, name="code")
    ).to_csv(folder / "Y.csv", float_format=fmt)
    pd.DataFrame(
        V, index=pd.Index(["labour", "surplus", "imports", "taxes"], name="row"), columns=codes
    ).to_csv(folder / "V.csv", float_format=fmt)
    (folder / "table.toml").write_text(TABLE_TOML.format(n=n, seed=seed))


def bench_tables(sizes: list[int], repeat: int) -> None:
    try:
        import pymrio  # noqa: F401
    except ImportError:
        print("pymrio is not installed (pip install -e '.[bench]'): tables skipped")
        return
    print("Generic CSV table: read, validate, Type I and II multipliers (fresh processes)")
    for n in sizes:
        folder = Path(tempfile.mkdtemp(prefix=f"iomodel-bench-{n}-"))
        try:
            synthetic(folder, n)
            size = sum(p.stat().st_size for p in folder.iterdir()) / 2**20
            print(f" n = {n:,} ({size:,.0f} MiB of CSV)")
            reps = repeat if n <= 3000 else max(1, repeat // 2)
            args = [IOMODEL, "multipliers", str(folder), "--format", "csv"]
            with tempfile.TemporaryDirectory() as cache:
                warm_env = {**ENV, "IOMODEL_CACHE_DIR": cache}
                once(args, warm_env)  # parse once, fill the parsed-table cache
                runs = interleaved(
                    {
                        "cold": (args, {**ENV, "IOMODEL_NO_CACHE": "1"}),
                        "warm": (args, warm_env),
                        "pymrio": ([sys.executable, "-c", PYMRIO, str(folder)], None),
                    },
                    reps,
                )
            cold, warm, theirs = runs["cold"], runs["warm"], runs["pymrio"]
            show("iomodel multipliers DIR --format csv (CSV parsed)", cold)
            show("… the same, parsed table from the cache (sha256-checked)", warm)
            show("pymrio: read_csv ×3 + IOSystem.calc_all()", theirs)
            for name, ours in (("CSV parsed", cold), ("cache", warm)):
                print(
                    f"  pymrio ÷ iomodel, {name}: wall {theirs.best / ours.best:.2f}× (min), "
                    f"{theirs.median / ours.median:.2f}× (median), CPU "
                    f"{theirs.best_cpu / ours.best_cpu:.2f}×; "
                    f"memory {theirs.peak_mib / ours.peak_mib:.2f}×"
                )
        finally:
            shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 3000])
    parser.add_argument("--skip-tables", action="store_true")
    parser.add_argument("--skip-exports", action="store_true")
    parser.add_argument("--skip-cli", action="store_true", help="Not the fresh-process CLI runs.")
    parser.add_argument(
        "--exports-repeat", type=int, default=None, help="Repeats of the export timings."
    )
    args = parser.parse_args()
    print(f"bench_cli — {machine()}")
    if not args.skip_cli:
        bench_cli(args.repeat)
    if not args.skip_exports:
        bench_exports(args.exports_repeat or max(1, args.repeat // 2))
    if not args.skip_tables:
        bench_tables(args.sizes, args.repeat)
    print(f"done — {machine()}")


if __name__ == "__main__":
    main()
