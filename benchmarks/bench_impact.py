"""Benchmark: the whole run for every centre × variant × year, iomodel against pymrio.

    python benchmarks/bench_impact.py            # needs pymrio: pip install -e '.[bench]'
    python benchmarks/bench_impact.py --help     # repeat counts, --profile, --skip-pymrio

What is timed (see benchmarks/README.md):

(a) loading the shipped Rosstat 2021 table (113 products): once cold — the first call in this
    process, reading the workbook — and warm (``load_table`` keeps tables in an lru_cache);
(b) building the shocks: scenarios, bridge, prices, ``build_shock`` for every centre;
(c) the core solve: ``run_impact(table, shocks, "II")`` — one LU factorisation of ``I − A`` and one
    of the household-closed matrix, every centre × variant × phase × year as one right-hand side;
(d) the end-to-end run (``run_centres``, warm table).

The named baseline is the same computation done with pymrio the way its users do it: a
``pymrio.IOSystem`` built from the table (Z, Y, x and the value added, compensation, taxes,
imports and employment rows as a satellite account ``F``), and for each case the documented
recipe for a new final demand — ``reset_all_to_coefficients()``, set ``Y``, ``calc_all()`` — once
on the open system (Type I) and once on a second ``IOSystem`` whose ``A`` has the household row
and column appended (Type II).  Two leaner uses of pymrio's functions are timed as well, so the
ratio can be read honestly: a per-case loop over ``calc_x_from_L``/``calc_F`` with ``calc_L``
done once, and all right-hand sides at once through ``calc_L`` and one matrix product.

Before anything is timed every pymrio route is checked against iomodel's Dataset (all six
variables, direct/indirect/induced, by case and sector); the script stops if they differ.

Times are medians (and minima) over repeats after a warm-up, with ``time.perf_counter``.
Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as _dt
import io as _io
import os
import platform
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# "cold" means parsing the workbook: keep the parsed-table cache out of these timings
os.environ.setdefault("IOMODEL_NO_CACHE", "1")
if str(ROOT) not in sys.path:  # benchmark the checkout this file sits in
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402  (after the sys.path line above)
import pandas as pd  # noqa: E402

from iomodel import leontief  # noqa: E402

VARIABLES = ("output", "value_added", "compensation", "employment", "taxes", "imports")
STRESSORS = VARIABLES[1:]  # rows of pymrio's satellite account F (output is x itself)
PHASES = ("construction", "operation")
TABLE = "rosstat-2021"
TEST_BRIDGE = ROOT / "tests" / "data" / "bridge.toml"


# ----------------------------------------------------------------------------- timing
@dataclass
class Timing:
    times: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def min(self) -> float:
        return min(self.times)

    @property
    def n(self) -> int:
        return len(self.times)


def measure(fn: Callable[[], object], repeat: int, warmup: int = 1) -> Timing:
    """Run ``fn`` ``warmup`` times untimed, then ``repeat`` times timed."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return Timing(times)


def fmt(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"


# ----------------------------------------------------------------------------- machine
class CpuWatch:
    """CPU time the rest of the machine used while the benchmark ran (Linux /proc/stat).

    Other busy processes make the figures worse than the code: on two cores OpenBLAS's second
    thread then waits for a time slice, and a sub-millisecond solve can take 8 ms.
    """

    def __init__(self) -> None:
        self.start = self._read()

    @staticmethod
    def _read():
        try:
            fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
        except OSError:
            return None
        user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in fields[:8])
        tick = os.sysconf("SC_CLK_TCK")
        own = os.times()
        return (
            time.perf_counter(),
            (user + nice + system + irq + softirq) / tick,
            steal / tick,
            own.user + own.system,
        )

    def report(self) -> str | None:
        end = self._read()
        if self.start is None or end is None:
            return None
        wall = end[0] - self.start[0]
        others = max(0.0, (end[1] - self.start[1]) - (end[3] - self.start[3]))
        steal = end[2] - self.start[2]
        share = others / wall if wall else 0.0
        text = (
            f"other processes used {others:.1f} s of CPU during the {wall:.0f} s run "
            f"({share:.0%} of one core); hypervisor steal {steal:.1f} s"
        )
        if share > 0.10 or steal > 0.05 * wall:
            text += (
                "\n  WARNING: the machine was not idle — the times above are inflated; run again"
            )
        return text


