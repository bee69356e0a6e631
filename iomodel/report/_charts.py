"""Charts as inline SVG, drawn with matplotlib and readable in black-and-white print.

Every function takes plain numbers and labels (already translated) and returns the SVG text,
sized for the report's text width.  Series are told apart by grey level (darkest = direct) with a
dark outline, and lines by dash pattern and marker, so nothing depends on colour.  Text stays
text, set in the report's own sans-serif (``IOM Sans``, the shipped DejaVu Sans Condensed): the
chart is measured with that font here and drawn with it by WeasyPrint.
"""

from __future__ import annotations

import io
import itertools
import math
import re
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import matplotlib

matplotlib.use("svg")
import matplotlib.pyplot as plt
from matplotlib import font_manager
from matplotlib.ticker import Formatter, MaxNLocator

from ._assets import assets_dir

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

#: The family matplotlib measures text with, and the family the report's CSS declares for it.
_MPL_FAMILY = "DejaVu Sans Condensed"
_CSS_FAMILY = "IOM Sans"
for _name in ("DejaVuSansCondensed.ttf", "DejaVuSansCondensed-Bold.ttf"):
    font_manager.fontManager.addfont(str(assets_dir() / "fonts" / _name))

__all__ = [
    "GREYS",
    "TEXT_WIDTH_IN",
    "Panel",
    "Series",
    "lines",
    "ranged_barh",
    "small_multiples",
    "stacked_barh",
    "stacked_columns",
    "tornado",
]

#: Width of the text block (A4, 20 mm margins each side) in inches.
TEXT_WIDTH_IN = 170 / 25.4
#: Fill of up to four stacked series, darkest first.
GREYS = ("#3b3b3b", "#8f8f8f", "#d4d4d4", "#f4f4f4")
EDGE = "#1a1a1a"
LINE_STYLES = (("-", "o"), ("--", "s"), (":", "^"), ("-.", "D"))

_STYLE: dict[RcKeyType, Any] = {
    "font.family": _MPL_FAMILY,
    "font.size": 7.5,
    "axes.titlesize": 8,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 7.5,
    "axes.edgecolor": "#333333",
    "axes.linewidth": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "xtick.major.width": 0.5,
    "ytick.major.width": 0.5,
    "legend.fontsize": 7,
    "legend.frameon": False,
    "legend.handlelength": 1.6,
    "text.parse_math": False,  # user text is literal: "$", "\\", "{" are not TeX
    "svg.fonttype": "none",  # text as <text>, drawn with the report's embedded font
    "svg.hashsalt": "iomodel",  # stable ids: the same data gives the same SVG
}


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float]


@dataclass(frozen=True)
class Panel:
    """One subplot: categories along one axis, stacked series along the other."""

    title: str
    categories: Sequence[str]
    series: Sequence[Series]
    unit: str = ""
    strong: frozenset[int] = field(default_factory=frozenset)  # categories in bold
    digits: int = 1  # of the total printed at bar end


class _LocaleFormatter(Formatter):
    """Tick labels with the report's separators; decimals chosen from the tick spacing."""

    def __init__(self, num: Callable[[float, int], str]):
        self.num = num
        self.ticks: list[float] = []

    def set_locs(self, locs):
        self.ticks = [float(v) for v in locs]

    def __call__(self, x, pos=None):
        locs = [v for v in self.ticks if math.isfinite(v)]
        step = min((abs(b - a) for a, b in itertools.pairwise(locs) if b != a), default=1.0)
        digits = 0 if step >= 1 else min(3, math.ceil(-math.log10(step) - 1e-9))
        return self.num(x, digits)


def _svg(fig) -> str:
    buf = io.StringIO()
    fig.savefig(
        buf, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None}
    )
    plt.close(fig)
    text = buf.getvalue()
    text = text[text.index("<svg") :]
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    text = re.sub(r"font-stretch: [a-z-]+;\s*", "", text)
    return text.replace(f"font-family: '{_MPL_FAMILY}'", f"font-family: '{_CSS_FAMILY}'")


#: Longest label drawn, in characters (longer user text is cut, with an ellipsis).
MAX_LABEL = 90


def _wrap(title: str, width: int) -> str:
    title = str(title)
    if len(title) > MAX_LABEL:
        title = title[: MAX_LABEL - 1] + "…"
    return "\n".join(textwrap.wrap(title, width)) if title else title


