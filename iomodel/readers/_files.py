"""The files a table is made of, and fingerprints of them (standard library only, so the
command line can look up a cached answer without importing numpy or pandas)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

__all__ = ["cache_dir", "code_fingerprint", "sha256_file", "table_files", "tree_fingerprint"]

_PACKAGE = Path(__file__).resolve().parents[1]


def cache_dir() -> Path | None:
    """The user's iomodel cache folder, or None when caching is turned off
    (``IOMODEL_NO_CACHE``); ``IOMODEL_CACHE_DIR``, else ``$XDG_CACHE_HOME/iomodel``, else
    ``~/.cache/iomodel``."""
    if os.environ.get("IOMODEL_NO_CACHE"):
        return None
    if os.environ.get("IOMODEL_CACHE_DIR"):
        return Path(os.environ["IOMODEL_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "iomodel"


def table_files(path: Path) -> list[Path]:
    """The files a table is made of: the workbook, or every file under the folder (hidden files
    and ``__pycache__`` aside), in a stable order."""
    if path.is_file():
        return [path]
    files = []
    for root, dirs, names in os.walk(path):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__")
        files += [Path(root) / n for n in sorted(names) if not n.startswith(".")]
    return files


def sha256_file(path: Path) -> str:
    """sha256 of a file's bytes (hex)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def code_fingerprint(*parts: str) -> str:
    """sha256 over the source of the named parts of the package (``"table.py"``, ``"readers"``
    …; a folder means every ``.py`` file in it)."""
    digest = hashlib.sha256()
    for part in parts:
        target = _PACKAGE / part
        files = sorted(target.glob("*.py")) if target.is_dir() else [target]
        for code in files:
            digest.update(f"{code.relative_to(_PACKAGE).as_posix()} {sha256_file(code)}\n".encode())
    return digest.hexdigest()


def tree_fingerprint(path: Path) -> str:
    """sha256 over the names and contents of every file of a table (folder or workbook)."""
    digest = hashlib.sha256()
    root = path if path.is_dir() else path.parent
    for file in table_files(path):
        digest.update(f"{file.relative_to(root).as_posix()} {sha256_file(file)}\n".encode())
    return digest.hexdigest()
