"""Exports of a run: NetCDF (the whole Dataset), a formatted Excel workbook, tidy CSV.

Every file is written to a temporary name in the target folder and moved into place only when
complete (``os.replace`` is atomic on one file system), so a failed run never leaves a half-written
file or overwrites a good one.  The outputs of one run are replaced together
(:class:`OutputSet`): they are written into a staging folder beside them and moved in only when
all are complete, so a failure leaves all the old files and no new one.
"""

from __future__ import annotations

import datetime
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from .errors import OutputError
from .impact import VARIABLES

__all__ = [
    "OutputSet",
    "Sheet",
    "atomic_path",
    "check_output_folder",
    "read_csv",
    "read_netcdf",
    "write_csv",
    "write_excel",
    "write_netcdf",
]


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; move it onto ``target`` only on success."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp_path, 0o666 & ~umask)
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def check_output_folder(folder: Path, names: Iterable[str] = ()) -> Path:
    """Refuse, before any work is done, a folder the outputs cannot be written to.

    The folder may not exist yet (it is created), but the first existing folder above it must be
    a writable folder; ``names`` (the files to be written) must not be folders.  Raises
    :class:`~iomodel.errors.OutputError` naming the path and the fix.
    """
    folder = Path(folder)
    probe = folder
    while not probe.exists():
        if probe.is_symlink():
            raise OutputError(f"{probe}: a broken symbolic link; remove it or choose another --out")
        probe = probe.parent
    if not probe.is_dir():
        raise OutputError(
            f"{folder}: cannot be an output folder: {probe} is a file; choose another --out"
        )
    if not os.access(probe, os.W_OK | os.X_OK):
        raise OutputError(f"{probe}: not writable; choose another --out or fix its permissions")
    for name in names:
        if (folder / name).is_dir():
            raise OutputError(
                f"{folder / name}: is a folder, so the output {name} cannot be written; "
                "move it away or choose another --out"
            )
    return folder


_STAGING = ".iomodel-staging-"
_JOURNAL = ".commit"  # names to move in; its presence means the staged files are complete


