"""A cache of parsed tables in the user's cache folder, keyed by the sha256 of every input file.

Parsing a workbook takes seconds; reading back the parsed arrays takes milliseconds.  Each entry
is one ``.npz`` file (numbers as arrays, everything else as JSON; read with
``allow_pickle=False``, so a cache file cannot run code) named after a key that hashes

* every file of the table's folder (or the workbook itself): any change to any file gives a new
  key, so a stale entry is never found — it is not invalidated, it is simply never asked for;
* the source of the readers and of :mod:`iomodel.table`, so a new reader re-parses;
* the cache's own format version.

An entry is used only when its stored key equals the computed one; an unreadable entry is
deleted and the table parsed again.  The folder is ``$IOMODEL_CACHE_DIR``, else
``$XDG_CACHE_HOME/iomodel``, else ``~/.cache/iomodel``; ``IOMODEL_NO_CACHE=1`` turns the cache
off.  At most :data:`MAX_ENTRIES` tables and :data:`MAX_TOTAL_BYTES` are kept (least recently
used go first); a table larger than :data:`MAX_ENTRY_BYTES` is not cached.  Writing is best
effort: an unwritable cache folder only means the next run parses again.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..table import ClosureParameters, IOTable, Roles, TableMeta, Tolerance
from ._files import cache_dir, code_fingerprint, table_files, tree_fingerprint

__all__ = ["MAX_ENTRIES", "cache_dir", "fingerprint", "load", "store", "table_files"]

#: Version of the entry layout; bump it when :func:`_encode` changes.
FORMAT = 1
MAX_ENTRIES = 16
#: Largest entry (a 10,000-sector table is about 0.8 GB) and the most all entries may take.
MAX_ENTRY_BYTES = 2 * 2**30
MAX_TOTAL_BYTES = 4 * 2**30
_DATACLASSES = {c.__name__: c for c in (TableMeta, Roles, ClosureParameters, Tolerance)}


def fingerprint(path: Path) -> str:
    """The cache key of the table at ``path``: sha256 over its files, the reader code and the
    cache format."""
    digest = hashlib.sha256(f"iomodel table cache {FORMAT}\n".encode())
    digest.update(code_fingerprint("table.py", "readers").encode())
    digest.update(tree_fingerprint(path).encode())
    return digest.hexdigest()


# ----------------------------------------------------------------------------- encoding
class _Uncacheable(TypeError):
    """A table holds something the cache does not know how to store (it is then not cached)."""


def _encode(value: Any, key: str, arrays: dict[str, np.ndarray], root: Path) -> Any:
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "fiub":
            raise _Uncacheable(key)
        arrays[key] = value
        return {"array": key}
    if isinstance(value, pd.DataFrame):
        columns = {}
        for k, column in enumerate(value.columns):
            series = value[column]
            if pd.api.types.is_float_dtype(series.dtype):
                columns[str(k)] = _encode(series.to_numpy(float), f"{key}.{k}", arrays, root)
            else:
                columns[str(k)] = [None if pd.isna(v) else str(v) for v in series]
        return {
            "frame": {
                "index": [str(i) for i in value.index],
                "index_name": value.index.name,
                "columns": [str(c) for c in value.columns],
                "data": columns,
                "duplicate_labels": value.flags.allows_duplicate_labels,
            }
        }
    if isinstance(value, Path):
        resolved = value.resolve()
        rel = resolved.relative_to(root) if resolved.is_relative_to(root) else None
        return {
            "path": rel.as_posix() if rel is not None else str(resolved),
            "rel": rel is not None,
        }
    if dataclasses.is_dataclass(value) and type(value).__name__ in _DATACLASSES:
        return {
            "dataclass": type(value).__name__,
            "fields": {
                f.name: _encode(getattr(value, f.name), f"{key}.{f.name}", arrays, root)
                for f in dataclasses.fields(value)
            },
        }
    if isinstance(value, tuple | list):
        return {"tuple": [_encode(v, f"{key}.{k}", arrays, root) for k, v in enumerate(value)]}
    if isinstance(value, Mapping):
        return {"dict": {str(k): _encode(v, f"{key}.{k}", arrays, root) for k, v in value.items()}}
    raise _Uncacheable(f"{key}: {type(value).__name__}")


def _decode(node: Any, arrays: Mapping[str, np.ndarray], root: Path) -> Any:
    if not isinstance(node, dict):
        return node
    if "array" in node:
        arr = np.array(arrays[node["array"]])
        arr.flags.writeable = False
        return arr
    if "frame" in node:
        spec = node["frame"]
        data = {
            name: (
                np.array(arrays[col["array"]])
                if isinstance(col, dict)
                else pd.Series(col, index=spec["index"])
            )
            for name, col in zip(
                spec["columns"], (spec["data"][str(k)] for k in range(len(spec["columns"])))
            )
        }
        frame = pd.DataFrame(data, index=pd.Index(spec["index"], name=spec["index_name"]))
        frame.flags.allows_duplicate_labels = spec["duplicate_labels"]
        return frame
    if "path" in node:
        return root / node["path"] if node["rel"] else Path(node["path"])
    if "dataclass" in node:
        cls = _DATACLASSES[node["dataclass"]]
        return cls(**{k: _decode(v, arrays, root) for k, v in node["fields"].items()})
    if "tuple" in node:
        return tuple(_decode(v, arrays, root) for v in node["tuple"])
    if "dict" in node:
        return {k: _decode(v, arrays, root) for k, v in node["dict"].items()}
    raise ValueError(f"unknown cache node {sorted(node)}")


def _entry(key: str) -> Path | None:
    folder = cache_dir()
    return folder / f"table-{key}.npz" if folder else None


def load(key: str, root: Path) -> IOTable | None:
    """The cached table for ``key`` (paths re-rooted at ``root``), or None."""
    entry = _entry(key)
    if entry is None or not entry.is_file():
        return None
    try:
        with np.load(entry, allow_pickle=False) as npz:
            meta = json.loads(npz["__meta__"].tobytes().decode("utf-8"))
            if meta.get("key") != key or meta.get("format") != FORMAT:
                raise ValueError("key mismatch")
            arrays = {k: npz[k] for k in npz.files if k != "__meta__"}
        fields = {k: _decode(v, arrays, root) for k, v in meta["fields"].items()}
        table = IOTable(**fields)
    except Exception:  # a truncated, foreign or outdated entry: drop it and parse again
        entry.unlink(missing_ok=True)
        return None
    with contextlib.suppress(OSError):
        os.utime(entry)  # most recently used
    return table


def store(key: str, root: Path, table: IOTable) -> None:
    """Keep ``table`` under ``key`` (best effort: any failure leaves the cache as it was)."""
    entry = _entry(key)
    if entry is None:
        return
    arrays: dict[str, Any] = {}
    try:
        fields = {
            f.name: _encode(getattr(table, f.name), f.name, arrays, root)
            for f in dataclasses.fields(table)
        }
    except _Uncacheable:
        return
    if sum(a.nbytes for a in arrays.values()) > MAX_ENTRY_BYTES:
        return
    meta = {"key": key, "format": FORMAT, "fields": fields}
    blob = np.frombuffer(json.dumps(meta, ensure_ascii=False).encode("utf-8"), dtype=np.uint8)
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".table-", suffix=".part", dir=entry.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                np.savez(fh, __meta__=blob, **arrays)
            os.replace(tmp, entry)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        _prune(entry.parent)
    except OSError:
        return


def _prune(folder: Path) -> None:
    """Keep the most recently used entries, at most :data:`MAX_ENTRIES` and
    :data:`MAX_TOTAL_BYTES`; drop half-written ones that an interrupted process left more than an
    hour ago."""
    entries = sorted(folder.glob("table-*.npz"), key=lambda p: p.stat().st_mtime, reverse=True)
    total = 0
    for k, entry in enumerate(entries):
        total += entry.stat().st_size
        if k >= MAX_ENTRIES or (k > 0 and total > MAX_TOTAL_BYTES):
            entry.unlink(missing_ok=True)
    for part in folder.glob(".table-*.part"):
        if time.time() - part.stat().st_mtime > 3600:
            part.unlink(missing_ok=True)
