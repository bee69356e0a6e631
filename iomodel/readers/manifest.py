"""``table.toml``: the manifest beside every table (what it is, where each block sits)."""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import TableError
from ..table import ClosureParameters, Roles, SignException, TableMeta, Tolerance

__all__ = ["Manifest", "parse_manifest", "read_manifest"]

_REQUIRED = ("name", "year", "currency", "unit", "price_basis", "source")  # id: the folder name
_ROLE_LISTS = ("value_added", "imports", "product_taxes", "production_taxes")
_CLOSURE_KEYS = ("income_tax_rate", "propensity_to_consume", "wage_share", "domestic_share")


@dataclass(frozen=True)
class Manifest:
    """A parsed table manifest."""

    meta: TableMeta
    format: str
    roles: Roles
    tolerance: Tolerance
    allow_negative: tuple[str, ...]
    closure: ClosureParameters
    raw: dict[str, Any]
    sign_exceptions: tuple[SignException, ...] = ()


def _as_list(where: Path | str, key: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [v.strip() for v in value.split(",") if v.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TableError(f"{where}: {key} must be a list of row names, got {value!r}")
    return tuple(value)


def _sign_exceptions(where: Path, value: Any) -> tuple[SignException, ...]:
    """``[[sign_exceptions]]``: cells that may be negative, each with row, column and reason."""
    if not isinstance(value, list):
        raise TableError(f"{where}: sign_exceptions must be an array of tables [[sign_exceptions]]")
    out = []
    for k, item in enumerate(value, start=1):
        if not isinstance(item, dict) or not all(
            isinstance(text := item.get(key), str) and text.strip()
            for key in ("row", "column", "reason")
        ):
            raise TableError(
                f"{where}: sign exception no. {k} needs row, column and reason (text), got {item!r}"
            )
        out.append(SignException(item["row"].strip(), item["column"].strip(), item["reason"]))
    return tuple(out)


def _number(where: Path, key: str, value: Any, fix: str) -> float:
    """A finite number (an int or float, or text holding one, as workbook cells may)."""
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            comma = "; write decimals with a point, not a comma" if "," in value else ""
            raise TableError(
                f"{where}: {key} must be a number, got {value!r}{comma} ({fix})"
            ) from None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TableError(f"{where}: {key} must be a number, got {value!r} ({fix})")
    if not math.isfinite(value):
        raise TableError(f"{where}: {key} must be a finite number, got {value!r} ({fix})")
    return float(value)


def _tolerance(where: Path, raw: Any) -> Tolerance:
    fix = "the allowed imbalance is absolute + relative·|output|, e.g. relative = 1e-6"
    if not isinstance(raw, dict):
        raise TableError(
            f"{where}: tolerance must be a table [tolerance] with keys relative and/or "
            f"absolute, got {raw!r} ({fix})"
        )
    unknown = sorted(set(raw) - {"relative", "absolute"})
    if unknown:
        raise TableError(f"{where}: tolerance has unknown key(s) {unknown}; use relative, absolute")
    values = {}
    for key, default in (("relative", 1e-6), ("absolute", 0.0)):
        value = _number(where, f"tolerance.{key}", raw.get(key, default), fix)
        if value < 0 or (key == "relative" and value >= 1):
            raise TableError(
                f"{where}: tolerance.{key} = {value:g} must be "
                + ("in [0, 1)" if key == "relative" else "≥ 0")
                + f" ({fix})"
            )
        values[key] = value
    # without a stated absolute allowance, gaps from rounding the published figures are allowed
    return Tolerance(**values, rounding="absolute" not in raw)


def parse_manifest(
    data: dict[str, Any], where: Path, files: tuple[Path, ...] = (), default_id: str | None = None
) -> Manifest:
    """Check a manifest dictionary and turn it into a :class:`Manifest`.

    ``default_id`` (the folder or workbook name) is the table's id when the manifest has none.
    """
    if "id" not in data and default_id:
        data = {"id": default_id, **data}
    missing = [k for k in ("id", *_REQUIRED) if k not in data]
    if missing:
        raise TableError(
            f"{where}: missing key(s) {', '.join(missing)}; table.toml needs "
            f"{', '.join(_REQUIRED)} (see README, 'Bring your own table')"
        )
    year = data["year"]
    if isinstance(year, str) and year.strip().isdigit():
        year = int(year)
    if isinstance(year, float) and year.is_integer():
        year = int(year)
    if isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 2200:
        raise TableError(f"{where}: year must be a year such as 2021, got {data['year']!r}")
    unit = _number(
        where,
        "unit",
        data["unit"],
        f"the value of one table unit in {data.get('currency')!r}, e.g. 1e6 for millions",
    )
    if unit <= 0:
        raise TableError(
            f"{where}: unit must be positive (e.g. 1e6 for million roubles), got {unit}"
        )
    roles_raw = data.get("roles")
    if not isinstance(roles_raw, dict):
        raise TableError(
            f"{where}: a [roles] table is required (household_consumption, "
            "compensation, value_added, imports, product_taxes, production_taxes)"
        )
    for key in ("household_consumption", "compensation", *_ROLE_LISTS):
        if key not in roles_raw:
            raise TableError(f"{where}: roles.{key} is missing; name the row(s) or column it is")
    roles = Roles(
        household_consumption=str(roles_raw["household_consumption"]),
        compensation=str(roles_raw["compensation"]),
        **{k: _as_list(where, f"roles.{k}", roles_raw[k]) for k in _ROLE_LISTS},
    )
    tolerance = _tolerance(where, data.get("tolerance", {}))
    closure_raw = data.get("closure", {})
    if not isinstance(closure_raw, dict):
        raise TableError(f"{where}: closure must be a table [closure], got {closure_raw!r}")
    values: dict[str, Any] = {}
    for key in _CLOSURE_KEYS:
        if key in closure_raw:
            value = _number(where, f"closure.{key}", closure_raw[key], "a share in (0, 1]")
            if not 0 < value <= 1:
                raise TableError(f"{where}: closure.{key} = {value} must lie in (0, 1]")
            values[key] = value
    if "imputed_rent_file" in closure_raw:
        rent_file = where.parent / str(closure_raw["imputed_rent_file"])
        values.update(_imputed_rent_file(where, rent_file, year, unit, data, roles))
        closure_raw = {
            **closure_raw,
            "imputed_rent_source": f"{rent_file.name} (see its sources)",
            "imputed_rent_source_ru": f"{rent_file.name} (источники — в файле)",
        }
        files = (*files, rent_file)
    elif "imputed_rent" in closure_raw:
        values.update(_imputed_rent(where, closure_raw))
    sources = {
        k[: -len("_source")]: str(v) for k, v in closure_raw.items() if k.endswith("_source")
    }
    sources_ru = {
        k[: -len("_source_ru")]: str(v) for k, v in closure_raw.items() if k.endswith("_source_ru")
    }
    for key in (k for k in values if k != "imputed_rent_product"):
        if key not in sources:
            raise TableError(f'{where}: closure.{key} has no source; add {key}_source = "…"')
    meta = TableMeta(
        id=str(data["id"]),
        name=str(data["name"]),
        year=year,
        currency=str(data["currency"]),
        unit=unit,
        price_basis=str(data["price_basis"]),
        source=str(data["source"]),
        path=where,
        employment_unit=str(data.get("employment_unit", "persons")),
        files=files,
        source_ru=str(data.get("source_ru", "")),
    )
    return Manifest(
        meta=meta,
        format=str(data.get("format", "generic")),
        roles=roles,
        tolerance=tolerance,
        allow_negative=_as_list(where, "allow_negative", data.get("allow_negative", [])),
        closure=ClosureParameters(**values, sources=sources, sources_ru=sources_ru),
        raw=data,
        sign_exceptions=_sign_exceptions(where, data.get("sign_exceptions", [])),
    )


def read_manifest(path: Path) -> Manifest:
    """Read and check ``table.toml``."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TableError(
            f"{path}: no table.toml; every table folder needs one (see README)"
        ) from None
    except (IsADirectoryError, NotADirectoryError):
        raise TableError(f"{path}: not a file; table.toml must be a text file") from None
    except UnicodeDecodeError:
        raise TableError(f"{path}: not UTF-8 text; save table.toml as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise TableError(f"{path}: not valid TOML ({exc}); fix the syntax") from None
    return parse_manifest(data, path, (path,), default_id=path.parent.name)


def _imputed_rent(where: Path, closure: dict[str, Any]) -> dict[str, Any]:
    """``imputed_rent`` (table units, ≥ 0) inside household consumption of ``imputed_rent_product``."""
    value = closure["imputed_rent"]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1e300:
        raise TableError(
            f"{where}: closure.imputed_rent = {value!r} must be a non-negative number in table "
            "units (the imputed rent of owner-occupied dwellings inside household consumption)"
        )
    product = closure.get("imputed_rent_product")
    if not isinstance(product, str) or not product:
        raise TableError(
            f"{where}: closure.imputed_rent needs imputed_rent_product = the code of the product "
            'whose household consumption holds it (e.g. "68")'
        )
    return {"imputed_rent": float(value), "imputed_rent_product": product}


def _imputed_rent_file(
    where: Path, path: Path, year: int, unit: float, data: dict[str, Any], roles: Roles
) -> dict[str, Any]:
    """The imputed rent from its own data file, checked against the table it belongs to."""
    from .satellite import read_imputed_rent

    rent = read_imputed_rent(path)
    units = {"million RUB": 1e6, "thousand RUB": 1e3, "RUB": 1.0, "billion RUB": 1e9}
    if rent.unit not in units or str(data.get("currency")) != "RUB":
        raise TableError(
            f"{path}: unit {rent.unit!r} cannot be converted to the table's units "
            f"({data.get('currency')}); use one of {', '.join(units)} for a rouble table"
        )
    if rent.year != year or rent.consumption_column != roles.household_consumption:
        raise TableError(
            f"{path}: the imputed rent is for {rent.year}, column {rent.consumption_column}; "
            f"{where} is {year} with household consumption in {roles.household_consumption}"
        )
    return {
        "imputed_rent": rent.value * units[rent.unit] / unit,
        "imputed_rent_product": rent.product,
    }