def _version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def machine_info() -> list[str]:
    import scipy.linalg  # noqa: F401  (load scipy's own BLAS so threadpoolctl lists it)

    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    lines = [
        f"date        {_dt.datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"machine     {platform.machine()} {cpu}; {os.cpu_count()} logical CPUs, {usable} usable",
        f"os          {platform.platform()}",
        f"python      {platform.python_version()} ({sys.executable})",
        "versions    "
        + ", ".join(
            f"{p} {_version(p)}"
            for p in ("iomodel", "numpy", "scipy", "pandas", "xarray", "pymrio")
        ),
    ]
    env = {
        k: os.environ[k]
        for k in sorted(os.environ)
        if k.startswith("OPENBLAS_") or k in ("OMP_NUM_THREADS", "MKL_NUM_THREADS")
    }
    lines.append(
        "env         " + (", ".join(f"{k}={v}" for k, v in env.items()) or "no BLAS variables set")
    )
    try:
        from threadpoolctl import threadpool_info

        for pool in threadpool_info():
            lines.append(
                f"BLAS        {pool.get('internal_api')} {pool.get('version')} "
                f"kernel={pool.get('architecture')} threads={pool.get('num_threads')} "
                f"({Path(pool.get('filepath', '')).name})"
            )
    except ImportError:
        lines.append("BLAS        (pip install threadpoolctl to see which BLAS and kernel run)")
    return lines


# ----------------------------------------------------------------------------- iomodel route
@dataclass
class Inputs:
    table: object
    bridge: object
    prices: object
    scenarios: list
    shocks: list
    bridge_note: str


def table_bridge_path(table) -> Path:
    return table.meta.path.parent / "bridge.toml"


def build_inputs(table) -> Inputs:
    """Step (b): everything ``run_centres`` does between loading the table and solving."""
    from iomodel.pipeline import prices_dir, shocks_dir
    from iomodel.prices import load_prices
    from iomodel.scenario import load_scenarios
    from iomodel.shock import build_shock, load_bridge

    shipped = table_bridge_path(table)
    if shipped.exists():
        bridge, note = load_bridge(shipped, table), f"shipped bridge {shipped.relative_to(ROOT)}"
    else:
        bridge = load_bridge(TEST_BRIDGE, table)
        note = (
            f"{shipped.relative_to(ROOT)} not there yet: shocks built with the test bridge "
            f"{TEST_BRIDGE.relative_to(ROOT)} (fictitious weights; same amount of work)"
        )
    prices = load_prices(prices_dir())
    scenarios = load_scenarios(shocks_dir())
    shocks = [build_shock(s, table, bridge, prices) for s in scenarios]
    return Inputs(table, bridge, prices, scenarios, shocks, note)


def iomodel_end_to_end():
    """Step (d): ``run_centres()``; while the table has no bridge.toml, the same steps with the
    test bridge (``run_centres`` itself would stop on the missing file)."""
    from iomodel.impact import run_impact
    from iomodel.pipeline import run_centres
    from iomodel.readers import load_table

    table = load_table(TABLE)
    if table_bridge_path(table).exists():
        return run_centres(table=TABLE, model="II").dataset
    inp = build_inputs(table)
    return run_impact(
        inp.table, inp.shocks, model="II", scenario_hashes={s.id: s.sha256 for s in inp.scenarios}
    )


def forget_factorisation(table) -> None:
    """Drop the cached LU of I − A so that a solve pays for it, as the first solve of a run does."""
    table.__dict__.pop("factorization", None)


# ----------------------------------------------------------------------------- pymrio route
def _flows(table) -> dict[str, np.ndarray]:
    """The satellite rows in table units (employment in persons), by sector."""
    r = table.roles
    rows = {
        "value_added": table.primary_row(r.value_added),
        "compensation": table.primary_row(r.compensation),
        "employment": table.employment if table.employment is not None else np.zeros(table.n),
        "taxes": table.primary_row(tuple(r.product_taxes) + tuple(r.production_taxes)),
        "imports": table.primary_row(r.imports),
    }
    return {k: np.asarray(rows[k], dtype=float) for k in STRESSORS}


