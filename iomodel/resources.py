"""Where the shipped data lives: tables, scenarios and report assets, as package resources.

The folders ``tables/``, ``shocks/`` and ``reports/`` of the source tree are installed as the
package data ``iomodel.tables``, ``iomodel.shocks`` and ``iomodel.reports`` (see
``[tool.setuptools]`` in pyproject.toml), so a wheel install finds them through
:mod:`importlib.resources` exactly as an editable install or a checkout does.  ``IOMODEL_HOME``
points ``tables`` and ``shocks`` at another folder (one holding ``tables/`` and ``shocks/``).
"""

from __future__ import annotations

import importlib.resources
import os
from pathlib import Path
from typing import Literal

__all__ = ["home", "prices_dir", "reports_dir", "shipped", "shocks_dir", "tables_dir"]

Shipped = Literal["tables", "shocks", "reports"]
_SOURCE_ROOT = Path(__file__).resolve().parents[1]


def home() -> Path | None:
    """The folder ``IOMODEL_HOME`` names (holding ``tables/`` and ``shocks/``), if set."""
    value = os.environ.get("IOMODEL_HOME")
    return Path(value) if value else None


def shipped(name: Shipped) -> Path:
    """The installed folder of one kind of package data (a real directory on disk)."""
    try:
        root = importlib.resources.files(f"iomodel.{name}")
    except ModuleNotFoundError:  # a bare checkout on sys.path, not installed
        return _SOURCE_ROOT / name
    # a wheel or an editable install: a plain directory (zipped installs are not supported)
    return Path(str(root))


def tables_dir() -> Path:
    """Folder of the shipped tables (``IOMODEL_HOME``/tables when that is set)."""
    base = home()
    return base / "tables" if base else shipped("tables")


def shocks_dir() -> Path:
    """Folder of the shipped scenario files (``IOMODEL_HOME``/shocks when that is set)."""
    base = home()
    return base / "shocks" if base else shipped("shocks")


def prices_dir() -> Path:
    """Folder of the shipped price data."""
    return tables_dir() / "prices"


def reports_dir() -> Path:
    """Report assets: templates, CSS, fonts (with licence), translations."""
    return shipped("reports")
