"""Reader for Rosstat's basic input-output workbooks («Базовые таблицы «затраты-выпуск»»).

Blocks are located by their codes and header text, never by fixed cell addresses: the header
cell «Коды» gives the column of row codes and the row of column codes; «№№» gives the column of
product numbers and the row of column numbers.  Products are matched by number and checked
against the OKPD2 code in ``sectors.csv``; final-demand columns (P3_S14, P51 …) and primary-input
rows (P7, D21-D31, D1, B2n+B3n …) by code, after normalising spaces and Cyrillic look-alike
letters (the 2021 workbook writes «Р51с» with Cyrillic Р and с).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd

from ..errors import TableError
from ..table import ClosureParameters, IOTable
from .manifest import Manifest
from .rosstat_valuation import normalise_code, read_final_demand_valuation

__all__ = ["SheetGrid", "normalise_code", "read_block", "read_rosstat"]


class SheetGrid:
    """A worksheet read once into memory, with helpers to find code headers."""

    def __init__(self, path: Path, sheet: str, workbook: openpyxl.Workbook):
        if sheet not in workbook.sheetnames:
            raise TableError(
                f"{path}: no sheet {sheet!r} (sheets: {', '.join(workbook.sheetnames)}); "
                "set the sheet name in table.toml [rosstat]"
            )
        self.path, self.sheet = path, sheet
        self.rows = [list(r) for r in workbook[sheet].iter_rows(values_only=True)]
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

    def cell_name(self, i: int, j: int) -> str:
        return f"{openpyxl.utils.get_column_letter(j + 1)}{i + 1}"

    def row_index(self, code: str, start: int = 0) -> int:
        """Row whose code cell equals ``code`` (normalised)."""
        want = normalise_code(code)
        for i in range(start, len(self.rows)):
            row = self.rows[i]
            if len(row) > self.code_col and normalise_code(row[self.code_col]) == want:
                return i
        raise TableError(
            f"{self.path} [{self.sheet}]: no row with code {code!r} in column "
            f"{openpyxl.utils.get_column_letter(self.code_col + 1)}; check the row "
            "codes in table.toml [rosstat]"
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

    def product_rows(self, numbers: Sequence[str], okpd2: Sequence[str]) -> list[int]:
        found = {}
        for i in range(self.num_row + 1, len(self.rows)):
            row = self.rows[i]
            if len(row) > self.num_col and row[self.num_col] is not None:
                found.setdefault(str(row[self.num_col]).strip(), i)
        out = []
        for number, code in zip(numbers, okpd2):
            if number not in found:
                raise TableError(
                    f"{self.path} [{self.sheet}]: product number {number} not found in "
                    f"column {openpyxl.utils.get_column_letter(self.num_col + 1)}; "
                    "sectors.csv does not fit this workbook"
                )
            i = found[number]
            got = self.rows[i][self.code_col]
            if normalise_code(got) != normalise_code(code):
                raise TableError(
                    f"{self.path} [{self.sheet}]: cell "
                    f"{self.cell_name(i, self.code_col)} holds code {got!r} for product "
                    f"{number}, but sectors.csv says {code!r}; update sectors.csv for "
                    "this year's classification"
                )
            out.append(i)
        return out

    def product_columns(self, numbers: Sequence[str], okpd2: Sequence[str]) -> list[int]:
        header = [str(c).strip() if c is not None else "" for c in self.rows[self.num_row]]
        out = []
        for number, code in zip(numbers, okpd2):
            try:
                j = header.index(number)
            except ValueError:
                raise TableError(
                    f"{self.path} [{self.sheet}]: product number {number} not found in "
                    f"header row {self.num_row + 1}; sectors.csv does not fit this "
                    "workbook"
                ) from None
            got = self.rows[self.code_row][j]
            if normalise_code(got) != normalise_code(code):
                raise TableError(
                    f"{self.path} [{self.sheet}]: header cell "
                    f"{self.cell_name(self.code_row, j)} holds {got!r} for column "
                    f"{number}, but sectors.csv says {code!r}"
                )
            out.append(j)
        return out

    def values(self, rows: Sequence[int], cols: Sequence[int]) -> np.ndarray:
        """Numbers of a block; empty cells and '-' are zero, other text is an error."""
        out = np.zeros((len(rows), len(cols)))
        for a, i in enumerate(rows):
            row = self.rows[i]
            for b, j in enumerate(cols):
                cell = row[j] if j < len(row) else None
                if cell is None or (isinstance(cell, str) and cell.strip() in ("", "-", "–")):
                    continue
                if isinstance(cell, bool) or not isinstance(cell, (int, float)):
                    raise TableError(
                        f"{self.path} [{self.sheet}]: cell {self.cell_name(i, j)} holds "
                        f"{cell!r}, not a number; correct the cell"
                    )
                out[a, b] = float(cell)
        return out


def read_block(
    grid: SheetGrid, sectors: pd.DataFrame, fd_codes: Sequence[str], pi_codes: Sequence[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Z (products × products), Y (products × fd codes) and V (pi codes × products) of a sheet."""
    numbers = sectors["number"].tolist()
    okpd2 = sectors["okpd2"].tolist()
    rows = grid.product_rows(numbers, okpd2)
    cols = grid.product_columns(numbers, okpd2)
    fd_cols = [grid.column_index(c) for c in fd_codes]
    pi_rows = [grid.row_index(c, start=rows[-1] + 1) for c in pi_codes]
    return grid.values(rows, cols), grid.values(rows, fd_cols), grid.values(pi_rows, cols)


