"""Scenario files (``shocks/<centre>.toml``) parsed and validated into typed, immutable objects.

The format is documented in ``shocks/TEMPLATE.toml`` and the README.  Every error is a
:class:`~iomodel.errors.ScenarioError` naming the file, the key and what to fix.
"""

from __future__ import annotations

import hashlib
import math
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ScenarioError

__all__ = [
    "COST_ITEMS",
    "EQUIPMENT",
    "PURPOSES",
    "Centre",
    "Construction",
    "Deposit",
    "Operation",
    "OutputProduct",
    "Scenario",
    "Source",
    "Variant",
    "load_scenarios",
]

PURPOSES = ("construction", "machinery", "electrical", "vehicles", "engineering", "other")
#: Purposes whose domestic share is set by a variant's equipment import share.
EQUIPMENT = ("machinery", "electrical")
#: Cost items bought from other products; the rest of the cost structure is primary inputs.
PURCHASES = ("energy", "fuel", "reagents", "spares", "transport", "services")
PRIMARY = ("wages", "taxes", "operating_surplus")
COST_ITEMS = PURCHASES + PRIMARY
CURRENCIES = ("RUB", "USD")
UNITS = {"mn": 1e6, "bn": 1e9}
SHARE_TOLERANCE = 1e-6


class _Node:
    """A TOML table with its file and key path, for exact error messages."""

    def __init__(self, data: Any, where: Path, key: str):
        if not isinstance(data, dict):
            raise ScenarioError(f"{where}: {key or 'the file'} must be a table, got {data!r}")
        self.data, self.where, self.key = data, where, key

    def path(self, name: str) -> str:
        return f"{self.key}.{name}" if self.key else name

    def fail(self, name: str, problem: str) -> ScenarioError:
        return ScenarioError(f"{self.where}: {self.path(name)} {problem}")

    def has(self, name: str) -> bool:
        return name in self.data

    def child(self, name: str, required: bool = True) -> _Node | None:
        if name not in self.data:
            if required:
                raise self.fail(name, "is missing; see shocks/TEMPLATE.toml")
            return None
        return _Node(self.data[name], self.where, self.path(name))

    def raw(self, name: str) -> Any:
        if name not in self.data:
            raise self.fail(name, "is missing; see shocks/TEMPLATE.toml")
        return self.data[name]

    def text(self, name: str, default: str | None = None) -> str:
        if name not in self.data and default is not None:
            return default
        value = self.raw(name)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(name, f"must be a non-empty string, got {value!r}")
        return value

    def texts(self, name: str, required: bool = True) -> tuple[str, ...]:
        if name not in self.data and not required:
            return ()
        value = self.raw(name)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(name, f"must be a list of strings, got {value!r}")
        return tuple(value)

    def number(
        self,
        name: str,
        lo: float | None = None,
        hi: float | None = None,
        default: float | None = None,
    ) -> float:
        if name not in self.data and default is not None:
            return default
        value = self.raw(name)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
            raise self.fail(name, f"must be a number, got {value!r}")
        if lo is not None and value < lo:
            raise self.fail(
                name,
                f"is {value}, below the minimum {lo}; "
                + ("amounts cannot be negative" if lo == 0 else "raise it"),
            )
        if hi is not None and value > hi:
            raise self.fail(name, f"is {value}, above the maximum {hi}")
        return float(value)

    def integer(self, name: str, lo: int | None = None, hi: int | None = None) -> int:
        value = self.raw(name)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(name, f"must be a whole number (a year), got {value!r}")
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            raise self.fail(name, f"is {value}, outside {lo}–{hi}")
        return value

    def choice(self, name: str, options: Iterable[str]) -> str:
        value = self.raw(name)
        options = tuple(options)
        if value not in options:
            raise self.fail(name, f"is {value!r}; choose one of {', '.join(options)}")
        return value

    def shares(
        self,
        keys: Iterable[str],
        exact: bool = True,
        total: float | None = 1.0,
    ) -> dict[str, float]:
        """A block of shares in [0, 1] with exactly ``keys`` (besides sources/estimate)."""
        keys = tuple(keys)
        given = {k for k in self.data if k not in ("sources", "estimate", "estimate_ru")}
        unknown = sorted(given - set(keys))
        if unknown:
            raise ScenarioError(
                f"{self.where}: {self.key} has unknown key(s) {unknown}; allowed: {', '.join(keys)}"
            )
        if exact:
            missing = [k for k in keys if k not in given]
            if missing:
                raise ScenarioError(
                    f"{self.where}: {self.key} lacks {', '.join(missing)}; give "
                    "every key (0 where none)"
                )
        out = {k: self.number(k, 0.0, 1.0) for k in keys if k in given}
        if total is not None and abs(sum(out.values()) - total) > SHARE_TOLERANCE:
            raise ScenarioError(
                f"{self.where}: {self.key} shares sum to {sum(out.values()):.6f}, "
                f"not {total:g}; adjust them so they add up to {total:g}"
            )
        return out

    def basis(self) -> tuple[tuple[str, ...], str]:
        """Sources and/or estimate of a block: at least one is required."""
        sources = self.texts("sources", required=False)
        estimate = self.data.get("estimate", "")
        if not isinstance(estimate, str):
            raise self.fail("estimate", "must be a string saying how the figures were derived")
        if not sources and not estimate.strip():
            raise ScenarioError(
                f"{self.where}: {self.key} has neither sources nor estimate; "
                "cite a source id or say how the figures were derived"
            )
        translation = self.data.get("estimate_ru", "")
        if not isinstance(translation, str) or (translation.strip() and not estimate.strip()):
            raise self.fail(
                "estimate_ru",
                "must be a string: the Russian text of `estimate` (give `estimate` too)",
            )
        return sources, estimate.strip()

    def estimate_ru(self) -> str:
        """Russian text of the block's estimate ('' when not given)."""
        return str(self.data.get("estimate_ru", "")).strip()

    def only(self, allowed: Iterable[str]) -> None:
        unknown = sorted(set(self.data) - set(allowed))
        if unknown:
            raise ScenarioError(
                f"{self.where}: {self.key or 'top level'} has unknown key(s) "
                f"{unknown}; allowed: {', '.join(sorted(allowed))}"
            )


