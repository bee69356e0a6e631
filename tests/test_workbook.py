"""The run's workbook as an economist reads it (issue 13, defect 9): the unit in every header,
money in billions like the reports, a number format for each kind of column, frozen headers and
autofilters, Russian (default) or English names, and the provenance as rows."""

from __future__ import annotations

import datetime
import json
import re

import openpyxl
import pytest

from iomodel.cli import _appraisal_and_groups
from iomodel.pipeline import run_provenance, write_workbook
from iomodel.summary import key_figures

CREATED = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
MONEY_RU, MONEY_EN = "млрд руб., цены 2021 г.", "bn RUB, 2021 prices"
UNITS_RU = (MONEY_RU, "чел.", "чел.-лет", "руб. на руб.", "%")


@pytest.fixture(scope="module")
def books(kola_run, tmp_path_factory):
    """The Kola workbook in Russian (twice, for the bytes) and in English, read back."""
    appraisal, groups = _appraisal_and_groups(kola_run)
    provenance = run_provenance(kola_run, appraisal, datetime.date(2026, 1, 1))
    folder = tmp_path_factory.mktemp("workbook")
    paths = {}
    for name, lang in (("ru", "ru"), ("ru_again", "ru"), ("en", "en")):
        paths[name] = folder / f"{name}.xlsx"
        write_workbook(
            kola_run, appraisal, groups, provenance, paths[name], created=CREATED, lang=lang
        )
    read = {k: openpyxl.load_workbook(paths[k], data_only=True) for k in ("ru", "en")}
    return kola_run, appraisal, groups, provenance, paths, read


def _columns(ws) -> dict[str, int]:
    return {c.value: c.column for c in ws[1]}


def test_russian_by_default_english_on_request(books):
    *_, read = books
    ru, en = read["ru"], read["en"]
    for title in ("Основные показатели", "По продуктам", "Локализация", "Происхождение данных"):
        assert title in ru.sheetnames
    for title in ("Key figures", "By product", "Localisation", "Provenance"):
        assert title in en.sheetnames
    assert len(ru.sheetnames) == len(en.sheetnames)
    for ws in ru.worksheets:
        headers = [c.value for c in ws[1]]
        # no English and no snake_case key left in a Russian header row
        assert not [h for h in headers if re.search(r"[a-z]", h)], (ws.title, headers)
    for ws in en.worksheets:
        assert not [h for h in (c.value for c in ws[1]) if "_" in h], ws.title
    # the localisation sheet (English snake_case before) and the phases in words
    loc = _columns(ru["Локализация"])
    assert "Доля импорта оборудования, высокая, %" in loc
    assert "Занятость всего, высокий импорт, чел.-лет" in loc
    by_year = ru["По годам"]
    assert {by_year.cell(r, 3).value for r in range(2, by_year.max_row + 1)} == {
        "стройка",
        "эксплуатация",
    }


def test_units_in_every_header(books):
    *_, read = books
    by_year = _columns(read["ru"]["По годам"])
    assert f"Добавленная стоимость, {MONEY_RU}" in by_year and "Занятость, чел." in by_year
    assert f"Value added, {MONEY_EN}" in _columns(read["en"]["By year"])
    kf = _columns(read["en"]["Key figures"])
    assert "Value added per rouble of capex, RUB per RUB" in kf
    assert "Employment, construction, person-years" in kf
    assert "Employment, operation (year), persons" in kf
    for ws in read["ru"].worksheets:
        for cell in ws[2]:  # the first data row: every number's column names its unit
            header = ws.cell(1, cell.column).value
            if cell.number_format in ("#,##0.00", "#,##0", "0.00", "0.0%") and not (
                header.startswith(("δ", "Тип II", "Индекс Соболя", "Полный индекс"))
            ):
                unit_column = "Единица" in _columns(ws)
                assert unit_column or header.endswith(UNITS_RU), (ws.title, header)


def test_number_formats_by_kind(books):
    *_, read = books
    ws = read["ru"]["Основные показатели"]
    col = _columns(ws)

    def fmt(header: str) -> str:
        return ws.cell(2, col[header]).number_format

    assert fmt(f"Капвложения, {MONEY_RU}") == "#,##0.00"
    assert fmt("Занятость, стройка, чел.-лет") == "#,##0"
    assert fmt("ДС на рубль капвложений, руб. на руб.") == "0.00"  # 0.77 no longer shows 0.8
    assert fmt("Доля ДС эксплуатации в регионе, %") == "0.0%"
    assert fmt("Год выхода на проектную мощность") == "0"
    assert ws.cell(2, col["ДС на рубль капвложений, руб. на руб."]).value == pytest.approx(
        0.7733, abs=1e-3
    )


def test_frozen_header_and_autofilter_on_every_sheet(books):
    *_, read = books
    for ws in read["ru"].worksheets:
        assert ws.freeze_panes == "A2", ws.title
        last = openpyxl.utils.get_column_letter(ws.max_column)
        assert ws.auto_filter.ref == f"A1:{last}{max(ws.max_row, 2)}", ws.title
    assert read["ru"]["По продуктам"].max_row > 400  # the large sheet is filterable too


def test_money_in_billions_equals_the_report(books):
    """A workbook figure is the Dataset's key figure in bn and the same number the Kola
    report's key-figures table prints."""
    from iomodel.report._centre import _kf_rows
    from iomodel.report._context import prepare
    from iomodel.report._locale import locale_for

    run, appraisal, groups, provenance, _, read = books
    kf = key_figures(run.dataset, "central", appraisal).loc["kola"]
    ws = read["ru"]["Основные показатели"]
    col = _columns(ws)
    value_added = ws.cell(2, col[f"ДС, стройка, {MONEY_RU}"]).value
    assert value_added == pytest.approx(kf["construction_value_added"] / 1e3, rel=1e-12)
    loc = locale_for("ru")
    rows = _kf_rows(loc, prepare(run, appraisal, groups, "central", provenance), "kola")
    report = {r["var"]: r for r in rows}
    assert loc.num(value_added, 1) == report["value_added"]["cons2"]
    jobs = ws.cell(2, col["Занятость, эксплуатация (год), чел."]).value
    assert loc.num(jobs, 0) == report["employment"]["op2"]
    # the machine-readable outputs keep the table's units (mn RUB)
    assert run.dataset.attrs["table_unit"] == "mn RUB"


def test_provenance_as_rows(books):
    run, *_, read = books
    rows = [tuple(c.value for c in r) for r in read["ru"]["Происхождение данных"].iter_rows()]
    assert rows[0] == ("Что", "Значение", "Источник или файл")
    assert not [r for r in rows if str(r[1]).lstrip().startswith(("{", "["))]
    table_files = json.loads(run.dataset.attrs["table_files_sha256"])
    hashed = {r[2]: r[1] for r in rows if r[0] == "sha256 файла таблицы"}
    assert hashed == table_files  # one file a row
    what = {r[0]: r for r in rows}
    assert what["Ставка дисконтирования"][1] == "2.50% to 2025"
    assert "Kossova" in what["Ставка дисконтирования"][2]
    assert what["Единицы этой книги"][1].startswith(MONEY_RU)
    english = [tuple(c.value for c in r) for r in read["en"]["Provenance"].iter_rows()]
    assert ("sha256 of a table file", table_files["sectors.csv"], "sectors.csv") in english


def test_same_inputs_same_bytes(books):
    paths = books[4]
    assert paths["ru"].read_bytes() == paths["ru_again"].read_bytes()
    assert paths["ru"].read_bytes() != paths["en"].read_bytes()