def _figure(nrows: int, ncols: int, height_in: float, **kw):
    with plt.rc_context(_STYLE):
        fig, axes = plt.subplots(
            nrows, ncols, figsize=(TEXT_WIDTH_IN, height_in), squeeze=False, **kw
        )
    return fig, axes


def _style_axis(ax, num, value_axis: str) -> None:
    fmt = _LocaleFormatter(num)
    axis = ax.xaxis if value_axis == "x" else ax.yaxis
    axis.set_major_formatter(fmt)
    axis.set_major_locator(MaxNLocator(nbins=5, min_n_ticks=3))
    ax.grid(axis=value_axis, color="#bbbbbb", linewidth=0.4, linestyle=(0, (2, 2)))
    ax.set_axisbelow(True)


def stacked_barh(
    panels: Sequence[Panel],
    num: Callable[[float, int], str],
    legend: bool = True,
    bar_height: float = 0.62,
    height_in: float | None = None,
) -> str:
    """Horizontal stacked bars, one panel per subplot side by side, totals at the bar ends.

    Panels with the same categories share one set of category labels (on the left).
    """
    rows = sum(1 + (len(c) > 30) * 0.5 for c in max((p.categories for p in panels), key=len))
    height = height_in or (0.85 + 0.22 * rows)
    shared = all(list(p.categories) == list(panels[0].categories) for p in panels)
    wrap = 95 if len(panels) == 1 else 28
    longest = max(len(c) for p in panels for c in p.categories)
    label_wrap = 30 if len(panels) > 1 and longest > 30 else 200
    with plt.rc_context(_STYLE):
        fig, axes = _figure(1, len(panels), height, sharey=shared)
        for j, (ax, panel) in enumerate(zip(axes[0], panels)):
            y = list(range(len(panel.categories)))[::-1]
            right = [0.0] * len(y)  # positive parts stack rightwards from zero,
            leftward = [0.0] * len(y)  # negative parts leftwards
            for k, s in enumerate(panel.series):
                starts = [r if v >= 0 else lw for v, r, lw in zip(s.values, right, leftward)]
                ax.barh(
                    y,
                    s.values,
                    left=starts,
                    height=bar_height,
                    color=GREYS[k % len(GREYS)],
                    edgecolor=EDGE,
                    linewidth=0.4,
                    label=s.label,
                )
                right = [r + max(v, 0.0) for r, v in zip(right, s.values)]
                leftward = [lw + min(v, 0.0) for lw, v in zip(leftward, s.values)]
            top = max(right + [1e-12])
            bottom = min(leftward + [0.0])
            span = top - bottom
            for yy, r, lw in zip(y, right, leftward):
                ax.text(  # the net total, every sign counted
                    r + span * 0.015,
                    yy,
                    num(r + lw, panel.digits),
                    va="center",
                    ha="left",
                    fontsize=6.8,
                )
            ax.set_xlim(bottom - (span * 0.04 if bottom < 0 else 0.0), top + span * 0.18)
            if bottom < 0:
                ax.axvline(0, color=EDGE, linewidth=0.5)
            ax.set_yticks(y)
            ax.set_yticklabels([_wrap(c, label_wrap) for c in panel.categories])
            if shared and j > 0:
                ax.tick_params(axis="y", labelleft=False)
            for k, label in enumerate(ax.get_yticklabels()):
                if k in panel.strong:
                    label.set_fontweight("bold")
                elif panel.strong:
                    label.set_color("#555555")
            ax.tick_params(axis="y", length=0)
            ax.set_title(_wrap(panel.title, wrap), pad=4)
            if panel.unit:
                ax.set_xlabel(panel.unit)
            _style_axis(ax, num, "x")
        if legend and len(panels[0].series) > 1:
            handles, labels = axes[0][0].get_legend_handles_labels()
            fig.legend(
                handles, labels, loc="lower center", ncol=len(labels), bbox_to_anchor=(0.5, 0.0)
            )
            fig.tight_layout(rect=(0, 0.28 / height, 1, 1), w_pad=2.0)
        else:
            fig.tight_layout(w_pad=2.0)
        return _svg(fig)


