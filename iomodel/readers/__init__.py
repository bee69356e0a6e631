"""Readers: turn a shipped table id or a path into an :class:`~iomodel.table.IOTable`.

Tables are kept, once parsed, in a cache keyed by the sha256 of their files (:mod:`.cache`); a
table is parsed again whenever any of its files changes.
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import TableError
from ..resources import home, tables_dir
from ._files import cache_dir, code_fingerprint, table_files, tree_fingerprint

if TYPE_CHECKING:  # numpy and pandas load only when a table is actually read
    from ..table import IOTable

__all__ = ["answer_key", "load_table", "project_dir", "shipped_tables", "tables_dir"]


def project_dir() -> Path:
    """Folder holding the shipped ``tables/`` and ``shocks/`` (``IOMODEL_HOME`` overrides)."""
    return home() or tables_dir().parent


def shipped_tables() -> list[str]:
    """Ids of the tables shipped in ``tables/`` (folders with a table.toml)."""
    return sorted(p.parent.name for p in tables_dir().glob("*/table.toml"))


def load_table(ref: str | os.PathLike) -> IOTable:
    """Load a table by shipped id (``rosstat-2021``) or by path (folder or .xlsx workbook).

    Raises :class:`~iomodel.errors.TableError` for anything malformed, naming the file and cell.
    """
    path = _resolve(ref)
    return _load_resolved(path, _stamp(path))


def answer_key(ref: str | os.PathLike, question: str) -> str | None:
    """A key under which the answer to ``question`` (a command and its options) about table
    ``ref`` may be cached, or None when it may not.

    Only shipped tables named by id get one (scripts ask about them again and again); a table
    given by path is read each time.  The key hashes the question, every file of the table,
    every module of iomodel and the versions of numpy, scipy and pandas — whatever an answer
    depends on.  Computing it imports none of them.
    """
    if cache_dir() is None or Path(ref).exists():
        return None  # a path: the user's own table, read each time
    path = _resolve(ref)
    from importlib.metadata import PackageNotFoundError, version

    digest = hashlib.sha256(question.encode())
    for library in ("numpy", "scipy", "pandas"):
        try:
            digest.update(f"{library} {version(library)}\n".encode())
        except PackageNotFoundError:  # pragma: no cover
            return None
    digest.update(code_fingerprint(".", "readers").encode())
    digest.update(tree_fingerprint(path).encode())
    return digest.hexdigest()


def _resolve(ref: str | os.PathLike) -> Path:
    path = Path(ref)
    if not path.exists():
        candidate = tables_dir() / str(ref)
        if str(ref) and "/" not in str(ref) and (candidate / "table.toml").is_file():
            return candidate.resolve()
        raise TableError(
            f"{ref}: no such table; give a shipped id ({', '.join(shipped_tables())})"
            " or the path of a table folder or .xlsx workbook"
        )
    if path.is_dir():
        if not (path / "table.toml").is_file():
            raise TableError(
                f"{path}: no table.toml in this folder; a table folder needs table.toml and, "
                "in the generic format, Z.csv, Y.csv and V.csv (see README, 'Bring your own "
                "table')"
            )
    elif not path.is_file() or path.suffix.lower() != ".xlsx":
        raise TableError(
            f"{path}: not a table folder or an .xlsx workbook; give a folder with table.toml "
            "or a workbook in the generic format"
        )
    return path.resolve()


def _stamp(path: Path) -> tuple[tuple[str, int, int], ...]:
    """Names, sizes and modification times of the table's files (the in-process cache key)."""
    stamps = []
    for file in table_files(path):
        try:
            st = file.stat()
        except OSError:
            continue
        stamps.append((str(file), st.st_size, st.st_mtime_ns))
    return tuple(stamps)


@lru_cache(maxsize=8)
def _load_resolved(path: Path, stamp: tuple) -> IOTable:
    try:
        return _read(path)
    except PermissionError as exc:
        raise TableError(f"{exc.filename or path}: permission denied; make it readable") from None
    except (IsADirectoryError, NotADirectoryError) as exc:
        raise TableError(f"{exc.filename or path}: {exc.strerror}") from None


def _read(path: Path) -> IOTable:
    from .manifest import read_manifest

    if path.is_file():  # a generic .xlsx workbook
        return _cached(path, path.parent, _read_workbook)
    manifest = read_manifest(path / "table.toml")
    if manifest.format == "generic":
        return _cached(path, path, _read_folder)
    if manifest.format == "rosstat":
        return _cached(path, path, _read_rosstat)
    raise TableError(
        f"{path / 'table.toml'}: unknown format {manifest.format!r}; use 'rosstat' or 'generic'"
    )


def _read_folder(path: Path) -> IOTable:
    from .generic import read_generic_folder

    return read_generic_folder(path)


def _read_workbook(path: Path) -> IOTable:
    from .generic import read_generic_workbook

    return read_generic_workbook(path)


def _read_rosstat(path: Path) -> IOTable:
    from .manifest import read_manifest
    from .rosstat import read_rosstat

    return read_rosstat(path, read_manifest(path / "table.toml"))


def _cached(path: Path, root: Path, read) -> IOTable:
    from . import cache

    if cache_dir() is None:
        return read(path)
    key = cache.fingerprint(path)
    table = cache.load(key, root)
    if table is None:
        table = read(path)
        cache.store(key, root, table)
    return table
