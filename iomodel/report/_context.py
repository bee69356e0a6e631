"""Dataset → report context: what every report of a run shares, and the helpers that format it.

Every number comes from the run's Dataset through :mod:`iomodel.summary` (key figures, sector
groups, localisation) or a plain sum over its dimensions; the templates format nothing and compute
nothing.  Type I figures are the same functions applied to the direct and indirect effects only.
The centre report's context is built in :mod:`._centre`, the comparison's in :mod:`._comparison`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from ..impact import VARIABLES as _ALL_VARIABLES
from ..multipliers import consumption_per_income
from ..pipeline import Run, localisation_table
from ..scenario import Scenario
from ..summary import Appraisal, design_years, key_figures
from ..table import TableMeta
from ._locale import Locale
from ._thesis import ThesisFrames, thesis_frames

#: The variables a report shows (net taxes on products alone support the accounting identity
#: and stay in the data outputs).
VARIABLES = tuple(v for v in _ALL_VARIABLES if v != "product_taxes")

__all__ = ["MONEY_SCALE", "VARIABLES", "Inputs", "prepare"]

#: Money is shown in billions of the table's currency.
MONEY_SCALE = 1e9
MONEY_VARS = ("output", "value_added", "compensation", "taxes", "imports")
TOP_PRODUCTS = 15


@dataclass(frozen=True)
class Inputs:
    """What every report of one run shares (computed once, whatever the number of PDFs)."""

    run: Run
    appraisal: Appraisal
    groups: pd.DataFrame
    variant: str
    provenance: dict[str, str]
    type1: pd.DataFrame  # key figures, direct + indirect effects
    type2: pd.DataFrame | None  # key figures, all effects (None for a Type I run)
    localisation: pd.DataFrame  # one row per centre
    by_variant: dict[str, pd.DataFrame]  # key figures (all effects) of every variant
    run_date: str
    thesis: ThesisFrames | None = None  # the thesis cases (issue 12)
    #: Money shown in prices of this year (None: the table year's); ``price_factor`` moves the
    #: table year's prices there (the project's one price level, :func:`iomodel.prices.price_level`)
    price_year: int | None = None
    price_factor: float = 1.0
    dataset_file: str = ""  # the Dataset file the report was made from, in the report's folder
    #: Money in current prices (``--prices nominal``): ``run.dataset`` then holds each year's
    #: flows at that year's price level and ``appraisal`` discounts at the nominal rate
    #: (:mod:`iomodel.nominal`); ``nominal_ratio`` is the key figures in current prices ÷ those
    #: in the table year's (per centre and indicator, the chosen variant), which moves figures
    #: computed in the table year's prices only (the uncertainty study's) to current prices.
    nominal: bool = False
    nominal_ratio: pd.DataFrame | None = None

    def money_factor(self, centre: str, indicator: str) -> float:
        """Factor moving ``indicator`` of ``centre`` computed in the table year's prices to the
        prices the report shows (on top of :attr:`scale`): 1 unless money is nominal."""
        if self.nominal_ratio is None:
            return 1.0
        value = float(self.nominal_ratio.loc[centre, indicator])
        return value if np.isfinite(value) else 1.0

    @property
    def ds(self) -> xr.Dataset:
        return self.run.dataset

    @property
    def has_induced(self) -> bool:
        return "induced" in self.ds.effect.values

    @property
    def scale(self) -> float:
        """Table units → billions of currency, in the prices the report shows."""
        return self.run.table.meta.unit / MONEY_SCALE * self.price_factor

    @property
    def money_year(self) -> int:
        """The year whose prices the report's money is in."""
        return self.price_year or self.run.table.meta.year


def price_factor(run: Run, year: int | None) -> float:
    """Price level of ``year`` ÷ that of the table year: the series and the growth after the
    last deflator that ``tables/fiscal/nominal.toml`` names (whole-economy GVA deflator, then
    the Bank of Russia's 4 % target), so reports and the fiscal block share one price level."""
    if year is None or year == run.table.meta.year:
        return 1.0
    from ..fiscal import load_fiscal
    from ..prices import price_level

    law = load_fiscal()
    return price_level(run.prices, law.price_series, run.table.meta.year, [year], law.price_growth)[
        0
    ]


#: ``price_year`` of :func:`prepare` for money in current prices.
NOMINAL = "nominal"


