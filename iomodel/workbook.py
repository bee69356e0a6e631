"""The run's workbook as an economist reads it: sheet and column names in Russian or English,
the unit in every column header, money in billions like the reports, a number format for each
kind of column, and the provenance as readable rows.

This module holds the labels (a small table: :data:`HEADERS`, :data:`SHEETS`, :data:`VALUES`,
:data:`PROVENANCE`) and turns the views of a run (:func:`iomodel.summary.views`) into the sheets
:func:`iomodel.export.write_excel` writes.  The machine-readable outputs (CSV, NetCDF) keep the
table's units and the English keys.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Literal

import numpy as np
import pandas as pd

from .export import Sheet

__all__ = ["HEADERS", "PROVENANCE", "SHEETS", "VALUES", "column_kind", "provenance_sheet", "sheets"]

Lang = Literal["ru", "en"]

#: Column headers of the exports: key → (Russian, English).
HEADERS: dict[str, tuple[str, str]] = {
    "centre": ("Центр", "Centre"),
    "variant": ("Вариант", "Variant"),
    "phase": ("Фаза", "Phase"),
    "year": ("Год", "Year"),
    "sector": ("Продукт", "Product"),
    "effect": ("Эффект", "Effect"),
    "group": ("Группа отраслей", "Sector group"),
    "label": ("Наименование", "Label"),
    "variable": ("Показатель", "Indicator"),
    "value": ("Значение", "Value"),
    "rank": ("Место", "Rank"),
    "output": ("Выпуск", "Output"),
    "value_added": ("Добавленная стоимость", "Value added"),
    "compensation": ("Оплата труда", "Compensation of employees"),
    "employment": ("Занятость", "Employment"),
    "taxes": (
        "Чистые налоги на продукты и производство (по таблице)",
        "Net taxes on products and production (table)",
    ),
    "imports": ("Импорт", "Imports"),
    "product_taxes": ("Чистые налоги на продукты", "Net taxes on products"),
    "exports": ("Экспорт", "Exports"),
    "domestic_sales": ("Продажи на внутреннем рынке", "Domestic sales"),
    "operating_surplus": ("Валовая прибыль", "Gross operating surplus"),
    "mineral_extraction_tax": ("НДПИ", "Mineral extraction tax"),
    "property_tax": ("Налог на имущество", "Property tax"),
    "other_taxes": ("Прочие налоги на производство", "Other taxes on production"),
    "design_year": ("Год выхода на проектную мощность", "First year at design output"),
    "operation_exports": ("Экспорт, эксплуатация (год)", "Exports, operation (year)"),
    "operation_domestic_sales": (
        "Продажи на внутреннем рынке, эксплуатация (год)",
        "Domestic sales, operation (year)",
    ),
    "discounted_exports": ("Экспорт, дисконтированный", "Exports, discounted"),
    "capex": ("Капвложения", "Capex"),
    "construction_output": ("Выпуск, стройка", "Output, construction"),
    "construction_value_added": ("ДС, стройка", "Value added, construction"),
    "construction_compensation": ("Оплата труда, стройка", "Compensation, construction"),
    "construction_employment": ("Занятость, стройка", "Employment, construction"),
    "construction_taxes": (
        "Чистые налоги (по таблице), стройка",
        "Net taxes (table), construction",
    ),
    "construction_imports": ("Импорт, стройка", "Imports, construction"),
    "operation_output": ("Выпуск, эксплуатация (год)", "Output, operation (year)"),
    "operation_value_added": ("ДС, эксплуатация (год)", "Value added, operation (year)"),
    "operation_compensation": (
        "Оплата труда, эксплуатация (год)",
        "Compensation, operation (year)",
    ),
    "operation_employment": ("Занятость, эксплуатация (год)", "Employment, operation (year)"),
    "operation_taxes": (
        "Чистые налоги (по таблице), эксплуатация (год)",
        "Net taxes (table), operation (year)",
    ),
    "operation_imports": ("Импорт, эксплуатация (год)", "Imports, operation (year)"),
    "output_per_capex": ("Выпуск на рубль капвложений", "Output per rouble of capex"),
    "value_added_per_capex": ("ДС на рубль капвложений", "Value added per rouble of capex"),
    "jobs_per_bn_capex": (
        "Занятость на 1 млрд руб. капвложений",
        "Employment per bn RUB of capex",
    ),
    "discounted_output": ("Выпуск, дисконтированный", "Output, discounted"),
    "discounted_value_added": ("ДС, дисконтированная", "Value added, discounted"),
    "discounted_taxes": (
        "Чистые налоги (по таблице), дисконтированные",
        "Net taxes (table), discounted",
    ),
    "type2_over_type1_output": ("Тип II / Тип I (выпуск)", "Type II / Type I (output)"),
    # the uncertainty study (issue 15, iomodel.uncertainty)
    "indicator": ("Показатель", "Indicator"),
    "p05": ("5-й процентиль", "5th percentile"),
    "p50": ("Медиана", "Median"),
    "p95": ("95-й процентиль", "95th percentile"),
    "mean": ("Среднее", "Mean"),
    "central": ("Центральный расчёт", "Central run"),
    "criterion": ("Критерий", "Criterion"),
    "rival": ("Соперник", "Rival"),
    "probability": ("Вероятность опередить", "Probability of ranking above"),
    "headline": ("Показатель", "Headline"),
    "parameter": ("Параметр", "Parameter"),
    "tornado_low": ("Торнадо: 5-й процентиль", "Tornado: 5th percentile"),
    "tornado_high": ("Торнадо: 95-й процентиль", "Tornado: 95th percentile"),
    "sobol_first": ("Индекс Соболя первого порядка", "Sobol index, first order"),
    "sobol_total": ("Полный индекс Соболя", "Sobol index, total"),
    # the thesis table and the localisation gain (issue 12, iomodel.thesis)
    "case": ("Код варианта проверки", "Case code"),
    "case_label": ("Вариант проверки", "Case"),
    "reference": ("Сравнивается с", "Compared with"),
    "capex_discounted": ("Капвложения, дисконтированные", "Capex, discounted"),
    "value_added_discounted": ("ДС за срок, дисконтированная", "Value added, lifetime, discounted"),
    "job_years": ("Занятость за срок", "Employment, lifetime"),
    "adjacent_output_discounted": (
        "Выпуск смежных отраслей, дисконтированный",
        "Adjacent-industry output, discounted",
    ),
    "value_added_per_rouble": (
        "ДС на рубль капвложений (за срок)",
        "Value added per rouble (lifetime)",
    ),
    "job_years_per_bn_rub": (
        "Занятость на 1 млрд руб. капвложений (за срок)",
        "Employment per bn RUB of capex (lifetime)",
    ),
    "adjacent_output_per_rouble": (
        "Выпуск смежных отраслей на рубль",
        "Adjacent-industry output per rouble",
    ),
    "revenue_per_rouble": ("Доходы бюджета на рубль", "Budget revenue per rouble"),
    "revenue_discounted": (
        "Доходы бюджетов за срок, дисконтированные",
        "Budget revenue, lifetime, discounted",
    ),
    "delta_revenue_discounted": ("Δ доходов бюджетов, дисконт.", "Δ budget revenue, discounted"),
    "delta_revenue_per_rouble": ("Δ доходов бюджетов на рубль", "Δ budget revenue per rouble"),
    "marginal_revenue_per_rouble": (
        "Доходы бюджетов от передела на рубль его капвложений",
        "Stage budget revenue per rouble of its capex",
    ),
    "operation_value_added_full": ("ДС, год полной мощности", "Value added, year of full output"),
    "operation_jobs_full": ("Занятость, год полной мощности", "Jobs, year of full output"),
    "delta_capex": ("Δ капвложений", "Δ capex"),
    "delta_capex_discounted": ("Δ капвложений, дисконт.", "Δ capex, discounted"),
    "delta_value_added_discounted": ("Δ ДС, дисконт.", "Δ value added, discounted"),
    "delta_job_years": ("Δ занятости", "Δ employment"),
    "delta_adjacent_output_discounted": ("Δ выпуска смежных отраслей", "Δ adjacent output"),
    "delta_value_added_per_rouble": ("Δ ДС на рубль", "Δ value added per rouble"),
    "delta_job_years_per_bn_rub": ("Δ занятости на 1 млрд руб.", "Δ employment per bn RUB"),
    "delta_adjacent_output_per_rouble": (
        "Δ выпуска смежных на рубль",
        "Δ adjacent output per rouble",
    ),
    "marginal_value_added_per_rouble": (
        "ДС передела на рубль его капвложений",
        "Stage value added per rouble of its capex",
    ),
    "marginal_job_years_per_bn_rub": (
        "Занятость передела на 1 млрд руб. его капвложений",
        "Stage employment per bn RUB of its capex",
    ),
    "marginal_adjacent_output_per_rouble": (
        "Выпуск смежных отраслей от передела на рубль",
        "Stage adjacent output per rouble of its capex",
    ),
    "output_low": ("Выпуск, низкая локализация", "Output, low localisation"),
    "output_high": ("Выпуск, высокая локализация", "Output, high localisation"),
    "output_gain": ("Прирост выпуска", "Output gain"),
    "employment_low": ("Занятость, низкая локализация", "Employment, low localisation"),
    "employment_high": ("Занятость, высокая локализация", "Employment, high localisation"),
    "employment_gain": ("Прирост занятости", "Employment gain"),
    # budget revenue (iomodel.budget)
    "tax": ("Налог", "Tax"),
    "federal": ("Федеральный бюджет", "Federal budget"),
    "regional": ("Региональные бюджеты", "Regional budgets"),
    "local": ("Местные бюджеты", "Local budgets"),
    "social_funds": ("Социальный фонд и ФОМС", "Social Fund and CHI fund"),
    "total": ("Всего", "Total"),
    "construction_revenue": ("Доходы бюджетов, стройка", "Budget revenue, construction"),
    "operation_revenue": (
        "Доходы бюджетов, эксплуатация (год)",
        "Budget revenue, operation (year)",
    ),
    "discounted_revenue": ("Доходы бюджетов, дисконтированные", "Budget revenue, discounted"),
    "construction_revenue_per_capex": (
        "Доходы бюджетов за стройку на рубль капвложений",
        "Budget revenue in construction per rouble of capex",
    ),
    "revenue_per_capex": (
        "Доходы бюджетов на рубль капвложений (дисконтированные)",
        "Budget revenue per rouble of capex (discounted)",
    ),
    # the regional step (iomodel.regional_impact, summary.regional_view / regional_shares)
    "delta": ("δ (FLQ)", "δ (FLQ)"),
    "national": ("Россия", "Russia"),
    "in_region": ("В регионе (регионах) центра", "In the centre's region(s)"),
    "rest_of_russia": ("Остальная Россия", "Rest of Russia"),
    "abroad": ("За рубежом", "Abroad"),
    "share": ("Доля в регионе", "Share in the region"),
    "construction_value_added_in_region": ("ДС в регионе, стройка", "VA in region, construction"),
    "construction_employment_in_region": (
        "Занятость в регионе, стройка",
        "Employment in region, construction",
    ),
    "operation_value_added_in_region": (
        "ДС в регионе, эксплуатация (год)",
        "VA in region, operation (year)",
    ),
    "operation_employment_in_region": (
        "Занятость в регионе, эксплуатация (год)",
        "Employment in region, operation (year)",
    ),
    "construction_value_added_region_share": (
        "Доля ДС стройки в регионе",
        "Share of construction VA in region",
    ),
    "construction_employment_region_share": (
        "Доля занятости стройки в регионе",
        "Share of construction jobs in region",
    ),
    "operation_value_added_region_share": (
        "Доля ДС эксплуатации в регионе",
        "Share of operation VA in region",
    ),
    "operation_employment_region_share": (
        "Доля раб. мест эксплуатации в регионе",
        "Share of operation jobs in region",
    ),
    "value_added_in_region_per_capex": (
        "ДС в регионе на рубль капвложений",
        "VA in region per rouble of capex",
    ),
    "jobs_in_region_per_bn_capex": (
        "Занятость в регионе на 1 млрд руб. капвложений",
        "Employment in region per bn RUB of capex",
    ),
    "discounted_value_added_in_region": (
        "ДС в регионе, дисконтированная",
        "VA in region, discounted",
    ),
    "discounted_value_added_region_share": (
        "Доля дисконтированной ДС в регионе",
        "Share of discounted VA in region",
    ),
    # key figures added with the thesis and regional budgets
    "discounted_capex": ("Капвложения, дисконтированные", "Capex, discounted"),
    "value_added_per_discounted_capex": (
        "ДС за срок на рубль капвложений (дисконтированные)",
        "Value added, lifetime, per rouble of capex (discounted)",
    ),
    "job_years_per_bn_capex": (
        "Занятость за срок на 1 млрд руб. капвложений",
        "Employment, lifetime, per bn RUB of capex",
    ),
    "construction_regional_budget_revenue": (
        "Доходы регионального бюджета, стройка",
        "Regional budget revenue, construction",
    ),
    "operation_regional_budget_revenue": (
        "Доходы регионального бюджета, эксплуатация (год)",
        "Regional budget revenue, operation (year)",
    ),
    "discounted_regional_budget_revenue": (
        "Доходы регионального бюджета, дисконтированные",
        "Regional budget revenue, discounted",
    ),
    "regional_budget_revenue_per_capex": (
        "Доходы регионального бюджета на рубль капвложений",
        "Regional budget revenue per rouble of capex",
    ),
    "regional_budget_revenue_share": (
        "Доля регионального бюджета в доходах",
        "Regional budget's share of revenue",
    ),
    # the localisation of equipment (summary.localisation)
    "import_share_high": ("Доля импорта оборудования, высокая", "Equipment import share, high"),
    "import_share_low": ("Доля импорта оборудования, низкая", "Equipment import share, low"),
    "machine_output_imports_high": (
        "Выпуск машиностроения, высокий импорт",
        "Machine-building output, high imports",
    ),
    "machine_jobs_imports_high": (
        "Занятость в машиностроении, высокий импорт",
        "Machine-building employment, high imports",
    ),
    "total_output_imports_high": ("Выпуск всего, высокий импорт", "Total output, high imports"),
    "total_jobs_imports_high": (
        "Занятость всего, высокий импорт",
        "Total employment, high imports",
    ),
    "machine_output_imports_low": (
        "Выпуск машиностроения, низкий импорт",
        "Machine-building output, low imports",
    ),
    "machine_jobs_imports_low": (
        "Занятость в машиностроении, низкий импорт",
        "Machine-building employment, low imports",
    ),
    "total_output_imports_low": ("Выпуск всего, низкий импорт", "Total output, low imports"),
    "total_jobs_imports_low": ("Занятость всего, низкий импорт", "Total employment, low imports"),
    "machine_output_gain": ("Прирост выпуска машиностроения", "Machine-building output gain"),
    "machine_jobs_gain": ("Прирост занятости в машиностроении", "Machine-building employment gain"),
    "total_output_gain": ("Прирост выпуска всего", "Total output gain"),
    "total_jobs_gain": ("Прирост занятости всего", "Total employment gain"),
    # the workbook's own columns
    "unit": ("Единица", "Unit"),
    "what": ("Что", "What"),
    "source": ("Источник или файл", "Source or file"),
}
_LEVELS = {
    "federal": ("федеральный бюджет", "federal budget"),
    "regional": ("региональные бюджеты", "regional budgets"),
    "local": ("местные бюджеты", "local budgets"),
    "social_funds": ("социальные фонды", "social funds"),
}
for _key in ("construction_revenue", "operation_revenue", "discounted_revenue"):
    for _level, (_ru, _en) in _LEVELS.items():
        HEADERS[f"{_key}_{_level}"] = (
            f"{HEADERS[_key][0]}: {_ru}",
            f"{HEADERS[_key][1]}: {_en}",
        )


#: Sheet names (at most 31 characters, none of []:*?/\).
SHEETS: dict[str, tuple[str, str]] = {
    "key_figures": ("Основные показатели", "Key figures"),
    "by_year": ("По годам", "By year"),
    "new_activity": ("Новое производство", "New activity"),
    "revenue": ("Доходы бюджетов", "Budget revenue"),
    "by_group": ("По группам отраслей", "By sector group"),
    "by_sector": ("По продуктам", "By product"),
    "by_region": ("По регионам", "By region"),
    "region_delta": ("Регион, чувствительность к δ", "Region, sensitivity to δ"),
    "localisation": ("Локализация", "Localisation"),
    "uncertainty": ("Неопределённость", "Uncertainty"),
    "outranking": ("Вероятность опередить", "Outranking"),
    "sensitivity": ("Чувствительность", "Sensitivity"),
    "thesis": ("Тезис программы", "Programme thesis"),
    "thesis_localisation": ("Локализация по группам", "Localisation by group"),
    "provenance": ("Происхождение данных", "Provenance"),
}

#: Values of the category columns shown in words (the codes stay in the CSV and NetCDF).
VALUES: dict[str, tuple[str, str]] = {
    "construction": ("стройка", "construction"),
    "operation": ("эксплуатация", "operation"),
    "direct": ("прямой", "direct"),
    "indirect": ("косвенный", "indirect"),
    "induced": ("индуцированный", "induced"),
    "central": ("центральный", "central"),
    "low": ("низкий", "low"),
    "high": ("высокий", "high"),
}

#: Provenance items: key of :func:`iomodel.pipeline.run_provenance` → (Russian, English).
PROVENANCE: dict[str, tuple[str, str]] = {
    "table": ("Таблица «затраты-выпуск»", "Input-output table"),
    "table source": ("Источник таблицы", "Source of the table"),
    "table files sha256": ("sha256 файла таблицы", "sha256 of a table file"),
    "scenario files sha256": ("sha256 файла сценария", "sha256 of a scenario file"),
    "bridge and price files sha256": (
        "sha256 файла соответствий или цен",
        "sha256 of a bridge or price file",
    ),
    "model type": ("Тип модели (I или II)", "Model type (I or II)"),
    "household closure": ("Замыкание по домашним хозяйствам", "Household closure"),
    "labour productivity": ("Производительность труда", "Labour productivity"),
    "fiscal data sha256": ("sha256 файла налоговых данных", "sha256 of a fiscal data file"),
    "fiscal regimes": ("Налоговый режим", "Tax regime"),
    "fiscal money basis": ("Денежная база налогов", "Money basis of the taxes"),
    "units": ("Единицы Dataset и CSV", "Units of the Dataset and CSV"),
    "workbook units": ("Единицы этой книги", "Units of this workbook"),
    "discount rate": ("Ставка дисконтирования", "Discount rate"),
    "iomodel version": ("Версия iomodel", "iomodel version"),
    "run date": ("Дата расчёта", "Run date"),
    "notes": ("Замечание расчёта", "Run note"),
    "table projected": ("Прогнозная таблица", "Projected table"),
    "scenario": ("Файл сценария", "Scenario file"),
}

Kind = Literal["money", "persons", "job_years", "per_bn", "ratio", "share", "index", "year"]

#: Number format of each kind of column (Excel codes; money in billions).
FORMATS: dict[str, str] = {
    "money": "#,##0.00",
    "persons": "#,##0",
    "job_years": "#,##0",
    "per_bn": "#,##0",
    "ratio": "0.00",
    "share": "0.0%",
    "index": "0.00",
    "year": "0",
    "mixed": "#,##0.00",
}
_UNITS: dict[str, tuple[str, str]] = {
    "persons": ("чел.", "persons"),
    "job_years": ("чел.-лет", "person-years"),
    "per_bn": ("чел.-лет", "person-years"),
    "ratio": ("руб. на руб.", "RUB per RUB"),
    "share": ("%", "%"),
}
#: Columns whose kind the name alone does not tell.
_KINDS: dict[str, Kind] = {
    "year": "year",
    "design_year": "year",
    "delta": "index",
    "type2_over_type1_output": "index",
    "sobol_first": "index",
    "sobol_total": "index",
    "probability": "share",
    "share": "share",
    "operation_employment": "persons",
    "operation_jobs_full": "persons",
    "operation_employment_in_region": "persons",
}
#: Sheets summed over the years: their employment is in person-years.
_SUMMED = {"by_group", "by_sector", "localisation", "thesis_localisation"}
#: Columns naming, row by row, what the numbers of the row are.
_ROW_KEYS = ("variable", "indicator", "headline")


def column_kind(column: str, sheet: str = "") -> Kind:
    """The kind of a numeric column of ``sheet``, which gives its unit and number format."""
    if column in _KINDS:
        return _KINDS[column]
    if "share" in column:
        return "share"
    if "per_bn" in column:
        return "per_bn"
    if "per_capex" in column or "per_rouble" in column or "per_discounted" in column:
        return "ratio"
    people = "employment" in column or "jobs" in column
    summed = sheet in _SUMMED or column.startswith("construction_")
    if "job_years" in column or (people and summed):
        return "job_years"
    if people:
        return "persons"
    return "money"


def _unit(kind: str, money: tuple[str, str], k: int) -> str:
    return money[k] if kind == "money" else _UNITS.get(kind, ("", ""))[k]


def _words(codes: pd.Series, table: Mapping[str, tuple[str, str]], k: int) -> pd.Series:
    """``codes`` in words from ``table`` (code → (Russian, English)); NaN where it has none."""
    return codes.map({c: table[c][k] for c in codes.unique() if c in table})


def _label(key: str, k: int) -> str:
    return HEADERS.get(key, (key, key))[k]


def sheets(
    views: Mapping[str, pd.DataFrame],
    provenance: Mapping[str, str],
    scale: float,
    money: tuple[str, str],
    lang: Lang = "ru",
    labels: Mapping[str, Mapping[str, tuple[str, str]]] | None = None,
) -> list[Sheet]:
    """The workbook's sheets: every view, then the provenance.

    ``scale`` turns the table's money into billions (1e-3 for a table in millions), ``money``
    is the money unit in Russian and English (e.g. «млрд руб., цены 2021 г.»), ``labels``
    (column → code → (Russian, English)) names the codes of a column in words (sector, group
    and tax labels in the chosen language).
    """
    k = 0 if lang == "ru" else 1
    out = [_view_sheet(name, frame, scale, money, k, labels or {}) for name, frame in views.items()]
    out.append(provenance_sheet(provenance, lang))
    return out


def _view_sheet(
    name: str,
    frame: pd.DataFrame,
    scale: float,
    money: tuple[str, str],
    k: int,
    labels: Mapping[str, Mapping[str, tuple[str, str]]],
) -> Sheet:
    frame = frame.reset_index() if frame.index.name else frame.copy()
    other = ("case_label_en", "case_label_ru")[k]
    frame = frame.drop(columns=[other], errors="ignore").rename(
        columns={"case_label_ru": "case_label", "case_label_en": "case_label"}
    )
    code = next((c for c in ("sector", "group", "tax") if c in frame and c in labels), None)
    if code is not None and "label" in frame:  # the label in the workbook's language
        frame["label"] = _words(frame[code], labels[code], k).fillna(frame["label"])
    row_key = next((c for c in _ROW_KEYS if c in frame.columns), None)
    row_kinds = None
    if row_key is not None:
        keys = frame[row_key].astype(str)
        row_kinds = keys.map({v: column_kind(v, name) for v in keys.unique()})
    headers, formats = [], []
    for column in list(frame.columns):
        series = frame[column]
        header = _label(column, k)
        is_number = pd.api.types.is_numeric_dtype(series)
        fmt = None
        if column in ("phase", "effect", "variant") and not is_number:
            frame[column] = _words(series, VALUES, k).fillna(series)
        elif column in (row_key, "criterion"):
            frame[column] = _words(series.astype(str), HEADERS, k).fillna(series)
        elif is_number and column != "rank":
            kind = column_kind(column, name)
            if row_kinds is not None and kind == "money":  # what the row says it is
                frame[column] = np.where(row_kinds == "money", series * scale, series)
                fmt = FORMATS["mixed"]
            else:
                if kind == "money":
                    frame[column] = series * scale
                unit = _unit(kind, money, k)
                header = f"{header}, {unit}" if unit else header
                fmt = FORMATS[kind]
        headers.append(header)
        formats.append(fmt)
    if row_kinds is not None:  # the unit of each row, beside what the row holds
        at = frame.columns.get_loc(row_key) + 1
        frame.insert(at, "unit", [_unit(str(r), money, k) for r in row_kinds])
        headers.insert(at, _label("unit", k))
        formats.insert(at, None)
    return Sheet(SHEETS.get(name, (name, name))[k], frame, headers, formats)


def provenance_sheet(provenance: Mapping[str, str], lang: Lang = "ru") -> Sheet:
    """The provenance as rows of what, value and source or file: one file's sha256 a row, one
    centre's tax regime or note a row, the discount rate beside its source."""
    k = 0 if lang == "ru" else 1
    rows: list[tuple[str, str, str]] = []
    for key, text in provenance.items():
        what = PROVENANCE.get(key, (key, key))[k]
        if key.startswith("scenario ") and key not in PROVENANCE:
            rows.append((f"{PROVENANCE['scenario'][k]}: {key[9:]}", text, ""))
            continue
        text, _, tail = str(text).partition(" (--preferences ")
        parsed = _json(text)
        if isinstance(parsed, dict):
            for item, value in parsed.items():
                if key.endswith("sha256"):
                    rows.append((what, str(value), str(item)))
                else:
                    rows.append((f"{what}: {item}", _readable(value), ""))
            if tail:
                rows.append((f"{what}: --preferences", tail.rstrip(")"), ""))
        elif key == "discount rate" and " — " in text:
            rate, _, source = text.partition(" — ")
            rows.append((what, rate, source))
        else:
            rows.append((what, text + (f" (--preferences {tail}" if tail else ""), ""))
    frame = pd.DataFrame(rows, columns=["what", "value", "source"])
    return Sheet(
        SHEETS["provenance"][k],
        frame,
        [_label(c, k) for c in frame.columns],
        [None, None, None],
        widths=[40, 70, 70],
    )


def _json(text: str) -> object:
    if not re.match(r"\s*[\[{]", text):
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _readable(value: object) -> str:
    """A JSON value as words: "key: value; …" for a mapping, items joined by "; " for a list."""
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_readable(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "; ".join(_readable(v) for v in value)
    return "—" if value is None else str(value)