@dataclass
class Cases:
    """The shocks as a pymrio user reads them: plain arrays per centre, on iomodel's grid."""

    centres: list[str]
    variants: list[str]
    years: list[int]
    per_centre: list[dict]  # demand, income, imports, taxes, direct[k]; vi, ti index maps

    @property
    def shape(self) -> tuple[int, ...]:
        return (len(self.centres), len(self.variants), len(PHASES), len(self.years))

    def count(self) -> int:
        return sum(len(c["vi"]) * len(PHASES) * len(c["ti"]) for c in self.per_centre)


def read_cases(shocks) -> Cases:
    variants: list[str] = []
    for s in shocks:
        variants += [v for v in s.demand.coords["variant"].values.tolist() if v not in variants]
    years = sorted({int(y) for s in shocks for y in s.demand.coords["year"].values})
    per = []
    for s in shocks:
        per.append(
            {
                "vi": [variants.index(v) for v in s.demand.coords["variant"].values.tolist()],
                "ti": [years.index(int(y)) for y in s.demand.coords["year"].values],
                "demand": s.demand.values,
                "income": s.income.values,
                "imports": s.imports.values,
                "taxes": s.product_taxes.values,
                # the new activity's own accounts; its imported inputs are in "imports"
                "direct": {
                    k: s.direct[k].values if k in s.direct else np.zeros(s.direct["output"].shape)
                    for k in VARIABLES
                },
            }
        )
    return Cases([s.centre for s in shocks], variants, years, per)


def _empty(cases: Cases, n: int) -> dict[str, np.ndarray]:
    return {k: np.zeros(cases.shape + (n, 3)) for k in VARIABLES}


def _store(out, key, c, v, p, t, y, x_open, f_open, x_closed, f_closed, s_rows, shock):
    """Direct / indirect / induced of one case from pymrio's x and F (open and closed)."""
    n = y.shape[0]
    first = y if PHASES[p] == "construction" else np.zeros(n)
    for k in VARIABLES:
        if k == "output":
            direct, level_open, level_closed = first.copy(), x_open, x_closed[:n]
        else:
            i = STRESSORS.index(k)
            direct, level_open, level_closed = first * s_rows[i], f_open[i], f_closed[i, :n]
        if k == "imports":
            direct = direct + shock["imports"][key]
        elif k == "taxes":
            direct = direct + shock["taxes"][key]
        if PHASES[p] == "operation":
            direct = direct + shock["direct"][k][key[0], key[2]]
        out[k][c, v, p, t, :, 0] = direct
        out[k][c, v, p, t, :, 1] = level_open - first * (
            1.0 if k == "output" else s_rows[STRESSORS.index(k)]
        )
        out[k][c, v, p, t, :, 2] = level_closed - level_open


def _closed_A(A: np.ndarray, closure) -> np.ndarray:
    """A* = [[A, h_c], [h_r, 0]] — what a pymrio user appends to A for Type II."""
    return leontief.closed_coefficients(A, closure)


