"""Cell values of .xlsx worksheets, read straight from the workbook's XML (data only).

openpyxl builds a cell object, with its style, for every cell of a sheet even when a caller
wants one column; Rosstat's supply-use sheets hold about 35,000 styled cells each, so reading
one final-demand column from eight of them took most of a table's load time.  This module
reads each sheet's XML once and keeps only the cached values: shared strings, inline strings,
numbers (``int`` when the stored text has no decimal point or exponent, as openpyxl returns
them), booleans and error codes.  Formulas are never evaluated — the value Excel stored with
the formula is returned, as with openpyxl's ``data_only=True``.

The package structure (``xl/workbook.xml``, its relationships, ``xl/sharedStrings.xml``) is
parsed with :mod:`xml.etree.ElementTree`; the cells of a sheet with regular expressions over
its XML text, which is valid because SpreadsheetML cells (``<c>``) hold only ``<f>``, ``<v>``
and ``<is>`` children and never nest.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Collection, Iterable
from pathlib import Path, PurePosixPath
from typing import Any

from openpyxl.utils import get_column_letter

from ..errors import TableError

__all__ = ["XlsxBook"]

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"

_CELL = re.compile(r"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
# the same, for cells whose reference (written first) lies in one of {letters}
_CELL_IN_COLUMNS = r'<c(?= r="(?:{letters})\d)([^>]*?)(?:/>|>(.*?)</c>)'
_REF = re.compile(r"\br=\"([A-Z]+)(\d+)\"")
_TYPE = re.compile(r"\bt=\"(\w+)\"")
_VALUE = re.compile(r"<(?:\w+:)?v>(.*?)</(?:\w+:)?v>", re.S)
_TEXT = re.compile(r"<(?:\w+:)?t(?:\s[^>]*)?>(.*?)</(?:\w+:)?t>", re.S)
_PHONETIC = re.compile(r"<(?:\w+:)?rPh\b.*?</(?:\w+:)?rPh>", re.S)


def _column_index(letters: str) -> int:
    """0-based index of a column given by its letters ('A' -> 0, 'AA' -> 26)."""
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch) - 64
    return index - 1


def _number(text: str) -> int | float:
    return float(text) if any(ch in text for ch in ".eE") else int(text)


class XlsxBook:
    """An .xlsx workbook opened for reading cell values, one sheet at a time.

    Use as a context manager, or call :meth:`close`.  A sheet's XML is read from the archive
    once and kept while the book is open.

    Raises
    ------
    TableError
        If the file is not a readable .xlsx package (a truncated download, another format),
        naming the file.
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        try:
            self._zip = zipfile.ZipFile(self.path)
            self._targets = self._sheet_targets()
            self._shared = self._shared_strings()
        except (OSError, KeyError, zipfile.BadZipFile, ET.ParseError) as exc:
            raise TableError(
                f"{self.path}: cannot be read as an .xlsx workbook ({exc}); download or copy it "
                "again"
            ) from None
        self._xml: dict[str, str] = {}

    def __enter__(self) -> XlsxBook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._zip.close()

    @property
    def sheetnames(self) -> list[str]:
        """Sheet names in workbook order."""
        return list(self._targets)

    def _sheet_targets(self) -> dict[str, str]:
        rels = ET.fromstring(self._zip.read("xl/_rels/workbook.xml.rels"))
        by_id = {}
        for rel in rels.iter(f"{_PKG_REL}Relationship"):
            target = rel.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            by_id[rel.get("Id")] = str(PurePosixPath(path))
        book = ET.fromstring(self._zip.read("xl/workbook.xml"))
        return {
            sheet.get("name", ""): by_id[sheet.get(f"{_REL}id")]
            for sheet in book.iter(f"{_MAIN}sheet")
        }

    def _shared_strings(self) -> list[str]:
        if "xl/sharedStrings.xml" not in self._zip.namelist():
            return []
        root = ET.fromstring(self._zip.read("xl/sharedStrings.xml"))
        out = []
        for item in root.iter(f"{_MAIN}si"):
            # the text runs of the item, without phonetic (rPh) runs
            runs = [item.find(f"{_MAIN}t")] + [r.find(f"{_MAIN}t") for r in item.iter(f"{_MAIN}r")]
            out.append("".join(t.text or "" for t in runs if t is not None))
        return out

    def rows(
        self, sheet: str, columns: Collection[int] | None = None, max_row: int | None = None
    ) -> list[list[Any]]:
        """Values of ``sheet`` as a list of rows (lists, ``None`` for empty cells).

        Row ``i`` and column ``j`` of the result are row ``i + 1`` and column ``j + 1`` of the
        sheet; rows are padded to the widest row read.  ``columns`` (0-based indices) keeps only
        those columns and ``max_row`` only the first rows; both make the read faster, since
        cells outside them are skipped before they are converted.
        """
        if sheet not in self._targets:
            raise KeyError(sheet)
        if sheet not in self._xml:
            self._xml[sheet] = self._zip.read(self._targets[sheet]).decode("utf-8")
        xml = self._xml[sheet]
        if max_row is not None:
            end = xml.find(f'<row r="{max_row + 1}"')
            xml = xml if end < 0 else xml[:end]
        pattern = _CELL
        # Excel and openpyxl write the reference first in every cell; then a pattern naming
        # the wanted columns skips the others inside the regular-expression engine
        if columns is not None and xml.count("<c ") == xml.count('<c r="'):
            letters = "|".join(sorted({get_column_letter(c + 1) for c in columns}))
            pattern = re.compile(_CELL_IN_COLUMNS.format(letters=letters), re.S)
        keep = None if columns is None else set(columns)
        return self._parse(sheet, pattern.finditer(xml), keep, max_row)

    def _parse(
        self,
        sheet: str,
        matches: Iterable[re.Match[str]],
        keep: set[int] | None,
        max_row: int | None,
    ) -> list[list[Any]]:
        cells: list[tuple[int, int, Any]] = []
        for match in matches:
            attrs, body = match.group(1), match.group(2)
            if not body:
                continue
            ref = _REF.search(attrs)
            if ref is None:
                raise TableError(
                    f"{self.path} [{sheet}]: a cell without a reference (r=…); save the "
                    "workbook again with a spreadsheet program"
                )
            row, col = int(ref.group(2)) - 1, _column_index(ref.group(1))
            if (keep is not None and col not in keep) or (max_row is not None and row >= max_row):
                continue
            kind = _TYPE.search(attrs)
            value = self._value(kind.group(1) if kind else "n", body)
            if value is not None:
                cells.append((row, col, value))
        if not cells:
            return []
        width = max(c for _, c, _ in cells) + 1
        out = [[None] * width for _ in range(max(r for r, _, _ in cells) + 1)]
        for r, c, value in cells:
            out[r][c] = value
        return out

    def _value(self, kind: str, body: str) -> Any:
        if kind == "inlineStr":
            body = _PHONETIC.sub("", body)
            return html.unescape("".join(_TEXT.findall(body)))
        found = _VALUE.search(body)
        if found is None:
            return None
        text = found.group(1)
        if kind == "s":
            return self._shared[int(text)]
        if kind == "b":
            return text.strip() == "1"
        if kind in ("str", "e", "d"):
            return html.unescape(text)
        return _number(text.strip())
