"""Satellite data: imputed rent (tables/rosstat-2021/imputed_rent.toml) and labour productivity
(tables/productivity/labour_productivity.csv), read back and checked against the raw Rosstat
workbooks by fixed cell addresses — a path independent of the build script, which finds rows by
their labels."""

from __future__ import annotations

import tomllib
from pathlib import Path

import openpyxl
import pytest
import xlrd

from iomodel.errors import TableError
from iomodel.readers.satellite import (
    REQUIRED_SECTIONS,
    read_imputed_rent,
    read_productivity,
)

ROOT = Path(__file__).resolve().parents[1]
RENT = ROOT / "tables" / "rosstat-2021" / "imputed_rent.toml"
PRODUCTIVITY = ROOT / "tables" / "productivity" / "labour_productivity.csv"
METHOD = ROOT / "tables" / "productivity" / "method.toml"
IOT = ROOT / "tables" / "rosstat-2021" / "raw" / "baz_tzv-2021.xlsx"
VDS = ROOT / "tables" / "prices" / "raw" / "VDS_god_OKVED2.xlsx"
EMPLOYMENT = ROOT / "tables" / "rosstat-2021" / "raw" / "05-05_2017-2024.xls"


def cells(path: Path, sheet: str, *addresses: str) -> list[float]:
    """Numeric cells of one sheet of an .xlsx workbook, read as data in one pass."""
    coords = [openpyxl.utils.cell.coordinate_from_string(a) for a in addresses]
    rows = [r for _, r in coords]
    cols = [openpyxl.utils.cell.column_index_from_string(c) for c, _ in coords]
    wb = openpyxl.load_workbook(path, data_only=True, read_only=True)
    try:
        block = list(
            wb[sheet].iter_rows(
                min_row=min(rows),
                max_row=max(rows),
                min_col=min(cols),
                max_col=max(cols),
                values_only=True,
            )
        )
    finally:
        wb.close()
    return [float(block[r - min(rows)][c - min(cols)]) for r, c in zip(rows, cols)]


@pytest.fixture(scope="module")
def productivity():
    return read_productivity(PRODUCTIVITY)


@pytest.fixture(scope="module")
def iot():
    """Cells of the 2021 workbook the imputed rent is checked against (one pass per sheet).

    Row 90 = product 086 (OKPD2 68); column DN = P3_S14 of the symmetric tables, DU of the use
    table at purchasers' prices; DN122 = TOTAL; column CQ = industry 68.2, rows 178, 215, 216 =
    its purchases of construction (41-43), financial services (64), insurance (65)."""
    domestic, total = cells(IOT, "Симм отеч", "DN90", "DN122")
    (imported,) = cells(IOT, "Симм имп", "DN90")
    purchasers, *inputs_68_2 = cells(IOT, "ТИцп", "DU218", "CQ178", "CQ215", "CQ216")
    return {
        "domestic": domestic,
        "total": total,
        "imported": imported,
        "purchasers": purchasers,
        "inputs_68_2": inputs_68_2,
    }


@pytest.fixture(scope="module")
def method():
    return tomllib.loads(METHOD.read_text(encoding="utf-8"))


# --- imputed rent -------------------------------------------------------------------------------


def test_imputed_rent_is_rosstats_published_gva_of_owner_occupied_dwellings():
    """Known answer: Rosstat, VDS_god_OKVED2 (updated 06.02.2026), sheet 1 (current prices, bn
    RUB), cell N57 «Услуги по проживанию в собственном жилище», 2021 = 8218.8235… bn RUB."""
    rent = read_imputed_rent(RENT)
    (published_bn,) = cells(VDS, "1", "N57")
    assert rent.value == pytest.approx(published_bn * 1000, abs=0.05)  # to 0.1 mn RUB
    assert (rent.year, rent.product, rent.consumption_column) == (2021, "68", "P3_S14")
    assert rent.status == "estimate" and "LOWER BOUND" in rent.derivation
    assert all(s.publisher and s.date_read for s in rent.sources)


def test_imputed_rent_lies_below_household_consumption_of_product_68(iot):
    """The imputed rent is part of P3_S14 of product 68 at basic and at purchasers' prices."""
    rent = read_imputed_rent(RENT)
    assert rent.value < iot["domestic"] + iot["imported"]
    assert rent.value < iot["purchasers"]
    assert rent.alternative is not None and rent.alternative < iot["purchasers"]
    assert rent.upper == iot["domestic"]
    checks = tomllib.loads(RENT.read_text(encoding="utf-8"))["check"]
    assert checks["p3_s14_product_68_domestic_basic"] == iot["domestic"]
    assert checks["p3_s14_product_68_imported_basic"] == iot["imported"]
    assert checks["p3_s14_product_68_purchasers"] == iot["purchasers"]
    assert checks["p3_s14_total_purchasers"] == iot["total"]


def test_imputed_rent_alternative_adds_industry_68_2_construction_finance_insurance(iot):
    """[alternative] = GVA + ТИцп column 68.2 (CQ) rows 178 (41-43), 215 (64) and 216 (65)."""
    rent = read_imputed_rent(RENT)
    assert rent.alternative == pytest.approx(rent.value + sum(iot["inputs_68_2"]), abs=0.01)