def pymrio_iosystem_loop(table, shocks) -> dict[str, np.ndarray]:
    """The documented pymrio recipe, per case: reset to coefficients, set Y, calc_all()."""
    import pymrio

    from iomodel.multipliers import household_closure

    n, codes = table.n, table.codes
    idx = pd.MultiIndex.from_product([["RU"], codes], names=["region", "sector"])
    fd = pd.MultiIndex.from_product(
        [["RU"], list(table.final_demand)], names=["region", "category"]
    )
    shock_col = pd.MultiIndex.from_tuples([("RU", "shock")], names=["region", "category"])
    flows = _flows(table)
    stressor = pd.Index(list(STRESSORS), name="stressor")
    unit = pd.DataFrame(
        {"unit": ["persons" if k == "employment" else "table units" for k in STRESSORS]},
        index=stressor,
    )

    # open model (Type I): the table itself
    open_io = pymrio.IOSystem(
        Z=pd.DataFrame(table.Z, index=idx, columns=idx),
        Y=pd.DataFrame(table.Y, index=idx, columns=fd),
        x=pd.DataFrame(table.x, index=idx, columns=["indout"]),
        name=table.meta.id,
        factors={
            "name": "factors",
            "F": pd.DataFrame(
                np.vstack([flows[k] for k in STRESSORS]), index=stressor, columns=idx
            ),
            "unit": unit,
        },
    )
    open_io.calc_all()  # A, L, S, M of the table
    s_rows = open_io.factors.S.to_numpy()

    # closed model (Type II): households appended to A, satellite rows zero for households
    idx_c = pd.MultiIndex.from_tuples(
        list(idx) + [("RU", "households")], names=["region", "sector"]
    )
    a_star = _closed_A(open_io.A.to_numpy(), household_closure(table))
    closed_io = pymrio.IOSystem(
        A=pd.DataFrame(a_star, index=idx_c, columns=idx_c),
        Y=pd.DataFrame(np.zeros((n + 1, 1)), index=idx_c, columns=shock_col),
        name=table.meta.id + "-closed",
        factors={
            "name": "factors",
            "S": pd.DataFrame(
                np.hstack([s_rows, np.zeros((len(STRESSORS), 1))]), index=stressor, columns=idx_c
            ),
            "unit": unit,
        },
    )
    closed_io.calc_all()  # L* of the closed model

    cases = read_cases(shocks)
    out = _empty(cases, n)
    for c, shock in enumerate(cases.per_centre):
        for a, v in enumerate(shock["vi"]):
            for p in range(len(PHASES)):
                for b, t in enumerate(shock["ti"]):
                    y = shock["demand"][a, p, b]
                    open_io.reset_all_to_coefficients()
                    open_io.Y = pd.DataFrame(y[:, None], index=idx, columns=shock_col)
                    open_io.calc_all()
                    closed_io.reset_all_to_coefficients()
                    closed_io.Y = pd.DataFrame(
                        np.append(y, shock["income"][a, p, b])[:, None],
                        index=idx_c,
                        columns=shock_col,
                    )
                    closed_io.calc_all()
                    _store(
                        out,
                        (a, p, b),
                        c,
                        v,
                        p,
                        t,
                        y,
                        open_io.x.to_numpy()[:, 0],
                        open_io.factors.F.to_numpy(),
                        closed_io.x.to_numpy()[:, 0],
                        closed_io.factors.F.to_numpy(),
                        s_rows,
                        shock,
                    )
    return out


def _pymrio_matrices(table):
    import pymrio

    from iomodel.multipliers import household_closure

    flows = _flows(table)
    A = pymrio.calc_A(np.asarray(table.Z), np.asarray(table.x))
    S = pymrio.calc_S(np.vstack([flows[k] for k in STRESSORS]), np.asarray(table.x))
    L = pymrio.calc_L(A)
    L_closed = pymrio.calc_L(_closed_A(A, household_closure(table)))
    return S, L, L_closed


def pymrio_function_loop(table, shocks) -> dict[str, np.ndarray]:
    """pymrio's functions, calc_L once per model, then calc_x_from_L and calc_F per case."""
    import pymrio

    S, L, L_closed = _pymrio_matrices(table)
    S_closed = np.hstack([S, np.zeros((S.shape[0], 1))])
    cases = read_cases(shocks)
    out = _empty(cases, table.n)
    for c, shock in enumerate(cases.per_centre):
        for a, v in enumerate(shock["vi"]):
            for p in range(len(PHASES)):
                for b, t in enumerate(shock["ti"]):
                    y = shock["demand"][a, p, b]
                    x_open = pymrio.calc_x_from_L(L, y)
                    x_closed = pymrio.calc_x_from_L(
                        L_closed, np.append(y, shock["income"][a, p, b])
                    )
                    _store(
                        out,
                        (a, p, b),
                        c,
                        v,
                        p,
                        t,
                        y,
                        x_open,
                        pymrio.calc_F(S, x_open),
                        x_closed,
                        pymrio.calc_F(S_closed, x_closed),
                        S,
                        shock,
                    )
    return out


