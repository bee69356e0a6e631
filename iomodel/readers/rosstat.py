"""Reader for Rosstat's basic input-output workbooks («Базовые таблицы «затраты-выпуск»»).

Blocks are located by their codes and header text, never by fixed cell addresses: the header
cell «Коды» gives the column of row codes and the row of column codes; «№№» gives the column of
product numbers and the row of column numbers.  Products are matched by number and checked
against their product code in ``sectors.csv`` (OKPD2 for 2021, OKPD 2007 for 2011 and 2016; the
column is named in ``table.toml``); final-demand columns (P3_S14, P51 …) and primary-input
rows (P7, D21-D31, D1, B2n+B3n …) by code, after normalising spaces and Cyrillic look-alike
letters (the 2021 workbook writes «Р51с» with Cyrillic Р and с).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import TableError
from ..table import ClosureParameters, IOTable
from .codes import normalise_code
from .manifest import Manifest
from .rosstat_sheets import SheetGrid
from .rosstat_valuation import read_final_demand_valuation
from .xlsx import XlsxBook

__all__ = ["SheetGrid", "normalise_code", "read_block", "read_rosstat"]


def read_block(
    grid: SheetGrid, sectors: pd.DataFrame, fd_codes: Sequence[str], pi_codes: Sequence[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Z (products × products), Y (products × fd codes) and V (pi codes × products) of a sheet."""
    numbers = sectors["number"].tolist()
    codes = sectors[sectors.attrs["product_code_column"]].tolist()
    rows = grid.product_rows(numbers, codes)
    cols = grid.product_columns(numbers, codes)
    fd_cols = [grid.column_index(c) for c in fd_codes]
    pi_rows = [grid.row_index(c, start=rows[-1] + 1) for c in pi_codes]
    return grid.values(rows, cols), grid.values(rows, fd_cols), grid.values(pi_rows, cols)


def _read_sectors(path: Path, product_code_column: str, more: Sequence[str]) -> pd.DataFrame:
    """sectors.csv indexed by ``code``; ``attrs['product_code_column']`` names the column of
    the workbook's product codes (``okpd2`` for 2021, ``okpd`` for OKPD 2007 tables)."""
    try:
        sectors = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise TableError(
            f"{path}: sector list not found; the Rosstat reader needs sectors.csv"
        ) from None
    need = {"number", product_code_column, "code", "label_ru", "label_en", *more}
    if not need <= set(sectors.columns):
        raise TableError(f"{path}: columns {sorted(need - set(sectors.columns))} are missing")
    sectors = sectors.set_index("code")
    sectors.attrs["product_code_column"] = product_code_column
    return sectors


