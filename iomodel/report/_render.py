"""Context → HTML (jinja2, autoescaped) → PDF (WeasyPrint, assets only through AssetFetcher)."""

from __future__ import annotations

from functools import cached_property
from typing import Any

import jinja2
from markupsafe import Markup

from ._assets import AssetFetcher, assets_dir
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
            autoescape=True,                 # every value is text unless marked as SVG below
            undefined=jinja2.StrictUndefined,
            trim_blocks=True, lstrip_blocks=True,
        )

    @cached_property
    def _weasy(self):
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration
        fonts = FontConfiguration()
        css = CSS(filename=str(self.templates / "report.css"), url_fetcher=self.fetcher,
                  font_config=fonts)
        return fonts, css

    def html(self, template: str, context: dict[str, Any], loc: Locale) -> str:
        """The HTML of one report.  Charts (our own matplotlib SVG) are the only markup passed
        through unescaped; every scenario or table string is escaped by the template."""
        ctx = dict(context)
        ctx["charts"] = {k: Markup(v) for k, v in context.get("charts", {}).items()}
        return self.env.get_template(template).render(t=loc.t, **ctx)

    def pdf(self, html: str) -> bytes:
        """Render ``html`` to PDF bytes; only the report's own assets can be fetched."""
        from weasyprint import HTML
        fonts, css = self._weasy
        document = HTML(string=html, base_url=self.templates.as_uri() + "/",
                        url_fetcher=self.fetcher)
        return document.write_pdf(stylesheets=[css], font_config=fonts)
