"""Reader for the generic table format: a folder of CSV files, or one .xlsx workbook.

Folder: ``table.toml`` + ``Z.csv`` (first column sector code, header row the same codes),
``Y.csv`` (rows sectors, columns final-demand categories), ``V.csv`` (rows primary inputs,
columns sectors), optional ``employment.csv`` (columns ``code``, ``employment``) and optional
``sectors.csv`` (``code``, ``label_ru``, ``label_en``).  Workbook: sheets ``table`` (two columns,
key and value; dotted keys such as ``roles.compensation``; lists comma-separated), ``Z``, ``Y``,
``V`` and optionally ``employment`` and ``sectors``, laid out like the CSV files.  Output is
``x = Z·1 + Y·1`` and is checked against the column totals ``1'Z + 1'V``.

CSV files are comma-separated UTF-8 with a decimal point.  Numbers are parsed straight to floats
(pandas' C parser); only when that fails is the file read again as text, to name the first cell
that is not a number.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import TableError
from ..table import IOTable
from .manifest import Manifest, parse_manifest, read_manifest

__all__ = ["read_generic_folder", "read_generic_workbook"]

_FORMAT = (
    "the generic format is comma-separated UTF-8 text with a decimal point, first column the "
    "code (in Excel: save as 'CSV UTF-8 (comma delimited)' with a '.' decimal separator)"
)


def _numeric(where: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Convert to float, naming the first cell that is not a number."""
    out = frame.apply(pd.to_numeric, errors="coerce")
    bad = out.isna() & frame.notna()
    if bad.to_numpy().any():
        i, j = np.argwhere(bad.to_numpy())[0]
        value = frame.iat[i, j]
        hint = (
            "; write decimals with a point (0.8), not a comma"
            if isinstance(value, str) and _decimal_comma(value)
            else ""
        )
        raise TableError(
            f"{where}: cell at row {frame.index[i]!r}, column {frame.columns[j]!r} "
            f"holds {value!r}, not a number; correct it{hint}"
        )
    return out.astype(float)


def _decimal_comma(text: str) -> bool:
    head, _, tail = text.strip().partition(",")
    return bool(tail) and head.lstrip("-").isdigit() and tail.isdigit()


def _labelled(where: str, frame: pd.DataFrame) -> pd.DataFrame:
    frame.index = frame.index.map(lambda c: str(c).strip())
    frame.columns = frame.columns.map(lambda c: str(c).strip())
    for axis, labels in (("row", frame.index), ("column", frame.columns)):
        if labels.has_duplicates:
            dup = labels[labels.duplicated()][0]
            raise TableError(f"{where}: {axis} label {dup!r} appears twice; labels must be unique")
        if (labels == "").any():
            k = int(np.flatnonzero(labels == "")[0]) + 1
            raise TableError(f"{where}: {axis} {k} has no label; give every {axis} a code")
    out = frame if all(dt == np.float64 for dt in frame.dtypes) else _numeric(where, frame)
    values = out.to_numpy()
    if np.isnan(values).any():
        i, j = np.argwhere(np.isnan(values))[0]
        raise TableError(
            f"{where}: cell at row {out.index[i]!r}, column {out.columns[j]!r} is "
            "empty; fill it with a number (0 if the flow is empty)"
        )
    return out


def _header(path: Path) -> list[str]:
    """The header row of a CSV file, after checking the file is the expected kind of text."""
    if path.is_dir():
        raise TableError(f"{path}: is a folder, not a CSV file")
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            first = fh.readline()
            second = fh.readline()
    except UnicodeDecodeError:
        raise TableError(f"{path}: not UTF-8 text; {_FORMAT}") from None
    if not first.strip():
        raise TableError(
            f"{path}: the file is empty (or starts with an empty line); it needs a header row "
            "and one row per sector"
        )
    for sep, name in ((";", "semicolons"), ("\t", "tabs")):
        if first.count(sep) > first.count(","):
            raise TableError(f"{path}: the columns are separated by {name}; {_FORMAT}")
    header = next(csv.reader([first]))
    if len(header) < 2:
        raise TableError(
            f"{path}: the header row has one column; it needs the code column and at least one "
            f"more — {_FORMAT}"
        )
    if not second.strip():
        raise TableError(f"{path}: the file has a header row but no data rows")
    cells = next(csv.reader([second]))
    if len(cells) != len(header):
        raise TableError(
            f"{path}: row 2 has {len(cells)} cells but the header row has {len(header)}; every "
            f"row needs one cell per column — {_FORMAT}"
        )
    return [h.strip() for h in header]


