"""National-accounts series shipped in ``tables/national-accounts/`` (see its PROVENANCE.md)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..errors import TableError

__all__ = ["load_employment_by_section", "load_gva_by_section", "national_accounts_dir"]


def national_accounts_dir() -> Path:
    """Folder of the shipped national-accounts series."""
    from . import tables_dir

    return tables_dir() / "national-accounts"


def _read(path: Path, need: set[str]) -> pd.DataFrame:
    try:
        frame = pd.read_csv(path, dtype={"series": str, "section": str})
    except FileNotFoundError:
        raise TableError(f"{path}: national-accounts file not found") from None
    if not need <= set(frame.columns):
        raise TableError(f"{path}: needs columns {sorted(need)}")
    return frame


def load_gva_by_section(path: Path | None = None) -> pd.DataFrame:
    """Gross value added at current basic prices, bn RUB: rows series (OKVED2 sections A–T,
    ``GVA``, ``GDP``, ``D21-D31``), columns years (Rosstat, VDS_god_OKVED2, sheet 1)."""
    path = path or national_accounts_dir() / "gva_okved2_sections.csv"
    frame = _read(path, {"series", "year", "value_bn_rub"})
    return frame.pivot(index="series", columns="year", values="value_bn_rub")


def load_employment_by_section(path: Path | None = None) -> pd.DataFrame:
    """Average annual employed persons, thousands: rows OKVED2 sections A–S, columns years
    (Rosstat 05-05, 2017–2024)."""
    path = path or national_accounts_dir() / "employment_okved2_sections.csv"
    frame = _read(path, {"section", "year", "employed_thousand"})
    return frame.pivot(index="section", columns="year", values="employed_thousand")
