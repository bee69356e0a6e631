"""Read the valuation layers of one final-demand column of Rosstat's 2021 basic IO tables.

Rosstat's workbook «Базовые таблицы «затраты-выпуск» Российской Федерации за 2021 год»
(``baz_tzv-2021.xlsx``) publishes the use of about 240 products (OKPD2) by industries and by
final-demand categories at several valuations, each on its own sheet:

============  =================================================================  ==========
sheet         content                                                            our column
============  =================================================================  ==========
``ТИцп``      use table at purchasers' prices                                    purchasers
``ТИоц``      use table at basic prices                                          basic
``М-торг``    trade margins                                                      trade_margins
``М-трансп``  transport margins                                                  transport_margins
``М-чистнал`` net taxes on products (taxes less subsidies)                       net_taxes
``М-отеч``    use of domestic output at basic prices                             domestic_basic
``М-имп``     use of imports at CIF prices (= basic prices of imports)           imports_basic
============  =================================================================  ==========

The symmetric (product-by-product) tables ``Симм отеч`` and ``Симм имп`` use a coarser list
of 113 products. This module reads one final-demand column (``P51``, gross fixed capital
formation, by default) from the seven sheets above and aggregates the supply-use products to
the 113 symmetric products by their OKPD2 codes.

The module imports only the standard library, numpy, pandas and openpyxl.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import openpyxl
import pandas as pd

__all__ = [
    "SYMMETRIC_DOMESTIC_SHEET",
    "SYMMETRIC_IMPORTS_SHEET",
    "TRADE_MARGIN_DIVISIONS",
    "TRANSPORT_MARGIN_DIVISIONS",
    "VALUATION_SHEETS",
    "Okpd2Set",
    "normalise_code",
    "parse_okpd2",
    "read_final_demand_valuation",
]

#: Output column -> workbook sheet holding that valuation layer.
VALUATION_SHEETS: dict[str, str] = {
    "purchasers": "ТИцп",
    "basic": "ТИоц",
    "trade_margins": "М-торг",
    "transport_margins": "М-трансп",
    "net_taxes": "М-чистнал",
    "domestic_basic": "М-отеч",
    "imports_basic": "М-имп",
}
#: Symmetric table of domestic output; gives the list of the 113 products.
SYMMETRIC_DOMESTIC_SHEET = "Симм отеч"
#: Symmetric table of imports; used only to split supply-use products that straddle two
#: symmetric products (``ambiguous="split"``).
SYMMETRIC_IMPORTS_SHEET = "Симм имп"

#: OKPD2 divisions whose rows in the basic-price use table carry the trade margins.
TRADE_MARGIN_DIVISIONS: tuple[str, ...] = ("45", "46", "47")
#: OKPD2 divisions whose rows in the basic-price use table carry the transport margins.
TRANSPORT_MARGIN_DIVISIONS: tuple[str, ...] = ("49", "50", "51", "52")

# Largest residual (million RUB) of purchasers = basic + trade + transport + net taxes that a
# non-margin row may show from rounding (each of the five published figures is rounded to
# 1 million RUB; the workbook itself shows at most 2).
_ROUNDING_TOLERANCE = 5.0
# How far down a sheet to look for the header rows.
_HEADER_SCAN_ROWS = 30

# Cyrillic letters that look like Latin ones, as they appear in Rosstat's codes ('Р51с').
_LOOKALIKES = str.maketrans(
    {
        "А": "A",
        "В": "B",
        "С": "C",
        "Е": "E",
        "Н": "H",
        "К": "K",
        "М": "M",
        "О": "O",
        "Р": "P",
        "Т": "T",
        "Х": "X",
        "У": "Y",
        "а": "a",
        "с": "c",
        "е": "e",
        "о": "o",
        "р": "p",
        "х": "x",
        "у": "y",
        "к": "k",
    }
)
_OKPD2_TOKEN = re.compile(r"\d{2}(?:\.\d{1,3}){0,3}")
_EXCLUSION_KEYWORD = re.compile(r"(?:кроме|без|except|excluding)", re.IGNORECASE)
_EXCLUSION_SEPARATORS = re.compile(r"(?:[\s,;+]|\bи\b|\band\b)+", re.IGNORECASE)
_INCLUSION_SEPARATORS = re.compile(r"[\s+]+")

Ambiguity = Literal["raise", "split"]


def normalise_code(value: Any) -> str:
    """Return a workbook code or header in a canonical form for comparison.

    Integers stay integers (``30`` -> ``'30'``), whitespace is removed, minus signs and en
    dashes become hyphens, Cyrillic letters that look like Latin ones are replaced by the Latin
    letter and the result is upper-cased, so
    ``'Р51с'`` (Cyrillic Р and с) and ``'P51C'`` compare equal.

    Parameters
    ----------
    value : Any
        A cell value: ``str``, ``int``, ``float`` or ``None``.

    Returns
    -------
    str
        The normalised code; ``''`` for an empty cell.

    Examples
    --------
    >>> normalise_code(' Р51с ')
    'P51C'
    >>> normalise_code(30)
    '30'
    >>> normalise_code('41 + 42 + 43')
    '41+42+43'
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).translate(_LOOKALIKES).replace("−", "-").replace("–", "-")
    return re.sub(r"\s+", "", text).upper()