def pymrio_vectorised(table, shocks) -> dict[str, np.ndarray]:
    """pymrio's functions, every case as one column: calc_L once per model, one product each."""
    import pymrio

    S, L, L_closed = _pymrio_matrices(table)
    n = table.n
    cases = read_cases(shocks)
    shape = cases.shape
    y = np.zeros(shape + (n,))
    income = np.zeros(shape)
    imports = np.zeros(shape + (n,))
    taxes = np.zeros(shape + (n,))
    exo = {k: np.zeros((shape[0], shape[1], shape[3], n)) for k in VARIABLES}
    for c, shock in enumerate(cases.per_centre):
        ix = np.ix_([c], shock["vi"], range(len(PHASES)), shock["ti"])
        y[ix] = shock["demand"][None]
        income[ix] = shock["income"][None]
        imports[ix] = shock["imports"][None]
        taxes[ix] = shock["taxes"][None]
        for k in VARIABLES:
            exo[k][np.ix_([c], shock["vi"], shock["ti"])] = shock["direct"][k][None]
    Y = y.reshape(-1, n).T
    X_open = pymrio.calc_x_from_L(L, Y)
    X_closed = pymrio.calc_x_from_L(L_closed, np.vstack([Y, income.reshape(1, -1)]))[:n]
    first = y * (np.array(PHASES) == "construction")[None, None, :, None, None]
    X_open = X_open.T.reshape(shape + (n,))
    X_closed = X_closed.T.reshape(shape + (n,))
    out = {}
    for k in VARIABLES:
        coef = np.ones(n) if k == "output" else S[STRESSORS.index(k)]
        direct = first * coef
        if k == "imports":
            direct = direct + imports
        elif k == "taxes":
            direct = direct + taxes
        direct[:, :, PHASES.index("operation")] += exo[k]
        out[k] = np.stack([direct, (X_open - first) * coef, (X_closed - X_open) * coef], axis=-1)
    return out


PYMRIO_ROUTES = {
    "IOSystem per case (calc_all)": pymrio_iosystem_loop,
    "functions per case (calc_x_from_L)": pymrio_function_loop,
    "functions, all columns at once": pymrio_vectorised,
}


def check_same(ds, result: dict[str, np.ndarray], route: str) -> None:
    """Stop unless pymrio's numbers are iomodel's: every variable, effect, case and sector."""
    for k in VARIABLES:
        ours = ds[k].transpose("centre", "variant", "phase", "year", "sector", "effect").values
        theirs = result[k]
        scale = max(float(np.abs(ours).max()), 1.0)
        try:
            np.testing.assert_allclose(theirs, ours, rtol=1e-9, atol=1e-9 * scale)
            totals = ours.sum(axis=(-2, -1)), theirs.sum(axis=(-2, -1))
            np.testing.assert_allclose(totals[1], totals[0], rtol=1e-9, atol=1e-9 * scale)
        except AssertionError as exc:
            raise SystemExit(
                f"pymrio route {route!r} disagrees with iomodel on {k}; not timing "
                f"a different computation:\n{exc}"
            ) from None


# ----------------------------------------------------------------------------- report
def table_rows(rows: list[tuple[str, str, str, str]]) -> str:
    head = ("step", "iomodel", "pymrio", "pymrio ÷ iomodel")
    widths = [max(len(r[i]) for r in rows + [head]) for i in range(4)]

    def line(r):
        return "  ".join(
            str(c).ljust(w) if i == 0 else str(c).rjust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        )

    return "\n".join([line(head), "  ".join("-" * w for w in widths)] + [line(r) for r in rows])


def ratio(a: float | None, b: float | None) -> str:
    return "—" if a is None or b is None else f"{b / a:.1f}×"