def _read_sectors(path: Path) -> pd.DataFrame:
    try:
        sectors = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise TableError(
            f"{path}: sector list not found; the Rosstat reader needs sectors.csv"
        ) from None
    need = {"number", "okpd2", "code", "label_ru", "label_en", "okved2_section"}
    if not need <= set(sectors.columns):
        raise TableError(f"{path}: columns {sorted(need - set(sectors.columns))} are missing")
    return sectors.set_index("code")


def _allocate_employment(
    where: Path, sectors: pd.DataFrame, by: np.ndarray, without: Sequence[str] = ()
) -> pd.Series:
    """Employment by section spread over the section's products in proportion to ``by``.

    Sections listed in ``without`` (declared in table.toml because the source has no figure)
    get zero employment.
    """
    try:
        sections = pd.read_csv(where, dtype={"section": str})
    except FileNotFoundError:
        raise TableError(f"{where}: employment file not found") from None
    if "section" not in sections or "employed_thousand" not in sections:
        raise TableError(f"{where}: needs columns 'section' and 'employed_thousand'")
    totals = sections.set_index("section")["employed_thousand"].astype(float) * 1000.0
    out = pd.Series(0.0, index=sectors.index)
    section_of = sectors["okved2_section"].to_numpy()
    for section in pd.unique(section_of):
        members = section_of == section
        weight = by[members]
        if section in without:
            continue
        if section not in totals.index:
            raise TableError(
                f"{where}: no employment for OKVED2 section {section!r}, which "
                f"products {list(sectors.index[members][:3])} belong to; add it, or list "
                "the section in table.toml [employment] sections_without_data"
            )
        if weight.sum() <= 0:
            raise TableError(
                f"{where}: section {section!r} has employment but its products pay no "
                "compensation, so it cannot be allocated"
            )
        out[members] = totals[section] * weight / weight.sum()
    unused = sorted(set(totals.index) - set(section_of))
    if unused:
        raise TableError(f"{where}: sections {unused} have employment but no product in the table")
    return out


