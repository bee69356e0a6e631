"""Reader for the generic table format: a folder of CSV files, or one .xlsx workbook.

Folder: ``table.toml`` + ``Z.csv`` (first column sector code, header row the same codes),
``Y.csv`` (rows sectors, columns final-demand categories), ``V.csv`` (rows primary inputs,
columns sectors), optional ``employment.csv`` (columns ``code``, ``employment``) and optional
``sectors.csv`` (``code``, ``label_ru``, ``label_en``).  Workbook: sheets ``table`` (two columns,
key and value; dotted keys such as ``roles.compensation``; lists comma-separated), ``Z``, ``Y``,
``V`` and optionally ``employment`` and ``sectors``, laid out like the CSV files.  Output is
``x = Z·1 + Y·1`` and is checked against the column totals ``1'Z + 1'V``.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd

from ..errors import TableError
from ..table import IOTable
from .manifest import Manifest, parse_manifest, read_manifest

__all__ = ["read_generic_folder", "read_generic_workbook"]


def _numeric(where: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Convert to float, naming the first cell that is not a number."""
    out = frame.apply(pd.to_numeric, errors="coerce")
    bad = out.isna() & frame.notna()
    if bad.to_numpy().any():
        i, j = np.argwhere(bad.to_numpy())[0]
        raise TableError(
            f"{where}: cell at row {frame.index[i]!r}, column {frame.columns[j]!r} "
            f"holds {frame.iat[i, j]!r}, not a number; correct it"
        )
    return out.astype(float)


def _labelled(where: str, frame: pd.DataFrame) -> pd.DataFrame:
    if frame.index.has_duplicates:
        dup = frame.index[frame.index.duplicated()][0]
        raise TableError(f"{where}: row label {dup!r} appears twice; labels must be unique")
    if frame.columns.has_duplicates:
        dup = frame.columns[frame.columns.duplicated()][0]
        raise TableError(f"{where}: column label {dup!r} appears twice; labels must be unique")
    frame.index = frame.index.map(lambda c: str(c).strip())
    frame.columns = frame.columns.map(lambda c: str(c).strip())
    out = _numeric(where, frame)
    if out.isna().to_numpy().any():
        i, j = np.argwhere(out.isna().to_numpy())[0]
        raise TableError(
            f"{where}: cell at row {out.index[i]!r}, column {out.columns[j]!r} is "
            "empty; fill it with a number (0 if the flow is empty)"
        )
    return out


def _read_csv(path: Path, required: bool = True) -> pd.DataFrame | None:
    if not path.exists():
        if required:
            raise TableError(
                f"{path}: file missing; a generic table folder needs Z.csv, Y.csv, "
                "V.csv and table.toml"
            )
        return None
    try:
        frame = pd.read_csv(path, index_col=0, dtype=str, keep_default_na=False, na_values=[""])
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise TableError(f"{path}: cannot be parsed as CSV ({exc})") from None
    return frame


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
        for column in labels.columns:
            sectors[column] = labels[column].reindex(codes).fillna(pd.Series(codes, index=codes))
    return sectors


def _employment(frame: pd.DataFrame | None, where: str) -> pd.Series | None:
    if frame is None:
        return None
    if "employment" not in frame.columns:
        raise TableError(f"{where}: needs columns 'code' and 'employment'")
    series = _labelled(where, frame[["employment"]])["employment"]
    return series


def _build(manifest: Manifest, Z, Y, V, emp, labels, where: dict[str, str]) -> IOTable:
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
        tolerance=manifest.tolerance,
        closure_parameters=manifest.closure,
    )


def read_generic_folder(folder: Path, manifest: Manifest | None = None) -> IOTable:
    """Read a folder in the generic CSV format."""
    manifest = manifest or read_manifest(folder / "table.toml")
    paths = {k: folder / f"{k}.csv" for k in ("Z", "Y", "V", "employment", "sectors")}
    frames = {k: _read_csv(p, required=k in ("Z", "Y", "V")) for k, p in paths.items()}
    if frames["employment"] is not None and frames["employment"].index.name != "code":
        raise TableError(f"{paths['employment']}: the first column must be 'code'")
    files = tuple(manifest.meta.files) + tuple(p for k, p in paths.items() if frames[k] is not None)
    meta = replace(manifest.meta, files=files)
    manifest = replace(manifest, meta=meta)
    return _build(
        manifest,
        frames["Z"],
        frames["Y"],
        frames["V"],
        frames["employment"],
        frames["sectors"],
        {k: str(p) for k, p in paths.items()},
    )


def _sheet_frame(ws, where: str) -> pd.DataFrame:
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    rows = [r for r in rows if any(c is not None for c in r)]
    if not rows:
        raise TableError(f"{where}: the sheet is empty")
    header = rows[0]
    width = max(i for i, c in enumerate(header) if c is not None) + 1
    data = [r[:width] + [None] * (width - len(r)) for r in rows[1:]]
    frame = pd.DataFrame(
        [r[1:] for r in data],
        index=[r[0] for r in data],
        columns=[str(c) for c in header[1:width]],
        dtype=object,
    )
    frame.index.name = str(header[0]) if header[0] is not None else None
    return frame


def _manifest_from_sheet(ws, where: Path) -> dict[str, Any]:
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
            node = node.setdefault(part, {})
        node[leaf] = value
    return data


def read_generic_workbook(path: Path) -> IOTable:
    """Read one .xlsx workbook in the generic format (sheets table, Z, Y, V[, employment, sectors])."""
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise TableError(f"{path}: cannot be read as an .xlsx workbook ({exc})") from None
    for sheet in ("table", "Z", "Y", "V"):
        if sheet not in wb.sheetnames:
            raise TableError(
                f"{path}: sheet {sheet!r} is missing (found {wb.sheetnames}); the "
                "workbook needs sheets table, Z, Y, V and optionally employment"
            )
    manifest = parse_manifest(_manifest_from_sheet(wb["table"], path), path, (path,))
    frames = {
        s: _sheet_frame(wb[s], f"{path} [{s}]") if s in wb.sheetnames else None
        for s in ("Z", "Y", "V", "employment", "sectors")
    }
    wb.close()
    return _build(
        manifest,
        frames["Z"],
        frames["Y"],
        frames["V"],
        frames["employment"],
        frames["sectors"],
        {s: f"{path} [{s}]" for s in frames},
    )
