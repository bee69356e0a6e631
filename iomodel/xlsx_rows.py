"""A sheet's cells written as XML in bulk, for :func:`iomodel.export.write_excel`.

XlsxWriter keeps every cell as a Python tuple and writes each through several method calls
(about 15 µs a cell: 3–4 s for a full run's 235,000 cells).  :class:`BlockSheet` takes a whole
table at once: the header row and the data rows, converted column by column, and writes exactly
the XML XlsxWriter would write for the same cells written one by one with ``write_row`` — the
same shared strings in the same order, the same cell and row elements, spans and dimensions — so
the file's bytes do not change.  Columns of a kind it does not handle (anything but numbers and
text; an infinite number; a string longer than Excel keeps) raise :class:`Unsupported`, and the
caller writes that sheet cell by cell instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

__all__ = ["BlockSheet", "Table", "Unsupported", "prepare"]

#: Longest string written unchanged (XlsxWriter truncates above 32,767 UTF-16 units; a string
#: of at most half that in characters cannot exceed it).
_LONGEST = 32767 // 2


class Unsupported(ValueError):
    """A column the bulk writer does not handle; write the sheet cell by cell."""


class BlockSheet(Worksheet):
    """A worksheet written as one block: a header row (row 0) and a table below it.

    Use :meth:`write_table` once, before any other cell; set columns, rows, panes and filters
    as usual.
    """

    def __init__(self) -> None:
        super().__init__()
        self._header: list[str | None] = []
        self._header_format: Any = None
        self._head_tails: list[str | None] = []
        self._tails: list[list[str | None]] = []
        self._rows = 0

    def write_table(self, table: Table, header_format: Any) -> None:
        """Write ``table`` (:func:`prepare`): its header row with ``header_format`` and every
        row below it — numbers as numbers, text as shared strings, nothing where the value is
        NaN, None or empty text (as ``write_row`` does without a format)."""
        # shared strings take their index in the order write_row meets them: row by row
        strings = self.str_table
        header = table.header
        self._head_tails = [
            None if text is None else f' t="s"><v>{strings._get_shared_string_index(text)}</v></c>'
            for text in header
        ]
        columns = table.columns
        texts = [col for kind, col in columns if kind == "text"]
        for row in zip(*texts):
            for text in row:
                if text is not None:
                    strings._get_shared_string_index(text)
        index = strings.string_table
        tails: list[list[str | None]] = []
        for kind, col in columns:
            if kind == "text":
                tails.append([None if t is None else f' t="s"><v>{index[t]}</v></c>' for t in col])
            else:
                tails.append(col)
        self._header, self._header_format, self._tails, self._rows = (
            header,
            header_format,
            tails,
            table.rows,
        )
        # dimensions as the cells written one by one would leave them: a header cell is
        # written even when blank (it has a format)
        if header:
            self._check_dimensions(0, 0)
            self._check_dimensions(0, len(header) - 1)
        present = self._present()
        if present.size and present.any():
            rows = np.flatnonzero(present.any(axis=0))
            cols = np.flatnonzero(present.any(axis=1))
            self._check_dimensions(int(rows[0]) + 1, int(cols[0]))
            self._check_dimensions(int(rows[-1]) + 1, int(cols[-1]))

    def _present(self) -> np.ndarray:
        """(column, data row): whether the cell is written."""
        return np.array([[t is not None for t in col] for col in self._tails], dtype=bool).reshape(
            len(self._tails), self._rows
        )

    def _write_rows(self) -> None:
        if not self._header and not self._tails:
            super()._write_rows()
            return
        if any(self.table.values()) or self.comments or any(r > self._rows for r in self.row_info):
            raise RuntimeError("BlockSheet: cells written outside write_table")
        ncols = max(len(self._header), len(self._tails))
        present = np.zeros((ncols, self._rows + 1), dtype=bool)
        present[: len(self._header), 0] = True
        present[: len(self._tails), 1:] = self._present()
        spans = _spans(present)
        letters = [xl_col_to_name(j) for j in range(ncols)]
        styles = []
        for j in range(len(self._tails)):
            info = self.col_info.get(j)
            fmt = info.column_format if info is not None else None
            styles.append(f' s="{fmt._get_xf_index()}"' if fmt is not None else "")
        # the header row
        head = ""
        if self._header:
            s = f' s="{self._header_format._get_xf_index()}"' if self._header_format else ""
            for letter, tail in zip(letters, self._head_tails):
                head += f'<c r="{letter}1"{s}/>' if tail is None else f'<c r="{letter}1"{s}{tail}'
        # the data rows, column by column, then joined row by row
        numbers = [str(r) for r in range(2, self._rows + 2)]
        cells = [
            ["" if t is None else f'<c r="{letter}{r}"{style}{t}' for r, t in zip(numbers, tails)]
            for letter, style, tails in zip(letters, styles, self._tails)
        ]
        rows = [head, *("".join(parts) for parts in zip(*cells))] if cells else [head]
        rows += [""] * (self._rows + 1 - len(rows))
        fh = self.fh
        for row_num, text in enumerate(rows):
            info = self.row_info.get(row_num)
            span = spans.get(row_num // 16)
            if text:
                self._write_row(row_num, span, info)
                fh.write(text)
                fh.write("</row>")
            elif info is not None:
                self._write_empty_row(row_num, span, info)


@dataclass(frozen=True)
class Table:
    """A sheet's cells ready for :meth:`BlockSheet.write_table`: the header texts (None for no
    text) and, for each column, ("number", the tail of each cell's XML after its attributes) or
    ("text", each cell's string), None where no cell is written."""

    header: list[str | None]
    columns: list[tuple[str, list[str | None]]]
    rows: int


def prepare(headers: list[Any], frame: pd.DataFrame) -> Table:
    """The cells of a sheet with ``headers`` over ``frame``; :class:`Unsupported` for a column
    of another kind than numbers and text, an infinite number or a string Excel would cut."""
    if any(h is not None and h.__class__ is not str for h in headers):
        raise Unsupported("a header that is not text")
    return Table(
        [h if h else None for h in headers], [_column(frame[c]) for c in frame.columns], len(frame)
    )


def _column(series: pd.Series) -> tuple[str, list[str | None]]:
    dtype = series.dtype
    plain = isinstance(dtype, np.dtype)  # not a pandas extension type (nullable, string …)
    if plain and dtype.kind in "iu":
        return "number", [f"><v>{v:.16G}</v></c>" for v in series.tolist()]
    if plain and dtype.kind == "f":
        values = series.to_numpy()
        if np.isinf(values).any():
            raise Unsupported("an infinite number")
        return "number", [None if v != v else f"><v>{v:.16G}</v></c>" for v in values.tolist()]
    texts: list[str | None] = []
    for v in series.tolist():
        if isinstance(v, str):  # numpy's str_ too
            if len(v) > _LONGEST:
                raise Unsupported("a very long string")
            texts.append(str(v) or None)
        elif v is None or (v.__class__ is float and v != v):
            texts.append(None)
        else:
            raise Unsupported(f"a value of type {type(v).__name__} in a text column")
    return "text", texts


def _spans(present: np.ndarray) -> dict[int, str]:
    """XlsxWriter's ``spans`` of each block of 16 rows: first and last column (1-based) with a
    cell in any of its rows.  ``present`` is (column, row)."""
    ncols, nrows = present.shape
    blocks = -(-nrows // 16)
    padded = np.zeros((ncols, blocks * 16), dtype=bool)
    padded[:, :nrows] = present
    used = np.any(padded.reshape(ncols, blocks, 16), axis=2)  # column, block
    spans = {}
    for b in np.flatnonzero(used.any(axis=0)):
        cols = np.flatnonzero(used[:, b])
        spans[int(b)] = f"{cols[0] + 1}:{cols[-1] + 1}"
    return spans