def _allocate_employment(
    where: Path,
    sectors: pd.DataFrame,
    by: np.ndarray,
    without: Sequence[str] = (),
    section_column: str = "okved2_section",
) -> pd.Series:
    """Employment by section spread over the section's products in proportion to ``by``.

    A row of the employment file may cover several sections joined with '+' (``A+B`` where the
    source does not separate them); its figure is spread over the products of all of them.
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
    section_of = sectors[section_column].to_numpy()
    out = pd.Series(0.0, index=sectors.index)
    covered: set[str] = set()
    for group, total in totals.items():
        members_of = [s.strip() for s in str(group).split("+")]
        unknown = sorted(set(members_of) - set(section_of))
        if unknown:
            raise TableError(
                f"{where}: sections {unknown} have employment but no product in the table"
            )
        covered.update(members_of)
        members = np.isin(section_of, members_of)
        weight = by[members]
        if weight.sum() <= 0:
            raise TableError(
                f"{where}: section {group!r} has employment but its products pay no "
                "compensation, so it cannot be allocated"
            )
        out[members] = total * weight / weight.sum()
    for section in pd.unique(section_of):
        if section not in covered and section not in without:
            members = section_of == section
            raise TableError(
                f"{where}: no employment for section {section!r} ({section_column}), which "
                f"products {list(sectors.index[members][:3])} belong to; add it, or list "
                "the section in table.toml [employment] sections_without_data"
            )
    return out


#: OKVED2 (OK 029-2014) sections.
OKVED2_SECTIONS = tuple("ABCDEFGHIJKLMNOPQRSTU")


def _section_shares(folder: Path, manifest: Manifest, sectors: pd.DataFrame) -> pd.DataFrame | None:
    """Sectors × OKVED2 sections: from the concordance file named in table.toml [sections], or
    from a one-to-one ``okved2_section`` column of sectors.csv; None if neither is there."""
    cfg = manifest.raw.get("sections")
    codes = list(sectors.index)
    if cfg is None:
        if "okved2_section" not in sectors.columns:
            return None
        pairs = pd.DataFrame(
            {"code": codes, "okved2_section": sectors["okved2_section"].tolist(), "share": 1.0}
        )
        where = folder / "sectors.csv"
    else:
        where = folder / cfg["file"]
        try:
            pairs = pd.read_csv(where, dtype={"code": str, "okved2_section": str})
        except FileNotFoundError:
            raise TableError(
                f"{where}: concordance file not found (table.toml [sections])"
            ) from None
        if not {"code", "okved2_section", "share"} <= set(pairs.columns):
            raise TableError(f"{where}: needs columns code, okved2_section, share")
    unknown = sorted(set(pairs["code"]) - set(codes))
    bad = sorted(set(pairs["okved2_section"]) - set(OKVED2_SECTIONS))
    missing = [c for c in codes if c not in set(pairs["code"])]
    if unknown or bad or missing:
        raise TableError(
            f"{where}: concordance names unknown products {unknown[:5]} or sections {bad[:5]}, "
            f"or leaves out products {missing[:5]}; every product needs OKVED2 sections A–U"
        )
    shares = pairs.pivot_table(
        index="code", columns="okved2_section", values="share", aggfunc="sum", fill_value=0.0
    )
    return shares.reindex(index=codes, columns=list(OKVED2_SECTIONS), fill_value=0.0)


def _margin_codes(manifest: Manifest, cfg: dict) -> tuple[list[str], list[str]]:
    try:
        trade, transport = cfg["trade_margin_codes"], cfg["transport_margin_codes"]
    except KeyError as exc:
        raise TableError(
            f"{manifest.meta.path}: [rosstat] valuation_column needs {exc.args[0]} — the "
            "product codes whose supply-use rows receive the margins (2021 OKPD2: trade "
            '["45", "46", "47"], transport ["49", "50", "51", "52"])'
        ) from None
    for name, value in (("trade_margin_codes", trade), ("transport_margin_codes", transport)):
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            raise TableError(
                f"{manifest.meta.path}: [rosstat] {name} must be a non-empty list of code "
                f"strings, got {value!r}"
            )
    return trade, transport


def _closure(
    manifest: Manifest, grid: SheetGrid, cfg: dict, cols: list[int], y: np.ndarray, v: np.ndarray
) -> ClosureParameters:
    """Closure parameters from table.toml, the wage and domestic shares from the workbook."""
    closure: dict[str, Any] = dict(
        income_tax_rate=manifest.closure.income_tax_rate,
        propensity_to_consume=manifest.closure.propensity_to_consume,
        wage_share=manifest.closure.wage_share,
        domestic_share=manifest.closure.domestic_share,
        imputed_rent=manifest.closure.imputed_rent,
        imputed_rent_product=manifest.closure.imputed_rent_product,
    )
    sources = dict(manifest.closure.sources)
    sources_ru = dict(manifest.closure.sources_ru)
    workbook, sheet = Path(cfg["workbook"]).name, grid.sheet
    fd_codes, pi_codes = list(cfg["final_demand"]), list(cfg["primary_inputs"])
    comp_row = v[pi_codes.index(manifest.roles.compensation)]
    if closure["wage_share"] is None and cfg.get("wages_row"):
        wages = grid.values([grid.row_index(cfg["wages_row"])], cols)[0]
        closure["wage_share"] = float(wages.sum() / comp_row.sum())
        sources["wage_share"] = (
            f"{workbook} [{sheet}]: {cfg['wages_row']} ÷ {manifest.roles.compensation}, "
            "all products"
        )
        sources_ru["wage_share"] = (
            f"{workbook}, лист «{sheet}»: {cfg['wages_row']} ÷ {manifest.roles.compensation}, "
            "все продукты"
        )
    if closure["domestic_share"] is None and cfg.get("total_row"):
        hh = manifest.roles.household_consumption
        total = grid.values([grid.row_index(cfg["total_row"])], [grid.column_index(hh)])[0, 0]
        closure["domestic_share"] = float(y[:, fd_codes.index(hh)].sum() / total)
        sources["domestic_share"] = (
            f"{workbook} [{sheet}]: domestic products in {hh} ÷ {hh} at purchasers' prices "
            f"({cfg['total_row']} row)"
        )
        sources_ru["domestic_share"] = (
            f"{workbook}, лист «{sheet}»: потребление домашних хозяйств ({hh}) отечественной "
            f"продукции ÷ {hh} в ценах покупателей (строка {cfg['total_row']})"
        )
    return ClosureParameters(**closure, sources=sources, sources_ru=sources_ru)


def read_rosstat(folder: Path, manifest: Manifest) -> IOTable:
    """Read a Rosstat basic-table workbook described by ``manifest`` (format = "rosstat").

    Every classification-specific fact comes from the manifest: sheet names, the codes of the
    final-demand columns and primary-input rows, the sectors file and its product-code column,
    the products that earn trade and transport margins, the cells allowed to be negative, and
    which section column employment is allocated by.
    """
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
    emp_cfg = manifest.raw.get("employment")
    section_column = (emp_cfg or {}).get("section_column", "okved2_section")
    sectors = _read_sectors(
        folder / sectors_file,
        cfg.get("product_code_column", "okpd2"),
        [section_column] if emp_cfg else [],
    )
    if not workbook_path.exists():
        raise TableError(f"{workbook_path}: workbook not found (table.toml [rosstat] workbook)")
    codes = list(sectors.index)
    numbers = sectors["number"].tolist()
    product_codes = sectors[sectors.attrs["product_code_column"]].tolist()
    valuation = None
    with XlsxBook(workbook_path) as book:
        grid = SheetGrid(book, sheet)
        z, y, v = read_block(grid, sectors, fd_codes, pi_codes)
        cols = grid.product_columns(numbers, product_codes)
        x = grid.values([grid.row_index(output_row)], cols)[0]
        closure = _closure(manifest, grid, cfg, cols, y, v)
        imported = None
        if cfg.get("imports_sheet"):
            igrid = SheetGrid(book, cfg["imports_sheet"])
            imported = pd.DataFrame(
                igrid.values(
                    igrid.product_rows(numbers, product_codes),
                    igrid.product_columns(numbers, product_codes),
                ),
                index=codes,
                columns=codes,
            )
        if cfg.get("valuation_column"):
            trade, transport = _margin_codes(manifest, cfg)
            frame = read_final_demand_valuation(
                book,
                cfg["valuation_column"],
                trade_codes=trade,
                transport_codes=transport,
                ambiguous=cfg.get("valuation_ambiguous", "raise"),
            )
            number_to_code = dict(zip(numbers, codes))
            valuation = frame.rename(index=lambda k: number_to_code[str(k)]).reindex(codes)

    employment = None
    if emp_cfg:
        by = emp_cfg.get("allocate_by", manifest.roles.compensation)
        employment = _allocate_employment(
            folder / emp_cfg["file"],
            sectors,
            v[pi_codes.index(by)],
            emp_cfg.get("sections_without_data", ()),
            section_column,
        )
    files = tuple(manifest.meta.files) + (workbook_path, folder / sectors_file)
    if emp_cfg:
        files += (folder / emp_cfg["file"],)
    if manifest.raw.get("sections"):
        files += (folder / manifest.raw["sections"]["file"],)
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
        sign_exceptions=manifest.sign_exceptions,
        tolerance=manifest.tolerance,
        closure_parameters=closure,
        imported_intermediate=imported,
        gfcf_valuation=valuation,
        section_shares=_section_shares(folder, manifest, sectors),
    )