def stacked_columns(
    years: Sequence[int],
    panels: Sequence[Panel],
    num: Callable[[float, int], str],
    height_in: float = 3.2,
) -> str:
    """Columns by year (panels stacked vertically, sharing the year axis)."""
    with plt.rc_context(_STYLE):
        fig, axes = _figure(len(panels), 1, height_in, sharex=True)
        x = list(range(len(years)))
        for ax, panel in zip(axes[:, 0], panels):
            bottom = [0.0] * len(x)
            for k, s in enumerate(panel.series):
                ax.bar(
                    x,
                    s.values,
                    bottom=bottom,
                    width=0.72,
                    color=GREYS[k % len(GREYS)],
                    edgecolor=EDGE,
                    linewidth=0.4,
                    label=s.label,
                )
                bottom = [a + b for a, b in zip(bottom, s.values)]
            ax.set_title(_wrap(panel.title, 95), pad=3)
            if panel.unit:
                ax.set_ylabel(panel.unit)
            _style_axis(ax, num, "y")
        ax = axes[-1, 0]
        step = 1 if len(years) <= 14 else 2
        ax.set_xticks(x[::step])
        ax.set_xticklabels([str(y) for y in years][::step])
        ax.set_xlim(-0.6, len(x) - 0.4)
        handles, labels = axes[0, 0].get_legend_handles_labels()
        axes[0, 0].legend(
            handles,
            labels,
            loc="upper right",
            ncol=len(labels),
            frameon=True,
            facecolor="white",
            edgecolor="none",
            framealpha=1.0,
        )
        fig.align_ylabels(axes[:, 0])
        fig.tight_layout(h_pad=0.8)
        return _svg(fig)


def lines(
    panels: Sequence[tuple[str, str, Sequence[tuple[str, Sequence[float], Sequence[float]]]]],
    xlabel: str,
    num: Callable[[float, int], str],
    marks: Sequence[tuple[float, str]] = (),
    invert_x: bool = False,
    x_percent: bool = False,
    height_in: float = 2.4,
) -> str:
    """Line panels side by side: ``(title, unit, [(label, xs, ys), …])``; vertical ``marks``
    labelled inside the plot."""
    with plt.rc_context(_STYLE):
        fig, axes = _figure(1, len(panels), height_in)
        for ax, (title, unit, curves) in zip(axes[0], panels):
            for k, (label, xs, ys) in enumerate(curves):
                style, marker = LINE_STYLES[k % len(LINE_STYLES)]
                ax.plot(
                    xs,
                    ys,
                    linestyle=style,
                    marker=marker,
                    markersize=3.5,
                    color=EDGE,
                    linewidth=1.1,
                    label=label,
                    markerfacecolor="white",
                )
            lo, hi = ax.get_ylim()
            ax.set_ylim(lo - 0.12 * (hi - lo), hi)
            for x, label in marks:
                ax.axvline(x, color="#888888", linewidth=0.5, linestyle=(0, (1, 2)))
                ax.annotate(
                    label,
                    (x, 0.02),
                    xycoords=("data", "axes fraction"),
                    ha="center",
                    va="bottom",
                    fontsize=6.3,
                    color="#333333",
                    bbox={"boxstyle": "square,pad=0.15", "fc": "white", "ec": "none"},
                )
            ax.set_title(_wrap(title, 45 if len(panels) > 1 else 95), pad=4)
            ax.set_ylabel(unit)
            ax.set_xlabel(xlabel)
            _style_axis(ax, num, "y")
            if x_percent:
                ax.xaxis.set_major_formatter(
                    _LocaleFormatter(lambda v, d: num(100 * v, max(0, d - 2)))
                )
            if invert_x:
                ax.invert_xaxis()
            if len(curves) > 1:
                ax.legend(loc="best")
        fig.tight_layout(w_pad=2.5)
        return _svg(fig)


def small_multiples(
    titles: Sequence[str],
    years: Sequence[int],
    data: Sequence[Sequence[Series]],
    unit: str,
    num: Callable[[float, int], str],
    ncols: int = 2,
) -> str:
    """One small column chart per item (same scales), series stacked, one shared legend."""
    n = len(titles)
    nrows = math.ceil(n / ncols)
    with plt.rc_context(_STYLE):
        fig, axes = _figure(nrows, ncols, 0.4 + 1.45 * nrows, sharex=True, sharey=True)
        x = list(range(len(years)))
        for k, ax in enumerate(axes.flat):
            if k >= n:
                ax.set_visible(False)
                continue
            bottom = [0.0] * len(x)
            for j, s in enumerate(data[k]):
                ax.bar(
                    x,
                    s.values,
                    bottom=bottom,
                    width=0.75,
                    color=GREYS[j % len(GREYS)],
                    edgecolor=EDGE,
                    linewidth=0.3,
                    label=s.label,
                )
                bottom = [a + b for a, b in zip(bottom, s.values)]
            ax.set_title(_wrap(titles[k], 42), pad=2, fontsize=7.5)
            _style_axis(ax, num, "y")
            if k % ncols == 0:
                ax.set_ylabel(unit)
        step = max(1, math.ceil(len(years) / 8))
        for ax in axes[-1]:
            ax.set_xticks(x[::step])
            ax.set_xticklabels([str(y) for y in years][::step])
            ax.tick_params(axis="x", labelbottom=True)
        handles, labels = axes[0, 0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="upper center", ncol=len(labels), bbox_to_anchor=(0.5, 1.0))
        fig.tight_layout(rect=(0, 0, 1, 1 - 0.28 / (0.4 + 1.45 * nrows)), h_pad=0.6, w_pad=1.5)
        return _svg(fig)


