"""The fast .xlsx cell reader against openpyxl (the reference reader), cell by cell."""

from __future__ import annotations

import openpyxl
import pytest

from iomodel.readers.xlsx import XlsxBook

from .conftest import ROSSTAT_WORKBOOK


def _openpyxl_rows(path, sheet):
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        return [list(r) for r in wb[sheet].iter_rows(values_only=True)]
    finally:
        wb.close()


def _same(mine, ref, columns=None):
    for i in range(max(len(mine), len(ref))):
        a = mine[i] if i < len(mine) else []
        b = ref[i] if i < len(ref) else []
        for j in columns if columns is not None else range(max(len(a), len(b))):
            x = a[j] if j < len(a) else None
            y = b[j] if j < len(b) else None
            assert (x, type(x)) == (y, type(y)), (i, j, x, y)


@pytest.mark.parametrize("sheet", ["Симм отеч", "М-торг"])
def test_rosstat_sheets_equal_openpyxl(sheet):
    with XlsxBook(ROSSTAT_WORKBOOK) as book:
        assert book.sheetnames[:3] == ["Содержание", "ТР ", "ТИцп"]
        _same(book.rows(sheet), _openpyxl_rows(ROSSTAT_WORKBOOK, sheet))
        # a column subset and the first rows read the same cells
        ref = _openpyxl_rows(ROSSTAT_WORKBOOK, sheet)
        _same(book.rows(sheet, columns=[0, 1, 2, 120]), ref, columns=[0, 1, 2, 120])
        _same(book.rows(sheet, max_row=10), ref[:10])


def test_synthetic_types(tmp_path):
    path = tmp_path / "types.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "data"
    ws.append(["text & <markup>", 1, 2.5, -3e-7, True, None, "Р51с"])
    ws.append([None, None, "=1+1", 10**12])
    ws["Z40"] = "far"
    wb.save(path)
    with XlsxBook(path) as book:
        rows = book.rows("data")
    # formulas are not evaluated (no cached value in a file openpyxl wrote): None, as openpyxl
    _same(rows, _openpyxl_rows(path, "data"))
    assert rows[0][:5] == ["text & <markup>", 1, 2.5, -3e-7, True] and rows[39][25] == "far"


def test_not_a_workbook(tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_text("not a zip")
    with pytest.raises(ValueError, match=r"bad\.xlsx: cannot be read as an \.xlsx workbook"):
        XlsxBook(path)