def price_levels(run: Run, years) -> dict[int, float]:
    """Price level of each of ``years`` relative to the table year (the series and growth of
    ``tables/fiscal/nominal.toml``, as :func:`price_factor`)."""
    from ..fiscal import load_fiscal
    from ..prices import price_level

    law = load_fiscal()
    years = sorted({int(y) for y in years})
    levels = price_level(run.prices, law.price_series, run.table.meta.year, years, law.price_growth)
    return dict(zip(years, levels, strict=True))


def prepare(
    run: Run,
    appraisal: Appraisal,
    groups: pd.DataFrame,
    variant: str,
    provenance: dict[str, str],
    price_year: int | str | None = None,
    dataset_file: str = "",
) -> Inputs:
    """Key figures (Type I and II) and the localisation of every centre, once per run; money
    shown in ``price_year``'s prices (None: the table year's; :data:`NOMINAL`: each year's own,
    with discounting at the matching nominal rate — see :mod:`iomodel.nominal`)."""
    ds = run.dataset
    if variant not in ds.variant.values:
        raise ValueError(
            f"variant {variant!r} is not in the run; it has "
            f"{', '.join(map(str, ds.variant.values))}"
        )
    if isinstance(price_year, str) and price_year != NOMINAL:
        raise ValueError(f"prices must be a year, None or {NOMINAL!r}, not {price_year!r}")
    loc = localisation_table(run, groups, variant)
    if isinstance(price_year, str):
        return _nominal_inputs(run, appraisal, groups, variant, provenance, dataset_file, loc)
    return _inputs(run, appraisal, groups, variant, provenance, loc, price_year, dataset_file)


def _inputs(
    run: Run,
    appraisal: Appraisal,
    groups: pd.DataFrame,
    variant: str,
    provenance: dict[str, str],
    loc: pd.DataFrame,
    price_year: int | None,
    dataset_file: str,
) -> Inputs:
    """:func:`prepare` once the localisation table is known."""
    ds = run.dataset
    type1 = key_figures(ds.sel(effect=["direct", "indirect"]), variant, appraisal)
    type2 = key_figures(ds, variant, appraisal) if "induced" in ds.effect.values else None
    by_variant = {
        str(name): (
            type2
            if name == variant and type2 is not None
            else key_figures(ds, str(name), appraisal)
        )
        for name in ds.variant.values
    }
    return Inputs(
        run,
        appraisal,
        groups,
        variant,
        provenance,
        type1,
        type2,
        loc,
        by_variant,
        provenance.get("run date", date.today().isoformat()),
        thesis_frames(ds, appraisal),
        price_year if price_year != run.table.meta.year else None,
        price_factor(run, price_year),
        dataset_file,
    )


def _nominal_inputs(
    run: Run,
    appraisal: Appraisal,
    groups: pd.DataFrame,
    variant: str,
    provenance: dict[str, str],
    dataset_file: str,
    loc: pd.DataFrame,
) -> Inputs:
    """:func:`prepare` with money in current prices: the Dataset's money variables moved to each
    year's prices before any key figure is summed, discounting made nominal."""
    from dataclasses import replace

    from ..nominal import current_prices, nominal_appraisal

    ds = run.dataset
    level = price_levels(run, [*ds.year.values.tolist(), appraisal.base_year])
    nominal_run = replace(run, dataset=current_prices(ds, level))
    real_kf = key_figures(ds, variant, appraisal)
    nominal_kf = key_figures(nominal_run.dataset, variant, nominal_appraisal(appraisal, level))
    ratio = nominal_kf / real_kf.where(real_kf != 0)
    # the localisation runs are construction only, in the table year's prices: every
    # construction flow follows the capex profile, so nominal ÷ real capex moves them exactly
    money = [c for c in loc.columns if "output" in c]
    loc = loc.copy()
    loc[money] = loc[money].mul(ratio["capex"].reindex(loc.index).fillna(1.0), axis=0)
    nominal = _inputs(
        nominal_run,
        nominal_appraisal(appraisal, level),
        groups,
        variant,
        provenance,
        loc,
        None,
        dataset_file,
    )
    return replace(nominal, nominal=True, nominal_ratio=ratio)


# --------------------------------------------------------------------------- helpers
def _money(loc: Locale, value: float, inputs: Inputs, digits: int = 1) -> str:
    return loc.num(value * inputs.scale, digits)


def _fmt(loc: Locale, inputs: Inputs, var: str, value: float) -> str:
    return loc.num(value, 0) if var == "employment" else _money(loc, value, inputs)


def _currency(loc: Locale, inputs: Inputs) -> str:
    cur = inputs.run.table.meta.currency
    return loc.t("unit.bn_rub") if cur == "RUB" else loc.t("unit.bn", currency=cur)


