"""Context → HTML (jinja2, autoescaped) → PDF (WeasyPrint, assets only through AssetFetcher)."""

from __future__ import annotations

from functools import cached_property
from typing import Any

import jinja2

from ._assets import AssetFetcher, assets_dir, svg_data_url
from ._locale import Locale

__all__ = ["Renderer"]


class Renderer:
    """One jinja2 environment, one parsed stylesheet and one font configuration, reused for every
    document of a run (parsing the CSS and loading the fonts once)."""

    def __init__(self) -> None:
        self.templates = assets_dir() / "templates"
        self.fetcher = AssetFetcher()
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(self.templates),
            autoescape=True,  # every value is text unless marked as SVG below
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    @cached_property
    def _weasy(self):
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        fonts = FontConfiguration()
        css = CSS(
            filename=str(self.templates / "report.css"), url_fetcher=self.fetcher, font_config=fonts
        )
        return fonts, css

    def warm(self) -> None:
        """Parse the stylesheet and load the fonts now (workers forked later share them)."""
        _ = self._weasy  # a cached property: reading it does the work

    def html(self, template: str, context: dict[str, Any], loc: Locale) -> tuple[str, list[str]]:
        """The HTML of one report and the data URLs of its charts.

        Every string of the context is escaped by the template (autoescape); the charts (our own
        matplotlib SVG) enter only as ``data:`` URLs in ``<img src>``, which the document's
        fetcher serves and nothing else can add to.
        """
        ctx = dict(context)
        ctx["charts"] = {
            k: svg_data_url(v) if v else "" for k, v in context.get("charts", {}).items()
        }
        html = self.env.get_template(template).render(t=_with_prices(loc, context), **ctx)
        return html, [u for u in ctx["charts"].values() if u]

    def pdf(self, html: str, charts: list[str] | tuple[str, ...] = ()) -> tuple[bytes, int]:
        """Render ``html`` to PDF bytes and its number of pages; only the report's own assets
        and ``charts`` can be fetched."""
        from weasyprint import HTML

        fonts, css = self._weasy
        document = HTML(
            string=html,
            base_url=self.templates.as_uri() + "/",
            url_fetcher=AssetFetcher(charts=charts),
        ).render(stylesheets=[css], font_config=fonts)
        return document.write_pdf(), len(document.pages)


#: Placeholders every label may use for the prices of the report's money, filled from the
#: context's ``prices`` (:func:`._context.price_words`) unless the template passes them.
_PRICE_PLACEHOLDERS = {
    "prices": "phrase",
    "prices_basic": "basic",
    "prices_short": "short",
    "rate_kind": "rate_kind",
}


def _with_prices(loc: Locale, context: dict[str, Any]):
    """``loc.t`` with the price placeholders (``{prices}`` «в ценах 2021 г.» or «в текущих
    ценах», …) filled from the context, so a caption says the report's prices in one way."""
    words = context.get("prices")
    if not isinstance(words, dict):
        return loc.t
    defaults = {name: words[key] for name, key in _PRICE_PLACEHOLDERS.items() if key in words}

    def t(key: str, **values: object) -> str:
        text = loc.labels.get(key, "")
        if any("{" + name + "}" in text for name in defaults):
            values = {**defaults, **values}
        return loc.t(key, **values)

    return t
