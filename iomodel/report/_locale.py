"""Translations (``reports/i18n/<lang>.toml``) and numbers formatted for a language.

Russian: narrow no-break space (U+202F) between thousands, decimal comma, ``50 %``;
English: comma between thousands, decimal point, ``50%``.  Both use the minus sign U+2212 and an
en dash for a missing value.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from ._assets import assets_dir

__all__ = ["LANGS", "Lang", "Locale", "format_number", "locale_for"]

Lang = Literal["ru", "en"]
LANGS: tuple[str, ...] = ("ru", "en")

THOUSANDS = {"ru": "\u202f", "en": ","}
DECIMAL = {"ru": ",", "en": "."}
MINUS = "\u2212"
MISSING = "\u2013"


def format_number(value: float | None, digits: int = 0, lang: str = "ru") -> str:
    """``value`` rounded to ``digits`` decimals with the language's separators.

    >>> format_number(1234567.891, 1, "ru")
    '1\\u202f234\\u202f567,9'
    >>> format_number(-1234.5, 0, "en")
    '\\u22121,234'
    >>> format_number(float("nan"))
    '\\u2013'
    """
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return MISSING
    text = f"{abs(value):,.{digits}f}"
    if float(text.replace(",", "")) == 0:
        negative = False  # no "−0,0"
    else:
        negative = value < 0
    text = text.replace(",", "\0").replace(".", DECIMAL[lang]).replace("\0", THOUSANDS[lang])
    return (MINUS if negative else "") + text


@dataclass(frozen=True)
class Locale:
    """One language: its labels and its number formats."""

    lang: str
    labels: dict[str, str]

    def t(self, key: str, **values: object) -> str:
        """The label ``key`` (dotted), with ``{name}`` placeholders filled from ``values``.

        A missing key is an error, so a template cannot ship with an untranslated label.
        """
        try:
            text = self.labels[key]
        except KeyError:
            raise KeyError(
                f"reports/i18n/{self.lang}.toml: no label {key!r}; add it to every language file"
            ) from None
        return text.format(**values) if values else text

    def has(self, key: str) -> bool:
        return key in self.labels

    def num(self, value: float | None, digits: int = 0) -> str:
        return format_number(value, digits, self.lang)

    def pct(self, share: float | None, digits: int = 0) -> str:
        """A share (0.5) as a percentage (``50 %`` / ``50%``)."""
        if share is None or (isinstance(share, float) and not math.isfinite(share)):
            return MISSING
        return format_number(100 * share, digits, self.lang) + (
            "\u202f%" if self.lang == "ru" else "%"
        )

    def pick(self, ru: str, en: str) -> str:
        """The text of a bilingual pair (scenario fields come as ``*_ru`` / ``*_en``)."""
        return ru if self.lang == "ru" else en


def _flatten(data: dict, prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, name + "."))
        else:
            out[name] = str(value)
    return out


@lru_cache(maxsize=4)
def locale_for(lang: str) -> Locale:
    """The :class:`Locale` of ``lang`` (``ru`` or ``en``)."""
    if lang not in LANGS:
        raise ValueError(f"language must be one of {', '.join(LANGS)}, not {lang!r}")
    path = assets_dir() / "i18n" / f"{lang}.toml"
    return Locale(lang, _flatten(tomllib.loads(path.read_text(encoding="utf-8"))))