@dataclass(frozen=True)
class Source:
    id: str
    text: str
    url: str = ""


@dataclass(frozen=True)
class Deposit:
    name_ru: str
    name_en: str
    commodities: tuple[str, ...]
    status_ru: str
    status_en: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Centre:
    id: str
    kind: str
    name_ru: str
    name_en: str
    federal_district_ru: str
    federal_district_en: str
    programme_federal_district_ru: str
    programme_federal_district_en: str
    regions_ru: tuple[str, ...]
    regions_en: tuple[str, ...]
    products_ru: tuple[str, ...]
    products_en: tuple[str, ...]
    confidence: str
    summary_ru: str
    summary_en: str
    sources: tuple[str, ...]
    deposits: tuple[Deposit, ...]


@dataclass(frozen=True)
class Construction:
    currency: str
    unit: float
    price_year: int
    start_year: int
    profile: tuple[float, ...]
    purposes: dict[str, float]
    domestic_share: dict[str, float]
    sources: tuple[str, ...]
    estimate: str
    estimate_ru: str = ""

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(range(self.start_year, self.start_year + len(self.profile)))


@dataclass(frozen=True)
class Variant:
    name: str
    description_ru: str
    description_en: str
    capex: float
    equipment_import_share: float
    output_scale: float
    sources: tuple[str, ...]
    estimate: str
    estimate_ru: str = ""


@dataclass(frozen=True)
class OutputProduct:
    name_ru: str
    name_en: str
    product: str
    value: float
    export_share: float
    quantity: float | None
    quantity_unit: str
    sources: tuple[str, ...]
    estimate: str
    estimate_ru: str = ""


@dataclass(frozen=True)
class Operation:
    start_year: int
    end_year: int
    ramp_up: tuple[float, ...]
    currency: str
    unit: float
    price_year: int
    jobs: float | None
    products: tuple[OutputProduct, ...]
    costs: dict[str, float] | None
    sources: tuple[str, ...]
    estimate: str
    estimate_ru: str = ""

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(range(self.start_year, self.end_year + 1))

    def utilisation(self, year: int) -> float:
        """Share of design output reached in ``year`` (ramp-up, then 1)."""
        k = year - self.start_year
        return self.ramp_up[k] if k < len(self.ramp_up) else 1.0


