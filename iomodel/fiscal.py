"""Budget revenue by tax and budget level: the fiscal block (issue 10).

The table's net taxes are taxes paid on inputs net of subsidies; they are not what a budget
receives. This module applies the Tax Code's and the Budget Code's rates, kept as data in
``tables/fiscal/`` (each figure with its article, the years it applies and its source), to the
income flows an impact run produces, and splits each tax over budget levels:

=====================  ======================================  ================================
tax                    base (caller's arrays)                  law (tables/fiscal/…)
=====================  ======================================  ================================
``pit``                wages × effective rate at the average    pit.toml (НК РФ art. 224; БК РФ
                       wage (progressive scale)                 art. 50, 56, 61.x)
``contributions``      wages × effective tariff at the          contributions.toml (art. 421,
                       average wage (base limit)                425, 427)
``profit``             taxable share × operating surplus        profit.toml (art. 284)
``mineral_extraction`` the tax the scenario's lines give        mineral_extraction.toml (split:
                       (computed once, by the engine)           БК РФ art. 50, 56)
``property``           the tax the scenario's property line     property.toml (split: БК РФ
                       gives (computed once, by the engine)     art. 56)
``vat``                household purchases at basic prices      vat.toml (art. 164)
``other_net_taxes``    the table's own net taxes on products    other_net_taxes.toml
                       and on production
=====================  ======================================  ================================

Budgets: ``federal``, ``regional``, ``local``, ``social_funds``. Everything is vectorised: the
inputs are arrays of any common (broadcastable) shape — centre × variant × phase × year × sector
× effect, say — and :func:`revenue` returns that shape plus ``(tax, budget)``. The only I/O is
:func:`load_fiscal`, which reads and validates the data folder once.

Approximations (each stated in the data files): everyone in a case earns the case's average
wage; PIT thresholds are nominal roubles of their year and are carried forward after the last
year the law sets them; the contribution base limit may be indexed by the caller
(``base_limit_index``, see ``nominal.toml``); taxable profit is a share of operating surplus;
the revenue is linear in the flows, so direct, indirect and induced revenue add up (a negative
surplus gives a negative profit-tax line, as a loss offset would). The mineral extraction and
property taxes are computed once, by the engine from each scenario's tax lines; here they are
only split over budgets.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from .errors import FiscalError

__all__ = [
    "BUDGETS",
    "REGIMES",
    "TAXES",
    "FiscalLaw",
    "Mineral",
    "load_fiscal",
    "mineral_extraction_rate",
    "regime_codes",
    "revenue",
    "revenue_dataarray",
    "wages_from_compensation",
]

TAXES: tuple[str, ...] = (
    "pit",
    "contributions",
    "profit",
    "mineral_extraction",
    "property",
    "vat",
    "other_net_taxes",
)
BUDGETS: tuple[str, ...] = ("federal", "regional", "local", "social_funds")
#: Preference regimes; code 0 is the standard law.
REGIMES: tuple[str, ...] = ("none", "arctic", "tor")

FILES: tuple[str, ...] = (
    "pit.toml",
    "contributions.toml",
    "profit.toml",
    "mineral_extraction.toml",
    "property.toml",
    "vat.toml",
    "other_net_taxes.toml",
    "preferences.toml",
    "nominal.toml",
)
#: Open-ended schedules run to this year (the law as it stands is carried forward).
LAST_YEAR = 2100
_TOLERANCE = 1e-9

ArrayLike = Any  # numpy arrays, scalars, or anything np.asarray accepts


@dataclass(frozen=True)
class Mineral:
    """NDPI rates of one mineral by year (``base_rate × Кrenta``), and whether Крм can apply."""

    name: str
    rate: np.ndarray  # by year index; NaN where the rate is specific (roubles per tonne)
    krm_eligible: bool


@dataclass(frozen=True)
class FiscalLaw:
    """Validated fiscal parameters, laid out as arrays over the covered years.

    Every ``[year, …]`` array is indexed by ``year - first_year``. Built by :func:`load_fiscal`.
    """

    folder: Path
    first_year: int
    last_year: int
    pit_thresholds: np.ndarray  # [Y, K] lower bounds, RUB/year (inf-padded)
    pit_rates: np.ndarray  # [Y, K]
    pit_federal_rates: np.ndarray  # [Y, K]
    north_thresholds: np.ndarray
    north_rates: np.ndarray
    north_federal_rates: np.ndarray
    pit_subfederal: np.ndarray  # [Y, 2] regional, local shares of the sub-federal part
    contrib_below: np.ndarray  # [Y]
    contrib_above: np.ndarray  # [Y]
    contrib_limit: np.ndarray  # [Y] RUB/year per person
    contrib_limit_last_year: int  # the last year the law sets the limit (carried flat after)
    profit_federal: np.ndarray  # [Y]
    profit_regional: np.ndarray  # [Y]
    taxable_share: float
    property_rate: np.ndarray  # [Y]
    vat_household: np.ndarray  # [Y] effective rate on household purchases at basic prices
    splits: Mapping[str, np.ndarray]  # name -> [Y, 4] shares over BUDGETS
    overrides: Mapping[str, np.ndarray]  # name -> [R, K] rate overrides (NaN = standard)
    minerals: Mapping[str, Mineral]
    krm: float
    krm_years: int
    household_imports_per_domestic: float  # VAT base: imported ÷ domestic household purchases
    depreciation_life: float  # the new activity's tax depreciation, years (profit.toml)
    price_series: str  # deflator series that moves 2021 prices to nominal (nominal.toml)
    price_growth: float  # a year, after the series' last year
    names: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # tax -> (ru, en)
    basis: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # tax -> legal basis
    sha256: Mapping[str, str] = field(default_factory=dict)

    def index(self, year: ArrayLike) -> np.ndarray:
        """Year index into the ``[year, …]`` arrays; a year outside the data is refused."""
        years = np.asarray(year)
        if not np.issubdtype(years.dtype, np.integer):
            if not np.all(np.equal(np.mod(years, 1), 0)):
                raise FiscalError(f"fiscal years must be whole numbers, got {years!r}")
            years = years.astype(np.int64)
        if years.size and (years.min() < self.first_year or years.max() > self.last_year):
            bad = years[(years < self.first_year) | (years > self.last_year)]
            raise FiscalError(
                f"{self.folder}: no fiscal law for year {int(bad.flat[0])}: the data cover "
                f"{self.first_year}-{self.last_year}; add a schedule entry for that year to "
                "the files in this folder"
            )
        return years - self.first_year


# ---------------------------------------------------------------------------------------------
# Loading and validation
# ---------------------------------------------------------------------------------------------


def _fail(path: Path, key: str, problem: str, fix: str) -> FiscalError:
    return FiscalError(f"{path}: {key}: {problem}; {fix}")


def _get(table: Mapping[str, Any], key: str, path: Path, where: str) -> Any:
    if key not in table:
        raise _fail(path, f"{where}.{key}" if where else key, "missing", f"add '{key}'")
    return table[key]


def _rate(value: Any, path: Path, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(path, key, f"not a number ({value!r})", "write a share such as 0.13")
    if not 0.0 <= value <= 1.0 or not np.isfinite(value):
        raise _fail(path, key, f"rate {value} outside [0, 1]", "write rates as shares: 13 % = 0.13")
    return float(value)


def _periods(entries: Any, path: Path, key: str) -> list[tuple[int, int, dict]]:
    """Check a schedule (``[[key]]`` with ``from`` and optional ``to``): sorted, contiguous."""
    if not isinstance(entries, list) or not entries:
        raise _fail(path, key, "no schedule", f"add at least one [[{key}]] entry with 'from'")
    out: list[tuple[int, int, dict]] = []
    for i, entry in enumerate(entries):
        where = f"{key}[{i}]"
        start = _get(entry, "from", path, where)
        end = entry.get("to", LAST_YEAR)
        if not isinstance(start, int) or not isinstance(end, int) or end < start:
            raise _fail(
                path, where, f"years from={start!r} to={end!r}", "use whole years, to ≥ from"
            )
        if out and start != out[-1][1] + 1:
            raise _fail(
                path,
                where,
                f"starts in {start} but the previous entry ends in {out[-1][1]}",
                "list entries in order with no gap or overlap (previous 'to' + 1 = 'from')",
            )
        if i < len(entries) - 1 and "to" not in entry:
            raise _fail(path, where, "open-ended entry before the last", "give it a 'to' year")
        out.append((start, end, entry))
    return out


def _split(entry: Mapping[str, Any], path: Path, where: str, names=BUDGETS) -> np.ndarray:
    shares = np.array([_rate(entry.get(b, 0.0), path, f"{where}.{b}") for b in names])
    if abs(shares.sum() - 1.0) > _TOLERANCE:
        raise _fail(
            path,
            where,
            f"shares {dict(zip(names, shares.tolist()))} sum to {shares.sum():.6g}, not 1",
            "make the budget shares add up to 1",
        )
    return shares


def _fill(periods, years: np.ndarray, build) -> np.ndarray:
    """Stack ``build(entry)`` for each year of ``years`` from the entry covering it."""
    rows = []
    for year in years:
        for start, end, entry in periods:
            if start <= year <= end:
                rows.append(build(entry))
                break
    return np.array(rows)


def _coverage(periods) -> tuple[int, int]:
    return periods[0][0], periods[-1][1]


def _scale(periods, years: np.ndarray, path: Path, key: str) -> tuple[np.ndarray, ...]:
    width = 0
    for i, (_, _, entry) in enumerate(periods):
        where = f"{key}[{i}]"
        thresholds = _get(entry, "thresholds", path, where)
        rates = [_rate(r, path, f"{where}.rates") for r in _get(entry, "rates", path, where)]
        federal = [
            _rate(r, path, f"{where}.federal_rates")
            for r in _get(entry, "federal_rates", path, where)
        ]
        if not (len(thresholds) == len(rates) == len(federal)) or not thresholds:
            raise _fail(
                path,
                where,
                "thresholds, rates and federal_rates differ in length",
                "give one rate and one federal rate per threshold",
            )
        if thresholds[0] != 0 or any(b <= a for a, b in pairwise(thresholds)):
            raise _fail(
                path,
                f"{where}.thresholds",
                f"{thresholds} must start at 0 and rise",
                "list the lower bounds of the brackets in roubles, the first one 0",
            )
        if any(f > r + _TOLERANCE for f, r in zip(federal, rates)):
            raise _fail(
                path,
                f"{where}.federal_rates",
                "a federal part exceeds its rate",
                "the federal part of a bracket is at most its rate",
            )
        width = max(width, len(thresholds))

    def pad(values, fill):
        return np.array(list(values) + [fill] * (width - len(values)), dtype=float)

    thr = _fill(periods, years, lambda e: pad(e["thresholds"], np.inf))
    rat = _fill(periods, years, lambda e: pad(e["rates"], 0.0))
    fed = _fill(periods, years, lambda e: pad(e["federal_rates"], 0.0))
    return thr, rat, fed


def _overrides(regimes: Mapping[str, Any], path: Path) -> dict[str, np.ndarray]:
    fields = {
        "profit_federal": ("profit", "federal"),
        "profit_regional": ("profit", "regional"),
        "contrib_below": ("contributions", "below_limit"),
        "contrib_above": ("contributions", "above_limit"),
    }
    for name in regimes:
        if name not in REGIMES:
            raise _fail(
                path,
                f"regimes.{name}",
                "unknown regime",
                f"use one of {', '.join(REGIMES[1:])} (or add it to iomodel.fiscal.REGIMES)",
            )
    horizon = 1
    for name, regime in regimes.items():
        for line, _ in fields.values():
            for i, entry in enumerate(regime.get(line, [])):
                span = _get(entry, "years", path, f"regimes.{name}.{line}[{i}]")
                if (
                    not isinstance(span, list)
                    or len(span) != 2
                    or not all(isinstance(v, int) for v in span)
                    or not 0 <= span[0] < span[1]
                ):
                    raise _fail(
                        path,
                        f"regimes.{name}.{line}[{i}].years",
                        f"{span!r}",
                        "write [first, end) years of the regime, e.g. [0, 5]",
                    )
                horizon = max(horizon, span[1])
    out = {key: np.full((len(REGIMES), horizon), np.nan) for key in fields}
    for name, regime in regimes.items():
        r = REGIMES.index(name)
        for key, (line, rate_key) in fields.items():
            for i, entry in enumerate(regime.get(line, [])):
                if rate_key in entry:
                    lo, hi = entry["years"]
                    where = f"regimes.{name}.{line}[{i}].{rate_key}"
                    out[key][r, lo:hi] = _rate(entry[rate_key], path, where)
    return out


def _read(folder: Path, name: str) -> tuple[dict[str, Any], str]:
    path = folder / name
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise FiscalError(
            f"{path}: file missing; the fiscal data folder needs {', '.join(FILES)}"
        ) from None
    try:
        return tomllib.loads(raw.decode("utf-8")), hashlib.sha256(raw).hexdigest()
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise FiscalError(f"{path}: not valid TOML ({exc}); fix the syntax") from None


def load_fiscal(folder: str | Path | None = None) -> FiscalLaw:
    """Read and validate the fiscal law data (``tables/fiscal/`` by default).

    Parameters
    ----------
    folder
        The data folder; defaults to the shipped ``tables/fiscal``.

    Returns
    -------
    FiscalLaw
        Arrays over the years every file covers (the intersection of their schedules).

    Raises
    ------
    FiscalError
        A missing file or key, a rate outside [0, 1], budget shares not summing to 1, a
        schedule with a gap or overlap, thresholds that do not rise — naming file, key and fix.
    """
    if folder is None:
        from .readers import tables_dir

        folder = tables_dir() / "fiscal"
    folder = Path(folder)
    data: dict[str, dict[str, Any]] = {}
    sha: dict[str, str] = {}
    for name in FILES:
        data[name], sha[name] = _read(folder, name)

    def path(name: str) -> Path:
        return folder / name

    def periods(name: str, key: str):
        return _periods(data[name].get(key), path(name), key)

    schedules = {
        ("pit.toml", "scale"): periods("pit.toml", "scale"),
        ("pit.toml", "northern_scale"): periods("pit.toml", "northern_scale"),
        ("pit.toml", "subfederal_split"): periods("pit.toml", "subfederal_split"),
        ("contributions.toml", "tariff"): periods("contributions.toml", "tariff"),
        ("contributions.toml", "split"): periods("contributions.toml", "split"),
        ("profit.toml", "rate"): periods("profit.toml", "rate"),
        ("mineral_extraction.toml", "split"): periods("mineral_extraction.toml", "split"),
        ("property.toml", "rate"): periods("property.toml", "rate"),
        ("property.toml", "split"): periods("property.toml", "split"),
        ("vat.toml", "rate"): periods("vat.toml", "rate"),
        ("vat.toml", "split"): periods("vat.toml", "split"),
        ("other_net_taxes.toml", "products_split"): periods(
            "other_net_taxes.toml", "products_split"
        ),
        ("other_net_taxes.toml", "production_split"): periods(
            "other_net_taxes.toml", "production_split"
        ),
    }
    limits = data["contributions.toml"].get("base_limit")
    if not isinstance(limits, list) or not limits:
        raise _fail(
            path("contributions.toml"), "base_limit", "missing", "add [[base_limit]] entries"
        )
    limit_years = [_get(e, "year", path("contributions.toml"), "base_limit") for e in limits]
    if any(b != a + 1 for a, b in pairwise(limit_years)):
        raise _fail(
            path("contributions.toml"),
            "base_limit",
            f"years {limit_years} not consecutive",
            "give one [[base_limit]] per year, in order",
        )
    first = max([_coverage(p)[0] for p in schedules.values()] + [limit_years[0]])
    last = min(_coverage(p)[1] for p in schedules.values())
    if first > last:
        raise FiscalError(f"{folder}: the files' schedules share no common year; align them")
    years = np.arange(first, last + 1)

    # PIT
    pit = path("pit.toml")
    thr, rat, fed = _scale(schedules[("pit.toml", "scale")], years, pit, "scale")
    nthr, nrat, nfed = _scale(
        schedules[("pit.toml", "northern_scale")], years, pit, "northern_scale"
    )
    for i, (_, _, e) in enumerate(schedules[("pit.toml", "subfederal_split")]):
        _split(e, pit, f"subfederal_split[{i}]", names=("regional", "local"))
    subfederal = _fill(
        schedules[("pit.toml", "subfederal_split")],
        years,
        lambda e: [e.get("regional", 0.0), e.get("local", 0.0)],
    )

    # Contributions
    contrib = path("contributions.toml")
    for i, (_, _, e) in enumerate(schedules[("contributions.toml", "tariff")]):
        for k in ("below_limit", "above_limit"):
            _rate(_get(e, k, contrib, f"tariff[{i}]"), contrib, f"tariff[{i}].{k}")
    tariff = schedules[("contributions.toml", "tariff")]
    below = _fill(tariff, years, lambda e: e["below_limit"]).astype(float)
    above = _fill(tariff, years, lambda e: e["above_limit"]).astype(float)
    by_year = {}
    for i, e in enumerate(limits):
        value = _get(e, "value", contrib, f"base_limit[{i}]")
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise _fail(contrib, f"base_limit[{i}].value", f"{value!r}", "a positive sum in RUB")
        by_year[e["year"]] = float(value)
    limit = np.array([by_year[min(max(y, limit_years[0]), limit_years[-1])] for y in years])

    # Profit
    profit = path("profit.toml")
    profit_periods = schedules[("profit.toml", "rate")]
    for i, (_, _, e) in enumerate(profit_periods):
        total = sum(
            _rate(_get(e, k, profit, f"rate[{i}]"), profit, f"rate[{i}].{k}")
            for k in ("federal", "regional")
        )
        _rate(total, profit, f"rate[{i}] (federal + regional)")
    share = _rate(
        _get(
            _get(data["profit.toml"], "taxable_share", profit, ""), "value", profit, "taxable_share"
        ),
        profit,
        "taxable_share.value",
    )

    # Property and VAT
    prop = path("property.toml")
    for i, (_, _, e) in enumerate(schedules[("property.toml", "rate")]):
        _rate(_get(e, "rate", prop, f"rate[{i}]"), prop, f"rate[{i}].rate")
    vat = path("vat.toml")
    for i, (_, _, e) in enumerate(schedules[("vat.toml", "rate")]):
        _rate(_get(e, "standard", vat, f"rate[{i}]"), vat, f"rate[{i}].standard")
    household = _get(data["vat.toml"], "household", vat, "")
    effective_2021 = _rate(
        _get(household, "effective_rate_2021", vat, "household"),
        vat,
        "household.effective_rate_2021",
    )
    reference = _rate(
        _get(household, "reference_standard_rate", vat, "household"),
        vat,
        "household.reference_standard_rate",
    )
    if reference <= 0:
        raise _fail(vat, "household.reference_standard_rate", "zero", "give the 2021 rate, 0.20")
    standard = _fill(schedules[("vat.toml", "rate")], years, lambda e: e["standard"])

    # Budget splits
    splits = {}
    for key, (name, table) in {
        "contributions": ("contributions.toml", "split"),
        "mineral_extraction": ("mineral_extraction.toml", "split"),
        "property": ("property.toml", "split"),
        "vat": ("vat.toml", "split"),
        "other_products": ("other_net_taxes.toml", "products_split"),
        "other_production": ("other_net_taxes.toml", "production_split"),
    }.items():
        sched = schedules[(name, table)]
        for i, (_, _, e) in enumerate(sched):
            _split(e, path(name), f"{table}[{i}]")
        splits[key] = _fill(sched, years, lambda e: [e.get(b, 0.0) for b in BUDGETS])

    # Minerals
    ndpi = path("mineral_extraction.toml")
    nd = data["mineral_extraction.toml"]
    krm = _get(_get(nd, "coefficients", ndpi, ""), "krm", ndpi, "coefficients")
    krm_value = _rate(_get(krm, "value", ndpi, "coefficients.krm"), ndpi, "coefficients.krm.value")
    krm_years = _get(krm, "years", ndpi, "coefficients.krm")
    if not isinstance(krm_years, int) or krm_years < 0:
        raise _fail(ndpi, "coefficients.krm.years", f"{krm_years!r}", "a whole number of years")
    minerals = {}
    for name, entry in _get(nd, "minerals", ndpi, "").items():
        where = f"minerals.{name}"
        sched = _periods(entry.get("schedule"), ndpi, f"{where}.schedule")

        def effective(e, where=where):
            if "base_rate" not in e:
                return np.nan  # a specific (roubles per tonne) rate
            base = _rate(e["base_rate"], ndpi, f"{where}.schedule.base_rate")
            krenta = _get(e, "krenta", ndpi, f"{where}.schedule")
            if isinstance(krenta, bool) or not isinstance(krenta, int | float) or krenta <= 0:
                raise _fail(ndpi, f"{where}.schedule.krenta", f"{krenta!r}", "a positive number")
            return _rate(base * krenta, ndpi, f"{where}.schedule (base_rate × krenta)")

        lo, hi = _coverage(sched)
        rate = np.array([effective(e) for y in years for s, t, e in sched if s <= y <= t])
        if lo > first or hi < last:
            raise _fail(
                ndpi,
                f"{where}.schedule",
                f"covers {lo}-{hi}, not {first}-{last}",
                "extend its schedule to the years the other files cover",
            )
        eligible = _get(entry, "krm_eligible", ndpi, where)
        if not isinstance(eligible, bool):
            raise _fail(ndpi, f"{where}.krm_eligible", f"{eligible!r}", "write true or false")
        minerals[name] = Mineral(name=name, rate=rate, krm_eligible=eligible)

    prefs = path("preferences.toml")
    overrides = _overrides(_get(data["preferences.toml"], "regimes", prefs, ""), prefs)

    imports_ratio = _get(household, "imports_per_domestic", vat, "household")
    if isinstance(imports_ratio, bool) or not isinstance(imports_ratio, int | float):
        raise _fail(vat, "household.imports_per_domestic", f"{imports_ratio!r}", "a number ≥ 0")
    if not 0 <= imports_ratio < 10:
        raise _fail(
            vat, "household.imports_per_domestic", f"{imports_ratio}", "a ratio between 0 and 10"
        )
    activity = _get(data["profit.toml"], "new_activity", profit, "")
    life = _get(activity, "depreciation_life_years", profit, "new_activity")
    if isinstance(life, bool) or not isinstance(life, int | float) or not 0 < life <= 100:
        raise _fail(profit, "new_activity.depreciation_life_years", f"{life!r}", "1 to 100 years")
    nominal = path("nominal.toml")
    level = _get(data["nominal.toml"], "price_level", nominal, "")
    series = _get(level, "series", nominal, "price_level")
    growth = _get(level, "growth_after_data", nominal, "price_level")
    if not isinstance(series, str) or not series:
        raise _fail(nominal, "price_level.series", f"{series!r}", "name a deflators.csv series")
    if isinstance(growth, bool) or not isinstance(growth, int | float) or not -0.5 < growth < 1:
        raise _fail(
            nominal, "price_level.growth_after_data", f"{growth!r}", "a yearly rate such as 0.04"
        )
    names: dict[str, tuple[str, str]] = {}
    basis: dict[str, tuple[str, str]] = {}
    for tax in TAXES:
        name = f"{tax}.toml"
        meta = _get(data[name], "meta", path(name), "")

        def text(key: str, meta=meta, name=name) -> str:
            return str(_get(meta, key, path(name), "meta"))

        names[tax] = (text("name_ru"), text("name_en"))
        basis[tax] = (text("basis_ru"), text("basis_en"))

    return FiscalLaw(
        folder=folder,
        first_year=int(first),
        last_year=int(last),
        pit_thresholds=thr,
        pit_rates=rat,
        pit_federal_rates=fed,
        north_thresholds=nthr,
        north_rates=nrat,
        north_federal_rates=nfed,
        pit_subfederal=subfederal,
        contrib_below=below,
        contrib_above=above,
        contrib_limit=limit,
        contrib_limit_last_year=int(limit_years[-1]),
        profit_federal=_fill(profit_periods, years, lambda e: e["federal"]).astype(float),
        profit_regional=_fill(profit_periods, years, lambda e: e["regional"]).astype(float),
        taxable_share=share,
        property_rate=_fill(schedules[("property.toml", "rate")], years, lambda e: e["rate"]),
        vat_household=effective_2021 * standard / reference,
        splits=splits,
        overrides=overrides,
        minerals=minerals,
        krm=krm_value,
        krm_years=krm_years,
        household_imports_per_domestic=float(imports_ratio),
        depreciation_life=float(life),
        price_series=series,
        price_growth=float(growth),
        names=names,
        basis=basis,
        sha256=sha,
    )


# ---------------------------------------------------------------------------------------------
# Computation (pure, vectorised)
# ---------------------------------------------------------------------------------------------


def regime_codes(names: str | Sequence[str] | np.ndarray) -> np.ndarray:
    """Integer codes of preference regime names (``"none"``, ``"arctic"``, ``"tor"``)."""
    arr = np.asarray(names)
    out = np.zeros(arr.shape, dtype=np.int64)
    for code, name in enumerate(REGIMES):
        out[arr == name] = code
    unknown = ~np.isin(arr, REGIMES)
    if unknown.any():
        raise FiscalError(
            f"unknown preference regime {str(arr[unknown].flat[0])!r}: use one of "
            f"{', '.join(REGIMES)}"
        )
    return out


def _bracket_tax(income, thresholds, rates, federal) -> tuple[np.ndarray, np.ndarray]:
    """Tax and its federal part on ``income`` under a marginal scale (last axis: brackets)."""
    upper = np.concatenate([thresholds[..., 1:], np.full(thresholds[..., :1].shape, np.inf)], -1)
    finite = np.isfinite(thresholds)
    lower = np.where(finite, thresholds, 0.0)
    width = np.where(finite, upper - lower, 0.0)  # the last bracket is unbounded (inf)
    slab = np.clip(income[..., None] - lower, 0.0, width)
    return (slab * rates).sum(-1), (slab * federal).sum(-1)


def _override(law: FiscalLaw, key: str, regime, regime_year, standard) -> np.ndarray:
    table = law.overrides[key]
    k = np.asarray(regime_year)
    inside = (k >= 0) & (k < table.shape[1])
    value = table[np.asarray(regime), np.clip(k, 0, table.shape[1] - 1)]
    return np.where(inside & ~np.isnan(value), value, standard)


def _pit_rates(law, yi, average_wage, northern_share) -> tuple[np.ndarray, np.ndarray]:
    """Effective PIT rate and its federal part at the average wage."""
    main = average_wage * (1.0 - northern_share)
    north = average_wage * northern_share
    tax, fed = _bracket_tax(
        main, law.pit_thresholds[yi], law.pit_rates[yi], law.pit_federal_rates[yi]
    )
    ntax, nfed = _bracket_tax(
        north, law.north_thresholds[yi], law.north_rates[yi], law.north_federal_rates[yi]
    )
    safe = np.where(average_wage > 0, average_wage, 1.0)
    first = law.pit_rates[yi][..., 0]
    rate = np.where(average_wage > 0, (tax + ntax) / safe, first)
    federal = np.where(average_wage > 0, (fed + nfed) / safe, law.pit_federal_rates[yi][..., 0])
    return rate, federal


def _contribution_rate(law, yi, average_wage, regime, regime_year, limit_index) -> np.ndarray:
    """Effective tariff on wages at the average wage, with the regime's reduced tariffs."""
    below = _override(law, "contrib_below", regime, regime_year, law.contrib_below[yi])
    above = _override(law, "contrib_above", regime, regime_year, law.contrib_above[yi])
    limit = law.contrib_limit[yi] * limit_index
    per_worker = below * np.minimum(average_wage, limit) + above * np.maximum(
        average_wage - limit, 0.0
    )
    safe = np.where(average_wage > 0, average_wage, 1.0)
    return np.where(average_wage > 0, per_worker / safe, below)


