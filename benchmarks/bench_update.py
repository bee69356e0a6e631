"""Time `iomodel update --year 2024` on a fresh clone, against `iomodel run` + `iomodel report`.

    .venv/bin/python benchmarks/bench_update.py [--year 2024] [--lang ru] [--skip-baseline]

The checkout's committed HEAD is cloned into a temporary folder and run from there with this
interpreter (``PYTHONPATH`` points at the clone, so its code and data are used) and an empty table
cache (``IOMODEL_CACHE_DIR``): no runs folder, nothing parsed before — a fresh clone.  Timed:

1. the first update (the projected table, every centre, every report, the change report against
   the latest basic table) — its own breakdown from ``--json``;
2. the same update again (nothing changed: it must write nothing);
3. ``--force``: the whole update again with a previous run to compare with (the table cache warm);
4. the baseline: ``iomodel run`` then ``iomodel report`` of the same centres on the 2021 table,
   what ``make report`` does (no projection, no change report, one language).

It prints the change report's main figures: the multipliers and Kola's headline figures, 2021
table against the projected table.  Nothing here fails on a time.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(
    args: list[str], cwd: Path, env: dict[str, str]
) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True)
    return time.perf_counter() - start, proc


def _compare(a: Path, b: Path) -> tuple[list[str], list[str]]:
    """Files of two run folders: the same byte for byte, and differing."""
    same, differ = [], []
    for path in sorted(p for p in a.rglob("*") if p.is_file()):
        rel = path.relative_to(a)
        other = b / rel
        (same if other.is_file() and other.read_bytes() == path.read_bytes() else differ).append(
            rel.as_posix()
        )
    return same, differ


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--lang", default="ru", choices=["ru", "en"])
    parser.add_argument("--skip-baseline", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        clone = Path(tmp) / "clone"
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=clone, capture_output=True, text=True
        ).stdout.strip()
        env = {
            **os.environ,
            "PYTHONPATH": str(clone),
            "IOMODEL_CACHE_DIR": str(Path(tmp) / "cache"),
        }
        env.pop("IOMODEL_HOME", None)
        config = Path(tmp) / "update.toml"
        config.write_text(f'runs = "{clone / "runs"}"\nlanguages = ["{args.lang}"]\n')
        cli = [sys.executable, "-m", "iomodel.cli"]
        update = [*cli, "update", "--year", str(args.year), "--config", str(config), "--json"]
        print(f"fresh clone of {ROOT} at {head} in {clone}; {os.cpu_count()} cores\n")

        first_s, first = _run(update, clone, env)
        if first.returncode != 0:
            sys.exit(f"update failed ({first.returncode}):\n{first.stdout}\n{first.stderr}")
        out = json.loads(first.stdout)
        run = Path(out["path"])
        pdfs = sorted(p.relative_to(run).as_posix() for p in run.rglob("*.pdf"))
        again_s, again = _run(update, clone, env)
        status = json.loads(again.stdout)["status"]
        forced_s, forced = _run([*update, "--force"], clone, env)
        if forced.returncode != 0:
            sys.exit(f"forced update failed ({forced.returncode}):\n{forced.stderr}")
        second = Path(json.loads(forced.stdout)["path"])
        same, differ = _compare(run, second)

        print(f"{'step':<52}{'seconds':>9}")
        print(
            f"{'1. update --year ' + str(args.year) + ' (fresh clone, cold cache)':<52}{first_s:9.1f}"
        )
        for k, v in out["seconds"].items():
            print(f"{'     ' + k:<52}{v:9.1f}")
        print(f"{'2. the same again (' + status + ')':<52}{again_s:9.1f}")
        print(f"{'3. --force (a previous run to compare with)':<52}{forced_s:9.1f}")
        print(f"\n{len(pdfs)} PDFs: {', '.join(pdfs)}")
        print(
            f"first and forced run (same inputs and date): {len(same)} files the same byte for "
            f"byte, {len(differ)} differ: {', '.join(differ) or 'none'}"
        )

        if not args.skip_baseline:
            out_dir = Path(tmp) / "out"
            run_s, _ = _run([*cli, "run", "--quiet", "--out", str(out_dir)], clone, env)
            report_s, _ = _run(
                [*cli, "report", "--quiet", "--lang", args.lang, "--out", str(out_dir / "r")],
                clone,
                env,
            )
            base = run_s + report_s
            print(
                f"\nbaseline: iomodel run {run_s:.1f} s + iomodel report {report_s:.1f} s "
                f"= {base:.1f} s (warm cache)"
            )
            print(f"update / baseline: first {first_s / base:.2f}, forced {forced_s / base:.2f}")

        change = json.loads((run / "change.json").read_text())
        print(f"\nchange report: {change['previous']['label']} → {out['summary']['table']['id']}")
        print(f"units: {change['previous']['units']} → {change['current']['units']}")
        print(f"\n{'product':<8}{'measure':<20}{'previous':>10}{'current':>10}{'change':>10}")
        for r in change["multipliers"]:
            print(
                f"{r['product']:<8}{r['measure']:<20}{r['previous']:10.3f}{r['current']:10.3f}"
                f"{r['change']:+10.3f}"
            )
        print(f"\n{'kola':<26}{'previous':>12}{'current':>12}{'change':>10}{'table':>12}")
        for r in change["centres"]:
            if r["centre"] == "kola":
                print(
                    f"{r['indicator']:<26}{r['previous']:12,.0f}{r['current']:12,.0f}"
                    f"{r['relative']:+10.1%}{r['table']:12,.0f}"
                )


if __name__ == "__main__":
    main()