def _read_csv(path: Path, required: bool = True) -> pd.DataFrame | None:
    if not path.exists():
        if required:
            raise TableError(
                f"{path}: file missing; a generic table folder needs Z.csv, Y.csv, "
                "V.csv and table.toml"
            )
        return None
    header = _header(path)
    seen: set[str] = set()
    for k, name in enumerate(header[1:], start=2):
        if not name:
            raise TableError(f"{path}: column {k} of the header row has no label")
        if name in seen:
            raise TableError(f"{path}: column label {name!r} appears twice; labels must be unique")
        seen.add(name)
    names = ["\0code", *header[1:]]
    common: dict[str, Any] = {
        "header": 0,
        "names": names,
        "index_col": 0,
        "encoding": "utf-8-sig",
        "keep_default_na": False,
        "na_values": [""],
    }
    few = _few_rows(path, header)
    if few is not None:
        return few
    dtypes: defaultdict[str, Any] = defaultdict(lambda: np.float64, {"\0code": str})
    try:
        frame = pd.read_csv(path, dtype=dtypes, **common)
    except (ValueError, TypeError, OverflowError):
        frame = _read_text(path, common)  # to name the cell that is not a number
    else:
        # one 2-D block instead of one per column: every later to_numpy() is then a view, not
        # a fresh n×n copy (five of them while the table is checked)
        frame = pd.DataFrame(frame.to_numpy(), index=frame.index, columns=frame.columns, copy=False)
    frame.index.name = header[0] or None
    return frame


_NUMBER = re.compile(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*|")


def _few_rows(path: Path, header: list[str]) -> pd.DataFrame | None:
    """A wide file with few rows (``V.csv``: a handful of rows, one column per sector) read with
    the csv module: pandas would build one column object per sector.  None when the file is
    not that (or holds anything but plain numbers: the general path then names the cell)."""
    width = len(",".join(header)) + 1
    if path.stat().st_size > 64 * width:
        return None
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))[1:]
    rows = [r for r in rows if r]
    if any(len(r) != len(header) for r in rows):
        return None  # the general path says which row is ragged
    cells = [c for r in rows for c in r[1:]]
    if not all(_NUMBER.fullmatch(c) for c in cells):
        return None
    values = np.array([float(c) if c.strip() else np.nan for c in cells]).reshape(
        len(rows), len(header) - 1
    )
    frame = pd.DataFrame(values, index=[r[0] for r in rows], columns=header[1:], copy=False)
    frame.index.name = header[0] or None
    return frame


def _read_text(path: Path, options: dict[str, Any]) -> pd.DataFrame:
    try:
        return pd.read_csv(path, dtype=str, **options)
    except pd.errors.ParserError as exc:
        raise TableError(
            f"{path}: cannot be parsed as CSV ({str(exc).strip()}); every row needs as many "
            f"cells as the header row — {_FORMAT}"
        ) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise TableError(f"{path}: cannot be parsed as CSV ({exc}); {_FORMAT}") from None


def _sector_frame(codes: list[str], labels: pd.DataFrame | None, where: str) -> pd.DataFrame:
    sectors = pd.DataFrame(index=pd.Index(codes, name="code"))
    sectors["label_ru"] = codes
    sectors["label_en"] = codes
    if labels is not None:
        labels = labels.copy()
        labels.index = labels.index.map(lambda c: str(c).strip())
        unknown = sorted(set(labels.index) - set(codes))
        if unknown:
            raise TableError(f"{where}: sectors {unknown[:5]} are not in Z")
        if labels.index.has_duplicates:
            dup = labels.index[labels.index.duplicated()][0]
            raise TableError(f"{where}: sector {dup!r} appears twice")
        for column in labels.columns:
            sectors[column] = (
                labels[column]
                .astype(object)
                .where(labels[column].notna(), None)
                .reindex(codes)
                .fillna(pd.Series(codes, index=codes))
                .astype(str)
            )
    return sectors


def _employment(frame: pd.DataFrame | None, where: str) -> pd.Series | None:
    if frame is None:
        return None
    if "employment" not in frame.columns:
        raise TableError(f"{where}: needs columns 'code' and 'employment'")
    series = _labelled(where, frame[["employment"]])["employment"]
    return series


def _build(
    manifest: Manifest,
    Z: pd.DataFrame,
    Y: pd.DataFrame,
    V: pd.DataFrame,
    emp: pd.DataFrame | None,
    labels: pd.DataFrame | None,
    where: dict[str, str],
) -> IOTable:
    Z = _labelled(where["Z"], Z)
    Y = _labelled(where["Y"], Y)
    V = _labelled(where["V"], V)
    codes = list(Z.index)
    if Z.shape[0] != Z.shape[1]:
        raise TableError(
            f"{where['Z']}: Z must be square, got {Z.shape[0]} rows × {Z.shape[1]} "
            "columns; give one row and one column per sector"
        )
    if list(Z.columns) != codes:
        raise TableError(
            f"{where['Z']}: the header row must list the same sector codes as the "
            f"first column, in the same order (rows {codes[:4]}…, columns "
            f"{list(Z.columns)[:4]}…)"
        )
    return IOTable.build(
        meta=manifest.meta,
        sectors=_sector_frame(codes, labels, where["Z"]),
        Z=Z,
        Y=Y,
        V=V,
        employment=_employment(emp, where.get("employment", "")),
        roles=manifest.roles,
        allow_negative=manifest.allow_negative,
        sign_exceptions=manifest.sign_exceptions,
        tolerance=manifest.tolerance,
        closure_parameters=manifest.closure,
        copy=False,  # the frames were read here and are dropped after the build
    )