def _variant_label(loc: Locale, name: str) -> str:
    key = f"variant.{name}"
    return loc.t(key) if loc.has(key) else name


def _centre_name(loc: Locale, s: Scenario) -> str:
    return loc.pick(s.centre.name_ru, s.centre.name_en)


def _design_year(ds: xr.Dataset, centre: str, variant: str) -> int | None:
    """The year key_figures reports for the operation phase: the first at design output."""
    year = design_years(ds, variant)[centre]
    return int(year) if np.isfinite(year) else None


def _sources_cited(loc: Locale, ids: tuple[str, ...]) -> str:
    """Source ids as cited in the text (the appendix lists them)."""
    return ", ".join(ids)


def _qty_unit(loc: Locale, unit: str) -> str:
    return loc.t(f"qty.{unit}") if unit and loc.has(f"qty.{unit}") else unit


def _short(label: str, limit: int = 70) -> str:
    label = str(label)
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def _safe_link(url: str) -> str:
    """``url`` when it is a plain http(s) address (made a link in the PDF), else ''."""
    return url if re.fullmatch(r"https?://[^\s\"'<>]+", url or "") else ""


def _common(loc: Locale, inputs: Inputs) -> dict[str, Any]:
    """Method and provenance facts shared by every report of the run."""
    run, ds = inputs.run, inputs.ds
    meta = run.table.meta
    params = run.table.closure_parameters
    closure = ds.attrs.get("closure", "none")
    k = consumption_per_income(run.table, closure) if closure in ("default", "textbook") else None
    closure_params = []
    if closure == "default":
        for name in ("wage_share", "income_tax_rate", "propensity_to_consume", "domestic_share"):
            value = getattr(params, name)
            closure_params.append(
                {
                    "label": loc.t(f"closure.{name}"),
                    "value": loc.num(value, 3) if value is not None else "–",
                    "source": loc.pick(
                        params.sources_ru.get(name) or params.sources.get(name, ""),
                        params.sources.get(name, ""),
                    ),
                }
            )
    table_hashes = json.loads(ds.attrs.get("table_files_sha256", "{}"))
    table_label = table_name(loc, meta)
    table_source = loc.pick(meta.source_ru or meta.source, meta.source)
    appraisal_source = loc.pick(
        inputs.appraisal.source_ru or inputs.appraisal.source, inputs.appraisal.source
    )
    provenance = [
        (loc.t("prov.table"), table_label),
        (loc.t("prov.table_source"), table_source),
        (loc.t("prov.model"), loc.t(f"model.{ds.attrs.get('model_type', 'II')}")),
        (loc.t("prov.closure"), loc.t(f"closure_kind.{closure}")),
        (
            loc.t("prov.units"),
            loc.t("prov.units_text", year=meta.year, unit=_currency(loc, inputs)),
        ),
        (
            loc.t("prov.discount"),
            loc.t(
                "prov.discount_text",
                rate=loc.pct(inputs.appraisal.discount_rate, 1),
                year=inputs.appraisal.base_year,
                source=appraisal_source,
            ),
        ),
        (loc.t("prov.prices"), price_label(loc, inputs)),
        (loc.t("prov.version"), str(ds.attrs.get("iomodel_version", ""))),
        (loc.t("prov.run_date"), inputs.run_date),
    ]
    files = [(name, sha) for name, sha in sorted(table_hashes.items())]
    files.append(
        (f"{run.bridge.path.parent.name}/{run.bridge.path.name}", _sha256(run.bridge.path))
    )
    for name in ("exchange_rates.csv", "deflators.csv", "price_map.toml"):
        path = run.prices.path / name
        if path.exists():
            files.append((f"prices/{name}", _sha256(path)))
    fiscal = json.loads(ds.attrs.get("fiscal_sha256", "{}"))
    files += [(f"fiscal/{name}", sha) for name, sha in sorted(fiscal.items())]
    if fiscal:
        provenance.append((loc.t("prov.fiscal"), _money_basis_text(loc, inputs)))
    if inputs.dataset_file:
        provenance.append((loc.t("prov.dataset"), inputs.dataset_file))
    return {
        "lang": loc.lang,
        "variant_name": _variant_label(loc, inputs.variant),
        "table": {
            "id": meta.id,
            "year": meta.year,
            "source": table_source,
            "name": table_label,
            "n": run.table.n,
            "price_basis": meta.price_basis,
            "unit": _currency(loc, inputs),
            "projected": meta.projected,
            "projection": projection_text(loc, meta.projection) if meta.projection else "",
        },
        "model_type": ds.attrs.get("model_type", "II"),
        "closure": closure,
        "closure_k": loc.num(k, 3) if k is not None else "",
        "closure_params": closure_params,
        "has_induced": inputs.has_induced,
        "money_unit": _currency(loc, inputs),
        "appraisal": {
            "rate": loc.pct(inputs.appraisal.discount_rate, 1),
            "year": inputs.appraisal.base_year,
            "source": appraisal_source,
        },
        "prices": price_words(loc, inputs),
        "dataset_file": inputs.dataset_file,
        "provenance": provenance,
        "files": files,
        "scenario_hashes": json.loads(ds.attrs.get("scenario_sha256", "{}")),
        "version": str(ds.attrs.get("iomodel_version", "")),
        "run_date": inputs.run_date,
    }