@dataclass(frozen=True)
class Scenario:
    """One centre's scenario file, validated.  Load with :meth:`Scenario.load`."""

    path: Path
    sha256: str
    centre: Centre
    construction: Construction
    variants: dict[str, Variant]
    operation: Operation | None
    sources: dict[str, Source]

    @property
    def id(self) -> str:
        return self.centre.id

    def shock(self, table, bridge, prices, variants: list[str] | None = None):
        """This scenario in table terms: see :func:`iomodel.shock.build_shock`."""
        from .shock import build_shock

        return build_shock(self, table, bridge, prices, variants)

    def demand(self, table, bridge, prices, variant: str = "central"):
        """Domestic final demand in table-year basic prices, table units.

        Returns an ``xarray.DataArray`` with dims (phase, year, product).  The imports that leak
        and the new activity's direct effects are on :meth:`shock`'s result.
        """
        shock = self.shock(table, bridge, prices, [variant])
        return shock.demand.sel(variant=variant, drop=True).rename(sector="product")

    @classmethod
    def load(cls, path: str | Path, max_price_year: int = 2025) -> Scenario:
        """Read and validate a scenario file; raise ScenarioError naming file, key and fix."""
        path = Path(path)
        try:
            blob = path.read_bytes()
        except FileNotFoundError:
            raise ScenarioError(f"{path}: scenario file not found") from None
        try:
            data = tomllib.loads(blob.decode("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ScenarioError(f"{path}: not valid UTF-8 TOML ({exc}); fix the syntax") from None
        return _parse(data, path, hashlib.sha256(blob).hexdigest(), max_price_year)


def _parse(data: dict, path: Path, sha: str, max_price_year: int) -> Scenario:
    top = _Node(data, path, "")
    top.only({"schema", "centre", "construction", "variants", "operation", "sources"})
    if top.raw("schema") != 1:
        raise top.fail("schema", f"is {data.get('schema')!r}; this iomodel reads schema 1")
    sources = _sources(top)
    centre = _centre(top.child("centre"), path)
    construction = _construction(top.child("construction"), max_price_year)
    variants = _variants(top.child("variants"))
    op_node = top.child("operation", required=False)
    operation = _operation(op_node, max_price_year, construction) if op_node else None
    known = set(sources)
    for where, ids in _cited(data):
        for source_id in ids:
            if source_id not in known:
                raise ScenarioError(
                    f"{path}: {where} cites source {source_id!r}, which is not in "
                    "[[sources]]; add it or correct the id"
                )
    return Scenario(
        path=path,
        sha256=sha,
        centre=centre,
        construction=construction,
        variants=variants,
        operation=operation,
        sources=sources,
    )


def _sources(top: _Node) -> dict[str, Source]:
    raw = top.raw("sources")
    if not isinstance(raw, list) or not raw:
        raise top.fail("sources", "must be a non-empty array of tables [[sources]] (id, text, url)")
    out: dict[str, Source] = {}
    for k, item in enumerate(raw):
        node = _Node(item, top.where, f"sources[{k}]")
        node.only({"id", "text", "url"})
        sid = node.text("id")
        if sid in out:
            raise node.fail("id", f"{sid!r} is used twice; source ids must be unique")
        out[sid] = Source(
            sid, node.text("text"), node.text("url", default="") if node.has("url") else ""
        )
    return out


def _centre(node: _Node, path: Path) -> Centre:
    fields = (
        "id",
        "kind",
        "name_ru",
        "name_en",
        "federal_district_ru",
        "federal_district_en",
        "programme_federal_district_ru",
        "programme_federal_district_en",
        "regions_ru",
        "regions_en",
        "products_ru",
        "products_en",
        "confidence",
        "summary_ru",
        "summary_en",
        "sources",
        "deposits",
    )
    node.only(fields)
    cid = node.text("id")
    if not re.fullmatch(r"[a-z0-9_]+", cid):
        raise node.fail("id", f"{cid!r} must use only a-z, 0-9 and _")
    if cid != path.stem and path.stem != "TEMPLATE":
        raise node.fail("id", f"{cid!r} must equal the file name ({path.stem!r})")
    deposits = []
    raw = node.raw("deposits")
    if not isinstance(raw, list) or not raw:
        raise node.fail("deposits", "must list at least one [[centre.deposits]]")
    for k, item in enumerate(raw):
        d = _Node(item, path, f"centre.deposits[{k}]")
        d.only({"name_ru", "name_en", "commodities", "status_ru", "status_en", "sources"})
        deposits.append(
            Deposit(
                d.text("name_ru"),
                d.text("name_en"),
                d.texts("commodities"),
                d.text("status_ru"),
                d.text("status_en"),
                d.texts("sources"),
            )
        )
    return Centre(
        id=cid,
        kind=node.choice("kind", ("centre", "object")),
        **{
            f: node.text(f)
            for f in (
                "name_ru",
                "name_en",
                "federal_district_ru",
                "federal_district_en",
                "programme_federal_district_ru",
                "programme_federal_district_en",
                "summary_ru",
                "summary_en",
            )
        },
        **{
            f: node.texts(f)
            for f in ("regions_ru", "regions_en", "products_ru", "products_en", "sources")
        },
        confidence=node.choice("confidence", ("high", "medium", "low")),
        deposits=tuple(deposits),
    )


def _money(node: _Node, max_price_year: int) -> tuple[str, float, int]:
    currency = node.choice("currency", CURRENCIES)
    unit = UNITS[node.choice("unit", tuple(UNITS))]
    if not node.has("price_year"):
        raise node.fail("price_year", "is missing; say which year's prices the amounts are in")
    price_year = node.integer("price_year", 2000, max_price_year)
    return currency, unit, price_year


def _construction(node: _Node, max_price_year: int) -> Construction:
    node.only(
        {
            "currency",
            "unit",
            "price_year",
            "price_basis",
            "start_year",
            "profile",
            "sources",
            "estimate",
            "estimate_ru",
            "purposes",
            "domestic_share",
        }
    )
    currency, unit, price_year = _money(node, max_price_year)
    node.choice("price_basis", ("purchasers",))
    start = node.integer("start_year", 2000, 2100)
    profile_raw = node.raw("profile")
    if not isinstance(profile_raw, list) or not profile_raw:
        raise node.fail("profile", "must be a non-empty list of yearly shares")
    profile = tuple(
        _Node({"v": v}, node.where, f"{node.path('profile')}[{k}]").number("v", 0, 1)
        for k, v in enumerate(profile_raw)
    )
    if abs(sum(profile) - 1) > SHARE_TOLERANCE:
        raise node.fail(
            "profile", f"sums to {sum(profile):.6f}, not 1; yearly shares of capex must add up to 1"
        )
    sources, estimate = node.basis()
    purposes_node = node.child("purposes")
    purposes_node.basis()
    purposes = purposes_node.shares(PURPOSES)
    domestic_node = node.child("domestic_share")
    domestic_node.basis()
    for key in EQUIPMENT:
        if domestic_node.has(key):
            raise domestic_node.fail(
                key, "is set by each variant's equipment_import_share; remove it here"
            )
    domestic = domestic_node.shares([p for p in PURPOSES if p not in EQUIPMENT], total=None)
    return Construction(
        currency,
        unit,
        price_year,
        start,
        profile,
        purposes,
        domestic,
        sources,
        estimate,
        node.estimate_ru(),
    )


def _variants(node: _Node) -> dict[str, Variant]:
    if not node.data:
        raise ScenarioError(f"{node.where}: [variants] is empty; give at least low, central, high")
    missing = [v for v in ("low", "central", "high") if v not in node.data]
    if missing:
        raise ScenarioError(
            f"{node.where}: variants {missing} are missing; every scenario has "
            "at least low, central and high"
        )
    out = {}
    for name in node.data:
        v = node.child(name)
        v.only(
            {
                "description_ru",
                "description_en",
                "capex",
                "equipment_import_share",
                "output_scale",
                "sources",
                "estimate",
                "estimate_ru",
            }
        )
        sources, estimate = v.basis()
        out[name] = Variant(
            name,
            v.text("description_ru"),
            v.text("description_en"),
            v.number("capex", 0.0),
            v.number("equipment_import_share", 0.0, 1.0),
            v.number("output_scale", 0.0, default=1.0),
            sources,
            estimate,
            v.estimate_ru(),
        )
    return out


def _operation(node: _Node, max_price_year: int, construction: Construction) -> Operation:
    node.only(
        {
            "start_year",
            "end_year",
            "ramp_up",
            "currency",
            "unit",
            "price_year",
            "jobs",
            "sources",
            "estimate",
            "estimate_ru",
            "products",
            "costs",
        }
    )
    currency, unit, price_year = _money(node, max_price_year)
    start = node.integer("start_year", 2000, 2100)
    end = node.integer("end_year", start, 2100)
    ramp_raw = node.raw("ramp_up") if node.has("ramp_up") else []
    if not isinstance(ramp_raw, list):
        raise node.fail("ramp_up", "must be a list of shares of design output")
    ramp = tuple(
        _Node({"v": v}, node.where, f"{node.path('ramp_up')}[{k}]").number("v", 0, 1)
        for k, v in enumerate(ramp_raw)
    )
    jobs = node.number("jobs", 0.0) if node.has("jobs") else None
    sources, estimate = node.basis()
    raw = node.raw("products")
    if not isinstance(raw, list) or not raw:
        raise node.fail("products", "must list at least one [[operation.products]]")
    products = []
    for k, item in enumerate(raw):
        p = _Node(item, node.where, f"operation.products[{k}]")
        p.only(
            {
                "name_ru",
                "name_en",
                "product",
                "value",
                "quantity",
                "quantity_unit",
                "export_share",
                "sources",
                "estimate",
                "estimate_ru",
            }
        )
        psources, pestimate = p.basis()
        products.append(
            OutputProduct(
                p.text("name_ru"),
                p.text("name_en"),
                p.text("product"),
                p.number("value", 0.0),
                p.number("export_share", 0.0, 1.0),
                p.number("quantity", 0.0) if p.has("quantity") else None,
                p.text("quantity_unit", default="") if p.has("quantity_unit") else "",
                psources,
                pestimate,
                p.estimate_ru(),
            )
        )
    costs = None
    cost_node = node.child("costs", required=False)
    if cost_node is not None:
        cost_node.basis()
        costs = cost_node.shares(COST_ITEMS)
    return Operation(
        start,
        end,
        ramp,
        currency,
        unit,
        price_year,
        jobs,
        tuple(products),
        costs,
        sources,
        estimate,
        node.estimate_ru(),
    )


def _cited(node: Any, key: str = "") -> Iterable[tuple[str, list]]:
    """Every ``sources`` list anywhere in the file except the top-level [[sources]]."""
    if isinstance(node, dict):
        for name, value in node.items():
            path = f"{key}.{name}" if key else name
            if name == "sources" and key and isinstance(value, list):
                yield path, [v for v in value if isinstance(v, str)]
            elif name != "sources" or key:
                yield from _cited(value, path)
    elif isinstance(node, list):
        for k, item in enumerate(node):
            yield from _cited(item, f"{key}[{k}]")


def load_scenarios(folder: Path, ids: Iterable[str] | None = None) -> list[Scenario]:
    """Load ``<folder>/<id>.toml`` for each id (all files except TEMPLATE when ``ids`` is None)."""
    if ids is None:
        paths = sorted(p for p in folder.glob("*.toml") if p.stem != "TEMPLATE")
    else:
        paths = []
        for cid in ids:
            p = folder / f"{cid}.toml"
            if not p.exists():
                known = sorted(q.stem for q in folder.glob("*.toml") if q.stem != "TEMPLATE")
                raise ScenarioError(
                    f"{p}: no scenario for centre {cid!r}; known: {', '.join(known)}"
                )
            paths.append(p)
    return [Scenario.load(p) for p in paths]
