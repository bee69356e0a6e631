"""The report's own assets (templates, CSS, fonts, translations) and the only URLs it may fetch.

WeasyPrint asks its URL fetcher for every stylesheet, font and image a document names.  The
fetcher here serves files from ``reports/`` (the package's assets) with an allowed suffix and
refuses everything else — other files, other schemes, any network address — so nothing a
scenario file says can make a report read a local file or call a server.  A refusal stops the
rendering with :class:`AssetRefused`.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from ..resources import reports_dir

__all__ = ["ALLOWED_SUFFIXES", "AssetFetcher", "AssetRefused", "assets_dir", "svg_data_url"]

#: File types a report may load: its stylesheet and its fonts.
ALLOWED_SUFFIXES = {".css": "text/css", ".ttf": "font/ttf"}


def assets_dir() -> Path:
    """The package's report assets (``reports/`` of the source tree): templates, CSS, fonts
    (with licence), translations."""
    return reports_dir()


class AssetRefused(FatalURLFetchingError):
    """A document asked for a URL that is not one of the report's own assets."""


SVG_PREFIX = "data:image/svg+xml;base64,"


def svg_data_url(svg: str) -> str:
    """A chart's SVG as a ``data:`` URL (the chart stays inside the HTML, no file is written)."""
    return SVG_PREFIX + base64.b64encode(svg.encode("utf-8")).decode("ascii")


class AssetFetcher(URLFetcher):
    """Serves ``file:`` URLs inside :func:`assets_dir` with an allowed suffix and the SVG data
    URLs in ``charts``; refuses the rest."""

    def __init__(self, root: Path | None = None, charts: Iterable[str] = ()):
        super().__init__(fail_on_errors=True)
        self.root = (root or assets_dir()).resolve()
        self.charts = frozenset(charts)
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        if url in self.charts:
            return URLFetcherResponse(
                url=url,
                body=base64.b64decode(url[len(SVG_PREFIX) :]),
                headers={"Content-Type": "image/svg+xml"},
            )
        path = self.resolve(url)
        if path is None:
            self.refused.append(url)
            raise AssetRefused(f"report asset refused: {url[:200]!r} is not a file of {self.root}")
        return URLFetcherResponse(
            url=path.as_uri(),
            body=path.read_bytes(),
            headers={"Content-Type": ALLOWED_SUFFIXES[path.suffix]},
        )

    def resolve(self, url: str) -> Path | None:
        """The asset file ``url`` names, or None when it is not an allowed asset."""
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost") or parts.query:
            return None
        try:
            path = Path(unquote(parts.path)).resolve()
        except (OSError, ValueError):
            return None
        if (
            not path.is_relative_to(self.root)
            or path.suffix not in ALLOWED_SUFFIXES
            or not path.is_file()
        ):
            return None
        return path
