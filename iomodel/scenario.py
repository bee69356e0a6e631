"""Scenario files (``shocks/<centre>.toml``) parsed and validated into typed, immutable objects.

The format is documented in ``shocks/TEMPLATE.toml`` and the README.  Every error is a
:class:`~iomodel.errors.ScenarioError` naming the file, the key and what to fix.
"""

from __future__ import annotations

import datetime
import hashlib
import math
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, overload

import numpy as np

from .categories import COST_ITEMS, EQUIPMENT, PURCHASES, PURPOSES, TAX_KINDS
from .errors import ScenarioError
from .fiscal import REGIMES
from .uncertainty.distributions import Dirichlet, Scalar, parse_scalar, parse_shares

__all__ = [
    "COST_ITEMS",
    "EQUIPMENT",
    "PURCHASES",
    "PURPOSES",
    "SCHEMA",
    "TAX_KINDS",
    "Centre",
    "Cluster",
    "ClusterDeposit",
    "Construction",
    "Deposit",
    "Feed",
    "Fiscal",
    "Localisation",
    "MineralExtractionTax",
    "Operation",
    "OtherTax",
    "OutputProduct",
    "PropertyTax",
    "RegionSplit",
    "RegionalAssumptions",
    "Scenario",
    "SharePath",
    "SharedItem",
    "Source",
    "Stage",
    "TaxLine",
    "Uncertainty",
    "Variant",
    "check_centre_ids",
    "load_scenarios",
]

SCHEMA = 2
CURRENCIES = ("RUB", "USD")
UNITS = {"mn": 1e6, "bn": 1e9}
SHARE_TOLERANCE = 1e-6

# Plausibility bounds: values that are legal but absurd, almost surely a slip (mn for bn, an
# extra digit, a pasted document).  Each is documented in the README ("Scenario bounds").
#: Capex ceiling per centre and variant, in currency units.  10 trillion RUB is about 40 % of
#: Russia's whole gross fixed capital formation in 2021 (25.96 trillion RUB at purchasers'
#: prices, sheets ТИцп/ТИоц of the shipped Rosstat 2021 table) and ~80× the largest shipped
#: centre; 135 bn USD is the same at the 2021 average rate (73.65 RUB/USD, tables/prices).
CAPEX_CEILING = {"RUB": 10e12, "USD": 135e9}
#: Longest construction profile, in years (the shipped centres build for 4–7 years).
MAX_CONSTRUCTION_YEARS = 30
#: Longest text of each kind, in characters (the longest shipped: derivations ~1,900, source
#: texts and summaries ~480, legal bases ~310, names ~110): names and labels; descriptions,
#: sources and legal bases; derivations.
MAX_TEXT = {"short": 300, "long": 5_000, "estimate": 50_000}
_LONG_TEXT = (
    *("summary_ru", "summary_en", "description_ru", "description_en", "status_ru", "status_en"),
    *("text", "text_ru", "url", "legal_basis", "legal_basis_ru"),
)
#: Centre ids: the file name in shocks/ without .toml.
CENTRE_ID = re.compile(r"[a-z0-9_]+")


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

    @overload
    def child(self, name: str, required: Literal[True] = True) -> _Node: ...

    @overload
    def child(self, name: str, required: bool) -> _Node | None: ...

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
            raise self.fail(name, f"must be a non-empty string, got {_short(value)}")
        return self._bounded(name, value)

    def texts(self, name: str, required: bool = True) -> tuple[str, ...]:
        if name not in self.data and not required:
            return ()
        value = self.raw(name)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(name, f"must be a list of strings, got {_short(value)}")
        return tuple(self._bounded(name, v) for v in value)

    def _bounded(self, name: str, value: str) -> str:
        kind = (
            "estimate" if name.startswith("estimate") else "long" if name in _LONG_TEXT else "short"
        )
        if len(value) > MAX_TEXT[kind]:
            raise self.fail(
                name,
                f"is {len(value):,} characters long, more than the {MAX_TEXT[kind]:,} allowed "
                "for it; shorten it (cite a source for the long version)",
            )
        return value

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
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(name, f"must be a number, got {_short(value)}")
        if not math.isfinite(value):
            raise self.fail(
                name, f"must be a finite number, got {value!r} (1e400 and beyond read as inf)"
            )
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
            raise self.fail(name, f"must be a whole number (a year), got {_short(value)}")
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            raise self.fail(name, f"is {value}, outside {lo}–{hi}")
        return value

    def choice(self, name: str, options: Iterable[str]) -> str:
        value = self.raw(name)
        options = tuple(options)
        if not isinstance(value, str) or value not in options:
            raise self.fail(name, f"is {_short(value)}; choose one of {', '.join(options)}")
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