def profile_core(table, shocks, repeat: int) -> str:
    """Where the core solve's time goes: pyinstrument's tree if installed, else cProfile."""
    from iomodel.impact import run_impact

    try:
        from pyinstrument import Profiler
    except ImportError:
        Profiler = None
    if Profiler is not None:
        prof = Profiler(interval=0.0005)
        prof.start()
        for _ in range(repeat):
            forget_factorisation(table)
            run_impact(table, shocks, "II")
        prof.stop()
        return (
            f"Profile of the core solve (pyinstrument, {repeat} runs; divide by {repeat})\n"
            + prof.output_text(unicode=True, color=False)
        )
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(repeat):
        forget_factorisation(table)
        run_impact(table, shocks, "II")
    prof.disable()
    buf = _io.StringIO()
    buf.write(f"Profile of the core solve (cProfile, {repeat} runs; divide by {repeat})\n")
    stats = pstats.Stats(prof, stream=buf).strip_dirs().sort_stats("cumulative")
    stats.print_stats(25)
    buf.write("\n-- by own time --\n")
    stats.sort_stats("tottime").print_stats(15)
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=50, help="repeats of the core solve (default 50)")
    ap.add_argument("--e2e-repeat", type=int, default=10, help="repeats of the warm end-to-end run")
    ap.add_argument(
        "--pymrio-repeat",
        type=int,
        default=3,
        help="repeats of the slow pymrio IOSystem loop (default 3)",
    )
    ap.add_argument("--skip-pymrio", action="store_true", help="time iomodel only")
    ap.add_argument(
        "--profile",
        action="store_true",
        help="profile the core solve (pyinstrument if installed, else cProfile)",
    )
    ap.add_argument(
        "--blas-threads",
        type=int,
        default=None,
        help="limit BLAS threads with threadpoolctl (default: BLAS's own choice)",
    )
    args = ap.parse_args(argv)
    if args.blas_threads is not None:
        try:
            from threadpoolctl import threadpool_limits
        except ImportError:
            print("--blas-threads needs threadpoolctl: pip install threadpoolctl")
            return 2
        import scipy.linalg  # noqa: F401  (load both BLAS libraries before limiting them)

        with threadpool_limits(limits=args.blas_threads):
            return _main(args)
    return _main(args)