def _normalise_text(value: Any) -> str:
    """Header or sheet-name text for comparison: look-alikes mapped, spaces collapsed."""
    if value is None:
        return ""
    text = str(value).translate(_LOOKALIKES)
    return re.sub(r"\s+", " ", text).strip().casefold()


@dataclass(frozen=True)
class Okpd2Set:
    """A set of OKPD2 codes: the union of ``include`` minus the union of ``exclude``.

    Codes are kept as digit strings (dots dropped): OKPD2 positions have a fixed width
    (XX.X X.X X), so ``'01.11.1'`` -> ``'01111'`` lies inside ``'01.1'`` -> ``'011'`` exactly
    when the digit string starts with it.
    """

    text: str
    include: tuple[str, ...]
    exclude: tuple[str, ...]

    def classify(self, code: str, own_exclusions: tuple[str, ...] = ()) -> str:
        """Where the code ``code`` (less ``own_exclusions``) lies relative to this set.

        Returns ``'inside'``, ``'partial'`` (overlaps this set and something outside it) or
        ``'outside'``.
        """
        if any(code.startswith(i) for i in self.include):
            if any(code.startswith(x) for x in self.exclude):
                return "outside"  # the code lies within an excluded code
            # Exclusions finer than the code cut a piece out of it, unless the code's own
            # exclusions already remove that piece.
            uncovered = [
                x
                for x in self.exclude
                if x.startswith(code) and not any(x.startswith(e) for e in own_exclusions)
            ]
            return "partial" if uncovered else "inside"
        if any(i.startswith(code) for i in self.include):
            return "partial"  # the code is coarser than this set
        return "outside"