def write_rent(tmp_path: Path, old: str, new: str) -> Path:
    text = RENT.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / "imputed_rent.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("value = 8218823.5\n", "value = -1.0\n", r"value = -1.0 must be positive"),
        ("value = 8218823.5\n", 'value = "a lot"\n', r"value must be a finite number"),
        ("value = 8218823.5\n", "value = 11000000.0\n", r"outside \[bounds\]"),
        ('product = "68"', "", r"missing key\(s\) product"),
        ('status = "estimate"', 'status = "guess"', r"status = 'guess'"),
        ('derivation = """', 'derivation_old = """', r"estimate needs a derivation"),
        ('publisher = "Rosstat (Federal State Statistics Service)"', "", r"#1: missing publisher"),
    ],
)
def test_bad_imputed_rent_is_refused_naming_the_file_and_key(tmp_path, old, new, message):
    path = write_rent(tmp_path, old, new)
    with pytest.raises(TableError, match=message) as err:
        read_imputed_rent(path)
    assert str(path) in str(err.value)


# --- labour productivity ------------------------------------------------------------------------


def test_shipped_productivity_covers_every_section_and_year(productivity):
    assert list(productivity.index) == list(REQUIRED_SECTIONS)
    assert list(productivity.columns) == list(range(2021, 2061))
    assert (productivity[2021] == 1.0).all()
    assert (productivity > 0).all().all()


@pytest.mark.parametrize(
    ("section", "vds_row", "emp_row"),
    [("C", 13, 10), ("total", 6, 6), ("L", 56, 19)],
)
def test_history_recomputed_from_raw_workbooks_by_cell(productivity, section, vds_row, emp_row):
    """Known answer, 2022–2024: GVA in 2021 prices (VDS sheet 3, columns N–Q = 2021–2024; row 13
    section C, row 6 GVA at basic prices, row 56 «L 68» without owner-occupied dwellings) over
    employed persons (05-05, columns F–I = 2021–2024; 0-based row 10 manufacturing, 6 total,
    19 real estate), each relative to 2021."""
    sheet = xlrd.open_workbook(EMPLOYMENT).sheet_by_index(0)
    gva = cells(VDS, "3", *(f"{col}{vds_row}" for col in "NOPQ"))
    emp = [sheet.cell_value(emp_row, col) for col in (5, 6, 7, 8)]
    assert sheet.cell_value(4, 5) == 2021.0 and sheet.cell_value(4, 8) == 2024.0
    for k, year in enumerate((2022, 2023, 2024), start=1):
        expected = (gva[k] / gva[0]) / (emp[k] / emp[0])
        assert productivity.at[section, year] == pytest.approx(expected, rel=1e-9)


def test_every_section_grows_at_the_long_run_rate_once_converged(productivity, method):
    rate = method["long_run"]["rate"]
    after = range(method["long_run"]["converged_by"], method["end_year"] + 1)
    growth = productivity[list(after)].to_numpy() / productivity[[y - 1 for y in after]].to_numpy()
    assert growth == pytest.approx(1 + rate, rel=1e-9)


def test_first_assumed_year_is_clipped_to_the_floor_and_cap(productivity, method):
    """K (finance) grew ~13.5 %/yr over 2017–2024 and B (mining) fell: they start at the cap and
    at the floor."""
    first = method["last_history_year"] + 1
    growth = productivity[first] / productivity[first - 1] - 1
    assert growth["K"] == pytest.approx(method["trend"]["cap"], abs=1e-9)
    assert growth["B"] == pytest.approx(method["trend"]["floor"], abs=1e-9)
    assert (productivity.loc["T"] == productivity.loc["total"]).all()  # T: no employment data


def write_productivity(tmp_path: Path, edit) -> Path:
    lines = PRODUCTIVITY.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "labour_productivity.csv"
    path.write_text("\n".join(edit(lines)) + "\n", encoding="utf-8")
    return path


def replace_line(lines: list[str], start: str, new: str | None) -> list[str]:
    i = next(k for k, line in enumerate(lines) if line.startswith(start))
    return lines[:i] + ([new] if new is not None else []) + lines[i + 1 :]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda ls: [ln for ln in ls if not ln.startswith("F,")], r"no rows for section\(s\) F"),
        (lambda ls: replace_line(ls, "C,2048,", None), r"section C has no index for 1 year.*2048"),
        (lambda ls: replace_line(ls, "C,2030,", "C,2030,"), r"line 91: index '' for section C"),
        (lambda ls: replace_line(ls, "C,2030,", "C,2030,nan"), r"line 91: index 'nan'"),
        (lambda ls: replace_line(ls, "C,2030,", "C,2030,-0.5"), r"must be a positive"),
        (lambda ls: replace_line(ls, "C,2030,", "C,2030,0"), r"must be a positive"),
        (lambda ls: replace_line(ls, "D,2021,", "D,2021,1.01"), r"line 122: section D .*1.01"),
        (lambda ls: replace_line(ls, "E,2030,", "Z,2030,1.2"), r"section 'Z' is not an OKVED2"),
        (lambda ls: replace_line(ls, "E,2030,", "E,2030.5,1.2"), r"year '2030.5' is not a whole"),
        (lambda ls: replace_line(ls, "E,2031,", "E,2030,1.2"), r"E 2030 appears twice"),
        (lambda ls: ["sector,year,index", *ls[1:]], r"header must be section,year,index"),
    ],
)
def test_bad_productivity_is_refused_naming_the_file_and_line(tmp_path, edit, message):
    path = write_productivity(tmp_path, edit)
    with pytest.raises(TableError, match=message) as err:
        read_productivity(path)
    assert str(path) in str(err.value)


def test_missing_files_are_reported_with_the_path(tmp_path):
    with pytest.raises(TableError, match="no such file"):
        read_productivity(tmp_path / "nothing.csv")
    with pytest.raises(TableError, match="no such file"):
        read_imputed_rent(tmp_path / "nothing.toml")
