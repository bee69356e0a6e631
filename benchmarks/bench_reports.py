"""Time the PDF reports: the run, then every centre report and the comparison, as `iomodel report`.

    .venv/bin/python benchmarks/bench_reports.py [--lang ru|en] [--workers N] [--out DIR]

Prints the wall time of each step and of each PDF (context and charts, then HTML → PDF, in the
worker that made it), the total from the start of the script, imports included, and the CPU time
the PDFs took in all processes (which other jobs on a shared machine do not inflate the way they
do wall times).  Target: all nine PDFs in under 15 s on two cores.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time

START = time.perf_counter()

from iomodel.cli import _appraisal_and_groups, provenance  # noqa: E402
from iomodel.pipeline import run_centres  # noqa: E402
from iomodel.report import default_workers, write_reports  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", default="ru", choices=["ru", "en"])
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument(
        "--out", default=None, help="folder for the PDFs (default: a temporary one)"
    )
    args = parser.parse_args()
    imported = time.perf_counter()
    print(f"{'imports':<28}{imported - START:8.2f} s")

    run = run_centres()
    appraisal, groups = _appraisal_and_groups(run)
    ran = time.perf_counter()
    print(f"{'run (' + str(len(run.scenarios)) + ' centres)':<28}{ran - imported:8.2f} s")

    cpu_before = _cpu_seconds()
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or tmp
        jobs = len(run.scenarios) + 1
        workers = args.workers or default_workers(jobs)
        reports = write_reports(
            run, appraisal, groups, provenance(run, appraisal), out, lang=args.lang, workers=workers
        )
        done = time.perf_counter()
        cpu_reports = _cpu_seconds() - cpu_before
        print(f"{'reports (' + str(workers) + ' workers)':<28}{done - ran:8.2f} s")
        print(f"\n{'PDF':<28}{'context':>9}{'pdf':>9}{'total':>9}{'pages':>7}")
        for r in reports:
            print(
                f"{r.path.name:<28}{r.seconds_context:9.2f}{r.seconds_pdf:9.2f}"
                f"{r.seconds_context + r.seconds_pdf:9.2f}{r.pages:7d}"
            )
        cpu = sum(r.seconds_context + r.seconds_pdf for r in reports)
        print(f"\n{'sum over PDFs':<28}{cpu:8.2f} s")
        print(f"{'CPU time of the PDFs':<28}{cpu_reports:8.2f} s (user + system, all processes)")
        print(f"{'total wall time':<28}{done - START:8.2f} s for {len(reports)} PDFs")


def _cpu_seconds() -> float:
    """User + system CPU time of this process and of its finished (joined) child processes."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


if __name__ == "__main__":
    main()
