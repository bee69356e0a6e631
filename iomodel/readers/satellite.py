"""Satellite data beside the table: imputed rent and labour-productivity paths.

* ``tables/rosstat-2021/imputed_rent.toml`` — the imputed rent of owner-occupied dwellings, the
  part of household consumption of product 68 that no wage pays for;
* ``tables/productivity/labour_productivity.csv`` — real GVA per employed person by OKVED2
  section, 2021 = 1, for every year 2021–2060.

Both are checked when read; anything malformed raises :class:`~iomodel.errors.TableError`
naming the file, the key or line, and the fix.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import TableError

__all__ = [
    "KNOWN_SECTIONS",
    "REQUIRED_SECTIONS",
    "ImputedRent",
    "Source",
    "read_imputed_rent",
    "read_productivity",
]

#: OKVED2 section letters (A–U) and the economy-wide row.
KNOWN_SECTIONS: tuple[str, ...] = (*"ABCDEFGHIJKLMNOPQRSTU", "total")
#: The sections the Rosstat 2021 table uses (A–T; it has no U) and the economy-wide row.
REQUIRED_SECTIONS: tuple[str, ...] = (*"ABCDEFGHIJKLMNOPQRST", "total")

_RENT_KEYS = (
    "value",
    "unit",
    "year",
    "product",
    "consumption_column",
    "price_basis",
    "measure",
    "status",
)
_SOURCE_KEYS = ("publisher", "document", "table", "url", "date_read")
_STATUSES = ("published", "estimate")
_PRODUCTIVITY_COLUMNS = ["section", "year", "index"]


@dataclass(frozen=True)
class Source:
    """Where a figure was read: publisher, document, table or cell, address, date read."""

    publisher: str
    document: str
    table: str
    url: str
    date_read: str


@dataclass(frozen=True)
class ImputedRent:
    """Imputed rent of owner-occupied dwellings in one table year.

    ``value`` is in ``unit`` (million RUB for the shipped table); it is part of household
    consumption (``consumption_column``) of ``product``.  ``lower``/``upper`` bound the true
    figure where it is an estimate; ``alternative`` is an optional sensitivity value.
    """

    value: float
    unit: str
    year: int
    product: str
    consumption_column: str
    price_basis: str
    measure: str
    status: str
    derivation: str
    lower: float | None
    upper: float | None
    alternative: float | None
    sources: tuple[Source, ...]
    path: Path


def _number(where: str, key: str, value: Any, fix: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise TableError(f"{where}: {key} must be a finite number, got {value!r}; {fix}")
    return float(value)


def _optional_number(where: str, table: dict[str, Any], key: str, fix: str) -> float | None:
    return _number(where, key, table[key], fix) if key in table else None


def read_imputed_rent(path: str | Path) -> ImputedRent:
    """Read and check an imputed-rent file (``imputed_rent.toml``).

    Raises :class:`~iomodel.errors.TableError` when a key is missing, the value is not a
    positive number, it lies outside its bounds, an estimate has no derivation, or a source
    lacks publisher, document, table, url or date_read.
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TableError(f"{path}: no such file; give the path of imputed_rent.toml") from None
    except tomllib.TOMLDecodeError as exc:
        raise TableError(f"{path}: not valid TOML ({exc}); fix the syntax") from None
    rent = data.get("imputed_rent")
    if not isinstance(rent, dict):
        raise TableError(f"{path}: an [imputed_rent] table is required")
    where = f"{path} [imputed_rent]"
    missing = [k for k in _RENT_KEYS if k not in rent]
    if missing:
        raise TableError(f"{where}: missing key(s) {', '.join(missing)}; add them")
    value = _number(where, "value", rent["value"], "give the figure in `unit`")
    if value <= 0:
        raise TableError(f"{where}: value = {value} must be positive (million RUB)")
    if isinstance(rent["year"], bool) or not isinstance(rent["year"], int):
        raise TableError(f"{where}: year must be an integer, got {rent['year']!r}")
    status = str(rent["status"])
    if status not in _STATUSES:
        raise TableError(f"{where}: status = {status!r}; use one of {', '.join(_STATUSES)}")
    derivation = str(rent.get("derivation", "")).strip()
    if status == "estimate" and not derivation:
        raise TableError(f'{where}: an estimate needs a derivation = """…""" saying how')
    bounds = data.get("bounds", {})
    lower = _optional_number(f"{path} [bounds]", bounds, "lower", "or remove the key")
    upper = _optional_number(f"{path} [bounds]", bounds, "upper", "or remove the key")
    if (lower is not None and value < lower) or (upper is not None and value > upper):
        raise TableError(
            f"{where}: value = {value} lies outside [bounds] lower = {lower}, upper = {upper};"
            " correct the value or the bounds"
        )
    alternative = _optional_number(
        f"{path} [alternative]", data.get("alternative", {}), "value", "or remove the key"
    )
    sources_raw = data.get("sources")
    if not isinstance(sources_raw, list) or not sources_raw:
        raise TableError(f"{path}: at least one [[sources]] entry is required")
    sources = []
    for i, src in enumerate(sources_raw, start=1):
        absent = [k for k in _SOURCE_KEYS if not str(src.get(k, "")).strip()]
        if absent:
            raise TableError(
                f"{path} [[sources]] #{i}: missing {', '.join(absent)}; every source needs "
                f"{', '.join(_SOURCE_KEYS)} (write 'none recorded' for an unknown url)"
            )
        sources.append(Source(**{k: str(src[k]) for k in _SOURCE_KEYS}))
    return ImputedRent(
        value=value,
        unit=str(rent["unit"]),
        year=rent["year"],
        product=str(rent["product"]),
        consumption_column=str(rent["consumption_column"]),
        price_basis=str(rent["price_basis"]),
        measure=str(rent["measure"]),
        status=status,
        derivation=derivation,
        lower=lower,
        upper=upper,
        alternative=alternative,
        sources=tuple(sources),
        path=path,
    )