def read_rosstat(folder: Path, manifest: Manifest) -> IOTable:
    """Read a Rosstat basic-table workbook described by ``manifest`` (format = "rosstat")."""
    cfg = manifest.raw.get("rosstat")
    if not isinstance(cfg, dict):
        raise TableError(f"{manifest.meta.path}: format 'rosstat' needs a [rosstat] table")
    try:
        workbook_path = folder / cfg["workbook"]
        sheet, sectors_file = cfg["sheet"], cfg["sectors"]
        fd_codes, pi_codes = list(cfg["final_demand"]), list(cfg["primary_inputs"])
        output_row = cfg["output_row"]
    except KeyError as exc:
        raise TableError(f"{manifest.meta.path}: [rosstat] lacks key {exc.args[0]!r}") from None
    sectors = _read_sectors(folder / sectors_file)
    if not workbook_path.exists():
        raise TableError(f"{workbook_path}: workbook not found (table.toml [rosstat] workbook)")
    try:
        wb = openpyxl.load_workbook(workbook_path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise TableError(f"{workbook_path}: cannot be read as an .xlsx workbook ({exc})") from None
    grid = SheetGrid(workbook_path, sheet, wb)
    z, y, v = read_block(grid, sectors, fd_codes, pi_codes)
    codes = list(sectors.index)
    x = grid.values(
        [grid.row_index(output_row)],
        grid.product_columns(sectors["number"].tolist(), sectors["okpd2"].tolist()),
    )[0]

    closure = dict(
        income_tax_rate=manifest.closure.income_tax_rate,
        propensity_to_consume=manifest.closure.propensity_to_consume,
        wage_share=manifest.closure.wage_share,
        domestic_share=manifest.closure.domestic_share,
        imputed_rent=manifest.closure.imputed_rent,
        imputed_rent_product=manifest.closure.imputed_rent_product,
    )
    sources = dict(manifest.closure.sources)
    comp_row = v[pi_codes.index(manifest.roles.compensation)]
    if closure["wage_share"] is None and cfg.get("wages_row"):
        wages = grid.values(
            [grid.row_index(cfg["wages_row"])],
            grid.product_columns(sectors["number"].tolist(), sectors["okpd2"].tolist()),
        )[0]
        closure["wage_share"] = float(wages.sum() / comp_row.sum())
        sources["wage_share"] = (
            f"{workbook_path.name} [{sheet}]: {cfg['wages_row']} ÷ "
            f"{manifest.roles.compensation}, all products"
        )
    if closure["domestic_share"] is None and cfg.get("total_row"):
        hh = manifest.roles.household_consumption
        total = grid.values([grid.row_index(cfg["total_row"])], [grid.column_index(hh)])[0, 0]
        closure["domestic_share"] = float(y[:, fd_codes.index(hh)].sum() / total)
        sources["domestic_share"] = (
            f"{workbook_path.name} [{sheet}]: domestic products in {hh} ÷ "
            f"{hh} at purchasers' prices ({cfg['total_row']} row)"
        )

    imported = None
    if cfg.get("imports_sheet"):
        igrid = SheetGrid(workbook_path, cfg["imports_sheet"], wb)
        numbers, okpd2 = sectors["number"].tolist(), sectors["okpd2"].tolist()
        imported = pd.DataFrame(
            igrid.values(igrid.product_rows(numbers, okpd2), igrid.product_columns(numbers, okpd2)),
            index=codes,
            columns=codes,
        )
    wb.close()

    valuation = None
    if cfg.get("valuation_column"):
        try:
            frame = read_final_demand_valuation(workbook_path, cfg["valuation_column"])
        except ValueError as exc:
            raise TableError(
                f"{workbook_path}: valuation of {cfg['valuation_column']}: {exc}"
            ) from None
        number_to_code = dict(zip(sectors["number"], codes))
        valuation = frame.rename(index=lambda k: number_to_code[str(k)]).reindex(codes)

    employment = None
    emp_cfg = manifest.raw.get("employment")
    if emp_cfg:
        by = emp_cfg.get("allocate_by", manifest.roles.compensation)
        employment = _allocate_employment(
            folder / emp_cfg["file"],
            sectors,
            v[pi_codes.index(by)],
            emp_cfg.get("sections_without_data", ()),
        )
    files = tuple(manifest.meta.files) + (workbook_path, folder / sectors_file)
    if emp_cfg:
        files += (folder / emp_cfg["file"],)
    meta = replace(manifest.meta, files=files)
    return IOTable.build(
        meta=meta,
        sectors=sectors,
        Z=pd.DataFrame(z, index=codes, columns=codes),
        Y=pd.DataFrame(y, index=codes, columns=fd_codes),
        V=pd.DataFrame(v, index=pi_codes, columns=codes),
        x=pd.Series(x, index=codes),
        employment=employment,
        roles=manifest.roles,
        allow_negative=manifest.allow_negative,
        tolerance=manifest.tolerance,
        closure_parameters=ClosureParameters(**closure, sources=sources),
        imported_intermediate=imported,
        gfcf_valuation=valuation,
    )
