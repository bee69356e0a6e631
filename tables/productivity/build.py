"""Build ``labour_productivity.csv``: real GVA per employed person by OKVED2 section, 2021 = 1.

Run from the repository root with the project's environment (needs openpyxl and xlrd, the
latter from the ``test`` extra)::

    .venv/bin/python tables/productivity/build.py

It reads only files in this repository:

* ``tables/prices/raw/VDS_god_OKVED2.xlsx``, sheet ``3``: GVA by section in 2021 prices, bn RUB;
* ``tables/rosstat-2021/raw/05-05_2017-2024.xls``: employed persons by section, thousands;
* ``tables/productivity/raw/RUS_december_2019_0.xlsx`` (Russia KLEMS): only for the evidence
  printed for the long-run rate, which is a parameter in ``method.toml``;
* ``tables/productivity/method.toml``: the parameters.

Rows are found by their labels, not by fixed cells (the tests check fixed cells independently).
Prints the evidence quoted in PROVENANCE.md and writes the CSV atomically.
"""

from __future__ import annotations

import math
import os
import tempfile
import tomllib
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import xlrd

ROOT = Path(__file__).resolve().parents[2]
HERE = ROOT / "tables" / "productivity"
VDS = ROOT / "tables" / "prices" / "raw" / "VDS_god_OKVED2.xlsx"
EMPLOYMENT = ROOT / "tables" / "rosstat-2021" / "raw" / "05-05_2017-2024.xls"
KLEMS = HERE / "raw" / "RUS_december_2019_0.xlsx"

SECTIONS = list("ABCDEFGHIJKLMNOPQRST")
_LATIN = str.maketrans("АВСЕНКМОРТХ", "ABCEHKMOPTX")  # Cyrillic look-alikes in the workbook

# 05-05 names the sections in full, without letters; these are the official OKVED2 names
# (the first words suffice).  "из них научные исследования и разработки" is a sub-item of M.
EMPLOYMENT_LABELS = {
    "Сельское, лесное хозяйство": "A",
    "Добыча полезных ископаемых": "B",
    "Обрабатывающие производства": "C",
    "Обеспечение электрической энергией": "D",
    "Водоснабжение; водоотведение": "E",
    "Строительство": "F",
    "Торговля оптовая и розничная": "G",
    "Транспортировка и хранение": "H",
    "Деятельность гостиниц": "I",
    "Деятельность в области информации и связи": "J",
    "Деятельность финансовая и страховая": "K",
    "Деятельность по операциям с недвижимым": "L",
    "Деятельность профессиональная, научная": "M",
    "Деятельность административная": "N",
    "Государственное управление": "O",
    "Образование": "P",
    "Деятельность в области здравоохранения": "Q",
    "Деятельность в области культуры": "R",
    "Предоставление прочих видов услуг": "S",
    "Всего": "total",
}


def gva_2021_prices(l_without_owner_occupied: bool) -> pd.DataFrame:
    """GVA in 2021 prices (bn RUB), index section (A–T, total), columns years 2011–2025."""
    ws = openpyxl.load_workbook(VDS, data_only=True, read_only=True)["3"]
    rows = list(ws.iter_rows(values_only=True))
    header = rows[2]
    year_cols = {int(str(v)[:4]): j for j, v in enumerate(header) if v is not None and j >= 3}
    out: dict[str, list[float]] = {}
    for row in rows:
        code = str(row[1] or "").strip()
        label = str(row[2] or "").strip()
        key = None
        if code.startswith("Раздел"):
            key = code.removeprefix("Раздел").strip().translate(_LATIN)
        elif code.translate(_LATIN) == "L 68" and l_without_owner_occupied:
            key = "L68"
        elif label.startswith("Валовая добавленная стоимость") and "основных ценах" in label:
            key = "total"
        if key:
            out[key] = [float(row[j]) for j in year_cols.values()]
    frame = pd.DataFrame(out, index=list(year_cols)).T
    if l_without_owner_occupied:
        frame.loc["L"] = frame.loc["L68"]
        frame = frame.drop(index="L68")
    return frame.loc[[*SECTIONS, "total"]]


def employment() -> pd.DataFrame:
    """Employed persons (thousands), index section (A–S, total), columns years 2017–2024."""
    sheet = xlrd.open_workbook(EMPLOYMENT).sheet_by_index(0)
    header = sheet.row_values(4)
    year_cols = {int(v): j for j, v in enumerate(header) if isinstance(v, float)}
    out: dict[str, list[float]] = {}
    for r in range(5, sheet.nrows):
        label = str(sheet.cell_value(r, 0)).strip()
        if label.startswith("В процентах"):
            break  # the second block holds shares, not persons
        for prefix, section in EMPLOYMENT_LABELS.items():
            if label.startswith(prefix):
                out[section] = [float(sheet.cell_value(r, j)) for j in year_cols.values()]
    missing = set(EMPLOYMENT_LABELS.values()) - set(out)
    if missing:
        raise SystemExit(f"{EMPLOYMENT}: rows for {sorted(missing)} not found")
    return pd.DataFrame(out, index=list(year_cols)).T