def read_productivity(
    path: str | Path,
    sections: Iterable[str] = REQUIRED_SECTIONS,
    first_year: int = 2021,
    last_year: int = 2060,
) -> pd.DataFrame:
    """Read and check a labour-productivity file (``labour_productivity.csv``).

    The file is long: columns ``section,year,index``, one row per section and year, with the
    index equal to 1 in ``first_year``.  Returns a wide frame: index ``section`` (in the order of
    ``sections``, then any further known sections), columns the years ``first_year`` …
    ``last_year`` as integers.

    Raises :class:`~iomodel.errors.TableError` naming the line for an unknown section code, a
    year that is not an integer, a missing, non-numeric or non-positive index, a repeated
    (section, year), a base-year index other than 1; and naming the section for missing
    sections or years.
    """
    path = Path(path)
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise TableError(f"{path}: no such file; give the path of the productivity CSV") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise TableError(f"{path}: cannot be parsed as CSV ({exc})") from None
    if list(raw.columns) != _PRODUCTIVITY_COLUMNS:
        raise TableError(
            f"{path}: the header must be {','.join(_PRODUCTIVITY_COLUMNS)}, "
            f"got {','.join(map(str, raw.columns))}"
        )
    line = raw.index + 2  # the header is line 1
    section = raw["section"].str.strip()
    unknown = ~section.isin(KNOWN_SECTIONS)
    if unknown.any():
        i = int(unknown.idxmax())
        raise TableError(
            f"{path}, line {line[i]}: section {section[i]!r} is not an OKVED2 section letter "
            "(A–U) or 'total'; correct the code"
        )
    year = pd.to_numeric(raw["year"].str.strip(), errors="coerce")
    bad_year = year.isna() | (year != year.round())
    if bad_year.any():
        i = int(bad_year.idxmax())
        raise TableError(f"{path}, line {line[i]}: year {raw['year'][i]!r} is not a whole year")
    value = pd.to_numeric(raw["index"].str.strip(), errors="coerce")
    bad_value = ~((value > 0) & np.isfinite(value))
    if bad_value.any():
        i = int(bad_value.idxmax())
        raise TableError(
            f"{path}, line {line[i]}: index {raw['index'][i]!r} for section {section[i]} in "
            f"{int(year[i])} must be a positive finite number; fill it in or correct it"
        )
    frame = pd.DataFrame({"section": section, "year": year.astype(int), "index": value})
    repeated = frame.duplicated(["section", "year"])
    if repeated.any():
        i = int(repeated.idxmax())
        raise TableError(
            f"{path}, line {line[i]}: section {section[i]} {int(year[i])} appears twice; "
            "keep one row per section and year"
        )
    wide = frame.pivot(index="section", columns="year", values="index")
    years = list(range(first_year, last_year + 1))
    required = list(sections)
    absent = [s for s in required if s not in wide.index]
    if absent:
        raise TableError(
            f"{path}: no rows for section(s) {', '.join(absent)}; every section needs "
            f"{first_year}–{last_year} (use the 'total' path where a section has no data)"
        )
    order = required + [s for s in KNOWN_SECTIONS if s in wide.index and s not in required]
    wide = wide.reindex(index=order, columns=years)
    for s, row in wide.iterrows():
        gaps = [y for y in years if pd.isna(row[y])]
        if gaps:
            raise TableError(
                f"{path}: section {s} has no index for {len(gaps)} year(s) "
                f"({', '.join(map(str, gaps[:5]))}{' …' if len(gaps) > 5 else ''}); "
                f"give every year {first_year}–{last_year}"
            )
    off_base = (wide[first_year] - 1.0).abs() > 1e-9
    if off_base.any():
        s = off_base.idxmax()
        i = int(frame.index[(frame["section"] == s) & (frame["year"] == first_year)][0])
        raise TableError(
            f"{path}, line {line[i]}: section {s} has index {wide.at[s, first_year]} in "
            f"{first_year}; the base year must be exactly 1 (divide the section's row by it)"
        )
    wide.index.name = "section"
    wide.columns.name = "year"
    return wide
