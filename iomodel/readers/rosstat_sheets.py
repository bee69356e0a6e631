"""Sheets of Rosstat's input-output workbooks: finding blocks by their codes and headers.

Two views of a sheet, both located by header text and codes, never by fixed cell addresses:

* :class:`SheetGrid` — a whole symmetric sheet («Симм отеч», «Симм имп»): the header cell
  «Коды» gives the column of row codes and the row of column codes; «№№» the column of product
  numbers and the row of column numbers;
* :func:`read_column` — one coded column of a supply-use sheet (ТИцп, ТИоц, М-торг …) with the
  row numbers, codes and labels beside it; only those four columns are read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from openpyxl.utils import get_column_letter

from ..errors import TableError
from .codes import normalise_code, normalise_text
from .xlsx import XlsxBook

__all__ = ["SheetColumn", "SheetGrid", "find_sheet", "read_column"]

# How far down a sheet to look for the header rows.
HEADER_SCAN_ROWS = 30
_NUMBER_HEADERS = {"№№", "№", "No", "N"}
_EMPTY_TEXT = {"", "-", "–", "—", "x", "х", "X", "Х", "..."}


def cell_name(i: int, j: int) -> str:
    """Spreadsheet name of the 0-based cell (i, j), e.g. (0, 0) -> 'A1'."""
    return f"{get_column_letter(j + 1)}{i + 1}"


def find_sheet(book: XlsxBook, wanted: str) -> str:
    """The one sheet whose name equals ``wanted`` up to spaces and look-alike letters."""
    target = normalise_text(wanted)
    matches = [name for name in book.sheetnames if normalise_text(name) == target]
    if len(matches) != 1:
        found = ", ".join(repr(n) for n in book.sheetnames)
        problem = "no sheet" if not matches else f"{len(matches)} sheets"
        raise TableError(
            f"{book.path}: {problem} named {wanted!r} (sheets found: {found}); "
            "is this Rosstat's basic input-output workbook? Set the sheet names in "
            "table.toml [rosstat]"
        )
    return matches[0]


class SheetGrid:
    """A symmetric-table sheet read once into memory, with helpers to find code headers."""

    def __init__(self, book: XlsxBook, sheet: str):
        self.path = book.path
        self.sheet = find_sheet(book, sheet)
        self.rows = book.rows(self.sheet)
        self.code_row, self.code_col = self._find("Коды")
        self.num_row, self.num_col = self._find("№№")

    def _find(self, text: str) -> tuple[int, int]:
        for i, row in enumerate(self.rows[:20]):
            for j, cell in enumerate(row):
                if isinstance(cell, str) and cell.strip() == text:
                    return i, j
        raise TableError(
            f"{self.path} [{self.sheet}]: header cell {text!r} not found in the first "
            "20 rows; is this a Rosstat symmetric-table sheet?"
        )

    def _cell(self, i: int, j: int) -> Any:
        row = self.rows[i]
        return row[j] if j < len(row) else None

    def row_index(self, code: str, start: int = 0) -> int:
        """Row whose code cell equals ``code`` (normalised)."""
        want = normalise_code(code)
        for i in range(start, len(self.rows)):
            if normalise_code(self._cell(i, self.code_col)) == want:
                return i
        raise TableError(
            f"{self.path} [{self.sheet}]: no row with code {code!r} in column "
            f"{get_column_letter(self.code_col + 1)}; check the row codes in table.toml "
            "[rosstat]"
        )

    def column_index(self, code: str) -> int:
        """Column whose header code (in the «Коды» row) equals ``code``."""
        want = normalise_code(code)
        for j, cell in enumerate(self.rows[self.code_row]):
            if normalise_code(cell) == want:
                return j
        raise TableError(
            f"{self.path} [{self.sheet}]: no column with code {code!r} in header row "
            f"{self.code_row + 1}; check the final-demand codes in table.toml [rosstat]"
        )

    def product_rows(self, numbers: Sequence[str], codes: Sequence[str]) -> list[int]:
        """Rows of the products ``numbers``, checked against their product ``codes``."""
        found: dict[str, int] = {}
        for i in range(self.num_row + 1, len(self.rows)):
            number = self._cell(i, self.num_col)
            if number is not None:
                found.setdefault(str(number).strip(), i)
        out = []
        for number, code in zip(numbers, codes):
            if number not in found:
                raise TableError(
                    f"{self.path} [{self.sheet}]: product number {number} not found in "
                    f"column {get_column_letter(self.num_col + 1)}; sectors.csv does not fit "
                    "this workbook"
                )
            i = found[number]
            got = self._cell(i, self.code_col)
            if normalise_code(got) != normalise_code(code):
                raise TableError(
                    f"{self.path} [{self.sheet}]: cell {cell_name(i, self.code_col)} holds "
                    f"code {got!r} for product {number}, but sectors.csv says {code!r}; "
                    "update sectors.csv for this year's classification"
                )
            out.append(i)
        return out

    def product_columns(self, numbers: Sequence[str], codes: Sequence[str]) -> list[int]:
        """Columns of the products ``numbers``, checked against their product ``codes``."""
        header = [str(c).strip() if c is not None else "" for c in self.rows[self.num_row]]
        out = []
        for number, code in zip(numbers, codes):
            try:
                j = header.index(number)
            except ValueError:
                raise TableError(
                    f"{self.path} [{self.sheet}]: product number {number} not found in "
                    f"header row {self.num_row + 1}; sectors.csv does not fit this workbook"
                ) from None
            got = self._cell(self.code_row, j)
            if normalise_code(got) != normalise_code(code):
                raise TableError(
                    f"{self.path} [{self.sheet}]: header cell {cell_name(self.code_row, j)} "
                    f"holds {got!r} for column {number}, but sectors.csv says {code!r}"
                )
            out.append(j)
        return out

    def values(self, rows: Sequence[int], cols: Sequence[int]) -> np.ndarray:
        """Numbers of a block; empty cells and '-' are zero, other text is an error."""
        out = np.zeros((len(rows), len(cols)))
        for a, i in enumerate(rows):
            for b, j in enumerate(cols):
                cell = self._cell(i, j)
                if cell is None or (isinstance(cell, str) and cell.strip() in ("", "-", "–")):
                    continue
                if isinstance(cell, bool) or not isinstance(cell, (int, float)):
                    raise TableError(
                        f"{self.path} [{self.sheet}]: cell {cell_name(i, j)} holds "
                        f"{cell!r}, not a number; correct the cell"
                    )
                out[a, b] = float(cell)
        return out


@dataclass(frozen=True)
class SheetColumn:
    """One coded column of a sheet, with the number, code and label of each coded row."""

    sheet: str
    numbers: list[str]
    codes: list[Any]
    labels: list[str]
    values: np.ndarray


def _to_number(value: Any, path: Path, sheet: str, row: int, col: int) -> float:
    if value is None:
        return 0.0
    if isinstance(value, bool):
        raise TableError(f"{path}, sheet {sheet!r}, row {row}, column {col}: boolean {value!r}")
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip().replace("\u00a0", "").replace(" ", "")
    if text in _EMPTY_TEXT:
        return 0.0
    try:
        return float(text.replace(",", "."))
    except ValueError:
        raise TableError(
            f"{path}, sheet {sheet!r}, row {row}, column {col}: expected a number, found {value!r}"
        ) from None


def _header_cell(head: list[list[Any]], column: str, path: Path, sheet: str) -> tuple[int, int]:
    """Row and column of the header cell reading ``column`` (normalised)."""
    wanted = normalise_code(column)
    for r, row in enumerate(head):
        hits = [c for c, v in enumerate(row) if normalise_code(v) == wanted]
        if len(hits) > 1:
            raise TableError(
                f"{path}, sheet {sheet!r}: column code {column!r} appears {len(hits)} "
                f"times in header row {r + 1}"
            )
        if hits:
            return r, hits[0]
    raise TableError(
        f"{path}, sheet {sheet!r}: no header cell {column!r} in the first "
        f"{HEADER_SCAN_ROWS} rows; use a final-demand code such as 'P51', 'P3_S14' or 'P6'"
    )


def read_column(book: XlsxBook, sheet_name: str, column: str) -> SheetColumn:
    """Read the row numbers, code cells, labels and one coded column of a sheet.

    The header row is the first row (within the top of the sheet) holding a cell equal to
    ``column`` after normalisation; the code column is the column whose cell in that row reads
    'Коды'; the row-number column is the column with '№№' in a header row; the label column
    is the one right of the codes.
    """
    path = book.path
    sheet = find_sheet(book, sheet_name)
    head = book.rows(sheet, max_row=HEADER_SCAN_ROWS)
    header_row, value_col = _header_cell(head, column, path, sheet)
    codes_header = normalise_text("Коды")
    code_cols = [c for c, v in enumerate(head[header_row]) if normalise_text(v) == codes_header]
    if len(code_cols) != 1:
        raise TableError(
            f"{path}, sheet {sheet!r}: expected one header cell 'Коды' in row {header_row + 1} "
            f"(the row holding {column!r}), found {len(code_cols)}"
        )
    code_col = code_cols[0]
    number_col = next(
        (
            c
            for row in head[: header_row + 3]
            for c, v in enumerate(row)
            if isinstance(v, str) and v.strip() in _NUMBER_HEADERS
        ),
        None,
    )
    if number_col is None:
        raise TableError(
            f"{path}, sheet {sheet!r}: no row-number header cell '№№' near row {header_row + 1}"
        )
    label_col = code_col + 1
    wanted = (number_col, code_col, label_col, value_col)
    rows = book.rows(sheet, columns=wanted)
    numbers: list[str] = []
    codes: list[Any] = []
    labels: list[str] = []
    values: list[float] = []
    for r in range(header_row + 1, len(rows)):
        row = rows[r]
        number, code, label, value = (row[c] if c < len(row) else None for c in wanted)
        if normalise_code(code) == "":
            continue
        numbers.append(normalise_code(number))
        codes.append(code)
        labels.append("" if label is None else str(label).strip())
        values.append(_to_number(value, path, sheet, r + 1, value_col + 1))
    return SheetColumn(sheet, numbers, codes, labels, np.asarray(values, dtype=float))