def parse_okpd2(value: Any) -> Okpd2Set | None:
    """Parse an OKPD2 code expression as written in Rosstat's tables.

    Handles single codes (``'07.2'``, ``30``), sums (``'41 + 42 + 43'``) and exclusions
    (``'32 без 32.1 и 32.5'``, ``'01.13 кроме 01.13.51, 01.13.6'``).

    Parameters
    ----------
    value : Any
        The content of a code cell.

    Returns
    -------
    Okpd2Set or None
        The parsed set, or ``None`` if the cell is not an OKPD2 expression (for example
        ``'P33'``, ``'TOTAL'`` or ``'D21 - D31'``).

    Examples
    --------
    >>> parse_okpd2('32 без 32.1 и 32.5').include, parse_okpd2('32 без 32.1 и 32.5').exclude
    (('32',), ('321', '325'))
    >>> parse_okpd2('P51') is None
    True
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        value = f"{value:02d}"
    text = str(value).strip()
    if not text:
        return None
    parts = _EXCLUSION_KEYWORD.split(text, maxsplit=1)
    include_text = parts[0]
    exclude_text = parts[1] if len(parts) > 1 else ""
    include = _OKPD2_TOKEN.findall(include_text)
    if not include or _INCLUSION_SEPARATORS.sub("", _OKPD2_TOKEN.sub("", include_text)):
        return None
    exclude = _OKPD2_TOKEN.findall(exclude_text)
    if len(parts) > 1 and (
        not exclude or _EXCLUSION_SEPARATORS.sub("", _OKPD2_TOKEN.sub("", exclude_text))
    ):
        return None
    return Okpd2Set(
        text=text,
        include=tuple(c.replace(".", "") for c in include),
        exclude=tuple(c.replace(".", "") for c in exclude),
    )


@dataclass(frozen=True)
class _SheetColumn:
    """One column of one sheet: rows keyed by (row number, code cell)."""

    sheet: str
    numbers: list[str]
    codes: list[Any]
    labels: list[str]
    values: np.ndarray


def _find_sheet(workbook: openpyxl.Workbook, wanted: str, path: Path) -> Any:
    target = _normalise_text(wanted)
    matches = [name for name in workbook.sheetnames if _normalise_text(name) == target]
    if len(matches) != 1:
        found = ", ".join(repr(n) for n in workbook.sheetnames)
        problem = "no sheet" if not matches else f"{len(matches)} sheets"
        raise ValueError(
            f"{path}: {problem} named {wanted!r} (sheets found: {found}); "
            "is this Rosstat's basic input-output workbook (baz_tzv-2021.xlsx)?"
        )
    return workbook[matches[0]]


def _to_number(value: Any, path: Path, sheet: str, row: int, col: int) -> float:
    if value is None:
        return 0.0
    if isinstance(value, bool):
        raise ValueError(f"{path}, sheet {sheet!r}, row {row}, column {col}: boolean {value!r}")
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip().replace("\u00a0", "").replace(" ", "")
    if text in {"", "-", "–", "—", "x", "х", "X", "Х", "..."}:
        return 0.0
    try:
        return float(text.replace(",", "."))
    except ValueError:
        raise ValueError(
            f"{path}, sheet {sheet!r}, row {row}, column {col}: expected a number, found {value!r}"
        ) from None


def _read_column(
    workbook: openpyxl.Workbook, sheet_name: str, column: str, path: Path
) -> _SheetColumn:
    """Read the row numbers, code cells, labels and one coded column of a sheet.

    The header row is the first row (within the top of the sheet) holding a cell equal to
    ``column`` after normalisation; the code column is the column whose cell in that row reads
    'Коды'; the row-number column is the column with '№№' in a header row.
    """
    ws = _find_sheet(workbook, sheet_name, path)
    rows = [tuple(r) for r in ws.iter_rows(values_only=True)]
    wanted = normalise_code(column)
    header_row = value_col = None
    for r, row in enumerate(rows[:_HEADER_SCAN_ROWS]):
        hits = [c for c, v in enumerate(row) if normalise_code(v) == wanted]
        if hits:
            if len(hits) > 1:
                raise ValueError(
                    f"{path}, sheet {ws.title!r}: column code {column!r} appears {len(hits)} "
                    f"times in header row {r + 1}"
                )
            header_row, value_col = r, hits[0]
            break
    if header_row is None or value_col is None:
        raise ValueError(
            f"{path}, sheet {ws.title!r}: no header cell {column!r} in the first "
            f"{_HEADER_SCAN_ROWS} rows; use a final-demand code such as 'P51', 'P3_S14' or 'P6'"
        )
    codes_header = _normalise_text("Коды")
    code_cols = [c for c, v in enumerate(rows[header_row]) if _normalise_text(v) == codes_header]
    if len(code_cols) != 1:
        raise ValueError(
            f"{path}, sheet {ws.title!r}: expected one header cell 'Коды' in row {header_row + 1} "
            f"(the row holding {column!r}), found {len(code_cols)}"
        )
    code_col = code_cols[0]
    number_col = None
    header_end = min(len(rows), header_row + 3)
    for r in range(0, header_end):
        for c, v in enumerate(rows[r]):
            if isinstance(v, str) and v.strip() in {"№№", "№", "No", "N"}:
                number_col = c
                break
        if number_col is not None:
            break
    if number_col is None:
        raise ValueError(
            f"{path}, sheet {ws.title!r}: no row-number header cell '№№' near row {header_row + 1}"
        )
    label_col = code_col + 1
    numbers: list[str] = []
    codes: list[Any] = []
    labels: list[str] = []
    values: list[float] = []
    for r in range(header_row + 1, len(rows)):
        row = rows[r]
        code = row[code_col] if code_col < len(row) else None
        if normalise_code(code) == "":
            continue
        number = row[number_col] if number_col < len(row) else None
        value = row[value_col] if value_col < len(row) else None
        label = row[label_col] if label_col < len(row) else None
        numbers.append(normalise_code(number))
        codes.append(code)
        labels.append("" if label is None else str(label).strip())
        values.append(_to_number(value, path, ws.title, r + 1, value_col + 1))
    return _SheetColumn(ws.title, numbers, codes, labels, np.asarray(values, dtype=float))


def _split_rows(col: _SheetColumn) -> tuple[list[int], list[int]]:
    """Indices of OKPD2 product rows and of the other rows (P33, TOTAL, D21 - D31 ...)."""
    product, other = [], []
    for k, code in enumerate(col.codes):
        (product if parse_okpd2(code) is not None else other).append(k)
    return product, other


def _division(code: Any) -> str:
    parsed = parse_okpd2(code)
    return "" if parsed is None else parsed.include[0][:2]


def read_final_demand_valuation(
    path: str | Path,
    column: str = "P51",
    *,
    ambiguous: Ambiguity = "raise",
) -> pd.DataFrame:
    """Valuation layers of one final-demand column, by the 113 symmetric-table products.

    For the final-demand category ``column`` (default ``'P51'``, gross fixed capital
    formation) the function returns, for every product of the symmetric tables (``Симм отеч``,
    113 products numbered '001'..'113' in the 2021 workbook), the value bought at purchasers'
    prices and its decomposition, in million RUB at current 2021 prices::

        purchasers = basic + trade_margins + transport_margins + net_taxes
        basic      = domestic_basic + imports_basic

    The supply-use sheets (``ТИцп``, ``ТИоц``, ``М-торг``, ``М-трансп``, ``М-чистнал``,
    ``М-отеч``, ``М-имп``; about 240 OKPD2 products) are aggregated to the symmetric products
    by their OKPD2 codes: a supply-use product belongs to the symmetric product whose code
    expression (for example ``'41 + 42 + 43'`` or ``'32 без 32.1 и 32.5'``) contains all of its
    codes.

    Parameters
    ----------
    path : str or pathlib.Path
        Rosstat's workbook ``baz_tzv-2021.xlsx`` (or a later one with the same layout).
    column : str, default 'P51'
        Final-demand code, as in the code header row of the supply-use sheets and of
        ``Симм отеч``: 'P51', 'P3_S14', 'P31_S13', 'P32_S13', 'P3_S15', 'P52', 'P53', 'P6'
        (or a total such as 'TOTAL', 'TFU'). Cyrillic look-alike letters and spaces are
        ignored. Industry columns are not meant: the supply-use columns are industries but
        the symmetric-table columns are products.
    ambiguous : {'raise', 'split'}, default 'raise'
        What to do with a supply-use product coarser than the symmetric products (in 2021 only
        '65', insurance and pension funding, which the symmetric tables split into
        '65.1 + 65.2' and '65.3'). If its values in ``column`` are all zero it is dropped in
        either mode. Otherwise ``'raise'`` raises ``ValueError`` and ``'split'`` shares it out
        over the symmetric products it overlaps, in proportion to their basic-price use in the
        same column of ``Симм отеч`` plus ``Симм имп`` (an estimate: each layer is split with
        the same shares, so the identities still hold but the domestic/import split of those
        products may differ from the symmetric tables).

    Returns
    -------
    pandas.DataFrame
        Index ``product`` ('001', '002', ...), in the order of ``Симм отеч``; float columns
        ``purchasers, basic, trade_margins, transport_margins, net_taxes, domestic_basic,
        imports_basic`` in million RUB. ``DataFrame.attrs`` holds ``source`` (the path),
        ``column``, ``sheets`` (column -> sheet name), ``okpd2`` and ``label_ru`` (product
        number -> code and label as printed in ``Симм отеч``), ``non_product_rows`` (values
        of the supply-use rows that are not products, such as 'P33' direct purchases abroad,
        by sheet), ``margin_rows`` (margins moved from the basic-price margin rows, see Notes),
        ``split`` (supply-use products shared out under ``ambiguous='split'``) and
        ``code_discrepancies`` (supply-use rows whose code differs between sheets).

    Raises
    ------
    ValueError
        If a sheet, the header cell of ``column``, the 'Коды' or '№№' header cell cannot be
        found; if a data cell is not a number; if the seven sheets do not list the same
        products; if a supply-use product cannot be mapped to a symmetric product (the message
        names the file, sheet and code); or if, outside the margin rows, a product breaks
        purchasers = basic + margins + net taxes by more than rounding.

    Notes
    -----
    **How the 2021 workbook records margins.** The margin sheets ``М-торг`` and ``М-трансп``
    hold only the margins *on the goods that carry them*, as positive entries (a handful of
    negative entries occur where the use itself is negative, e.g. changes in inventories). The
    rows of the margin services themselves -- trade, OKPD2 45/46/47, and freight transport,
    OKPD2 49.2, 49.4, 49.5, 50.2, 50.4, 51.21 -- are **zero** in the margin sheets, and the
    sheets' TOTAL row is the sum of the positive margins. The margins are instead added to
    those service rows in the basic-price table ``ТИоц``. Hence, cell by cell,
    ``ТИцп = ТИоц + М-торг + М-трансп + М-чистнал`` holds for every goods row but not for the
    margin-service rows, where ``ТИоц - ТИцп`` equals the margins (for P51 in 2021:
    wholesale 46: 0 bought directly at purchasers' prices, 782,935 at basic prices).

    To make ``purchasers = basic + trade_margins + transport_margins + net_taxes`` hold for
    every product, this reader books that difference as a **negative** margin on the service
    row: for rows of OKPD2 divisions 45-47 (trade) and 49-52 (transport),
    ``trade_margins`` (resp. ``transport_margins``) gets
    ``ТИцп - ТИоц - М-торг - М-трансп - М-чистнал`` added. So, in the result:

    * goods rows show the margins paid on them, as a part of their purchasers' price;
    * the trade and transport rows show minus the margins they receive, so that their
      ``basic`` value (as in ``ТИоц`` and in the symmetric tables) is the direct purchase plus
      the margins;
    * each margin column sums to about zero over all products: the sum over goods of the
      positive margins equals minus the sum over the margin rows (to rounding), and both equal
      the TOTAL row of the margin sheet.

    ``basic`` is the product's value at basic prices (as in the symmetric tables);
    ``imports_basic`` is imports at CIF prices, which is the basic price of imports.
    Rows of the supply-use sheets that are not products ('P33' direct purchases abroad by
    residents, 'P34', 'P6a', 'D21 - D31', 'P7', 'TOTAL') are left out of the 113 products and
    reported in ``attrs['non_product_rows']``; for P51 they are zero apart from the totals.

    Rows are matched across the seven sheets by their row number ('001'..'243'), and their
    codes are checked: in the 2021 workbook row 020 reads '01.46' (pigs) on every sheet except
    ``ТИцп``, which repeats row 019's code and label; both codes fall in product 001, so the
    row is kept and noted in ``attrs['code_discrepancies']``.

    Against the symmetric tables, the aggregated ``domestic_basic`` and ``imports_basic``
    reproduce the same column of ``Симм отеч`` and ``Симм имп`` to rounding, with one
    published exception for P51 in 2021: ``Симм отеч`` has 268 million RUB more on product 001
    (agriculture: 351 against 83 here) and 264 less on product 063 (wholesale trade) than the
    supply-use sheets. Totals agree.

    Examples
    --------
    Share of trade margins in the purchasers' price of machinery (product 046, OKPD2 28)
    bought for gross fixed capital formation in 2021:

    >>> path = "tables/rosstat-2021/raw/baz_tzv-2021.xlsx"
    >>> gfcf = read_final_demand_valuation(path, "P51")  # doctest: +SKIP
    >>> round(gfcf.loc["046", "trade_margins"] / gfcf.loc["046", "purchasers"], 3)  # doctest: +SKIP
    0.143
    """
    path = Path(path)
    if ambiguous not in ("raise", "split"):
        raise ValueError(f"ambiguous must be 'raise' or 'split', not {ambiguous!r}")
    if not path.is_file():
        raise ValueError(f"{path}: no such file; expected Rosstat's baz_tzv-2021.xlsx")
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sut = {
            name: _read_column(workbook, sheet, column, path)
            for name, sheet in VALUATION_SHEETS.items()
        }
        symm_dom = _read_column(workbook, SYMMETRIC_DOMESTIC_SHEET, column, path)
        symm_imp = (
            _read_column(workbook, SYMMETRIC_IMPORTS_SHEET, column, path)
            if ambiguous == "split"
            else None
        )
    finally:
        workbook.close()

    # --- the symmetric products --------------------------------------------------------
    symm_rows, _ = _split_rows(symm_dom)
    symm_numbers = [symm_dom.numbers[k] for k in symm_rows]
    if len(set(symm_numbers)) != len(symm_numbers):
        raise ValueError(f"{path}, sheet {symm_dom.sheet!r}: duplicate product numbers")
    symm_sets = [parse_okpd2(symm_dom.codes[k]) for k in symm_rows]
    n_symm = len(symm_rows)

    def locate(code: Any) -> tuple[list[int], list[int]]:
        """Symmetric products containing, and overlapping, a supply-use code expression."""
        sut_set = parse_okpd2(code)
        assert sut_set is not None
        containing, overlapping = [], []
        for i, symm_set in enumerate(symm_sets):
            assert symm_set is not None
            status = [symm_set.classify(c, sut_set.exclude) for c in sut_set.include]
            if all(s == "inside" for s in status):
                containing.append(i)
            if any(s != "outside" for s in status):
                overlapping.append(i)
        return containing, overlapping

    # --- the supply-use products, aligned by row number across the seven sheets ----------
    ref = sut["purchasers"]
    ref_rows, _ = _split_rows(ref)
    numbers = [ref.numbers[k] for k in ref_rows]
    if len(set(numbers)) != len(numbers):
        raise ValueError(f"{path}, sheet {ref.sheet!r}: duplicate product numbers")
    layers: dict[str, np.ndarray] = {}
    codes_by_sheet: dict[str, list[Any]] = {}
    non_product: dict[str, dict[str, float]] = {}
    for name, col in sut.items():
        rows, other = _split_rows(col)
        by_number = {col.numbers[k]: k for k in rows}
        missing = [n for n in numbers if n not in by_number]
        extra = [n for n in by_number if n not in set(numbers)]
        if missing or extra or len(by_number) != len(rows):
            first = (missing or extra or ["(duplicate)"])[0]
            raise ValueError(
                f"{path}, sheet {col.sheet!r}: its product rows differ from sheet "
                f"{ref.sheet!r} (e.g. product number {first})"
            )
        layers[name] = np.array([col.values[by_number[n]] for n in numbers], dtype=float)
        codes_by_sheet[col.sheet] = [col.codes[by_number[n]] for n in numbers]
        non_product[col.sheet] = {normalise_code(col.codes[k]): float(col.values[k]) for k in other}

    # The same row may carry different codes on different sheets (in the 2021 workbook,
    # row 020 is '01.46' everywhere but in ТИцп, where row 019's code was repeated). That is
    # harmless when every code of the row maps to the same symmetric product.
    codes: list[Any] = []
    code_discrepancies: dict[str, dict[str, str]] = {}
    locations: list[tuple[list[int], list[int]]] = []
    for j, number in enumerate(numbers):
        variants = {normalise_code(c[j]): c[j] for c in codes_by_sheet.values()}
        code = codes_by_sheet[VALUATION_SHEETS["basic"]][j]
        located = {key: locate(raw) for key, raw in variants.items()}
        if len(variants) > 1:
            code_discrepancies[number] = {
                sheet: str(c[j]).strip() for sheet, c in codes_by_sheet.items()
            }
            targets = {
                tuple(loc[0]) if loc[0] else ("?",) + tuple(loc[1]) for loc in located.values()
            }
            if len(targets) > 1:
                shown = "; ".join(f"{sh}: {v}" for sh, v in code_discrepancies[number].items())
                raise ValueError(
                    f"{path}: supply-use product {number} has different OKPD2 codes on "
                    f"different sheets ({shown}) that map to different products of sheet "
                    f"{symm_dom.sheet!r}"
                )
        codes.append(code)
        locations.append(located[normalise_code(code)])
    divisions = [_division(c) for c in codes]

    # --- margins: move them from the basic-price margin rows onto those rows, negative ---
    residual = (
        layers["purchasers"]
        - layers["basic"]
        - layers["trade_margins"]
        - layers["transport_margins"]
        - layers["net_taxes"]
    )
    is_trade = np.array([d in TRADE_MARGIN_DIVISIONS for d in divisions])
    is_transport = np.array([d in TRANSPORT_MARGIN_DIVISIONS for d in divisions])
    outside = ~(is_trade | is_transport) & (np.abs(residual) > _ROUNDING_TOLERANCE)
    if outside.any():
        k = int(np.flatnonzero(outside)[0])
        raise ValueError(
            f"{path}, column {column!r}: product {numbers[k]} (code {codes[k]!r}) breaks "
            f"{VALUATION_SHEETS['purchasers']} = {VALUATION_SHEETS['basic']} + "
            f"{VALUATION_SHEETS['trade_margins']} + {VALUATION_SHEETS['transport_margins']} + "
            f"{VALUATION_SHEETS['net_taxes']} by {residual[k]:,.0f} million RUB; only the trade "
            f"and transport rows may differ (they receive the margins)"
        )
    layers["trade_margins"] = layers["trade_margins"] + np.where(is_trade, residual, 0.0)
    layers["transport_margins"] = layers["transport_margins"] + np.where(
        is_transport, residual, 0.0
    )
    margin_rows = {
        "trade": {str(codes[k]).strip(): float(residual[k]) for k in np.flatnonzero(is_trade)},
        "transport": {
            str(codes[k]).strip(): float(residual[k]) for k in np.flatnonzero(is_transport)
        },
    }

    # --- aggregation weights: supply-use product j -> symmetric product i ----------------
    weights = np.zeros((n_symm, len(codes)))
    split: dict[str, dict[str, float]] = {}
    for j, code in enumerate(codes):
        containing, overlapping = locations[j]
        if len(containing) == 1:
            weights[containing[0], j] = 1.0
            continue
        where = (
            f"{path}, sheet {VALUATION_SHEETS['basic']!r}: supply-use product {numbers[j]} "
            f"code {str(code).strip()!r}"
        )
        if len(containing) > 1:
            raise ValueError(
                f"{where} lies in {len(containing)} symmetric products of sheet "
                f"{symm_dom.sheet!r} ({', '.join(symm_numbers[i] for i in containing)}); "
                "their OKPD2 codes overlap"
            )
        if not overlapping:
            raise ValueError(
                f"{where} matches no product of sheet {symm_dom.sheet!r}; "
                "check the OKPD2 codes of both sheets"
            )
        row_values = np.array([layers[name][j] for name in VALUATION_SHEETS])
        if not np.any(row_values):
            continue  # nothing to allocate
        candidates = ", ".join(
            f"{symm_numbers[i]} ({str(symm_dom.codes[symm_rows[i]]).strip()})" for i in overlapping
        )
        if ambiguous == "raise":
            raise ValueError(
                f"{where} straddles symmetric products {candidates} of sheet "
                f"{symm_dom.sheet!r} and has non-zero values in column {column!r}; "
                "pass ambiguous='split' to share it out in proportion to the symmetric tables"
            )
        assert symm_imp is not None
        imp_by_number = {symm_imp.numbers[k]: symm_imp.values[k] for k in _split_rows(symm_imp)[0]}
        basis = np.array(
            [
                symm_dom.values[symm_rows[i]] + imp_by_number.get(symm_numbers[i], 0.0)
                for i in overlapping
            ]
        )
        if basis.sum() == 0:
            raise ValueError(
                f"{where} straddles symmetric products {candidates} and the symmetric tables "
                f"have no use of them in column {column!r} to split it by"
            )
        shares = basis / basis.sum()
        for i, share in zip(overlapping, shares):
            weights[i, j] = share
        split[str(code).strip()] = {symm_numbers[i]: float(s) for i, s in zip(overlapping, shares)}

    result = pd.DataFrame(
        {name: weights @ layers[name] for name in VALUATION_SHEETS},
        index=pd.Index(symm_numbers, name="product"),
    )
    result.attrs = {
        "source": str(path),
        "column": column,
        "units": "million RUB, current prices",
        "sheets": dict(VALUATION_SHEETS),
        "okpd2": {
            symm_numbers[i]: str(symm_dom.codes[symm_rows[i]]).strip() for i in range(n_symm)
        },
        "label_ru": {symm_numbers[i]: symm_dom.labels[symm_rows[i]] for i in range(n_symm)},
        "non_product_rows": non_product,
        "margin_rows": margin_rows,
        "split": split,
        "code_discrepancies": code_discrepancies,
    }
    return result
