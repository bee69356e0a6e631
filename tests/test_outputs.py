"""The outputs of a run are replaced as a set: all new or all old, and nothing stray is left."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from iomodel.export import OutputSet, recover


def _old(folder: Path) -> dict[str, bytes]:
    folder.mkdir(exist_ok=True)
    files = {"impact.nc": b"old nc", "impact.csv": b"old csv", "impact.xlsx": b"old xlsx"}
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return files


def _contents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def test_all_new_on_success(tmp_path):
    _old(tmp_path)
    with OutputSet(tmp_path) as staging:
        for name in ("impact.nc", "impact.csv", "impact.xlsx"):
            (staging / name).write_bytes(b"new " + name.encode())
    assert _contents(tmp_path) == {
        n: b"new " + n.encode() for n in ("impact.nc", "impact.csv", "impact.xlsx")
    }


def test_all_old_when_a_writer_fails(tmp_path):
    """A disk that fills while the second file is written: nothing of the run is kept."""
    old = _old(tmp_path)
    with pytest.raises(OSError, match="No space"), OutputSet(tmp_path) as staging:
        (staging / "impact.nc").write_bytes(b"new nc")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    assert _contents(tmp_path) == old


def test_all_old_when_a_move_fails(tmp_path, monkeypatch):
    """Moving the second file in fails: the first is put back."""
    old = _old(tmp_path)
    real = os.replace
    calls = []

    def flaky(src, dst):
        calls.append(Path(dst).name)
        if len(calls) == 2 and Path(src).parent != tmp_path:
            raise OSError(errno.EIO, "simulated I/O error")
        return real(src, dst)

    monkeypatch.setattr(os, "replace", flaky)
    with pytest.raises(OSError, match="simulated"), OutputSet(tmp_path) as staging:
        for name in old:
            (staging / name).write_bytes(b"new")
    monkeypatch.setattr(os, "replace", real)
    assert _contents(tmp_path) == old


def test_leftovers_of_killed_runs_are_cleaned(tmp_path):
    old = _old(tmp_path)
    # killed while writing: a staging folder with no journal — discarded
    writing = tmp_path / ".iomodel-staging-dead1"
    writing.mkdir()
    (writing / "impact.nc").write_bytes(b"half")
    # killed while committing: the journal lists what to move — finished
    committing = tmp_path / ".iomodel-staging-dead2"
    committing.mkdir()
    (committing / "impact.csv").write_bytes(b"complete csv")
    (committing / ".commit").write_text("impact.nc\nimpact.csv")
    for staging in (writing, committing):
        (staging / ".lock").touch()  # held by nobody
    recover(tmp_path)
    assert _contents(tmp_path) == {**old, "impact.csv": b"complete csv"}


def test_a_live_run_is_left_alone(tmp_path):
    with OutputSet(tmp_path) as staging:
        (staging / "impact.nc").write_bytes(b"in progress")
        recover(tmp_path)  # another process tidying up while this one writes
        assert (staging / "impact.nc").exists()


def test_sigkill_leaves_nothing_a_later_run_does_not_clean(tmp_path):
    """A process killed with SIGKILL in the middle of writing its outputs."""
    old = _old(tmp_path)
    script = textwrap.dedent(
        f"""
        import sys, time
        from pathlib import Path
        from iomodel.export import OutputSet
        with OutputSet(Path({str(tmp_path)!r})) as staging:
            (staging / "impact.nc").write_bytes(b"new nc")
            print("writing", flush=True)
            time.sleep(60)
        """
    )
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None and child.stdout.readline().strip() == "writing"
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    assert any(p.name.startswith(".iomodel-staging-") for p in tmp_path.iterdir())
    with OutputSet(tmp_path) as staging:  # the next run
        (staging / "impact.nc").write_bytes(b"next nc")
    assert _contents(tmp_path) == {**old, "impact.nc": b"next nc"}


def test_cli_run_that_fails_writing_keeps_the_old_outputs(tmp_path, monkeypatch):
    """`iomodel run` on a full disk: one line, and the earlier outputs stay as they were."""
    from click.testing import CliRunner

    import iomodel.export
    from iomodel.cli import main

    old = _old(tmp_path)

    def full_disk(ds, target):
        Path(target).write_bytes(b"partial")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(target))

    monkeypatch.setattr(iomodel.export, "write_csv", full_disk)
    args = ["run", "kola", "--quiet", "--format", "netcdf", "--format", "csv"]
    result = CliRunner().invoke(main, [*args, "--out", str(tmp_path)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "No space left on device; free some disk space" in result.output
    assert _contents(tmp_path) == old


def _dead(pid: int) -> bool:
    """Gone, or a zombie waiting for init to reap it (dead, its memory freed)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "State:\tZ" in status or "State:\tX" in status


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc (Linux)")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_report_workers_die_with_their_parent(sig):
    """The report's forked PDF workers end when `iomodel report` is killed or stopped."""
    script = textwrap.dedent(
        """
        import multiprocessing, os, time
        from concurrent.futures import ProcessPoolExecutor
        from iomodel._procs import die_with_parent

        def pid(_):
            time.sleep(0.3)
            return os.getpid()

        with ProcessPoolExecutor(
            2, mp_context=multiprocessing.get_context("fork"),
            initializer=die_with_parent, initargs=(os.getpid(),),
        ) as pool:
            print(" ".join(map(str, sorted(set(pool.map(pid, range(4)))))), flush=True)
            time.sleep(60)
        """
    )
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    workers = [int(p) for p in child.stdout.readline().split()]
    assert workers and not any(_dead(p) for p in workers)
    child.send_signal(sig)
    child.wait(timeout=30)
    import time

    deadline = time.monotonic() + 10
    while not all(_dead(p) for p in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert all(_dead(p) for p in workers)


def test_workbook_text_is_never_a_formula(tmp_path):
    """A label that starts with "=" (from a table's or a scenario's text) stays text."""
    import openpyxl
    import pandas as pd

    from iomodel.export import Sheet, write_excel
    from iomodel.workbook import provenance_sheet

    frame = pd.DataFrame({"label": ['=HYPERLINK("http://x","y")', "+1", "http://example.org"]})
    view = Sheet("view", frame, ["=label"], [None])
    path = write_excel(tmp_path / "w.xlsx", [view, provenance_sheet({"note": "=1+1"}, "en")])
    wb = openpyxl.load_workbook(path)
    cells = [wb["view"].cell(row=r, column=1) for r in (1, 2, 3, 4)]
    assert [c.value for c in cells] == ["=label", *frame["label"]]
    assert all(c.data_type == "s" for c in cells)
    assert wb["Provenance"]["B2"].value == "=1+1" and wb["Provenance"]["B2"].data_type == "s"


def test_workbook_bulk_rows_match_xlsxwriter_cell_by_cell(tmp_path, monkeypatch):
    """The bulk sheet writer (iomodel.xlsx_rows) gives the very bytes XlsxWriter's own
    ``write_row`` gives for the same cells: numbers (NaN, -0, ints, 17 digits), shared strings
    repeated across sheets, numpy strings, empty text and None, a blank header, whole blank rows
    and more than 16 rows (the row spans), column and header formats, widths and wrap."""
    import datetime

    import numpy as np
    import pandas as pd

    from iomodel import xlsx_rows
    from iomodel.export import Sheet, write_excel

    rng = np.random.default_rng(3)
    n = 40
    numbers = rng.normal(size=n) * 10.0 ** rng.integers(-12, 15, n)
    numbers[[2, 5, 17]] = np.nan
    numbers[3] = -0.0
    labels = np.array(["a", "b & <c>", "", "кола", "=1+1", "  x "], dtype=object)[
        rng.integers(0, 6, n)
    ]
    labels[[2, 5, 17]] = None
    frame = pd.DataFrame(
        {
            "label": labels,
            "np": np.array(["p", "q"])[rng.integers(0, 2, n)].astype(object),
            "value": numbers,
            "year": rng.integers(2020, 2050, n),
            "text": pd.array(["t", None, "u", "a"] * (n // 4), dtype="str"),
        }
    )
    frame.loc[[2, 5, 17], "text"] = None
    frame.loc[[2, 17], "np"] = None
    frame = frame.astype({"np": object})
    frame.loc[[2, 17], "year"] = 0  # not blank: ints are always written
    formats = [None, None, "#,##0.000", "0", None]
    headers = ["Label", "", "Value, bn", "Year", "a"]
    sheets = [
        Sheet("one", frame, headers, formats),
        Sheet("two", frame.iloc[::-1].reset_index(drop=True), headers, formats, [10] * 5),
        Sheet("empty", frame.iloc[:0], headers, formats),
        Sheet(
            "sparse",
            pd.DataFrame({"a": ["x"] * 48, "b": [1.0] * 10 + [np.nan] * 38}),
            ["A", "B"],
            [None, "0.0"],
        ),
    ]
    created = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    bulk = write_excel(tmp_path / "bulk.xlsx", sheets, created=created).read_bytes()

    def refuse(headers, frame):
        raise xlsx_rows.Unsupported("test: cell by cell")

    monkeypatch.setattr(xlsx_rows, "prepare", refuse)
    single = write_excel(tmp_path / "single.xlsx", sheets, created=created).read_bytes()
    assert bulk == single


def test_csv_rows_and_values_exact(tmp_path):
    """The tidy CSV, built from gathered pieces, holds exactly the rows a field-by-field writer
    gives: every non-zero cell in the order of the dimensions (variable innermost), labels with
    a comma or a quote quoted, a centre without any non-zero cell left out, and every value read
    back bit for bit (``repr`` is the shortest text that round-trips)."""
    import csv as csvmodule
    import itertools

    import numpy as np
    import xarray as xr

    from iomodel.export import write_csv
    from iomodel.impact import VARIABLES

    rng = np.random.default_rng(7)
    coords = {
        "centre": ["a", 'b "quoted"', "zero"],
        "variant": ["central", "x,y"],
        "phase": ["construction", "operation"],
        "year": [2026, 2027],
        "sector": ["07.2", "24,4"],
        "effect": ["direct", "induced"],
    }
    shape = tuple(len(v) for v in coords.values())
    data = {}
    for v in VARIABLES:
        values = rng.normal(size=shape) * 10.0 ** rng.integers(-20, 20, shape)
        values[rng.random(shape) < 0.3] = 0.0
        values[2] = 0.0  # the centre "zero"
        data[v] = (list(coords), values)
    data[VARIABLES[0]][1][0, 0, 0, 0, 0, 0] = 0.1 + 0.2  # 17 significant digits
    ds = xr.Dataset(data, coords=coords)
    path = write_csv(ds, tmp_path / "impact.csv")

    def field(text):
        return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"') else text

    expected = ["centre,variant,phase,year,sector,effect,variable,value"]
    for index in itertools.product(*(range(n) for n in shape)):
        labels = [field(str(coords[d][i])) for d, i in zip(coords, index)]
        for v in VARIABLES:
            value = float(ds[v].values[index])
            if value != 0:
                expected.append(",".join([*labels, field(v), repr(value)]))
    text = path.read_text(encoding="utf-8")
    assert text == "\n".join(expected) + "\n"
    rows = list(csvmodule.reader(text.splitlines()))[1:]
    assert not any(r[0] == "zero" for r in rows)
    back = np.array([float(r[-1]) for r in rows])
    wanted = np.concatenate(
        [
            np.stack([ds[v].values[c] for v in VARIABLES], axis=-1).reshape(-1)
            for c in range(shape[0])
        ]
    )
    assert back.tobytes() == wanted[wanted != 0].tobytes()