def klems_economy_lp_growth(first: int, last: int) -> list[float]:
    """Annual growth of economy-wide VA volume per person engaged, Russia KLEMS (TOT)."""
    rows = list(
        openpyxl.load_workbook(KLEMS, data_only=True, read_only=True)["DATA"].iter_rows(
            values_only=True
        )
    )
    years = [int(str(v).lstrip("_")) for v in rows[0][3:]]
    series = {r[0]: pd.Series(r[3:], index=years, dtype=float) for r in rows[1:] if r[2] == "TOT"}
    lp = series["VA_QI"] / series["EMP"]
    return [lp[t] / lp[t - 1] - 1 for t in range(first + 1, last + 1)]


def average_growth(level: pd.DataFrame, first: int, last: int) -> pd.Series:
    """Geometric average annual growth between two years."""
    return (level[last] / level[first]) ** (1 / (last - first)) - 1


def project(
    history: pd.Series, start_rate: float, long_run: float, converged_by: int, end_year: int
) -> pd.Series:
    """Extend an index past its last year: the rate moves linearly to ``long_run``."""
    last = int(history.index[-1])
    values = dict(history)
    for year in range(last + 1, end_year + 1):
        weight = min(max((converged_by - year) / (converged_by - (last + 1)), 0.0), 1.0)
        rate = long_run + (start_rate - long_run) * weight
        values[year] = values[year - 1] * (1 + rate)
    return pd.Series(values)


def build(method: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The index (sections × years) and a table of the rates used, per section."""
    base, last_hist, end = method["base_year"], method["last_history_year"], method["end_year"]
    trend, long_run = method["trend"], method["long_run"]
    gva = gva_2021_prices(method["sections"]["l_without_owner_occupied"])
    emp = employment()
    with_data = [s for s in [*SECTIONS, "total"] if s not in method["sections"]["total_path"]]
    years = list(range(trend["first_year"], last_hist + 1))
    level = gva.loc[with_data, years] / emp.loc[with_data, years]
    raw_trend = average_growth(level, trend["first_year"], trend["last_year"])
    start = raw_trend.clip(trend["floor"], trend["cap"])
    hist_years = list(range(base, last_hist + 1))
    index_hist = level[hist_years].div(level[base], axis=0)
    paths = {
        s: project(index_hist.loc[s], start[s], long_run["rate"], long_run["converged_by"], end)
        for s in with_data
    }
    for s in method["sections"]["total_path"]:
        paths[s] = paths["total"]
    index = pd.DataFrame(paths).T.loc[[*SECTIONS, "total"]]
    rates = pd.DataFrame({"trend_raw": raw_trend, "start_rate": start})
    return index, rates


def write_csv_atomically(index: pd.DataFrame, path: Path) -> None:
    """Long CSV (section, year, index), written to a temporary file and renamed."""
    long = index.stack().rename("index").reset_index()
    long.columns = ["section", "year", "index"]
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
        long.to_csv(fh, index=False, float_format="%.10f", lineterminator="\n")
    os.replace(tmp, path)


def main() -> None:
    method = tomllib.loads((HERE / "method.toml").read_text(encoding="utf-8"))
    index, rates = build(method)
    pd.set_option("display.width", 160)
    print("Rates per section (fraction per year):")
    print(rates.round(4).to_string())
    k = klems_economy_lp_growth(2008, 2016)
    emp = employment()
    gva = gva_2021_prices(l_without_owner_occupied=True)
    lp_total = gva.loc["total", range(2017, 2025)] / emp.loc["total", range(2017, 2025)]
    r = [lp_total[t] / lp_total[t - 1] - 1 for t in range(2018, 2025)]
    both = k + r
    mean_log = math.expm1(float(np.mean(np.log1p(both))))
    print(f"\nEconomy-wide LP growth, KLEMS 2009–2016: {np.round(k, 4).tolist()}")
    print(f"  geometric mean {math.expm1(float(np.mean(np.log1p(k)))):.4f}")
    print(f"Economy-wide LP growth, Rosstat 2018–2024: {np.round(r, 4).tolist()}")
    print(f"  geometric mean {math.expm1(float(np.mean(np.log1p(r)))):.4f}")
    print(f"All {len(both)} years: geometric mean {mean_log:.4f}")
    k95 = klems_economy_lp_growth(1995, 2016)
    print(f"KLEMS 1996–2016 geometric mean {math.expm1(float(np.mean(np.log1p(k95)))):.4f}")
    print("\nIndex in selected years:")
    print(index[[2022, 2023, 2024, 2025, 2030, 2035, 2040, 2048, 2060]].round(3).to_string())
    write_csv_atomically(index, HERE / "labour_productivity.csv")
    print(f"\nwrote {HERE / 'labour_productivity.csv'}: {index.size} rows")


if __name__ == "__main__":
    main()