def wages_from_compensation(
    law: FiscalLaw,
    compensation: ArrayLike,
    average_compensation: ArrayLike,
    year: ArrayLike,
    base_limit_index: ArrayLike = 1.0,
) -> np.ndarray:
    """Wages (D11) in compensation of employees (D1 = wages + employers' contributions).

    Each worker earns the case's average compensation ``a`` (annual, per person, nominal
    roubles of ``year``); under the standard single tariff (``b`` below the base limit ``L``,
    ``c`` above) the wage ``w`` solves ``a = w + b·min(w, L) + c·max(w − L, 0)``:
    ``w = a / (1 + b)`` up to ``a = L·(1 + b)``, ``w = (a − (b − c)·L) / (1 + c)`` above.
    ``compensation`` is scaled by ``w / a`` (by ``1 / (1 + b)`` where ``a`` is 0). The wage is
    set by the standard law: a preference lowers the contributions paid on it, not the wage.
    """
    a = np.asarray(average_compensation, dtype=float)
    yi = law.index(year)
    below, above = law.contrib_below[yi], law.contrib_above[yi]
    limit = law.contrib_limit[yi] * np.asarray(base_limit_index, dtype=float)
    wage = np.where(
        a <= limit * (1.0 + below), a / (1.0 + below), (a - (below - above) * limit) / (1.0 + above)
    )
    share = np.where(a > 0, wage / np.where(a > 0, a, 1.0), 1.0 / (1.0 + below))
    return np.asarray(compensation, dtype=float) * share