def table_name(loc: Locale, meta: TableMeta) -> str:
    """The table's name in the report's language; a projected table says so first."""
    p = meta.projection
    base = str(p.get("projected_from", "")) if p else meta.id
    name = loc.t(f"table_name.{base}") if loc.has(f"table_name.{base}") else None
    if not p:
        return name or meta.name
    return loc.t("table_name.projected", year=meta.year, base=base, name=name or meta.name)


def projection_text(loc: Locale, p: Mapping[str, Any]) -> str:
    """How a projected table was made (:mod:`iomodel.projection`), in one sentence."""
    return loc.t(
        "method.projected_text",
        base=p.get("projected_from", ""),
        base_year=p.get("base_year", ""),
        year=p.get("year", ""),
        growth=loc.num(float(p.get("total_gva_growth", float("nan"))), 3),
        iterations=p.get("gras_iterations", ""),
        residual=f"{float(p.get('gras_max_relative_residual', float('nan'))):.0e}",
        adjustment=loc.pct(float(p.get("gras_adjustment", float("nan"))), 1),
        structural=loc.pct(float(p.get("structural_adjustment", float("nan"))), 1),
    )


def price_words(loc: Locale, inputs: Inputs) -> dict[str, Any]:
    """The prices of the report's money for the templates: ``label`` (the full statement, on the
    cover and in the provenance), ``short`` («цены 2021 г.», «текущие цены»), ``phrase`` («в
    ценах 2021 г.», «в текущих ценах») and ``basic`` (the same for basic prices) to fill the
    ``{prices}`` and ``{prices_basic}`` of captions, ``year`` and ``rate_kind`` (the discount
    rate, real or nominal, in words)."""
    key = "_nominal" if inputs.nominal else ""
    year = inputs.money_year
    return {
        "label": price_label(loc, inputs),
        "short": loc.t(f"prices.short{key}", year=year),
        "phrase": loc.t(f"prices.phrase{key}", year=year),
        "basic": loc.t(f"prices.basic{key}", year=year),
        "year": year,
        "rate_kind": loc.t(
            f"prices.rate{key}",
            rate=loc.pct(inputs.appraisal.discount_rate, 1),
            base=inputs.appraisal.base_year,
        ),
    }


def price_label(loc: Locale, inputs: Inputs) -> str:
    """What prices the report's money is in, in words."""
    year = inputs.run.table.meta.year
    if inputs.nominal:
        from ..fiscal import load_fiscal

        law = load_fiscal()
        known = [y for s, y in inputs.run.prices.indices if s == law.price_series]
        return loc.t(
            "prices.nominal",
            table_year=year,
            unit=_currency(loc, inputs),
            last=max(known) if known else "",
            growth=loc.pct(law.price_growth, 1),
            rate=loc.pct(inputs.appraisal.discount_rate, 1),
            base=inputs.appraisal.base_year,
        )
    if inputs.price_year is None:
        return loc.t("prices.table", year=year, unit=_currency(loc, inputs))
    return loc.t(
        "prices.chosen",
        year=inputs.price_year,
        table_year=year,
        unit=_currency(loc, inputs),
        factor=loc.num(inputs.price_factor, 3),
    )


def _money_basis_text(loc: Locale, inputs: Inputs) -> str:
    """How the fiscal block turns pay into nominal roubles (``nominal.toml``), in words."""
    from ..fiscal import load_fiscal

    law = load_fiscal()
    known = [y for s, y in inputs.run.prices.indices if s == law.price_series]
    return loc.t(
        "prov.fiscal_text",
        base=inputs.run.table.meta.year,
        last=max(known) if known else "",
        growth=loc.pct(law.price_growth, 1),
        limit=law.contrib_limit_last_year,
    )


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