class OutputSet:
    """Files of one run written as a set: all new or all old, never a mix.

    >>> with OutputSet(Path("out")) as staging:                     # doctest: +SKIP
    ...     write_netcdf(ds, staging / "impact.nc")
    ...     write_csv(ds, staging / "impact.csv")

    Inside the block the files go to a staging folder ``out/.iomodel-staging-…`` (same file
    system, so moving them is a rename); when the block ends without an error the staged files
    replace their namesakes in ``out`` and the staging folder is removed; on an error it is
    removed and ``out`` is untouched.  The commit first writes a journal of the names; a process
    killed while committing leaves the journal, and the next :class:`OutputSet` on that folder
    finishes the move (every staged file was complete before the journal was written).  A
    staging folder without a journal, left by a killed run, is deleted.  A folder is known to be
    abandoned when no process holds its lock (``flock``: the kernel releases it when the owner
    dies, however it dies).
    """

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.staging: Path | None = None
        self._lock: Any = None

    def __enter__(self) -> Path:
        check_output_folder(self.folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        recover(self.folder)
        self.staging = Path(tempfile.mkdtemp(prefix=_STAGING, dir=self.folder))
        self._lock = _hold_lock(self.staging)
        return self.staging

    def __exit__(self, kind, value, tb) -> None:
        assert self.staging is not None
        try:
            if kind is None:
                names = sorted(p.name for p in self.staging.iterdir() if not p.name.startswith("."))
                _commit(self.staging, self.folder, names)
        finally:
            shutil.rmtree(self.staging, ignore_errors=True)
            if self._lock is not None:
                self._lock.close()


def _hold_lock(staging: Path) -> Any:
    handle = (staging / ".lock").open("w")
    try:
        import fcntl

        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except ImportError:  # pragma: no cover - not POSIX: the pid in the name is the only clue
        pass
    return handle


def _abandoned(staging: Path) -> bool:
    try:
        import fcntl
    except ImportError:  # pragma: no cover
        return False
    try:
        fd = os.open(staging / ".lock", os.O_RDWR)
    except FileNotFoundError:  # killed before it made one — or making it right now
        return _stale(staging, 60.0)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False  # a live process holds it
    finally:
        os.close(fd)
    return True


def _commit(staging: Path, folder: Path, names: list[str]) -> None:
    """Move ``names`` from ``staging`` into ``folder``; undo on failure."""
    journal = staging / _JOURNAL
    journal.write_text("\n".join(names), encoding="utf-8")
    backups: dict[str, Path | None] = {}
    try:
        for name in names:
            target = folder / name
            backup = staging / f".old-{name}"
            if target.exists():
                try:
                    os.link(target, backup)  # a second name for the old file, to undo with
                except OSError:
                    shutil.copy2(target, backup)
                backups[name] = backup
            else:
                backups[name] = None
            os.replace(staging / name, target)
    except BaseException:
        for name, kept in backups.items():
            target = folder / name
            if kept is not None:
                os.replace(kept, target)
            elif not (staging / name).exists():
                target.unlink(missing_ok=True)  # it was new: take it away again
        journal.unlink(missing_ok=True)
        raise
    journal.unlink()


def recover(folder: Path) -> None:
    """Finish or discard what killed runs left in ``folder`` (staging folders nobody holds)."""
    for staging in sorted(Path(folder).glob(_STAGING + "*")):
        if not staging.is_dir() or not _abandoned(staging):
            continue
        journal = staging / _JOURNAL
        if journal.exists():
            for name in journal.read_text(encoding="utf-8").split("\n"):
                if name and (staging / name).exists():
                    os.replace(staging / name, Path(folder) / name)
        shutil.rmtree(staging, ignore_errors=True)
    for part in Path(folder).glob(".*.part"):  # atomic_path's temporaries of killed runs
        if _stale(part):
            part.unlink(missing_ok=True)


def _stale(path: Path, seconds: float = 3600.0) -> bool:
    import time

    try:
        return time.time() - path.stat().st_mtime > seconds
    except OSError:
        return False


def write_netcdf(ds: xr.Dataset, target: Path) -> Path:
    """The whole Dataset as NetCDF (scipy backend, no extra library needed)."""
    with atomic_path(target) as tmp:
        ds.to_netcdf(tmp, engine="scipy")
    return target


def read_netcdf(path: Path) -> xr.Dataset:
    """Read a Dataset written by :func:`write_netcdf`."""
    with xr.open_dataset(path, engine="scipy") as ds:
        return ds.load()


def _nonzero(
    ds: xr.Dataset, label: Callable[[str], str] = str
) -> Iterator[tuple[list[np.ndarray], np.ndarray]]:
    """The non-zero cells of the six variables, one centre at a time: the label of every
    dimension (centre, variant, phase, year, sector, effect, variable; each passed through
    ``label``) and the value.

    Cells are in the order of the dimensions with the variable innermost, as a stacked
    ``to_dataframe()`` would give them, without building that (large) frame.
    """
    values = np.stack([ds[v].values for v in VARIABLES], axis=-1)
    dims = ds[VARIABLES[0]].dims
    labels = [np.array([label(str(x)) for x in ds[d].values], dtype=object) for d in dims]
    labels.append(np.array([label(v) for v in VARIABLES], dtype=object))
    for c in range(values.shape[0]):
        block = values[c]
        flat = block.reshape(-1)
        nz = np.flatnonzero(flat)
        if not nz.size:
            continue
        idx = np.unravel_index(nz, block.shape)
        columns = [np.full(nz.size, labels[0][c], dtype=object)]
        columns += [lab[i] for lab, i in zip(labels[1:], idx)]
        yield columns, flat[nz]


_TIDY = ("centre", "variant", "phase", "year", "sector", "effect", "variable", "value")


def tidy(ds: xr.Dataset) -> pd.DataFrame:
    """Long table: centre, variant, phase, year, sector, effect, variable, value (non-zero rows)."""
    parts = [pd.DataFrame(dict(zip(_TIDY, [*columns, values]))) for columns, values in _nonzero(ds)]
    if not parts:
        return pd.DataFrame({k: [] for k in _TIDY})
    frame = pd.concat(parts, ignore_index=True)
    frame["year"] = frame["year"].astype(int)
    return frame


def write_csv(ds: xr.Dataset, target: Path) -> Path:
    """Tidy CSV of every non-zero cell (UTF-8; each value written in the shortest form that reads
    back to the same double, so nothing is lost).  Written one centre at a time.

    A row is three pieces: the labels of centre, variant, phase and year, those of sector,
    effect and variable (every combination made once), and the value's ``repr``; the pieces of
    all rows are gathered with numpy's indexing and joined once, not field by field in Python.
    """
    values = np.stack([ds[v].values for v in VARIABLES], axis=-1)
    dims = ds[VARIABLES[0]].dims
    labels = [[_csv_field(str(x)) for x in ds[d].values] for d in dims]
    labels.append([_csv_field(v) for v in VARIABLES])
    # each row starts with its line break: the header is written without one, the file ends
    # with one
    outer = _combinations(labels[1:4])  # variant, phase, year
    inner = _combinations(labels[4:])  # sector, effect, variable
    with atomic_path(target) as tmp, tmp.open("w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(_TIDY))
        for c, centre in enumerate(labels[0]):
            flat = values[c].reshape(-1)
            nz = np.flatnonzero(flat)
            if not nz.size:
                continue
            where, what = np.divmod(nz, inner.size)
            pieces = np.empty(3 * nz.size, dtype=object)
            pieces[0::3] = ("\n" + centre + "," + outer)[where]
            pieces[1::3] = inner[what]
            pieces[2::3] = list(map(repr, flat[nz].tolist()))
            fh.write("".join(pieces.tolist()))
        fh.write("\n")
    return target


def _combinations(parts: list[list[str]]) -> np.ndarray:
    """Every combination of ``parts`` (the last varying fastest) as "a,b,…," (object array)."""
    out = np.array([""], dtype=object)
    for part in parts:
        out = (out[:, None] + np.array([p + "," for p in part], dtype=object)[None, :]).reshape(-1)
    return out


def _csv_field(text: str) -> str:
    """A label as a CSV field: quoted only when it holds a comma, a quote or a line break."""
    if any(ch in text for ch in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def read_csv(path: Path) -> pd.DataFrame:
    """Read a tidy CSV written by :func:`write_csv`."""
    return pd.read_csv(path, dtype={"sector": str, "centre": str, "variant": str})


_HEADER = {"bold": True, "bg_color": "#DDE3EA", "text_wrap": True, "valign": "top"}
#: Everything written as typed: a label starting with "=" stays text, never a formula.
_LITERAL = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "nan_inf_to_errors": True,
}


@dataclass(frozen=True)
class Sheet:
    """One sheet of a workbook: its title, the values, a header and a number format (an Excel
    code or None) for each column, and optionally the column widths (characters)."""

    title: str
    frame: pd.DataFrame
    headers: list[str]
    formats: list[str | None]
    widths: list[int] | None = None


def _cell(value: Any) -> Any:
    if isinstance(value, float) and value != value:
        return None
    return value.item() if hasattr(value, "item") else value


def _write_sheet(wb: Any, sheet: Sheet) -> None:
    from .xlsx_rows import BlockSheet, Unsupported, prepare

    frame = sheet.frame
    columns = list(frame.columns)
    header = wb.add_format(_HEADER)
    try:
        table = prepare(sheet.headers, frame)
    except Unsupported:  # written cell by cell (the same XML, slower)
        ws = wb.add_worksheet(sheet.title[:31])
        ws.write_row(0, 0, sheet.headers, header)
        values = [frame[c].tolist() for c in columns]
        for i, row in enumerate(zip(*values), start=1):
            ws.write_row(i, 0, [_cell(v) for v in row])
    else:
        ws = wb.add_worksheet(sheet.title[:31], worksheet_class=BlockSheet)
        ws.write_table(table, header)
    wrap = {"text_wrap": True, "valign": "top"} if sheet.widths else {}
    for j, column in enumerate(columns):
        if sheet.widths:
            width = sheet.widths[j]
        else:
            texts = [str(v) for v in frame[column].head(200)]
            longest = max([len(t) for t in texts], default=0)
            width = min(max(10, longest + 2, min(len(sheet.headers[j]), 24)), 48)
        fmt = sheet.formats[j]
        props = {**wrap, **({"num_format": fmt} if fmt else {})}
        # the column's format applies to every cell written without one of its own
        ws.set_column(j, j, width, wb.add_format(props) if props else None)
    ws.set_row(0, 45 if not sheet.widths else None)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(len(frame), 1), max(len(columns) - 1, 0))


def write_excel(
    target: Path, sheets: Sequence[Sheet], created: datetime.datetime | None = None
) -> Path:
    """A formatted workbook, one sheet per :class:`Sheet`: a header row, the column's number
    format, a frozen header and an autofilter over the data.

    Written with XlsxWriter (several times faster than openpyxl's writer); every string is
    written as text, so nothing in a label can become a formula or a link.  ``created`` (a UTC
    time) is the workbook's creation date; default now.  XlsxWriter stamps the zip members with a
    fixed 1980 date, so with ``created`` given the same sheets give the same bytes.
    """
    import xlsxwriter

    with atomic_path(target) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), _LITERAL)
        if created is not None:
            wb.set_properties({"created": created})
        for sheet in sheets:
            _write_sheet(wb, sheet)
        wb.close()
    return target
