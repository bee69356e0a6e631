"""Valuation layers of one final-demand column of Rosstat's basic input-output tables.

Rosstat's workbooks «Базовые таблицы «затраты-выпуск» Российской Федерации» (2011, 2016, 2021)
publish the use of about 220–260 products by industries and by final-demand categories at
several valuations, each on its own sheet:

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
of products (113 in 2021, 98 in 2016, 126 in 2011). This module reads one final-demand column
(``P51``, gross fixed capital formation, by default) from the seven sheets above and
aggregates the supply-use products to the symmetric products by their product codes (OKPD2 in
2021, OKPD 2007 before). Which products receive the trade and transport margins depends on the
classification and is passed in by the caller (from the table's manifest).

Each sheet is read once, and only the four columns needed (numbers, codes, labels, values):
see :mod:`iomodel.readers.xlsx`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from ..errors import TableError
from .codes import Okpd2Set, normalise_code, parse_okpd2
from .rosstat_sheets import SheetColumn, read_column
from .xlsx import XlsxBook

__all__ = [
    "SYMMETRIC_DOMESTIC_SHEET",
    "SYMMETRIC_IMPORTS_SHEET",
    "VALUATION_SHEETS",
    "Okpd2Set",
    "normalise_code",
    "parse_okpd2",
    "read_final_demand_valuation",
]

#: Output column -> workbook sheet holding that valuation layer (the same in 2011–2021).
VALUATION_SHEETS: dict[str, str] = {
    "purchasers": "ТИцп",
    "basic": "ТИоц",
    "trade_margins": "М-торг",
    "transport_margins": "М-трансп",
    "net_taxes": "М-чистнал",
    "domestic_basic": "М-отеч",
    "imports_basic": "М-имп",
}
#: Symmetric table of domestic output; gives the list of the symmetric products.
SYMMETRIC_DOMESTIC_SHEET = "Симм отеч"
#: Symmetric table of imports; used only to split supply-use products that straddle two
#: symmetric products (``ambiguous="split"``).
SYMMETRIC_IMPORTS_SHEET = "Симм имп"

# Largest residual (million RUB) of purchasers = basic + trade + transport + net taxes that a
# non-margin row may show from rounding (each of the five published figures is rounded to
# 1 million RUB; the workbook itself shows at most 2).
_ROUNDING_TOLERANCE = 5.0

Ambiguity = Literal["raise", "split"]


def _split_rows(col: SheetColumn) -> tuple[list[int], list[int]]:
    """Indices of product rows and of the other rows (P33, TOTAL, D21 - D31 ...)."""
    product: list[int] = []
    other: list[int] = []
    for k, code in enumerate(col.codes):
        (product if parse_okpd2(code) is not None else other).append(k)
    return product, other


def _in_codes(code: Any, prefixes: Sequence[str]) -> bool:
    """Whether the product code expression ``code`` starts with one of ``prefixes``."""
    parsed = parse_okpd2(code)
    wanted = [p.replace(".", "").strip() for p in prefixes]
    return parsed is not None and any(parsed.include[0].startswith(p) for p in wanted)


class _Symmetric:
    """The symmetric products (from ``Симм отеч``) and where supply-use codes fall in them."""

    def __init__(self, column: SheetColumn, where: Path):
        self.column = column
        self.rows, _ = _split_rows(column)
        self.numbers = [column.numbers[k] for k in self.rows]
        if len(set(self.numbers)) != len(self.numbers):
            raise TableError(f"{where}, sheet {column.sheet!r}: duplicate product numbers")
        self.sets = [parse_okpd2(column.codes[k]) for k in self.rows]

    def code(self, i: int) -> str:
        return str(self.column.codes[self.rows[i]]).strip()

    def locate(self, code: Any) -> tuple[list[int], list[int]]:
        """Symmetric products containing, and overlapping, a supply-use code expression."""
        sut_set = parse_okpd2(code)
        assert sut_set is not None
        containing, overlapping = [], []
        for i, symm_set in enumerate(self.sets):
            assert symm_set is not None
            status = [symm_set.classify(c, sut_set.exclude) for c in sut_set.include]
            if all(s == "inside" for s in status):
                containing.append(i)
            if any(s != "outside" for s in status):
                overlapping.append(i)
        return containing, overlapping


def _align(sut: Mapping[str, SheetColumn], where: Path) -> tuple[list[str], dict, dict, dict]:
    """Product rows of every layer aligned by row number; codes per sheet; non-product rows."""
    ref = sut["purchasers"]
    ref_rows, _ = _split_rows(ref)
    numbers = [ref.numbers[k] for k in ref_rows]
    if len(set(numbers)) != len(numbers):
        raise TableError(f"{where}, sheet {ref.sheet!r}: duplicate product numbers")
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
            raise TableError(
                f"{where}, sheet {col.sheet!r}: its product rows differ from sheet "
                f"{ref.sheet!r} (e.g. product number {first})"
            )
        layers[name] = np.array([col.values[by_number[n]] for n in numbers], dtype=float)
        codes_by_sheet[col.sheet] = [col.codes[by_number[n]] for n in numbers]
        non_product[col.sheet] = {normalise_code(col.codes[k]): float(col.values[k]) for k in other}
    return numbers, layers, codes_by_sheet, non_product


def _resolve_codes(
    numbers: list[str],
    codes_by_sheet: dict[str, list[Any]],
    basic_sheet: str,
    symm: _Symmetric,
    where: Path,
) -> tuple[list[Any], list[tuple[list[int], list[int]]], dict[str, dict[str, str]]]:
    """One code per supply-use row, where it falls among the symmetric products, and the rows
    whose code differs between sheets.

    The same row may carry different codes on different sheets (in the 2021 workbook, row 020
    is '01.46' everywhere but in ТИцп, where row 019's code was repeated). That is harmless
    when every code of the row maps to the same symmetric product.
    """
    codes: list[Any] = []
    locations: list[tuple[list[int], list[int]]] = []
    discrepancies: dict[str, dict[str, str]] = {}
    for j, number in enumerate(numbers):
        variants = {normalise_code(c[j]): c[j] for c in codes_by_sheet.values()}
        code = codes_by_sheet[basic_sheet][j]
        located = {key: symm.locate(raw) for key, raw in variants.items()}
        if len(variants) > 1:
            discrepancies[number] = {
                sheet: str(c[j]).strip() for sheet, c in codes_by_sheet.items()
            }
            targets = {
                tuple(loc[0]) if loc[0] else ("?",) + tuple(loc[1]) for loc in located.values()
            }
            if len(targets) > 1:
                shown = "; ".join(f"{sh}: {v}" for sh, v in discrepancies[number].items())
                raise TableError(
                    f"{where}: supply-use product {number} has different product codes on "
                    f"different sheets ({shown}) that map to different products of sheet "
                    f"{symm.column.sheet!r}"
                )
        codes.append(code)
        locations.append(located[normalise_code(code)])
    return codes, locations, discrepancies


def _book_margins(
    layers: dict[str, np.ndarray],
    codes: list[Any],
    numbers: list[str],
    margin_codes: Mapping[str, Sequence[str]],
    sheets: Mapping[str, str],
    where: str,
) -> dict[str, dict[str, float]]:
    """Move the margins from the basic-price margin rows onto those rows, negative (in place).

    Returns the margins moved, by kind ('trade', 'transport') and row code.
    """
    residual = (
        layers["purchasers"]
        - layers["basic"]
        - layers["trade_margins"]
        - layers["transport_margins"]
        - layers["net_taxes"]
    )
    is_margin = {
        kind: np.array([_in_codes(c, prefixes) for c in codes], dtype=bool)
        for kind, prefixes in margin_codes.items()
    }
    both = is_margin["trade"] & is_margin["transport"]
    if both.any():
        k = int(np.flatnonzero(both)[0])
        raise TableError(
            f"{where}: product {numbers[k]} (code {codes[k]!r}) is listed both as a trade "
            "and as a transport product; fix trade_margin_codes / transport_margin_codes in "
            "table.toml [rosstat]"
        )
    outside = ~(is_margin["trade"] | is_margin["transport"]) & (
        np.abs(residual) > _ROUNDING_TOLERANCE
    )
    if outside.any():
        k = int(np.flatnonzero(outside)[0])
        raise TableError(
            f"{where}: product {numbers[k]} (code {codes[k]!r}) breaks "
            f"{sheets['purchasers']} = {sheets['basic']} + {sheets['trade_margins']} + "
            f"{sheets['transport_margins']} + {sheets['net_taxes']} by {residual[k]:,.0f} "
            "million RUB; only the trade and transport rows may differ (they receive the "
            "margins): if this product earns margins, list its code in table.toml [rosstat] "
            "trade_margin_codes or transport_margin_codes"
        )
    moved = {}
    for kind, mask in is_margin.items():
        layers[f"{kind}_margins"] = layers[f"{kind}_margins"] + np.where(mask, residual, 0.0)
        moved[kind] = {str(codes[k]).strip(): float(residual[k]) for k in np.flatnonzero(mask)}
    return moved


def _aggregation_weights(
    codes: list[Any],
    numbers: list[str],
    locations: list[tuple[list[int], list[int]]],
    layers: dict[str, np.ndarray],
    symm: _Symmetric,
    symm_imp: SheetColumn | None,
    where: str,
    column: str,
) -> tuple[np.ndarray, dict[str, dict[str, float]]]:
    """Weights from supply-use product j to symmetric product i, and the products split."""
    weights = np.zeros((len(symm.numbers), len(codes)))
    split: dict[str, dict[str, float]] = {}
    for j, code in enumerate(codes):
        containing, overlapping = locations[j]
        if len(containing) == 1:
            weights[containing[0], j] = 1.0
            continue
        row = f"{where}: supply-use product {numbers[j]} code {str(code).strip()!r}"
        sheet = symm.column.sheet
        if len(containing) > 1:
            raise TableError(
                f"{row} lies in {len(containing)} symmetric products of sheet {sheet!r} "
                f"({', '.join(symm.numbers[i] for i in containing)}); their codes overlap"
            )
        if not overlapping:
            raise TableError(
                f"{row} matches no product of sheet {sheet!r}; check the product codes of "
                "both sheets"
            )
        if not any(np.any(layer[j]) for layer in layers.values()):
            continue  # nothing to allocate
        candidates = ", ".join(f"{symm.numbers[i]} ({symm.code(i)})" for i in overlapping)
        if symm_imp is None:
            raise TableError(
                f"{row} straddles symmetric products {candidates} of sheet {sheet!r} and has "
                f"non-zero values in column {column!r}; pass ambiguous='split' to share it "
                "out in proportion to the symmetric tables"
            )
        imp_by_number = {symm_imp.numbers[k]: symm_imp.values[k] for k in _split_rows(symm_imp)[0]}
        basis = np.array(
            [
                symm.column.values[symm.rows[i]] + imp_by_number.get(symm.numbers[i], 0.0)
                for i in overlapping
            ]
        )
        if basis.sum() == 0:
            raise TableError(
                f"{row} straddles symmetric products {candidates} and the symmetric tables "
                f"have no use of them in column {column!r} to split it by"
            )
        shares = basis / basis.sum()
        weights[overlapping, j] = shares
        split[str(code).strip()] = {symm.numbers[i]: float(s) for i, s in zip(overlapping, shares)}
    return weights, split


def read_final_demand_valuation(
    source: str | Path | XlsxBook,
    column: str = "P51",
    *,
    trade_codes: Sequence[str],
    transport_codes: Sequence[str],
    sheets: Mapping[str, str] | None = None,
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
    source : str, pathlib.Path or XlsxBook
        Rosstat's basic-table workbook (``baz_tzv-2021.xlsx``, ``baz2016.xlsx``,
        ``baz2011.xlsx``), or the same already open.
    column : str, default 'P51'
        Final-demand code, as in the code header row of the supply-use sheets and of
        ``Симм отеч``: 'P51', 'P3_S14', 'P31_S13', 'P32_S13', 'P3_S15', 'P52', 'P53', 'P6'
        (or a total such as 'TOTAL', 'TFU'). Cyrillic look-alike letters and spaces are
        ignored. Industry columns are not meant: the supply-use columns are industries but
        the symmetric-table columns are products.
    trade_codes, transport_codes : sequence of str
        Product codes (OKPD2 divisions for 2021: ``('45', '46', '47')`` and
        ``('49', '50', '51', '52')``; OKPD 2007 classes for 2011 and 2016: ``('50', '51', '52')``
        and ``('60', '61', '62', '63')``) whose supply-use rows receive the trade and the
        transport margins. A row belongs to them when its code starts with one of them. They
        come from the table's ``table.toml`` ([rosstat] ``trade_margin_codes`` and
        ``transport_margin_codes``), never from this module.
    sheets : mapping, optional
        Output column -> sheet name, if a workbook names its sheets differently from
        :data:`VALUATION_SHEETS`.
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
    TableError (a ValueError)
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
    row: for rows of ``trade_codes`` (2021: OKPD2 45-47) and ``transport_codes`` (49-52),
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
    if ambiguous not in ("raise", "split"):
        raise ValueError(f"ambiguous must be 'raise' or 'split', not {ambiguous!r}")
    sheets = dict(VALUATION_SHEETS if sheets is None else sheets)
    if isinstance(source, XlsxBook):
        return _valuation(source, column, trade_codes, transport_codes, sheets, ambiguous)
    path = Path(source)
    if not path.is_file():
        raise TableError(f"{path}: no such file; expected a Rosstat basic-table workbook")
    with XlsxBook(path) as book:
        return _valuation(book, column, trade_codes, transport_codes, sheets, ambiguous)


def _valuation(
    book: XlsxBook,
    column: str,
    trade_codes: Sequence[str],
    transport_codes: Sequence[str],
    sheets: dict[str, str],
    ambiguous: Ambiguity,
) -> pd.DataFrame:
    path = book.path
    sut = {name: read_column(book, sheet, column) for name, sheet in sheets.items()}
    symm = _Symmetric(read_column(book, SYMMETRIC_DOMESTIC_SHEET, column), path)
    symm_imp = read_column(book, SYMMETRIC_IMPORTS_SHEET, column) if ambiguous == "split" else None
    numbers, layers, codes_by_sheet, non_product = _align(sut, path)
    codes, locations, discrepancies = _resolve_codes(
        numbers, codes_by_sheet, sut["basic"].sheet, symm, path
    )
    margin_rows = _book_margins(
        layers,
        codes,
        numbers,
        {"trade": trade_codes, "transport": transport_codes},
        sheets,
        f"{path}, column {column!r}",
    )
    weights, split = _aggregation_weights(
        codes,
        numbers,
        locations,
        layers,
        symm,
        symm_imp,
        f"{path}, sheet {sut['basic'].sheet!r}",
        column,
    )
    n_symm = len(symm.numbers)
    result = pd.DataFrame(
        {name: weights @ layers[name] for name in sheets},
        index=pd.Index(symm.numbers, name="product"),
    )
    result.attrs = {
        "source": str(path),
        "column": column,
        "units": "million RUB, current prices",
        "sheets": dict(sheets),
        "okpd2": {symm.numbers[i]: symm.code(i) for i in range(n_symm)},
        "label_ru": {symm.numbers[i]: symm.column.labels[symm.rows[i]] for i in range(n_symm)},
        "non_product_rows": non_product,
        "margin_rows": margin_rows,
        "split": split,
        "code_discrepancies": discrepancies,
    }
    return result