def mineral_extraction_rate(
    law: FiscalLaw,
    mineral: str,
    year: ArrayLike,
    first_extraction_year: int | None = None,
) -> np.ndarray:
    """Effective NDPI rate (share of the extracted mineral's value) by year.

    ``base_rate × Кrenta × Крм``, where Крм = ``law.krm`` (0.1) for the first ``law.krm_years``
    (10) years from ``first_extraction_year`` if the mineral is eligible, else 1. Pass
    ``first_extraction_year=None`` for a plot whose Крм period has already run out (or never
    applied). NaN for a mineral taxed per tonne (apatite since 2022): the scenario must state
    its own estimate.
    """
    if mineral not in law.minerals:
        raise FiscalError(
            f"{law.folder / 'mineral_extraction.toml'}: no mineral {mineral!r}; known: "
            f"{', '.join(law.minerals)}"
        )
    entry = law.minerals[mineral]
    years = np.asarray(year)
    rate = entry.rate[law.index(years)]
    if entry.krm_eligible and first_extraction_year is not None:
        since = years - first_extraction_year
        rate = np.where((since >= 0) & (since < law.krm_years), rate * law.krm, rate)
    return rate


def revenue(
    law: FiscalLaw,
    year: ArrayLike,
    *,
    wages: ArrayLike = 0.0,
    average_wage: ArrayLike = 0.0,
    operating_surplus: ArrayLike = 0.0,
    mineral_extraction_tax: ArrayLike = 0.0,
    property_tax: ArrayLike = 0.0,
    household_purchases: ArrayLike = 0.0,
    other_net_taxes_products: ArrayLike = 0.0,
    other_net_taxes_production: ArrayLike = 0.0,
    regime: ArrayLike = 0,
    regime_year: ArrayLike = 0,
    northern_share: ArrayLike = 0.0,
    taxable_share: ArrayLike | None = None,
    base_limit_index: ArrayLike = 1.0,
) -> np.ndarray:
    """Budget revenue by tax and budget level.

    All inputs broadcast together (any leading shape ``S``: cases, years, sectors, effects);
    money in any one unit (the result is in the same unit).

    Parameters
    ----------
    law
        From :func:`load_fiscal`.
    year
        Calendar year of each case (integers).
    wages
        Wages and salaries (D11): the base of PIT and contributions.
    average_wage
        Annual wage per worker, in nominal roubles of ``year`` (the thresholds' roubles): sets
        the effective PIT rate and contribution tariff. Zero gives the first-bracket rates.
    operating_surplus
        Gross operating surplus; ``taxable_share`` of it is taxable profit.
    mineral_extraction_tax, property_tax
        Amounts of these taxes already computed (the engine does so from each scenario's tax
        lines): only split over budgets here.
    household_purchases
        Household final purchases at basic prices (domestic and imported) that bear VAT.
    other_net_taxes_products, other_net_taxes_production
        The table's own net taxes on products (D21-D31) and on production (D29-D39).
    regime, regime_year
        Preference regime code (:data:`REGIMES`, :func:`regime_codes`) and the year of the
        regime (0 = its first tax period; negative = not yet in force).
    northern_share
        Share of wages that are northern coefficients and supplements (own PIT scale).
    taxable_share
        Taxable profit ÷ operating surplus; defaults to ``profit.toml``'s estimate.
    base_limit_index
        Multiplies the contribution base limit of the year (1 = as the law sets it; the
        fiscal block indexes it after the last year listed, see ``nominal.toml``).

    Returns
    -------
    numpy.ndarray
        Shape ``S + (len(TAXES), len(BUDGETS))``; sums over the budget axis give each tax.
    """
    arrays = np.broadcast_arrays(
        np.asarray(year),
        *(
            np.asarray(a, dtype=float)
            for a in (
                wages,
                average_wage,
                operating_surplus,
                mineral_extraction_tax,
                property_tax,
                household_purchases,
                other_net_taxes_products,
                other_net_taxes_production,
                northern_share,
                law.taxable_share if taxable_share is None else taxable_share,
                base_limit_index,
            )
        ),
        np.asarray(regime),
        np.asarray(regime_year),
    )
    (
        year_arr,
        wages_a,
        avg,
        surplus,
        ndpi,
        prop,
        purchases,
        other_p,
        other_q,
        north,
        share,
        limit_index,
        reg,
        reg_year,
    ) = arrays
    if not np.all(np.isfinite(limit_index) & (limit_index > 0)):
        raise FiscalError("base_limit_index must be finite and positive")
    if np.any((north < 0) | (north > 1)) or np.any((share < 0) | (share > 1)):
        raise FiscalError("northern_share and taxable_share must lie in [0, 1]")
    if np.any((reg < 0) | (reg >= len(REGIMES))):
        raise FiscalError(f"regime codes must be 0..{len(REGIMES) - 1} ({', '.join(REGIMES)})")
    yi = law.index(year_arr)
    out = np.zeros(year_arr.shape + (len(TAXES), len(BUDGETS)))
    fed, regl, loc = 0, 1, 2  # social_funds (3) receives contributions only

    pit_rate, pit_federal = _pit_rates(law, yi, avg, north)
    pit = wages_a * pit_rate
    pit_fed = wages_a * pit_federal
    out[..., 0, fed] = pit_fed
    out[..., 0, regl] = (pit - pit_fed) * law.pit_subfederal[yi][..., 0]
    out[..., 0, loc] = (pit - pit_fed) * law.pit_subfederal[yi][..., 1]

    contributions = wages_a * _contribution_rate(law, yi, avg, reg, reg_year, limit_index)
    out[..., 1, :] = contributions[..., None] * law.splits["contributions"][yi]

    base = share * surplus
    out[..., 2, fed] = base * _override(
        law, "profit_federal", reg, reg_year, law.profit_federal[yi]
    )
    out[..., 2, regl] = base * _override(
        law, "profit_regional", reg, reg_year, law.profit_regional[yi]
    )

    out[..., 3, :] = ndpi[..., None] * law.splits["mineral_extraction"][yi]
    out[..., 4, :] = prop[..., None] * law.splits["property"][yi]
    out[..., 5, :] = (purchases * law.vat_household[yi])[..., None] * law.splits["vat"][yi]
    out[..., 6, :] = (
        other_p[..., None] * law.splits["other_products"][yi]
        + other_q[..., None] * law.splits["other_production"][yi]
    )
    return out


