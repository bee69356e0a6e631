"""Readers: turn a shipped table id or a path into an :class:`~iomodel.table.IOTable`."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from ..errors import TableError
from ..table import IOTable
from .generic import read_generic_folder, read_generic_workbook
from .manifest import read_manifest
from .rosstat import read_rosstat

__all__ = ["load_table", "project_dir", "shipped_tables", "tables_dir"]


def project_dir() -> Path:
    """Folder holding ``tables/``, ``shocks/`` and ``reports/`` (``IOMODEL_HOME`` overrides)."""
    home = os.environ.get("IOMODEL_HOME")
    return Path(home) if home else Path(__file__).resolve().parents[2]


def tables_dir() -> Path:
    """Folder of the shipped tables."""
    return project_dir() / "tables"


def shipped_tables() -> list[str]:
    """Ids of the tables shipped in ``tables/`` (folders with a table.toml)."""
    return sorted(p.parent.name for p in tables_dir().glob("*/table.toml"))


def load_table(ref: str | os.PathLike) -> IOTable:
    """Load a table by shipped id (``rosstat-2021``) or by path (folder or .xlsx workbook).

    Raises :class:`~iomodel.errors.TableError` for anything malformed, naming the file and cell.
    """
    path = Path(ref)
    if not path.exists():
        candidate = tables_dir() / str(ref)
        if (candidate / "table.toml").exists():
            path = candidate
        else:
            raise TableError(
                f"{ref}: no such table; give a shipped id ({', '.join(shipped_tables())})"
                " or the path of a table folder or .xlsx workbook"
            )
    return _load_resolved(path.resolve(), _mtime(path))


def _mtime(path: Path) -> float:
    files = [path] if path.is_file() else list(path.iterdir())
    return max(p.stat().st_mtime for p in files)


@lru_cache(maxsize=8)
def _load_resolved(path: Path, mtime: float) -> IOTable:
    if path.is_file():
        if path.suffix.lower() != ".xlsx":
            raise TableError(
                f"{path}: a table file must be an .xlsx workbook in the generic format"
            )
        return read_generic_workbook(path)
    manifest = read_manifest(path / "table.toml")
    if manifest.format == "rosstat":
        return read_rosstat(path, manifest)
    if manifest.format == "generic":
        return read_generic_folder(path, manifest)
    raise TableError(
        f"{path / 'table.toml'}: unknown format {manifest.format!r}; use 'rosstat' or 'generic'"
    )
