"""Exports of a run: NetCDF (the whole Dataset), a formatted Excel workbook, tidy CSV.

Every file is written to a temporary name in the target folder and moved into place only when
complete (``os.replace`` is atomic on one file system), so a failed run never leaves a half-written
file or overwrites a good one.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import xarray as xr
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .impact import VARIABLES

__all__ = [
    "HEADERS",
    "atomic_path",
    "read_csv",
    "read_netcdf",
    "write_csv",
    "write_excel",
    "write_netcdf",
]

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
    "employment": ("Занятость, чел.", "Employment, persons"),
    "taxes": ("Налоги", "Taxes"),
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
    "construction_employment": ("Занятость, чел.-лет, стройка", "Job-years, construction"),
    "construction_taxes": ("Налоги, стройка", "Taxes, construction"),
    "construction_imports": ("Импорт, стройка", "Imports, construction"),
    "operation_output": ("Выпуск, эксплуатация (год)", "Output, operation (year)"),
    "operation_value_added": ("ДС, эксплуатация (год)", "Value added, operation (year)"),
    "operation_compensation": (
        "Оплата труда, эксплуатация (год)",
        "Compensation, operation (year)",
    ),
    "operation_employment": ("Занятость, эксплуатация, чел.", "Jobs, operation"),
    "operation_taxes": ("Налоги, эксплуатация (год)", "Taxes, operation (year)"),
    "operation_imports": ("Импорт, эксплуатация (год)", "Imports, operation (year)"),
    "output_per_capex": ("Выпуск на рубль капвложений", "Output per rouble of capex"),
    "value_added_per_capex": ("ДС на рубль капвложений", "Value added per rouble of capex"),
    "jobs_per_bn_capex": ("Чел.-лет на 1 млрд руб. капвложений", "Job-years per bn RUB of capex"),
    "discounted_output": ("Выпуск, дисконтированный", "Output, discounted"),
    "discounted_value_added": ("ДС, дисконтированная", "Value added, discounted"),
    "discounted_taxes": ("Налоги, дисконтированные", "Taxes, discounted"),
    "type2_over_type1_output": ("Тип II / Тип I (выпуск)", "Type II / Type I (output)"),
}


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; move it onto ``target`` only on success."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp_path, 0o666 & ~umask)
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_netcdf(ds: xr.Dataset, target: Path) -> Path:
    """The whole Dataset as NetCDF (scipy backend, no extra library needed)."""
    with atomic_path(target) as tmp:
        ds.to_netcdf(tmp, engine="scipy")
    return target


def read_netcdf(path: Path) -> xr.Dataset:
    """Read a Dataset written by :func:`write_netcdf`."""
    with xr.open_dataset(path, engine="scipy") as ds:
        return ds.load()


def tidy(ds: xr.Dataset) -> pd.DataFrame:
    """Long table: centre, variant, phase, year, sector, effect, variable, value (non-zero rows)."""
    frame = ds[list(VARIABLES)].to_dataframe()[list(VARIABLES)]
    long = frame.stack().rename("value").reset_index().rename(columns={"level_6": "variable"})
    return long[long["value"] != 0].reset_index(drop=True)


def write_csv(ds: xr.Dataset, target: Path) -> Path:
    """Tidy CSV of every non-zero cell (UTF-8, full precision)."""
    with atomic_path(target) as tmp:
        tidy(ds).to_csv(tmp, index=False, float_format="%.17g")
    return target


def read_csv(path: Path) -> pd.DataFrame:
    """Read a tidy CSV written by :func:`write_csv`."""
    return pd.read_csv(path, dtype={"sector": str, "centre": str, "variant": str})


_HEADER_FILL = PatternFill("solid", fgColor="DDE3EA")


def _sheet(
    wb: Workbook,
    title: str,
    frame: pd.DataFrame,
    formats: dict[str, str] | None = None,
    note: str = "",
) -> None:
    ws = wb.create_sheet(title[:31])
    columns = list(frame.columns)
    ws.append([HEADERS.get(c, (c, c))[0] for c in columns])
    ws.append([HEADERS.get(c, (c, c))[1] for c in columns])
    for cell in list(ws[1]) + list(ws[2]):
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in frame.itertuples(index=False):
        ws.append(
            [
                None
                if (isinstance(v, float) and v != v)
                else (v.item() if hasattr(v, "item") else v)
                for v in row
            ]
        )
    ws.freeze_panes = "A3"
    formats = formats or {}
    for j, column in enumerate(columns, start=1):
        letter = get_column_letter(j)
        fmt = formats.get(column)
        if fmt is None and column.endswith("year"):
            fmt = "0"
        if fmt is None and pd.api.types.is_float_dtype(frame[column]):
            fmt = "#,##0.0"
        if fmt:
            for (cell,) in ws.iter_rows(min_row=3, min_col=j, max_col=j):
                cell.number_format = fmt
        width = max(
            [len(str(HEADERS.get(column, (column, column))[k])) for k in (0, 1)]
            + [len(str(v)) for v in frame[column].head(200)]
        )
        ws.column_dimensions[letter].width = min(max(10, width + 2), 48)
    if note:
        ws.cell(row=ws.max_row + 2, column=1, value=note).font = Font(italic=True)


def write_excel(
    target: Path,
    views: dict[str, pd.DataFrame],
    provenance: dict[str, str],
    formats: dict[str, dict[str, str]] | None = None,
) -> Path:
    """A formatted workbook: one sheet per view (two header rows, Russian and English; number
    formats; frozen headers; column widths) and a provenance sheet."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, frame in views.items():
        _sheet(
            wb,
            title,
            frame.reset_index() if frame.index.name else frame,
            (formats or {}).get(title),
        )
    ws = wb.create_sheet("provenance")
    ws.append(["Ключ / Key", "Значение / Value"])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
    for key, value in provenance.items():
        ws.append([key, value])
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 120
    for (cell,) in ws.iter_rows(min_row=2, min_col=2, max_col=2):
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    with atomic_path(target) as tmp:
        wb.save(tmp)
    return target