def revenue_dataarray(law: FiscalLaw, year: xr.DataArray | ArrayLike, **flows: Any) -> xr.DataArray:
    """:func:`revenue` on xarray inputs: broadcast by name, result with dims ``(…, tax, budget)``.

    Takes the same keyword arguments as :func:`revenue`; DataArrays are aligned and broadcast
    by dimension name (centre, variant, phase, year, sector, effect …), plain numbers are
    scalars.
    """
    named = {**flows, "year": year}
    labelled = [v for v in named.values() if isinstance(v, xr.DataArray)]
    if not labelled:
        raise FiscalError("revenue_dataarray needs at least one xarray.DataArray input")
    dims = list(dict.fromkeys(d for v in labelled for d in v.dims))
    template = xr.broadcast(*labelled)[0].transpose(*dims)
    plain = {
        k: (
            xr.broadcast(v, template)[0].transpose(*dims).data if isinstance(v, xr.DataArray) else v
        )
        for k, v in named.items()
    }
    result = revenue(law, plain.pop("year"), **plain)
    return xr.DataArray(
        result,
        dims=(*template.dims, "tax", "budget"),
        coords={
            **{k: v for k, v in template.coords.items()},
            "tax": list(TAXES),
            "budget": list(BUDGETS),
        },
        name="revenue",
        attrs={
            "units": "as the inputs",
            "fiscal_data": str(law.folder),
            **{f"sha256_{k}": v for k, v in law.sha256.items()},
        },
    )
