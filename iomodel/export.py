"""Exports of a run: NetCDF (the whole Dataset), a formatted Excel workbook, tidy CSV.

Every file is written to a temporary name in the target folder and moved into place only when
complete (``os.replace`` is atomic on one file system), so a failed run never leaves a half-written
file or overwrites a good one.  The outputs of one run are replaced together
(:class:`OutputSet`): they are written into a staging folder beside them and moved in only when
all are complete, so a failure leaves all the old files and no new one.
"""

from __future__ import annotations

import datetime
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from .errors import OutputError
from .impact import VARIABLES

__all__ = [
    "HEADERS",
    "OutputSet",
    "atomic_path",
    "check_output_folder",
    "money_unit",
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
    "construction_employment": ("Занятость, чел.-лет, стройка", "Job-years, construction"),
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
    "operation_employment": ("Занятость, эксплуатация, чел.", "Jobs, operation"),
    "operation_taxes": (
        "Чистые налоги (по таблице), эксплуатация (год)",
        "Net taxes (table), operation (year)",
    ),
    "operation_imports": ("Импорт, эксплуатация (год)", "Imports, operation (year)"),
    "output_per_capex": ("Выпуск на рубль капвложений", "Output per rouble of capex"),
    "value_added_per_capex": ("ДС на рубль капвложений", "Value added per rouble of capex"),
    "jobs_per_bn_capex": ("Чел.-лет на 1 млрд руб. капвложений", "Job-years per bn RUB of capex"),
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
    "case": ("Вариант проверки", "Case"),
    "case_label_ru": ("Вариант проверки (рус.)", "Case (Russian)"),
    "case_label_en": ("Вариант проверки (англ.)", "Case (English)"),
    "reference": ("Сравнивается с", "Compared with"),
    "capex_discounted": ("Капвложения, дисконтированные", "Capex, discounted"),
    "value_added_discounted": ("ДС за срок, дисконтированная", "Value added, lifetime, discounted"),
    "job_years": ("Чел.-лет за срок", "Job-years, lifetime"),
    "adjacent_output_discounted": (
        "Выпуск смежных отраслей, дисконтированный",
        "Adjacent-industry output, discounted",
    ),
    "value_added_per_rouble": (
        "ДС на рубль капвложений (за срок)",
        "Value added per rouble (lifetime)",
    ),
    "job_years_per_bn_rub": (
        "Чел.-лет на 1 млрд руб. (за срок)",
        "Job-years per bn RUB (lifetime)",
    ),
    "adjacent_output_per_rouble": (
        "Выпуск смежных отраслей на рубль",
        "Adjacent-industry output per rouble",
    ),
    "revenue_discounted": (
        "Доходы бюджетов за срок, дисконтированные",
        "Budget revenue, lifetime, discounted",
    ),
    "revenue_per_rouble": ("Доходы бюджета на рубль", "Budget revenue per rouble"),
    "operation_value_added_full": ("ДС, год полной мощности", "Value added, year of full output"),
    "operation_jobs_full": ("Занятость, год полной мощности", "Jobs, year of full output"),
    "delta_capex": ("Δ капвложений", "Δ capex"),
    "delta_capex_discounted": ("Δ капвложений, дисконт.", "Δ capex, discounted"),
    "delta_value_added_discounted": ("Δ ДС, дисконт.", "Δ value added, discounted"),
    "delta_job_years": ("Δ чел.-лет", "Δ job-years"),
    "delta_adjacent_output_discounted": ("Δ выпуска смежных отраслей", "Δ adjacent output"),
    "delta_value_added_per_rouble": ("Δ ДС на рубль", "Δ value added per rouble"),
    "delta_job_years_per_bn_rub": ("Δ чел.-лет на 1 млрд руб.", "Δ job-years per bn RUB"),
    "delta_adjacent_output_per_rouble": (
        "Δ выпуска смежных на рубль",
        "Δ adjacent output per rouble",
    ),
    "delta_revenue_discounted": ("Δ доходов бюджетов, дисконт.", "Δ budget revenue, discounted"),
    "delta_revenue_per_rouble": ("Δ доходов бюджетов на рубль", "Δ budget revenue per rouble"),
    "marginal_value_added_per_rouble": (
        "ДС передела на рубль его капвложений",
        "Stage value added per rouble of its capex",
    ),
    "marginal_job_years_per_bn_rub": (
        "Чел.-лет передела на 1 млрд руб. его капвложений",
        "Stage job-years per bn RUB of its capex",
    ),
    "marginal_adjacent_output_per_rouble": (
        "Выпуск смежных отраслей от передела на рубль",
        "Stage adjacent output per rouble of its capex",
    ),
    "marginal_revenue_per_rouble": (
        "Доходы бюджетов от передела на рубль его капвложений",
        "Stage budget revenue per rouble of its capex",
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
        "Чел.-лет в регионе, стройка",
        "Job-years in region, construction",
    ),
    "operation_value_added_in_region": (
        "ДС в регионе, эксплуатация (год)",
        "VA in region, operation (year)",
    ),
    "operation_employment_in_region": (
        "Раб. мест в регионе, эксплуатация",
        "Jobs in region, operation",
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
        "Чел.-лет в регионе на 1 млрд руб.",
        "Job-years in region per bn RUB of capex",
    ),
    "discounted_value_added_in_region": (
        "ДС в регионе, дисконтированная",
        "VA in region, discounted",
    ),
    "discounted_value_added_region_share": (
        "Доля дисконтированной ДС в регионе",
        "Share of discounted VA in region",
    ),
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


def check_output_folder(folder: Path, names: Iterable[str] = ()) -> Path:
    """Refuse, before any work is done, a folder the outputs cannot be written to.

    The folder may not exist yet (it is created), but the first existing folder above it must be
    a writable folder; ``names`` (the files to be written) must not be folders.  Raises
    :class:`~iomodel.errors.OutputError` naming the path and the fix.
    """
    folder = Path(folder)
    probe = folder
    while not probe.exists():
        if probe.is_symlink():
            raise OutputError(f"{probe}: a broken symbolic link; remove it or choose another --out")
        probe = probe.parent
    if not probe.is_dir():
        raise OutputError(
            f"{folder}: cannot be an output folder: {probe} is a file; choose another --out"
        )
    if not os.access(probe, os.W_OK | os.X_OK):
        raise OutputError(f"{probe}: not writable; choose another --out or fix its permissions")
    for name in names:
        if (folder / name).is_dir():
            raise OutputError(
                f"{folder / name}: is a folder, so the output {name} cannot be written; "
                "move it away or choose another --out"
            )
    return folder


_STAGING = ".iomodel-staging-"
_JOURNAL = ".commit"  # names to move in; its presence means the staged files are complete


class OutputSet:
    """Files of one run written as a set: all new or all old, never a mix.

    >>> with OutputSet(Path("out")) as staging:                     # doctest: +SKIP
    ...     write_netcdf(ds, staging / "impact.nc")
    ...     write_csv(ds, staging / "impact.csv")

    Inside the block the files go to a staging folder ``out/.iomodel-staging-…`` (same file
    system, so moving them is a rename); when the block ends without an error the staged files
    replace their namesakes in ``out`` and the staging folder is removed; on an error it is
    removed and ``out`` is untouched.  The commit first writes a journal of the names; a process
    killed while committing leaves the journal, and the next :class:`OutputSet` on that folder
    finishes the move (every staged file was complete before the journal was written).  A
    staging folder without a journal, left by a killed run, is deleted.  A folder is known to be
    abandoned when no process holds its lock (``flock``: the kernel releases it when the owner
    dies, however it dies).
    """

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.staging: Path | None = None
        self._lock: Any = None

    def __enter__(self) -> Path:
        check_output_folder(self.folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        recover(self.folder)
        self.staging = Path(tempfile.mkdtemp(prefix=_STAGING, dir=self.folder))
        self._lock = _hold_lock(self.staging)
        return self.staging

    def __exit__(self, kind, value, tb) -> None:
        assert self.staging is not None
        try:
            if kind is None:
                names = sorted(p.name for p in self.staging.iterdir() if not p.name.startswith("."))
                _commit(self.staging, self.folder, names)
        finally:
            shutil.rmtree(self.staging, ignore_errors=True)
            if self._lock is not None:
                self._lock.close()


def _hold_lock(staging: Path) -> Any:
    handle = (staging / ".lock").open("w")
    try:
        import fcntl

        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except ImportError:  # pragma: no cover - not POSIX: the pid in the name is the only clue
        pass
    return handle


def _abandoned(staging: Path) -> bool:
    try:
        import fcntl
    except ImportError:  # pragma: no cover
        return False
    try:
        fd = os.open(staging / ".lock", os.O_RDWR)
    except FileNotFoundError:  # killed before it made one — or making it right now
        return _stale(staging, 60.0)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False  # a live process holds it
    finally:
        os.close(fd)
    return True


def _commit(staging: Path, folder: Path, names: list[str]) -> None:
    """Move ``names`` from ``staging`` into ``folder``; undo on failure."""
    journal = staging / _JOURNAL
    journal.write_text("\n".join(names), encoding="utf-8")
    backups: dict[str, Path | None] = {}
    try:
        for name in names:
            target = folder / name
            backup = staging / f".old-{name}"
            if target.exists():
                try:
                    os.link(target, backup)  # a second name for the old file, to undo with
                except OSError:
                    shutil.copy2(target, backup)
                backups[name] = backup
            else:
                backups[name] = None
            os.replace(staging / name, target)
    except BaseException:
        for name, kept in backups.items():
            target = folder / name
            if kept is not None:
                os.replace(kept, target)
            elif not (staging / name).exists():
                target.unlink(missing_ok=True)  # it was new: take it away again
        journal.unlink(missing_ok=True)
        raise
    journal.unlink()


def recover(folder: Path) -> None:
    """Finish or discard what killed runs left in ``folder`` (staging folders nobody holds)."""
    for staging in sorted(Path(folder).glob(_STAGING + "*")):
        if not staging.is_dir() or not _abandoned(staging):
            continue
        journal = staging / _JOURNAL
        if journal.exists():
            for name in journal.read_text(encoding="utf-8").split("\n"):
                if name and (staging / name).exists():
                    os.replace(staging / name, Path(folder) / name)
        shutil.rmtree(staging, ignore_errors=True)
    for part in Path(folder).glob(".*.part"):  # atomic_path's temporaries of killed runs
        if _stale(part):
            part.unlink(missing_ok=True)


def _stale(path: Path, seconds: float = 3600.0) -> bool:
    import time

    try:
        return time.time() - path.stat().st_mtime > seconds
    except OSError:
        return False


def write_netcdf(ds: xr.Dataset, target: Path) -> Path:
    """The whole Dataset as NetCDF (scipy backend, no extra library needed)."""
    with atomic_path(target) as tmp:
        ds.to_netcdf(tmp, engine="scipy")
    return target


def read_netcdf(path: Path) -> xr.Dataset:
    """Read a Dataset written by :func:`write_netcdf`."""
    with xr.open_dataset(path, engine="scipy") as ds:
        return ds.load()


def _nonzero(
    ds: xr.Dataset, label: Callable[[str], str] = str
) -> Iterator[tuple[list[np.ndarray], np.ndarray]]:
    """The non-zero cells of the six variables, one centre at a time: the label of every
    dimension (centre, variant, phase, year, sector, effect, variable; each passed through
    ``label``) and the value.

    Cells are in the order of the dimensions with the variable innermost, as a stacked
    ``to_dataframe()`` would give them, without building that (large) frame.
    """
    values = np.stack([ds[v].values for v in VARIABLES], axis=-1)
    dims = ds[VARIABLES[0]].dims
    labels = [np.array([label(str(x)) for x in ds[d].values], dtype=object) for d in dims]
    labels.append(np.array([label(v) for v in VARIABLES], dtype=object))
    for c in range(values.shape[0]):
        block = values[c]
        flat = block.reshape(-1)
        nz = np.flatnonzero(flat)
        if not nz.size:
            continue
        idx = np.unravel_index(nz, block.shape)
        columns = [np.full(nz.size, labels[0][c], dtype=object)]
        columns += [lab[i] for lab, i in zip(labels[1:], idx)]
        yield columns, flat[nz]


_TIDY = ("centre", "variant", "phase", "year", "sector", "effect", "variable", "value")


def tidy(ds: xr.Dataset) -> pd.DataFrame:
    """Long table: centre, variant, phase, year, sector, effect, variable, value (non-zero rows)."""
    parts = [pd.DataFrame(dict(zip(_TIDY, [*columns, values]))) for columns, values in _nonzero(ds)]
    if not parts:
        return pd.DataFrame({k: [] for k in _TIDY})
    frame = pd.concat(parts, ignore_index=True)
    frame["year"] = frame["year"].astype(int)
    return frame


def write_csv(ds: xr.Dataset, target: Path) -> Path:
    """Tidy CSV of every non-zero cell (UTF-8; each value written in the shortest form that reads
    back to the same double, so nothing is lost).  Written one centre at a time."""
    with atomic_path(target) as tmp, tmp.open("w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(_TIDY) + "\n")
        for columns, values in _nonzero(ds, _csv_field):
            rows = zip(*columns, map(repr, values.tolist()))
            fh.write("".join([",".join(row) + "\n" for row in rows]))
    return target


def _csv_field(text: str) -> str:
    """A label as a CSV field: quoted only when it holds a comma, a quote or a line break."""
    if any(ch in text for ch in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def read_csv(path: Path) -> pd.DataFrame:
    """Read a tidy CSV written by :func:`write_csv`."""
    return pd.read_csv(path, dtype={"sector": str, "centre": str, "variant": str})


_HEADER = {"bold": True, "bg_color": "#DDE3EA", "text_wrap": True, "valign": "top"}
#: Everything written as typed: a label starting with "=" stays text, never a formula.
_LITERAL = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "nan_inf_to_errors": True,
}


def money_unit(ds: xr.Dataset) -> tuple[str, str]:
    """The Dataset's money unit in Russian and English, e.g. ("млн руб., цены 2021 г.",
    "mn RUB, 2021 prices")."""
    unit, year = str(ds.attrs.get("table_unit", "")), ds.attrs.get("table_year", "")
    scale, _, currency = unit.rpartition(" ")
    ru_scale = {"mn": "млн", "bn": "млрд", "thousand": "тыс."}.get(scale, scale)
    ru_currency = {"RUB": "руб.", "USD": "долл. США"}.get(currency, currency)
    return (
        f"{ru_scale} {ru_currency}, цены {year} г.".strip(),
        f"{unit}, {year} prices".strip(", "),
    )


def _cell(value: Any) -> Any:
    if isinstance(value, float) and value != value:
        return None
    return value.item() if hasattr(value, "item") else value


def _sheet(
    wb: Any,
    title: str,
    frame: pd.DataFrame,
    formats: dict[str, str] | None = None,
    note: str = "",
    unit: tuple[str, str] | None = None,
) -> None:
    ws = wb.add_worksheet(title[:31])
    header = wb.add_format(_HEADER)
    columns = list(frame.columns)
    for k in (0, 1):
        labels = [HEADERS.get(c, (c, c))[k] for c in columns]
        if unit:  # money columns name their unit
            labels = [
                f"{label}, {unit[k]}" if pd.api.types.is_float_dtype(frame[c]) else label
                for label, c in zip(labels, columns)
            ]
        ws.write_row(k, 0, labels, header)
    formats = formats or {}
    for j, column in enumerate(columns):
        fmt = formats.get(column)
        if fmt is None and column.endswith("year"):
            fmt = "0"
        if fmt is None and pd.api.types.is_float_dtype(frame[column]):
            fmt = "#,##0.0"
        width = max(
            [len(str(HEADERS.get(column, (column, column))[k])) for k in (0, 1)]
            + [len(str(v)) for v in frame[column].head(200)]
        )
        # the column's number format applies to every cell written without one of its own
        ws.set_column(
            j, j, min(max(10, width + 2), 48), wb.add_format({"num_format": fmt}) if fmt else None
        )
    values = [frame[c].tolist() for c in columns]
    for i, row in enumerate(zip(*values), start=2):
        ws.write_row(i, 0, [_cell(v) for v in row])
    ws.freeze_panes(2, 0)
    if note:
        ws.write(len(frame) + 3, 0, note, wb.add_format({"italic": True}))


def write_excel(
    target: Path,
    views: dict[str, pd.DataFrame],
    provenance: dict[str, str],
    formats: dict[str, dict[str, str]] | None = None,
    units: dict[str, tuple[str, str]] | None = None,
    created: datetime.datetime | None = None,
) -> Path:
    """A formatted workbook: one sheet per view (two header rows, Russian and English; number
    formats; frozen headers; column widths) and a provenance sheet. ``units`` (sheet → Russian
    and English unit) adds the unit to the headers of a sheet's money columns.

    Written with XlsxWriter (several times faster than openpyxl's writer); every string is
    written as text, so nothing in a label can become a formula or a link.  ``created`` (a UTC
    time) is the workbook's creation date; default now.  XlsxWriter stamps the zip members with a
    fixed 1980 date, so with ``created`` given the same views give the same bytes.
    """
    import xlsxwriter

    with atomic_path(target) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), _LITERAL)
        if created is not None:
            wb.set_properties({"created": created})
        for title, frame in views.items():
            _sheet(
                wb,
                title,
                frame.reset_index() if frame.index.name else frame,
                (formats or {}).get(title),
                unit=(units or {}).get(title),
            )
        ws = wb.add_worksheet("provenance")
        ws.write_row(0, 0, ["Ключ / Key", "Значение / Value"], wb.add_format(_HEADER))
        wrap = wb.add_format({"text_wrap": True, "valign": "top"})
        ws.set_column(0, 0, 28)
        ws.set_column(1, 1, 120, wrap)
        for i, (key, value) in enumerate(provenance.items(), start=1):
            ws.write_row(i, 0, [key, value])
        ws.freeze_panes(1, 0)
        wb.close()
    return target
