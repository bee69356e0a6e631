"""Price conversion: amounts in a currency and price year → roubles at the table year's prices.

Foreign currency is turned into roubles at the Bank of Russia's annual average rate of the
amount's price year, then moved to the table year with a chain of Rosstat price indices
(previous year = 100) of the series chosen for the purpose (``tables/prices/price_map.toml``).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .errors import PriceError

__all__ = ["Prices", "load_prices", "price_level"]


@dataclass(frozen=True)
class Prices:
    """Exchange rates and price indices, with the map from purposes to index series.

    ``rates``: {(currency, year): roubles per unit}; ``indices``: {(series, year): index, previous
    year = 100}; ``series_for``: {"capex.machinery": "C28", …}; ``default_series``: used for
    anything not in the map.
    """

    rates: Mapping[tuple[str, int], float]
    indices: Mapping[tuple[str, int], float]
    series_for: Mapping[str, str] = field(default_factory=dict)
    default_series: str = "total"
    path: Path = Path("tables/prices")

    def currencies(self) -> set[str]:
        """Currencies that can be converted (RUB always)."""
        return {"RUB"} | {c for c, _ in self.rates}

    def to_roubles(self, amount: float, currency: str, year: int) -> float:
        """Amount in ``currency`` of ``year`` → roubles of the same year."""
        if currency == "RUB":
            return amount
        try:
            return amount * self.rates[(currency, year)]
        except KeyError:
            known = sorted(y for c, y in self.rates if c == currency)
            if not known:
                raise PriceError(
                    f"{self.path}/exchange_rates.csv: unknown currency {currency!r}; "
                    f"known: {sorted(self.currencies())}"
                ) from None
            raise PriceError(
                f"{self.path}/exchange_rates.csv: no {currency} rate for {year} "
                f"(have {known[0]}–{known[-1]}); add the Bank of Russia average"
            ) from None

    def factor(self, series: str, from_year: int, to_year: int) -> float:
        """Price level of ``to_year`` ÷ price level of ``from_year`` for ``series``."""
        ratio = 1.0
        lo, hi = sorted((from_year, to_year))
        for year in range(lo + 1, hi + 1):
            try:
                index = self.indices[(series, year)] / 100.0
            except KeyError:
                raise PriceError(
                    f"{self.path}/deflators.csv: no index for series {series!r} in "
                    f"{year}; add it or map the purpose to another series in "
                    "price_map.toml"
                ) from None
            ratio *= index
        return ratio if to_year >= from_year else 1.0 / ratio

    def series(self, key: str) -> str:
        """Index series used for a purpose key such as ``capex.machinery``."""
        return self.series_for.get(key, self.default_series)

    def convert(
        self, amount: float, currency: str, price_year: int, to_year: int, key: str = ""
    ) -> float:
        """``amount`` in ``currency`` at ``price_year`` prices → roubles at ``to_year`` prices."""
        roubles = self.to_roubles(amount, currency, price_year)
        return roubles * self.factor(self.series(key), price_year, to_year)


def load_prices(folder: Path) -> Prices:
    """Read ``exchange_rates.csv``, ``deflators.csv`` and ``price_map.toml`` from ``folder``."""
    try:
        rates = pd.read_csv(folder / "exchange_rates.csv")
        indices = pd.read_csv(folder / "deflators.csv")
        mapping = tomllib.loads((folder / "price_map.toml").read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise PriceError(f"{exc.filename}: price data file missing") from None
    series_for = {
        f"{group}.{key}": str(value)
        for group, table in mapping.items()
        if isinstance(table, dict)
        for key, value in table.items()
    }
    prices = Prices(
        rates={(str(r.currency), int(r.year)): float(r.rub_per_unit) for r in rates.itertuples()},
        indices={
            (str(r.series), int(r.year)): float(r.index_prev_year) for r in indices.itertuples()
        },
        series_for=series_for,
        default_series=str(mapping.get("default", "total")),
        path=folder,
    )
    known = {s for s, _ in prices.indices}
    for key, name in [*series_for.items(), ("default", prices.default_series)]:
        if name not in known:
            raise PriceError(
                f"{folder / 'price_map.toml'}: {key} = {name!r} is not a series in "
                f"deflators.csv (known: {', '.join(sorted(known)[:12])} …)"
            )
    return prices


def price_level(
    prices: Prices, series: str, base_year: int, years, growth_after: float
) -> list[float]:
    """Price level of each of ``years`` relative to ``base_year`` (1 there) for ``series``: the
    chained deflators up to the last year the series has, then ``growth_after`` a year.

    The one price level of the project: the fiscal block's nominal pay and the reports' current
    or chosen-year prices both use it (``tables/fiscal/nominal.toml`` names the series and the
    growth after the data).
    """
    known = [y for s, y in prices.indices if s == series]
    if not known:
        raise PriceError(f"{prices.path / 'deflators.csv'}: no series {series!r}")
    last = max(known)
    return [
        prices.factor(series, base_year, min(int(y), last))
        * (1 + growth_after) ** max(int(y) - last, 0)
        for y in years
    ]
