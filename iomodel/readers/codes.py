"""Product codes as Rosstat writes them: normalising, and parsing code expressions.

Rosstat's input-output workbooks label products with OKPD codes (OKPD2, OK 034-2014, from the
2021 table; OKPD, OK 034-2007, in the 2011 and 2016 tables) written as single codes
(``'07.2'``, ``30``), sums (``'41 + 42 + 43'``) and exclusions (``'32 без 32.1 и 32.5'``).
Both classifications have positions of fixed width (XX.X X.X X …), so a code lies inside
another exactly when its digit string starts with the other's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

__all__ = ["Okpd2Set", "normalise_code", "normalise_text", "parse_okpd2"]

# Cyrillic letters that look like Latin ones, as they appear in Rosstat's codes ('Р51с').
_LOOKALIKES = str.maketrans(
    {
        "А": "A",
        "В": "B",
        "С": "C",
        "Е": "E",
        "Н": "H",
        "К": "K",
        "М": "M",
        "О": "O",
        "Р": "P",
        "Т": "T",
        "Х": "X",
        "У": "Y",
        "а": "a",
        "с": "c",
        "е": "e",
        "о": "o",
        "р": "p",
        "х": "x",
        "у": "y",
        "к": "k",
    }
)
_OKPD2_TOKEN = re.compile(r"\d{2}(?:\.\d{1,3}){0,3}")
_EXCLUSION_KEYWORD = re.compile(r"(?:кроме|без|except|excluding)", re.IGNORECASE)
_EXCLUSION_SEPARATORS = re.compile(r"(?:[\s,;+]|\bи\b|\band\b)+", re.IGNORECASE)
_INCLUSION_SEPARATORS = re.compile(r"[\s+]+")


def normalise_code(value: Any) -> str:
    """Return a workbook code or header in a canonical form for comparison.

    Integers stay integers (``30`` -> ``'30'``), whitespace is removed, minus signs and en
    dashes become hyphens, Cyrillic letters that look like Latin ones are replaced by the Latin
    letter and the result is upper-cased, so
    ``'Р51с'`` (Cyrillic Р and с) and ``'P51C'`` compare equal.

    Parameters
    ----------
    value : Any
        A cell value: ``str``, ``int``, ``float`` or ``None``.

    Returns
    -------
    str
        The normalised code; ``''`` for an empty cell.

    Examples
    --------
    >>> normalise_code(' Р51с ')
    'P51C'
    >>> normalise_code(30)
    '30'
    >>> normalise_code('41 + 42 + 43')
    '41+42+43'
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).translate(_LOOKALIKES).replace("−", "-").replace("–", "-")
    return re.sub(r"\s+", "", text).upper()


def normalise_text(value: Any) -> str:
    """Header or sheet-name text for comparison: look-alikes mapped, spaces collapsed."""
    if value is None:
        return ""
    text = str(value).translate(_LOOKALIKES)
    return re.sub(r"\s+", " ", text).strip().casefold()


@dataclass(frozen=True)
class Okpd2Set:
    """A set of OKPD (2007) or OKPD2 codes: the union of ``include`` minus that of ``exclude``.

    Codes are kept as digit strings (dots dropped): positions have a fixed width
    (XX.X X.X X …), so ``'01.11.1'`` -> ``'01111'`` lies inside ``'01.1'`` -> ``'011'`` exactly
    when the digit string starts with it.
    """

    text: str
    include: tuple[str, ...]
    exclude: tuple[str, ...]

    def classify(self, code: str, own_exclusions: tuple[str, ...] = ()) -> str:
        """Where the code ``code`` (less ``own_exclusions``) lies relative to this set.

        Returns ``'inside'``, ``'partial'`` (overlaps this set and something outside it) or
        ``'outside'``.
        """
        if any(code.startswith(i) for i in self.include):
            if any(code.startswith(x) for x in self.exclude):
                return "outside"  # the code lies within an excluded code
            # Exclusions finer than the code cut a piece out of it, unless the code's own
            # exclusions already remove that piece.
            uncovered = [
                x
                for x in self.exclude
                if x.startswith(code) and not any(x.startswith(e) for e in own_exclusions)
            ]
            return "partial" if uncovered else "inside"
        if any(i.startswith(code) for i in self.include):
            return "partial"  # the code is coarser than this set
        return "outside"


def parse_okpd2(value: Any) -> Okpd2Set | None:
    """Parse an OKPD or OKPD2 code expression as written in Rosstat's tables.

    Handles single codes (``'07.2'``, ``30``), sums (``'41 + 42 + 43'``) and exclusions
    (``'32 без 32.1 и 32.5'``, ``'01.13 кроме 01.13.51, 01.13.6'``).  A footnote asterisk on a
    code (``'35 + 39.9*'`` in the 2011 and 2016 tables) is ignored.

    Parameters
    ----------
    value : Any
        The content of a code cell.

    Returns
    -------
    Okpd2Set or None
        The parsed set, or ``None`` if the cell is not a product-code expression (for example
        ``'P33'``, ``'TOTAL'`` or ``'D21 - D31'``).

    Examples
    --------
    >>> parse_okpd2('32 без 32.1 и 32.5').include, parse_okpd2('32 без 32.1 и 32.5').exclude
    (('32',), ('321', '325'))
    >>> parse_okpd2('P51') is None
    True
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        value = f"{value:02d}"
    text = str(value).strip()
    if not text:
        return None
    parts = _EXCLUSION_KEYWORD.split(text.replace("*", ""), maxsplit=1)
    include_text = parts[0]
    exclude_text = parts[1] if len(parts) > 1 else ""
    include = _OKPD2_TOKEN.findall(include_text)
    if not include or _INCLUSION_SEPARATORS.sub("", _OKPD2_TOKEN.sub("", include_text)):
        return None
    exclude = _OKPD2_TOKEN.findall(exclude_text)
    if len(parts) > 1 and (
        not exclude or _EXCLUSION_SEPARATORS.sub("", _OKPD2_TOKEN.sub("", exclude_text))
    ):
        return None
    return Okpd2Set(
        text=text,
        include=tuple(c.replace(".", "") for c in include),
        exclude=tuple(c.replace(".", "") for c in exclude),
    )