def _short(value: Any, limit: int = 80) -> str:
    """``repr`` of a value cut to ``limit`` characters (an error message stays one line)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Source:
    """A cited source: ``text`` (English), ``text_ru`` (the same in Russian, shown in Russian
    reports; optional) and an address."""

    id: str
    text: str
    url: str = ""
    text_ru: str = ""


@dataclass(frozen=True)
class Deposit:
    name_ru: str
    name_en: str
    commodities: tuple[str, ...]
    status_ru: str
    status_en: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class RegionSplit:
    """Shares of a centre's activity by region id (``[centre.region_split]``), for centres in
    several regions.

    ``construction``: where the capex is spent (its purchases and on-site works);
    ``operation``: where the new activity runs (its output, value added, jobs, wages and
    purchases); ``extraction``: where the deposits are (the region that receives the mineral
    extraction tax), by default as ``operation``.  Each maps region ids
    (``tables/regional/regions.csv``) to shares that sum to 1; the ids must name the centre's
    ``regions_ru``/``regions_en`` (checked when the regional model runs).
    """

    construction: dict[str, float]
    operation: dict[str, float]
    extraction: dict[str, float]
    sources: tuple[str, ...]
    estimate: str
    estimate_ru: str = ""


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
    region_split: RegionSplit | None = None


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
    price_scale: float
    volume_scale: float
    sources: tuple[str, ...]
    estimate: str
    estimate_ru: str = ""


@dataclass(frozen=True)
class OutputProduct:
    id: str
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
class MineralExtractionTax:
    """НДПИ (Tax Code ch. 26): ``rate × multiplier × reduction(year)`` of the extracted mineral's
    value, taken as ``value_share`` of the output value of ``products`` (at the variant's price).

    ``reduction`` (e.g. art. 342.7's coefficient) applies for ``reduction_months`` tax periods
    (calendar months) from ``reduction_start`` (year, month); a year partly inside the period gets
    the month-weighted average coefficient.
    """

    name_ru: str
    name_en: str
    legal_basis: str
    products: tuple[str, ...]
    value_share: float
    rate: float
    multiplier: float
    reduction: float
    reduction_start: tuple[int, int] | None
    reduction_months: int
    sources: tuple[str, ...]
    estimate: str
    estimate_ru: str = ""
    legal_basis_ru: str = ""
    kind: Literal["mineral_extraction"] = "mineral_extraction"

    def coefficient(self, years: Sequence[int]) -> np.ndarray:
        """Effective rate on the extracted mineral's value in each of ``years``."""
        months = _months_inside(years, self.reduction_start, self.reduction_months)
        factor = (months * self.reduction + (12 - months)) / 12
        return self.rate * self.multiplier * factor


@dataclass(frozen=True)
class PropertyTax:
    """Corporate property tax (Tax Code ch. 30): ``rate`` × the average residual value of the
    taxable real estate, ``base_share`` of capex, each year's spending depreciated straight-line
    over ``useful_life`` years from when it is in use (see :meth:`residual`)."""

    name_ru: str
    name_en: str
    legal_basis: str
    rate: float
    base_share: float
    useful_life: float
    sources: tuple[str, ...]
    estimate: str
    estimate_ru: str = ""
    legal_basis_ru: str = ""
    kind: Literal["property"] = "property"

    def residual(self, years: Sequence[int], first_year: int) -> np.ndarray:
        """Residual value matrix R[t, v]: average value in year ``years[t]`` of one unit of capex
        spent in year ``years[v]``, as a share of it.

        Assets enter the tax base when both built and in use — from the later of their year of
        spending and ``first_year`` (the first year of operation); unfinished construction is
        not taxed.  Each vintage then depreciates straight-line (mid-year value).
        """
        y = np.asarray(years, dtype=float)
        t, v = y[:, None], y[None, :]
        start = np.maximum(v, first_year)
        value = np.clip(1.0 - (t - start + 0.5) / self.useful_life, 0.0, 1.0)
        return np.where((t >= start), value, 0.0)


@dataclass(frozen=True)
class OtherTax:
    """Any other tax on production as ``rate`` × output value at design volume and base prices
    (it follows volume and the ramp-up, not the price)."""

    name_ru: str
    name_en: str
    legal_basis: str
    rate: float
    products: tuple[str, ...]
    sources: tuple[str, ...]
    estimate: str
    estimate_ru: str = ""
    legal_basis_ru: str = ""
    kind: Literal["other"] = "other"


TaxLine = MineralExtractionTax | PropertyTax | OtherTax


def _months_inside(years: Sequence[int], start: tuple[int, int] | None, months: int) -> np.ndarray:
    """Number of months of each calendar year inside [start, start + months)."""
    ys = np.asarray(years, dtype=int)
    if start is None or months <= 0:
        return np.zeros(ys.shape)
    first = start[0] * 12 + start[1] - 1
    last = first + months
    return np.clip(np.minimum(last, (ys + 1) * 12) - np.maximum(first, ys * 12), 0, 12)


@dataclass(frozen=True)
class Operation:
    """The production phase.

    ``costs`` are shares of output value at design volume and base prices (``price_scale`` 1):
    the six purchased items and wages.  ``taxes`` are the tax lines; operating surplus is the
    remainder.  ``jobs`` are direct jobs at design output; ``jobs_ramp_up`` the share of them in
    the first years (default: the output ramp-up).
    """

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
    taxes: tuple[TaxLine, ...] = ()
    jobs_ramp_up: tuple[float, ...] | None = None
    #: ``[operation.domestic_share]``: domestic-share paths of purchased cost items (None: the
    #: table's own domestic share of intermediate use, held).
    localisation: Localisation | None = None

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(range(self.start_year, self.end_year + 1))

    def utilisation(self, year: int) -> float:
        """Share of design output reached in ``year`` (ramp-up, then 1)."""
        k = year - self.start_year
        return self.ramp_up[k] if k < len(self.ramp_up) else 1.0

    def staffing(self, year: int) -> float:
        """Share of design direct jobs filled in ``year`` (``jobs_ramp_up``, else the output's)."""
        ramp = self.ramp_up if self.jobs_ramp_up is None else self.jobs_ramp_up
        k = year - self.start_year
        return ramp[k] if k < len(ramp) else 1.0


@dataclass(frozen=True)
class Fiscal:
    """The optional ``[fiscal]`` block: preferential tax regime and northern pay.

    ``regime`` is the regime the scenario assumes the operator holds (``"none"``, ``"arctic"``,
    ``"tor"``: ``tables/fiscal/preferences.toml``); ``eligible`` the one it could hold (a run
    can apply it, ``preferences="eligible"``); ``regime_start`` the first tax period the regime
    applies to; ``northern_share`` the share of the new activity's wage bill paid as district
    coefficients and northern supplements (taxed on their own PIT scale).
    """

    regime: str = "none"
    eligible: str = "none"
    regime_start: int | None = None
    northern_share: float = 0.0
    sources: tuple[str, ...] = ()
    estimate: str = ""
    estimate_ru: str = ""

    def applied(self, preferences: str = "scenario") -> str:
        """The regime a run applies: the assumed one, or with ``"eligible"`` the eligible one."""
        if preferences not in ("scenario", "eligible"):
            raise ValueError(f"preferences must be 'scenario' or 'eligible', not {preferences!r}")
        return self.eligible if preferences == "eligible" else self.regime


@dataclass(frozen=True)
class RegionalAssumptions:
    """What the regional model needs beyond location quotients (``[regional]``, optional).

    ``nonresident_construction`` / ``nonresident_operation``: share of the workers of the
    on-site works (construction) and of the new activity (operation) who live outside the
    centre's regions (fly-in/fly-out, вахта): that share of their wages is spent in the rest of
    Russia.  ``onsite``: products the centre buys that are produced where they are used (its
    construction works), all bought in the region; None means the table's products of OKVED2
    section F.  ``made_outside``: products the centre's regions do not make (bought elsewhere
    in Russia or abroad, by the region's other producers too).  Defaults when the block is
    absent: no non-residents, section F on site, nothing declared made outside.
    """

    nonresident_construction: float
    nonresident_operation: float
    onsite: tuple[str, ...] | None
    made_outside: tuple[str, ...]
    sources: tuple[str, ...]
    estimate: str
    estimate_ru: str = ""


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
    #: ``[[stages]]``: processing stages above the base case, in file order (issue 12).
    stages: tuple[Stage, ...] = ()
    #: ``[cluster]``: the deposits, the infrastructure they share, and what each would need alone.
    cluster: Cluster | None = None
    fiscal: Fiscal = Fiscal()
    regional: RegionalAssumptions | None = None
    #: ``[uncertainty]``: distributions of the scenario's parameters (issue 15; None: defaults).
    uncertainty: Uncertainty | None = None

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
        except IsADirectoryError:
            raise ScenarioError(
                f"{path}: is a folder, not a scenario file; give a shocks/<id>.toml file"
            ) from None
        except PermissionError:
            raise ScenarioError(f"{path}: permission denied; make the file readable") from None
        except OSError as exc:
            raise ScenarioError(f"{path}: cannot be read ({exc.strerror})") from None
        try:
            data = tomllib.loads(blob.decode("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ScenarioError(f"{path}: not valid UTF-8 TOML ({exc}); fix the syntax") from None
        return _parse(data, path, hashlib.sha256(blob).hexdigest(), max_price_year)


def _parse(data: dict, path: Path, sha: str, max_price_year: int) -> Scenario:
    top = _Node(data, path, "")
    top.only(
        {
            "schema",
            "centre",
            "construction",
            "variants",
            "operation",
            "sources",
            "stages",
            "cluster",
            "fiscal",
            "regional",
            "uncertainty",
        }
    )
    if top.raw("schema") == 1:
        raise top.fail(
            "schema",
            "is 1, an older format; this iomodel reads schema 2: in every variant replace "
            "output_scale with price_scale (what a unit sells for) and volume_scale (how much is "
            "produced); in [operation.costs] drop taxes and operating_surplus and give the taxes "
            "as [[operation.taxes]] lines (operating surplus is the remainder); give every "
            "[[operation.products]] an id — see shocks/TEMPLATE.toml",
        )
    if top.raw("schema") != SCHEMA:
        raise top.fail("schema", f"is {data.get('schema')!r}; this iomodel reads schema {SCHEMA}")
    sources = _sources(top)
    centre = _centre(top.child("centre"), path)
    construction = _construction(top.child("construction"), max_price_year)
    variants = _variants(top.child("variants"))
    op_node = top.child("operation", required=False)
    operation = _operation(op_node, max_price_year, tuple(variants)) if op_node else None
    _check_plausible(path, construction, variants, operation)
    stages = _stages(top, max_price_year, operation)
    cluster_node = top.child("cluster", required=False)
    cluster = _cluster(cluster_node, operation, construction.purposes) if cluster_node else None
    fiscal_node = top.child("fiscal", required=False)
    fiscal = _fiscal(fiscal_node, construction, operation) if fiscal_node else Fiscal()
    regional_node = top.child("regional", required=False)
    regional = _regional(regional_node) if regional_node else None
    block = top.child("uncertainty", required=False)
    uncertainty = _uncertainty(block, construction, variants, operation) if block else None
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
        stages=stages,
        cluster=cluster,
        fiscal=fiscal,
        regional=regional,
        uncertainty=uncertainty,
    )


def _fiscal(node: _Node, construction: Construction, operation: Operation | None) -> Fiscal:
    """The optional [fiscal] block (see :class:`Fiscal` and shocks/TEMPLATE.toml)."""
    node.only(
        {
            "regime",
            "eligible",
            "regime_start",
            "northern_share",
            "sources",
            "estimate",
            "estimate_ru",
        }
    )
    sources, estimate = node.basis()
    regime = node.choice("regime", REGIMES) if node.has("regime") else "none"
    eligible = node.choice("eligible", REGIMES) if node.has("eligible") else regime
    if regime != "none" and eligible != regime:
        raise node.fail(
            "eligible",
            f"is {eligible!r} but the scenario assumes regime {regime!r}; an assumed regime is "
            "the eligible one (remove `eligible` or make them equal)",
        )
    start = None
    last = operation.end_year if operation else max(construction.years)
    if regime != "none" or eligible != "none":
        if not node.has("regime_start"):
            raise node.fail(
                "regime_start",
                "is missing: give the first tax period (year) the regime applies to",
            )
        start = node.integer("regime_start", construction.start_year, last)
    elif node.has("regime_start"):
        raise node.fail("regime_start", "is only read with a regime or an eligible regime")
    return Fiscal(
        regime,
        eligible,
        start,
        node.number("northern_share", 0.0, 1.0, default=0.0),
        sources,
        estimate,
        node.estimate_ru(),
    )


#: Scenario parameters that may have a distribution in ``[uncertainty]``.
UNCERTAIN = (
    "capex",
    "equipment_import_share",
    "price_scale",
    "volume_scale",
    "jobs",
    "operating_localisation",
    "purposes",
    "costs",
)


@dataclass(frozen=True)
class Uncertainty:
    """``[uncertainty]``: the distributions a scenario declares for its parameters (the others
    take the defaults of ``tables/uncertainty.toml``), with their sources or derivation."""

    distributions: dict[str, Scalar | Dirichlet]
    sources: tuple[str, ...]
    estimate: str
    estimate_ru: str = ""


def _uncertainty(
    node: _Node, con: Construction, variants: dict[str, Variant], op: Operation | None
) -> Uncertainty:
    """Parse ``[uncertainty]``: each parameter's distribution must contain the central variant's
    value (the draws reproduce the central run when their spread is zero)."""
    node.only({*UNCERTAIN, "sources", "estimate", "estimate_ru"})
    sources, estimate = node.basis()
    central = variants["central"]
    ceiling = CAPEX_CEILING[con.currency] / con.unit
    scalars: dict[str, tuple[tuple[float, float], float | None]] = {
        "capex": ((0.0, ceiling), central.capex),
        "equipment_import_share": ((0.0, 1.0), central.equipment_import_share),
        "price_scale": ((0.0, math.inf), central.price_scale),
        "volume_scale": ((0.0, math.inf), central.volume_scale),
        "jobs": ((0.0, math.inf), op.jobs if op else None),
        "operating_localisation": ((0.0, 1.0), 0.5),
    }
    out: dict[str, Scalar | Dirichlet] = {}
    for key, spec in node.data.items():
        if key not in UNCERTAIN:
            continue
        where = f"{node.where}: {node.path(key)}"
        if key in ("jobs", "costs", "operating_localisation") and op is None:
            raise node.fail(key, "needs an [operation] block")
        if key == "jobs" and op is not None and op.jobs is None:
            raise node.fail(key, "needs [operation] jobs (the central figure it varies around)")
        if key == "costs" and op is not None and op.costs is None:
            raise node.fail(key, "needs [operation.costs] (the shares it varies around)")
        if key == "purposes":
            out[key] = parse_shares(spec, where, ScenarioError, [con.purposes[p] for p in PURPOSES])
        elif key == "costs":
            assert op is not None and op.costs is not None
            stated = [op.costs.get(c, 0.0) for c in COST_ITEMS]
            out[key] = parse_shares(spec, where, ScenarioError, [*stated, 1.0 - sum(stated)])
        else:
            bounds, centre = scalars[key]
            out[key] = parse_scalar(spec, where, ScenarioError, bounds, centre)
    return Uncertainty(out, sources, estimate, node.estimate_ru())


def _check_plausible(
    path: Path, construction: Construction, variants: dict[str, Variant], op: Operation | None
) -> None:
    """Bounds across blocks: capex below the ceiling, an operation that fits its own horizon
    and follows the construction."""
    ceiling = CAPEX_CEILING[construction.currency]
    for name, variant in variants.items():
        if not CENTRE_ID.fullmatch(name):  # it becomes part of report file names
            raise ScenarioError(f"{path}: variant name {_short(name)} must use only a-z, 0-9 and _")
        amount = variant.capex * construction.unit
        if amount > ceiling:
            raise ScenarioError(
                f"{path}: variants.{name}.capex is {variant.capex:g} "
                f"{_unit_name(construction.unit)} {construction.currency} = {amount:.3g}, above "
                f"the ceiling of {ceiling:.3g} {construction.currency} per centre (README, "
                "'Scenario bounds'); check the unit (mn or bn) and the figure"
            )
    if op is None:
        return
    first_build = construction.start_year
    if op.end_year < first_build:
        raise ScenarioError(
            f"{path}: operation.end_year {op.end_year} is before construction.start_year "
            f"{first_build}; an operation cannot end before anything is built"
        )
    if op.start_year < first_build:
        raise ScenarioError(
            f"{path}: operation.start_year {op.start_year} is before construction.start_year "
            f"{first_build}; operation starts once something is built"
        )
    years = op.end_year - op.start_year + 1
    if len(op.ramp_up) > years:
        raise ScenarioError(
            f"{path}: operation.ramp_up lists {len(op.ramp_up)} years but the operation lasts "
            f"{years} ({op.start_year}–{op.end_year}); shorten ramp_up or extend end_year"
        )


def _unit_name(unit: float) -> str:
    return next((k for k, v in UNITS.items() if v == unit), f"{unit:g}")


def _sources(top: _Node) -> dict[str, Source]:
    raw = top.raw("sources")
    if not isinstance(raw, list) or not raw:
        raise top.fail("sources", "must be a non-empty array of tables [[sources]] (id, text, url)")
    out: dict[str, Source] = {}
    for k, item in enumerate(raw):
        node = _Node(item, top.where, f"sources[{k}]")
        node.only({"id", "text", "text_ru", "url"})
        sid = node.text("id")
        if sid in out:
            raise node.fail("id", f"{sid!r} is used twice; source ids must be unique")
        out[sid] = Source(
            sid,
            node.text("text"),
            node.text("url", default="") if node.has("url") else "",
            node.text("text_ru") if node.has("text_ru") else "",
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
        "region_split",
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
        name_ru=node.text("name_ru"),
        name_en=node.text("name_en"),
        federal_district_ru=node.text("federal_district_ru"),
        federal_district_en=node.text("federal_district_en"),
        programme_federal_district_ru=node.text("programme_federal_district_ru"),
        programme_federal_district_en=node.text("programme_federal_district_en"),
        regions_ru=node.texts("regions_ru"),
        regions_en=node.texts("regions_en"),
        products_ru=node.texts("products_ru"),
        products_en=node.texts("products_en"),
        confidence=node.choice("confidence", ("high", "medium", "low")),
        summary_ru=node.text("summary_ru"),
        summary_en=node.text("summary_en"),
        sources=node.texts("sources"),
        deposits=tuple(deposits),
        region_split=_region_split(node.child("region_split", required=False)),
    )


def _region_shares(node: _Node, key: str) -> dict[str, float]:
    """A table of region id = share, shares in [0, 1] summing to 1."""
    raw = node.raw(key)
    if not isinstance(raw, dict) or not raw:
        raise node.fail(key, "must be a table of region id = share, e.g. { murmansk = 1.0 }")
    child = _Node(raw, node.where, node.path(key))
    for rid in raw:
        if not re.fullmatch(r"[a-z][a-z0-9_]*", rid):
            raise child.fail(
                rid, "is not a region id; use the ids of tables/regional/regions.csv (murmansk …)"
            )
    shares = {rid: child.number(rid, 0.0, 1.0) for rid in raw}
    if abs(sum(shares.values()) - 1) > SHARE_TOLERANCE:
        raise node.fail(
            key, f"shares sum to {sum(shares.values()):.6f}, not 1; make them add up to 1"
        )
    return shares


def _region_split(node: _Node | None) -> RegionSplit | None:
    if node is None:
        return None
    node.only({"construction", "operation", "extraction", "sources", "estimate", "estimate_ru"})
    sources, estimate = node.basis()
    operation = _region_shares(node, "operation")
    return RegionSplit(
        construction=_region_shares(node, "construction"),
        operation=operation,
        extraction=_region_shares(node, "extraction") if node.has("extraction") else operation,
        sources=sources,
        estimate=estimate,
        estimate_ru=node.estimate_ru(),
    )


def _regional(node: _Node) -> RegionalAssumptions:
    node.only({"nonresident_share", "onsite", "made_outside", "sources", "estimate", "estimate_ru"})
    sources, estimate = node.basis()
    shares = node.child("nonresident_share")
    assert shares is not None
    phi = shares.shares(("construction", "operation"), total=None)
    onsite = node.texts("onsite") if node.has("onsite") else None
    outside = node.texts("made_outside", required=False)
    both = sorted(set(onsite or ()) & set(outside))
    if both:
        raise node.fail(
            "made_outside",
            f"lists {both}, also in onsite; a product is either made on site or outside",
        )
    return RegionalAssumptions(
        phi["construction"],
        phi["operation"],
        onsite,
        outside,
        sources,
        estimate,
        node.estimate_ru(),
    )


def _money(node: _Node, max_price_year: int) -> tuple[str, float, int]:
    currency = node.choice("currency", CURRENCIES)
    unit = UNITS[node.choice("unit", tuple(UNITS))]
    if not node.has("price_year"):
        raise node.fail("price_year", "is missing; say which year's prices the amounts are in")
    price_year = node.integer("price_year", 2000, max_price_year)
    return currency, unit, price_year


def _construction(node: _Node, max_price_year: int, extra: frozenset = frozenset()) -> Construction:
    node.only(
        extra
        | {
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
    if len(profile_raw) > MAX_CONSTRUCTION_YEARS:
        raise node.fail(
            "profile",
            f"spans {len(profile_raw)} years, more than the {MAX_CONSTRUCTION_YEARS} allowed "
            "(README, 'Scenario bounds'); give one share per construction year",
        )
    if start + len(profile_raw) - 1 > 2100:
        raise node.fail("profile", f"runs to {start + len(profile_raw) - 1}, past 2100; shorten it")
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
        if v.has("output_scale"):
            raise v.fail(
                "output_scale",
                "is no longer read: it mixed price and volume. Give price_scale (what a unit "
                "sells for, relative to the products' value) and volume_scale (how much is "
                "produced, relative to design output) instead",
            )
        v.only(
            {
                "description_ru",
                "description_en",
                "capex",
                "equipment_import_share",
                "price_scale",
                "volume_scale",
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
            v.number("price_scale", 0.0),
            v.number("volume_scale", 0.0),
            sources,
            estimate,
            v.estimate_ru(),
        )
    return out


def _operation(
    node: _Node, max_price_year: int, variants: tuple[str, ...], stage: bool = False
) -> Operation:
    """The base case's ``[operation]`` or, with ``stage``, a stage's (feeds allowed, costs
    required, no domestic-share paths: the centre's apply)."""
    node.only(
        ({"feeds"} if stage else {"domestic_share"})
        | {
            "start_year",
            "end_year",
            "ramp_up",
            "jobs_ramp_up",
            "currency",
            "unit",
            "price_year",
            "jobs",
            "sources",
            "estimate",
            "estimate_ru",
            "products",
            "costs",
            "taxes",
        }
    )
    currency, unit, price_year = _money(node, max_price_year)
    start = node.integer("start_year", 2000, 2100)
    end = node.integer("end_year", start, 2100)
    ramp = _share_list(node, "ramp_up")
    jobs_ramp = _share_list(node, "jobs_ramp_up") if node.has("jobs_ramp_up") else None
    jobs = node.number("jobs", 0.0) if node.has("jobs") else None
    sources, estimate = node.basis()
    raw = node.raw("products")
    if not isinstance(raw, list) or not raw:
        raise node.fail("products", "must list at least one [[operation.products]]")
    products: list[OutputProduct] = []
    for k, item in enumerate(raw):
        p = _Node(item, node.where, node.path(f"products[{k}]"))
        p.only(
            {
                "id",
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
        pid = p.text("id")
        if not re.fullmatch(r"[a-z0-9_]+", pid):
            raise p.fail("id", f"{pid!r} must use only a-z, 0-9 and _")
        if any(q.id == pid for q in products):
            raise p.fail("id", f"{pid!r} is used twice; product ids must be unique")
        psources, pestimate = p.basis()
        products.append(
            OutputProduct(
                pid,
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
    if stage and cost_node is None:
        raise node.fail("costs", "is missing: a stage needs its own cost structure")
    if cost_node is not None:
        for key, why in (
            (
                "taxes",
                "give the taxes as [[operation.taxes]] lines (kind mineral_extraction, "
                "property or other) with their legal basis",
            ),
            (
                "operating_surplus",
                "operating surplus is now the remainder of output value after "
                "purchases, wages and the [[operation.taxes]] lines; remove it",
            ),
        ):
            if cost_node.has(key):
                raise cost_node.fail(key, f"is no longer read: {why}")
        cost_node.basis()
        costs = cost_node.shares(COST_ITEMS, total=None)
        if sum(costs.values()) >= 1:
            raise ScenarioError(
                f"{node.where}: {node.path('costs')} (purchases and wages) sum to "
                f"{sum(costs.values()):.4f} of output value; they must leave room for taxes and "
                "operating surplus (sum below 1)"
            )
    ids = tuple(p.id for p in products)
    taxes = _tax_lines(node, ids)
    if taxes and costs is None:
        raise node.fail(
            "taxes",
            "needs [operation.costs]: without a cost structure the product's table column, "
            "taxes included, is used; give the costs or remove the tax lines",
        )
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
        taxes,
        jobs_ramp,
        _localisation(node.child("domestic_share"), variants)
        if node.has("domestic_share")
        else None,
    )


def _share_list(node: _Node, key: str) -> tuple[float, ...]:
    raw = node.raw(key) if node.has(key) else []
    if not isinstance(raw, list):
        raise node.fail(key, "must be a list of shares of design output, one per year")
    return tuple(
        _Node({"v": v}, node.where, f"{node.path(key)}[{k}]").number("v", 0, 1)
        for k, v in enumerate(raw)
    )


_TAX_KEYS = {
    "mineral_extraction": {
        "products",
        "value_share",
        "rate",
        "multiplier",
        "reduction",
        "reduction_start",
        "reduction_months",
    },
    "property": {"rate", "base_share", "useful_life"},
    "other": {"rate", "products"},
}


def _tax_lines(node: _Node, product_ids: tuple[str, ...]) -> tuple[TaxLine, ...]:
    if not node.has("taxes"):
        return ()
    raw = node.raw("taxes")
    if not isinstance(raw, list):
        raise node.fail("taxes", "must be an array of tables [[operation.taxes]]")
    lines: list[TaxLine] = []
    for k, item in enumerate(raw):
        t = _Node(item, node.where, node.path(f"taxes[{k}]"))
        kind = t.choice("kind", TAX_KINDS)
        common = {
            "kind",
            "name_ru",
            "name_en",
            "legal_basis",
            "legal_basis_ru",
            "sources",
            "estimate",
            "estimate_ru",
        }
        t.only(common | _TAX_KEYS[kind])
        sources, estimate = t.basis()
        head: dict[str, Any] = {
            "name_ru": t.text("name_ru"),
            "name_en": t.text("name_en"),
            "legal_basis": t.text("legal_basis"),
        }
        basis_ru = t.text("legal_basis_ru", default="") if t.has("legal_basis_ru") else ""
        tail: dict[str, Any] = {
            "sources": sources,
            "estimate": estimate,
            "estimate_ru": t.estimate_ru(),
            "legal_basis_ru": basis_ru,
        }
        if kind == "mineral_extraction":
            products = _product_refs(t, product_ids, required=True)
            reduction = t.number("reduction", 0.0, 1.0, default=1.0)
            start, months = None, 0
            if t.has("reduction") and reduction != 1.0:
                start = _year_month(t, "reduction_start")
                months = t.integer("reduction_months", 1, 1200)
            elif t.has("reduction_start") or t.has("reduction_months"):
                raise t.fail("reduction", "is needed with reduction_start and reduction_months")
            lines.append(
                MineralExtractionTax(
                    **head,
                    products=products,
                    value_share=t.number("value_share", 0.0, 1.0),
                    rate=t.number("rate", 0.0, 1.0),
                    multiplier=t.number("multiplier", 0.0, 100.0, default=1.0),
                    reduction=reduction,
                    reduction_start=start,
                    reduction_months=months,
                    **tail,
                )
            )
        elif kind == "property":
            lines.append(
                PropertyTax(
                    **head,
                    rate=t.number("rate", 0.0, 1.0),
                    base_share=t.number("base_share", 0.0, 1.0),
                    useful_life=_positive(t, "useful_life", 200.0),
                    **tail,
                )
            )
        else:
            lines.append(
                OtherTax(
                    **head,
                    rate=t.number("rate", 0.0, 1.0),
                    products=_product_refs(t, product_ids, required=False),
                    **tail,
                )
            )
    return tuple(lines)


def _positive(node: _Node, key: str, hi: float) -> float:
    value = node.number(key, 0.0, hi)
    if value <= 0:
        raise node.fail(key, f"is {value}; it must be above 0")
    return value


def _product_refs(node: _Node, ids: tuple[str, ...], required: bool) -> tuple[str, ...]:
    """Product ids a tax line applies to (all products when optional and not given)."""
    if not node.has("products"):
        if required:
            raise node.fail("products", "is missing: list the ids of the products it applies to")
        return ids
    refs = node.texts("products")
    unknown = [r for r in refs if r not in ids]
    if unknown or not refs:
        raise node.fail(
            "products",
            f"names {unknown or 'nothing'}; use ids of [[operation.products]]: {', '.join(ids)}",
        )
    return refs


def _year_month(node: _Node, key: str) -> tuple[int, int]:
    """A TOML date (2028-01-01) or "YYYY-MM" string → (year, month)."""
    value = node.raw(key)
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        if value.day != 1:
            raise node.fail(key, f"is {value}; tax periods are calendar months — use day 01")
        return value.year, value.month
    if isinstance(value, str) and re.fullmatch(r"(19|20|21)\d\d-(0[1-9]|1[0-2])", value):
        return int(value[:4]), int(value[5:])
    raise node.fail(key, f'must be a month like 2028-01-01 or "2028-01", got {value!r}')


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


def check_centre_ids(ids: Iterable[str]) -> list[str]:
    """``ids`` as a list, after checking each is a centre id (never a path) named once."""
    out: list[str] = []
    for cid in ids:
        if not isinstance(cid, str) or not CENTRE_ID.fullmatch(cid):
            raise ScenarioError(
                f"{_short(cid)}: a centre is named by its id (a-z, 0-9 and _: the name of its "
                "file in shocks/ without .toml, e.g. kola), not by a path"
            )
        if cid in out:
            raise ScenarioError(f"{cid}: centre named twice; name each centre once")
        out.append(cid)
    return out


def load_scenarios(folder: Path, ids: Iterable[str] | None = None) -> list[Scenario]:
    """Load ``<folder>/<id>.toml`` for each id (all files except TEMPLATE when ``ids`` is None).

    Ids are centre ids, never paths, each named once (:func:`check_centre_ids`).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ScenarioError(f"{folder}: no such folder of scenario files")
    if ids is None:
        paths = sorted(p for p in folder.glob("*.toml") if p.stem != "TEMPLATE")
    else:
        paths = []
        for cid in check_centre_ids(ids):
            p = folder / f"{cid}.toml"
            if not p.exists():
                known = sorted(q.stem for q in folder.glob("*.toml") if q.stem != "TEMPLATE")
                raise ScenarioError(
                    f"{p}: no scenario for centre {cid!r}; known: {', '.join(known)}"
                )
            paths.append(p)
    return [Scenario.load(p) for p in paths]


# -------------------------------------------------------------------------------------------------
# Issue 12: localisation of operating purchases, processing stages, cluster versus standalone
# -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SharePath:
    """Domestic share of one purchased cost item by year.

    ``points`` are (year, share) pairs joined linearly, flat before the first and after the last;
    a share of ``None`` stands for the table's own domestic share of the item (``"table"`` in the
    file), so a path can start from today's mix and move to a target.
    """

    points: tuple[tuple[int, float | None], ...]

    def values(self, years: Sequence[int], table_share: float) -> np.ndarray:
        """The item's domestic share in each of ``years``, ``table_share`` standing for None."""
        xs = np.array([y for y, _ in self.points], dtype=float)
        ys = np.array([table_share if s is None else s for _, s in self.points], dtype=float)
        return np.interp(np.asarray(years, dtype=float), xs, ys)


@dataclass(frozen=True)
class Localisation:
    """``[operation.domestic_share]``: for each variant, the domestic-share path of each
    purchased cost item it names (items not named keep the table's share).  The paths apply to
    every purchase of the centre, its processing stages included."""

    paths: dict[str, dict[str, SharePath]]
    sources: tuple[str, ...]
    estimate: str
    estimate_ru: str = ""

    def path(self, variant: str, item: str) -> SharePath | None:
        return self.paths.get(variant, {}).get(item)


@dataclass(frozen=True)
class Feed:
    """A product of the base case or of an earlier stage processed by a stage: ``share`` of its
    output goes into the stage instead of being sold."""

    product: str
    share: float


@dataclass(frozen=True)
class Stage:
    """A processing stage above the base case (``[[stages]]``).

    Its incremental capex (``capex`` in ``construction``'s currency, unit and price year; none
    for a stage at an existing plant) and its operation (products, cost structure, jobs, tax
    lines) come on top of the base case; ``feeds`` are the earlier products it processes.
    ``planned`` says whether the stage is a publicly planned project (sources) or the authors'
    estimate (labelled as such in ``estimate``).
    """

    id: str
    name_ru: str
    name_en: str
    planned: bool
    site_ru: str
    site_en: str
    capex: float
    construction: Construction | None
    operation: Operation
    feeds: tuple[Feed, ...]
    sources: tuple[str, ...]
    estimate: str
    estimate_ru: str = ""


@dataclass(frozen=True)
class ClusterDeposit:
    """A deposit of the cluster: its products, its own share of the centre's capex, and whether
    it would be developed as a standalone project (``standalone``; if not, ``reason_*`` says why
    — the programme's low-grade argument)."""

    id: str
    name_ru: str
    name_en: str
    products: tuple[str, ...]
    capex_share: float
    standalone: bool
    reason_ru: str
    reason_en: str
    sources: tuple[str, ...]
    estimate: str
    estimate_ru: str = ""


@dataclass(frozen=True)
class SharedItem:
    """Infrastructure the cluster builds once (power, road, rail spur, plant, shipping point).

    ``capex_share`` of the centre's capex; ``purposes`` its split by purpose (None: the centre's
    own split).  Standalone, each deposit among ``users`` builds ``w ** exponent`` of it, ``w``
    being its share of the users' output (the capacity-cost rule: 0.6 is the six-tenths rule, 0
    an item each project needs whole — a road to the railhead — and 1 one without economies of
    scale).
    """

    id: str
    name_ru: str
    name_en: str
    capex_share: float
    exponent: float
    users: tuple[str, ...]
    purposes: dict[str, float] | None
    sources: tuple[str, ...]
    estimate: str
    estimate_ru: str = ""


@dataclass(frozen=True)
class Cluster:
    """``[cluster]``: the centre's deposits and the infrastructure they share."""

    deposits: tuple[ClusterDeposit, ...]
    shared: tuple[SharedItem, ...]
    sources: tuple[str, ...]
    estimate: str
    estimate_ru: str = ""

    def standalone_shares(self, values: dict[str, float]) -> dict[str, float]:
        """Capex of each deposit developed alone, as a share of the cluster's capex: its own
        part plus ``w ** exponent`` of every shared item it uses, ``w`` its share of the users'
        output value (``values``: product id → design output value).

        The sum over all deposits is at least 1 (the cluster's capex) because ``w ** e >= w``
        for ``0 <= w <= 1`` and ``0 <= e <= 1``, and the ``w`` of an item sum to 1.
        """
        return {d.id: float(s) for d, s in zip(self.deposits, self._standalone(values).sum(1))}

    def _output(self, values: dict[str, float]) -> np.ndarray:
        return np.array([sum(values[p] for p in d.products) for d in self.deposits])

    def _standalone(self, values: dict[str, float]) -> np.ndarray:
        """(deposit, 1 + item) matrix: own share, then each item's standalone share."""
        out = np.zeros((len(self.deposits), 1 + len(self.shared)))
        out[:, 0] = [d.capex_share for d in self.deposits]
        value = self._output(values)
        ids = [d.id for d in self.deposits]
        for j, item in enumerate(self.shared):
            users = np.isin(ids, item.users)
            total = value[users].sum()
            w = np.where(users, value / total if total > 0 else 1.0 / users.sum(), 0.0)
            out[:, 1 + j] = np.where(users, item.capex_share * w**item.exponent, 0.0)
        return out

    def standalone(
        self, values: dict[str, float], purposes: dict[str, float]
    ) -> tuple[float, dict[str, float]]:
        """The standalone case: capex relative to the cluster's and its split by purpose.

        Deposits not developed alone (``standalone`` false) drop out with their own capex and
        their part of the infrastructure.  ``purposes`` is the centre's split; the deposits' own
        parts take what the shared items' splits leave of it.
        """
        parts = self._standalone(values)[[d.standalone for d in self.deposits]]
        keys = list(purposes)
        centre = np.array([purposes[k] for k in keys])
        items = np.array([[_item_purposes(i, purposes)[k] for k in keys] for i in self.shared])
        shares = np.array([i.capex_share for i in self.shared])
        own_total = 1.0 - shares.sum()
        own = (centre - shares @ items) / own_total if own_total > 0 else centre
        by_purpose = parts[:, 0].sum() * own + parts[:, 1:].sum(0) @ items
        ratio = float(by_purpose.sum())
        split = by_purpose / ratio if ratio > 0 else centre
        return ratio, {k: float(v) for k, v in zip(keys, split)}


def _item_purposes(item: SharedItem, purposes: dict[str, float]) -> dict[str, float]:
    return item.purposes if item.purposes is not None else purposes


def _localisation(node: _Node, variants: tuple[str, ...]) -> Localisation:
    sources, estimate = node.basis()
    paths: dict[str, dict[str, SharePath]] = {}
    for name in node.data:
        if name in ("sources", "estimate", "estimate_ru"):
            continue
        if name not in variants:
            raise node.fail(
                name, f"names no variant; give paths under variant names ({', '.join(variants)})"
            )
        items = node.child(name)
        unknown = sorted(set(items.data) - set(PURCHASES))
        if unknown:
            raise items.fail(
                unknown[0], f"is not a purchased cost item; use {', '.join(PURCHASES)}"
            )
        paths[name] = {item: _share_path(items, item) for item in items.data}
    if not paths:
        raise ScenarioError(
            f"{node.where}: {node.key} gives no paths; add e.g. [{node.key}.central] with "
            'spares = [[2021, "table"], [2030, 0.8]]'
        )
    return Localisation(paths, sources, estimate, node.estimate_ru())


def _share_path(node: _Node, item: str) -> SharePath:
    raw = node.raw(item)
    fix = 'give [[year, share], ...] with share a number in [0, 1] or "table"'
    if not isinstance(raw, list) or not raw:
        raise node.fail(item, f"must be a non-empty list of points; {fix}")
    points: list[tuple[int, float | None]] = []
    for k, point in enumerate(raw):
        where = f"{item}[{k}]"
        if not isinstance(point, list) or len(point) != 2:
            raise node.fail(where, f"is {point!r}; {fix}")
        year, share = point
        if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
            raise node.fail(where, f"has year {year!r}; a year 2000–2100 comes first")
        if points and year <= points[-1][0]:
            raise node.fail(where, f"has year {year} after {points[-1][0]}; years must rise")
        if share == "table":
            points.append((year, None))
            continue
        if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 <= share <= 1:
            raise node.fail(where, f"has share {share!r}; {fix}")
        points.append((year, float(share)))
    return SharePath(tuple(points))


def _stages(top: _Node, max_price_year: int, base: Operation | None) -> tuple[Stage, ...]:
    if not top.has("stages"):
        return ()
    raw = top.raw("stages")
    if not isinstance(raw, list) or not raw:
        raise top.fail("stages", "must be an array of tables [[stages]]")
    if base is None:
        raise top.fail("stages", "needs [operation]: a stage processes the base case's products")
    # product id → years its activity runs
    running = {p.id: set(base.years) for p in base.products}
    stages: list[Stage] = []
    for k, item in enumerate(raw):
        node = _Node(item, top.where, f"stages[{k}]")
        node.only(
            {
                *("id", "name_ru", "name_en", "planned", "site_ru", "site_en"),
                *("sources", "estimate", "estimate_ru", "construction", "operation"),
            }
        )
        sid = node.text("id")
        if not re.fullmatch(r"[a-z0-9_]+", sid) or any(s.id == sid for s in stages):
            raise node.fail("id", f"{sid!r} must be unique and use only a-z, 0-9 and _")
        planned = node.raw("planned")
        if not isinstance(planned, bool):
            raise node.fail("planned", "must be true (a publicly planned project) or false")
        sources, estimate = node.basis()
        if not planned and not estimate:
            raise node.fail("estimate", "is required for a stage not publicly planned")
        con_node = node.child("construction", required=False)
        capex, construction = 0.0, None
        if con_node is not None:
            construction = _construction(con_node, max_price_year, frozenset({"capex"}))
            capex = con_node.number("capex", 0.0)
            ceiling = CAPEX_CEILING[construction.currency]
            if capex * construction.unit > ceiling:
                raise con_node.fail(
                    "capex",
                    f"is {capex:g} {_unit_name(construction.unit)} {construction.currency}, above "
                    f"the ceiling of {ceiling:.3g} {construction.currency} (README, 'Scenario "
                    "bounds'); check the unit (mn or bn) and the figure",
                )
        op = _operation(node.child("operation"), max_price_year, (), stage=True)
        clash = [p.id for p in op.products if p.id in running]
        if clash:
            raise node.fail("operation.products", f"reuses id {clash[0]!r}; ids are unique")
        feeds = _feeds(node.child("operation"), running, op)
        stages.append(
            Stage(
                sid,
                node.text("name_ru"),
                node.text("name_en"),
                planned,
                node.text("site_ru"),
                node.text("site_en"),
                capex,
                construction,
                op,
                feeds,
                sources,
                estimate,
                node.estimate_ru(),
            )
        )
        running.update({p.id: set(op.years) for p in op.products})
    return tuple(stages)


def _feeds(node: _Node, running: dict[str, set[int]], op: Operation) -> tuple[Feed, ...]:
    raw = node.raw("feeds") if node.has("feeds") else []
    if not isinstance(raw, list):
        raise node.fail("feeds", "must be an array of tables [[...feeds]] (product, share)")
    feeds: list[Feed] = []
    for k, item in enumerate(raw):
        f = _Node(item, node.where, node.path(f"feeds[{k}]"))
        f.only({"product", "share"})
        product = f.text("product")
        if product not in running:
            raise f.fail(
                "product",
                f"{product!r} is not a product of the base case or of an earlier stage; "
                f"use one of {', '.join(running)}",
            )
        outside = sorted(set(op.years) - running[product])
        if outside:
            raise f.fail(
                "product",
                f"{product!r} is not produced in {outside[0]}, when this stage runs; end the "
                "stage with the product's own operation",
            )
        if any(g.product == product for g in feeds):
            raise f.fail("product", f"{product!r} is fed twice; give it once")
        feeds.append(Feed(product, f.number("share", 0.0, 1.0)))
    return tuple(feeds)


def _cluster(node: _Node, base: Operation | None, purposes: dict[str, float]) -> Cluster:
    node.only({"deposits", "shared", "sources", "estimate", "estimate_ru"})
    if base is None:
        raise node.fail("deposits", "needs [operation]: deposits are told apart by their products")
    sources, estimate = node.basis()
    raw = node.raw("deposits")
    if not isinstance(raw, list) or len(raw) < 2:
        raise node.fail("deposits", "must list at least two [[cluster.deposits]] (a cluster)")
    products = {p.id for p in base.products}
    deposits: list[ClusterDeposit] = []
    for k, item in enumerate(raw):
        d = _Node(item, node.where, node.path(f"deposits[{k}]"))
        d.only(
            {
                *("id", "name_ru", "name_en", "products", "capex_share", "standalone"),
                *("reason_ru", "reason_en", "sources", "estimate", "estimate_ru"),
            }
        )
        did = d.text("id")
        if any(x.id == did for x in deposits):
            raise d.fail("id", f"{did!r} is used twice; deposit ids must be unique")
        refs = d.texts("products")
        bad = [r for r in refs if r not in products]
        if bad or not refs:
            raise d.fail("products", f"names {bad or 'nothing'}; use ids of [[operation.products]]")
        standalone = d.raw("standalone")
        if not isinstance(standalone, bool):
            raise d.fail("standalone", "must be true or false (developed as a separate project?)")
        dsources, destimate = d.basis()
        deposits.append(
            ClusterDeposit(
                did,
                d.text("name_ru"),
                d.text("name_en"),
                refs,
                d.number("capex_share", 0.0, 1.0),
                standalone,
                d.text("reason_ru") if not standalone else d.text("reason_ru", default="-"),
                d.text("reason_en") if not standalone else d.text("reason_en", default="-"),
                dsources,
                destimate,
                d.estimate_ru(),
            )
        )
    claimed = [p for d in deposits for p in d.products]
    twice = sorted({p for p in claimed if claimed.count(p) > 1})
    missing = sorted(products - set(claimed))
    if twice or missing:
        raise node.fail(
            "deposits",
            f"must give every product to exactly one deposit; twice: {twice}, none: {missing}",
        )
    shared = _shared(node, tuple(d.id for d in deposits))
    total = sum(d.capex_share for d in deposits) + sum(i.capex_share for i in shared)
    if abs(total - 1) > SHARE_TOLERANCE:
        raise node.fail(
            "deposits",
            f"capex_share of the deposits and the shared items sum to {total:.6f}, not 1; "
            "every rouble of capex is a deposit's own or shared",
        )
    for key in purposes:
        own = purposes[key] - sum(i.capex_share * _item_purposes(i, purposes)[key] for i in shared)
        if own < -SHARE_TOLERANCE:
            raise node.fail(
                "shared",
                f"purposes put more into {key} ({purposes[key] - own:.3f} of capex) than the "
                f"centre's construction.purposes ({purposes[key]:.3f}); lower them",
            )
    return Cluster(tuple(deposits), shared, sources, estimate, node.estimate_ru())


def _shared(node: _Node, deposit_ids: tuple[str, ...]) -> tuple[SharedItem, ...]:
    raw = node.raw("shared") if node.has("shared") else []
    if not isinstance(raw, list):
        raise node.fail("shared", "must be an array of tables [[cluster.shared]]")
    items: list[SharedItem] = []
    for k, item in enumerate(raw):
        s = _Node(item, node.where, node.path(f"shared[{k}]"))
        s.only(
            {
                *("id", "name_ru", "name_en", "capex_share", "exponent", "users", "purposes"),
                *("sources", "estimate", "estimate_ru"),
            }
        )
        users = s.texts("users") if s.has("users") else deposit_ids
        bad = [u for u in users if u not in deposit_ids]
        if bad or not users:
            raise s.fail("users", f"names {bad or 'nothing'}; use ids of [[cluster.deposits]]")
        purposes = None
        if s.has("purposes"):
            purposes = s.child("purposes").shares(PURPOSES)
        isources, iestimate = s.basis()
        items.append(
            SharedItem(
                s.text("id"),
                s.text("name_ru"),
                s.text("name_en"),
                s.number("capex_share", 0.0, 1.0),
                s.number("exponent", 0.0, 1.0),
                tuple(users),
                purposes,
                isources,
                iestimate,
                s.estimate_ru(),
            )
        )
    return tuple(items)