def _main(args: argparse.Namespace) -> int:

    watch = CpuWatch()
    # (a) cold load: must be the first load_table call of this process
    t0 = time.perf_counter()
    from iomodel.readers import load_table

    t_import = time.perf_counter() - t0
    t0 = time.perf_counter()
    table = load_table(TABLE)
    t_cold = time.perf_counter() - t0
    t_warm = measure(lambda: load_table(TABLE), repeat=20)

    from iomodel.impact import run_impact

    print("iomodel benchmark — the whole run for every centre × variant × year")
    print("=" * 72)
    for line in machine_info():
        print(line)
    print()

    # (b) shocks
    inp = build_inputs(table)
    t_shocks = measure(lambda: build_inputs(table), repeat=5)
    shocks = inp.shocks
    cases = read_cases(shocks)
    ds = run_impact(table, shocks, "II")
    columns = int(np.prod(cases.shape))
    y_all = np.concatenate(
        [
            np.append(c["demand"], c["income"][..., None], axis=-1).reshape(-1, table.n + 1)
            for c in cases.per_centre
        ]
    )
    nonzero = int(np.any(y_all != 0, axis=1).sum())
    print(f"table       {table.meta.id}: {table.n} products, {table.meta.unit_label}")
    print(f"scenarios   {len(inp.scenarios)} centres ({', '.join(cases.centres)})")
    print(
        f"            {len(cases.variants)} variants ({', '.join(cases.variants)}), "
        f"{len(PHASES)} phases, {len(cases.years)} years {cases.years[0]}–{cases.years[-1]}"
    )
    print(
        f"            {columns} right-hand sides solved by iomodel (centre × variant × phase × "
        f"year on the union of years: {cases.count()} are a centre's own years, the rest are "
        f"zero padding; {nonzero} have any demand or income)"
    )
    print(
        f"            Type II, default closure: 2 LU factorisations ({table.n} and "
        f"{table.n + 1} square), each solving all {columns} columns at once"
    )
    print(f"bridge      {inp.bridge_note}")
    print()

    # (c) core solve
    def core_cold():
        forget_factorisation(table)
        return run_impact(table, shocks, "II")

    t_core = measure(core_cold, repeat=args.repeat, warmup=3)
    t_core_cached = measure(lambda: run_impact(table, shocks, "II"), repeat=args.repeat, warmup=3)
    # (d) end to end
    t_e2e = measure(iomodel_end_to_end, repeat=args.e2e_repeat)

    pym: dict[str, Timing] = {}
    t_pym_e2e = None
    if not args.skip_pymrio:
        try:
            import pymrio  # noqa: F401
        except ImportError:
            print("pymrio is not installed: pip install -e '.[bench]' (or --skip-pymrio)")
            return 2
        print("checking that every pymrio route gives iomodel's numbers …", flush=True)
        for name, route in PYMRIO_ROUTES.items():
            check_same(ds, route(table, shocks), name)
        print(
            "  same numbers: output, value added, compensation, employment, taxes, imports; "
            "direct, indirect, induced; every case and sector (rtol 1e-9)"
        )
        print()
        for name, route in PYMRIO_ROUTES.items():
            slow = name.startswith("IOSystem")
            pym[name] = measure(
                lambda route=route: route(table, shocks),
                warmup=0 if slow else 1,
                repeat=args.pymrio_repeat if slow else args.repeat,
            )

        headline = PYMRIO_ROUTES["IOSystem per case (calc_all)"]

        def pymrio_end_to_end():
            inp2 = build_inputs(load_table(TABLE))
            return headline(inp2.table, inp2.shocks)

        t_pym_e2e = measure(pymrio_end_to_end, warmup=0, repeat=1)

    head = pym.get("IOSystem per case (calc_all)")
    e2e_how = (
        "run_centres" if table_bridge_path(table).exists() else "run_centres' steps, test bridge"
    )
    rows = [
        ("(a) table load, cold (first call: reads the workbook)", fmt(t_cold), "same reader", "—"),
        ("(a) table load, warm (lru_cache)", fmt(t_warm.median), "same reader", "—"),
        (
            "(b) shocks: scenarios, bridge, prices, build_shock",
            fmt(t_shocks.median),
            "same code",
            "—",
        ),
        (
            "(c) core solve, Type II, all columns — median",
            fmt(t_core.median),
            fmt(head.median if head else None),
            ratio(t_core.median, head.median if head else None),
        ),
        (
            "(c) core solve — min",
            fmt(t_core.min),
            fmt(head.min if head else None),
            ratio(t_core.min, head.min if head else None),
        ),
        (
            f"(d) end to end, warm table ({e2e_how}) — median",
            fmt(t_e2e.median),
            fmt(t_pym_e2e.median if t_pym_e2e else None),
            ratio(t_e2e.median, t_pym_e2e.median if t_pym_e2e else None),
        ),
    ]
    print("Results (pymrio = IOSystem per case, reset_all_to_coefficients → Y → calc_all)")
    print(table_rows(rows))
    print(
        f"  repeats: core {t_core.n} (after 3 warm-ups), end to end {t_e2e.n}, "
        f"pymrio IOSystem loop {head.n if head else 0}, pymrio end to end "
        f"{t_pym_e2e.n if t_pym_e2e else 0}; importing iomodel took {fmt(t_import)}"
    )
    print(
        f"  core solve with the open LU already cached on the table (later solves in one "
        f"process): median {fmt(t_core_cached.median)}, min {fmt(t_core_cached.min)}"
    )
    if pym:
        print()
        print("Core solve against every pymrio route (same numbers checked above)")
        print(
            table_rows(
                [
                    (name, fmt(t_core.median), fmt(t.median), ratio(t_core.median, t.median))
                    for name, t in pym.items()
                ]
            )
        )
    print()
    print("Targets (issue 4, item 6)")
    if head:
        r = head.median / t_core.median
        print(
            f"  ≥ 20× faster than the pymrio route (core solve): {r:.0f}× — "
            f"{'met' if r >= 20 else 'MISSED'}"
        )
        best = min(pym, key=lambda name: pym[name].median)
        print(
            f"    against the fastest use of pymrio ({best}): "
            f"{pym[best].median / t_core.median:.1f}×"
        )
    print(
        f"  core solve < 50 ms for the full set on two cores: {fmt(t_core.median)} median — "
        f"{'met' if t_core.median < 0.050 else 'MISSED'}"
    )
    if os.environ.get("OPENBLAS_CORETYPE"):
        print(
            f"  note: OPENBLAS_CORETYPE={os.environ['OPENBLAS_CORETYPE']} is set on this machine "
            "and can slow numpy's BLAS; to compare, run once with it unset:\n"
            "    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_impact.py"
        )
    load = watch.report()
    if load:
        print(f"  {load}")
    if args.profile:
        print()
        print(profile_core(table, shocks, 50))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