def tornado(
    labels: Sequence[str],
    low: Sequence[float],
    high: Sequence[float],
    central: float,
    num: Callable[[float, int], str],
    unit: str = "",
    central_label: str = "",
) -> str:
    """A tornado chart: one horizontal bar per parameter from ``low`` to ``high`` (widest on
    top), a line at the ``central`` value; values printed at both ends."""
    order = sorted(range(len(labels)), key=lambda i: -(high[i] - low[i]))
    height = 0.7 + 0.26 * max(len(order), 1)
    with plt.rc_context(_STYLE):
        fig, axes = _figure(1, 1, height)
        ax = axes[0][0]
        y = list(range(len(order)))[::-1]
        span = max((high[i] - low[i] for i in order), default=0.0) or abs(central) or 1.0
        for pos, i in zip(y, order):
            ax.barh(
                pos,
                high[i] - low[i],
                left=low[i],
                height=0.6,
                color=GREYS[1],
                edgecolor=EDGE,
                linewidth=0.4,
            )
            ax.text(
                low[i] - span * 0.02, pos, num(low[i], 0), ha="right", va="center", fontsize=6.5
            )
            ax.text(
                high[i] + span * 0.02, pos, num(high[i], 0), ha="left", va="center", fontsize=6.5
            )
        ax.axvline(central, color=EDGE, linewidth=0.8, linestyle="--")
        ax.set_yticks(y, [textwrap.shorten(labels[i], 60) for i in order])
        lo = min([low[i] for i in order] + [central])
        hi = max([high[i] for i in order] + [central])
        ax.set_xlim(lo - span * 0.25, hi + span * 0.25)
        ax.xaxis.set_major_formatter(_LocaleFormatter(num))
        ax.xaxis.set_major_locator(MaxNLocator(5))
        if unit:
            ax.set_xlabel(unit)
        if central_label:
            ax.text(
                central, len(order) - 0.4, central_label, ha="center", va="bottom", fontsize=6.5
            )
        fig.tight_layout()
        return _svg(fig)


def ranged_barh(
    categories: Sequence[str],
    values: Sequence[float],
    lows: Sequence[float],
    highs: Sequence[float],
    num: Callable[[float, int], str],
    title: str = "",
    unit: str = "",
    range_label: str = "",
    digits: int = 2,
) -> str:
    """One bar per category (first at the top) with a whisker from ``lows`` to ``highs`` and the
    value printed beside it: a ranking to read at a glance."""
    n = len(categories)
    with plt.rc_context(_STYLE):
        fig, axes = _figure(1, 1, 0.4 + 0.2 * n)
        ax = axes[0][0]
        y = list(range(n))[::-1]
        ax.barh(y, values, height=0.6, color=GREYS[1], edgecolor=EDGE, linewidth=0.4)
        ax.errorbar(
            values,
            y,
            xerr=[
                [max(v - lo, 0.0) for v, lo in zip(values, lows)],
                [max(hi - v, 0.0) for v, hi in zip(values, highs)],
            ],
            fmt="none",
            ecolor=EDGE,
            elinewidth=0.8,
            capsize=2.5,
        )
        top = max([*highs, *values, 1e-12])
        for yy, v, hi in zip(y, values, highs):
            ax.text(max(v, hi) + top * 0.015, yy, num(v, digits), va="center", fontsize=7)
        ax.set_xlim(0, top * 1.15)
        ax.set_yticks(y)
        ax.set_yticklabels([_wrap(c, 80) for c in categories], fontsize=6.5)
        ax.tick_params(axis="y", length=0)
        if title:
            ax.set_title(_wrap(title, 95), pad=4)
        if unit:
            ax.set_xlabel(unit)
        _style_axis(ax, num, "x")
        fig.tight_layout()
        return _svg(fig)