def read_generic_folder(folder: Path, manifest: Manifest | None = None) -> IOTable:
    """Read a folder in the generic CSV format."""
    manifest = manifest or read_manifest(folder / "table.toml")
    paths = {k: folder / f"{k}.csv" for k in ("Z", "Y", "V", "employment", "sectors")}
    frames = {k: _read_csv(p, required=k in ("Z", "Y", "V")) for k, p in paths.items()}
    employment = frames["employment"]
    if employment is not None and employment.index.name != "code":
        raise TableError(f"{paths['employment']}: the first column must be 'code'")
    files = tuple(manifest.meta.files) + tuple(p for k, p in paths.items() if frames[k] is not None)
    meta = replace(manifest.meta, files=files)
    manifest = replace(manifest, meta=meta)
    Z, Y, V = frames["Z"], frames["Y"], frames["V"]
    assert Z is not None and Y is not None and V is not None  # required above
    frames.clear()
    return _build(
        manifest,
        Z,
        Y,
        V,
        employment,
        _labels(paths["sectors"]),
        {k: str(p) for k, p in paths.items()},
    )


def _labels(path: Path) -> pd.DataFrame | None:
    """``sectors.csv``: text columns, read as text."""
    if not path.exists():
        return None
    _header(path)
    frame = _read_text(
        path, {"index_col": 0, "encoding": "utf-8-sig", "keep_default_na": False, "na_values": []}
    )
    return frame


def _sheet_frame(ws: Any, where: str) -> pd.DataFrame:
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    rows = [r for r in rows if any(c is not None for c in r)]
    if not rows:
        raise TableError(f"{where}: the sheet is empty")
    header = rows[0]
    if all(c is None for c in header[1:]):
        raise TableError(f"{where}: the header row has no column labels")
    width = max(i for i, c in enumerate(header) if c is not None) + 1
    data = [r[:width] + [None] * (width - len(r)) for r in rows[1:]]
    frame = pd.DataFrame(
        [r[1:] for r in data],
        index=[r[0] for r in data],
        columns=[str(c) if c is not None else "" for c in header[1:width]],
        dtype=object,
    )
    frame.index.name = str(header[0]) if header[0] is not None else None
    return frame


def _manifest_from_sheet(ws: Any) -> dict[str, Any]:
    data: dict[str, Any] = {}
    list_keys = {
        "roles.value_added",
        "roles.imports",
        "roles.product_taxes",
        "roles.production_taxes",
        "allow_negative",
    }
    for row in ws.iter_rows(values_only=True):
        if not row or row[0] is None:
            continue
        key, value = str(row[0]).strip(), row[1] if len(row) > 1 else None
        if key.lower() == "key":
            continue
        if key in list_keys:
            value = [v.strip() for v in str(value or "").split(",") if v.strip()]
        node = data
        *parents, leaf = key.split(".")
        for part in parents:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise TableError(f"sheet 'table': key {key!r} clashes with {part!r}")
            node = child
        node[leaf] = value
    return data


def read_generic_workbook(path: Path) -> IOTable:
    """Read one .xlsx workbook in the generic format (sheets table, Z, Y, V[, employment, sectors])."""
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds (zipfile, XML, KeyError) for a bad file
        raise TableError(f"{path}: cannot be read as an .xlsx workbook ({exc})") from None
    try:
        for sheet in ("table", "Z", "Y", "V"):
            if sheet not in wb.sheetnames:
                raise TableError(
                    f"{path}: sheet {sheet!r} is missing (found {wb.sheetnames}); the "
                    "workbook needs sheets table, Z, Y, V and optionally employment"
                )
        try:
            raw = _manifest_from_sheet(wb["table"])
        except TableError as exc:
            raise TableError(f"{path} [table]: {exc}") from None
        manifest = parse_manifest(raw, path, (path,), default_id=path.stem)
        frames = {
            s: _sheet_frame(wb[s], f"{path} [{s}]") if s in wb.sheetnames else None
            for s in ("Z", "Y", "V", "employment", "sectors")
        }
    finally:
        wb.close()
    Z, Y, V = frames["Z"], frames["Y"], frames["V"]
    assert Z is not None and Y is not None and V is not None  # required above
    return _build(
        manifest,
        Z,
        Y,
        V,
        frames["employment"],
        frames["sectors"],
        {s: f"{path} [{s}]" for s in frames},
    )
