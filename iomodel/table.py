"""The immutable, validated input-output table.

An :class:`IOTable` holds one symmetric product-by-product table of domestic output at basic
prices: ``Z`` (intermediate use of domestic products), ``Y`` (final demand for domestic
products), ``V`` (primary inputs by column: imports, product taxes, value-added components) and
output ``x``, with an optional employment satellite.  It is checked once, when built; derived
matrices (``A``, the factorisation of ``I - A``, coefficient rows) are computed lazily and cached.
Nothing mutates it: every analysis returns new objects.
"""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from . import leontief
from .errors import TableError

__all__ = [
    "ClosureParameters",
    "IOTable",
    "Roles",
    "SignException",
    "TableMeta",
    "Tolerance",
    "rounding_allowance",
    "rounding_step",
]


@dataclass(frozen=True)
class Roles:
    """Which final-demand column and primary-input rows play which part in the model."""

    household_consumption: str
    compensation: str
    value_added: tuple[str, ...]
    imports: tuple[str, ...]
    product_taxes: tuple[str, ...]
    production_taxes: tuple[str, ...]


@dataclass(frozen=True)
class ClosureParameters:
    """Parameters of the default (Russian-household) Type II closure, each with its source.

    Consumption of domestic products induced per unit of compensation of employees is
    ``wage_share × (1 − income_tax_rate) × propensity_to_consume × domestic_share``.
    ``wage_share`` (wages ÷ compensation, i.e. net of employers' social contributions) and
    ``domestic_share`` (domestic output at basic prices ÷ household consumption at purchasers'
    prices) are read from the table where it has them.  ``imputed_rent`` (table units) is the
    imputed rent of owner-occupied dwellings inside household consumption of
    ``imputed_rent_product``: wages do not buy it, so the closure leaves it out.
    """

    income_tax_rate: float | None = None
    propensity_to_consume: float | None = None
    wage_share: float | None = None
    domestic_share: float | None = None
    imputed_rent: float | None = None
    imputed_rent_product: str | None = None
    sources: Mapping[str, str] = field(default_factory=dict)
    #: The same sources in Russian (``<key>_source_ru`` in table.toml; shown in Russian reports).
    sources_ru: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Tolerance:
    """Allowed imbalance of a row or column: ``absolute + relative × |x_j|`` (table units).

    With ``rounding`` (the default when a table states no absolute allowance), a table whose
    figures are all rounded to one step ``q`` (whole units, thousands …) may also be off by the
    rounding of the cells it sums: ``rounding_allowance`` below.
    """

    relative: float = 1e-6
    absolute: float = 0.0
    rounding: bool = False

    def allowed(self, x: np.ndarray) -> np.ndarray:
        return self.absolute + self.relative * np.abs(x)


def rounding_step(*blocks: np.ndarray) -> float:
    """The largest power of ten (10⁻⁶ … 10⁶) that every value of ``blocks`` is a multiple of
    (0 when the figures are not rounded to any such step)."""
    for k in range(6, -7, -1):
        q = 10.0**k
        if all(np.allclose(np.round(b / q) * q, b, rtol=1e-12, atol=q * 1e-6) for b in blocks):
            return q
    return 0.0


def rounding_allowance(q: float, terms: int) -> float:
    """Gap that rounding ``terms`` cells to a step ``q`` can leave between two sums.

    Each cell is off by up to ``q/2``, uniformly and independently: the sum's rounding error has
    a standard deviation of ``q·√(terms/12)``; five of them are allowed (never less than ``q``).
    """
    return max(q, 5.0 * q * float(np.sqrt(terms / 12.0)))


@dataclass(frozen=True)
class SignException:
    """One cell that may be negative although its block may not, and why.

    ``row`` and ``column`` are labels of ``Z`` (sector codes), of ``Y`` (sector code and
    final-demand column) or of ``V`` (primary-input row and sector code).
    """

    row: str
    column: str
    reason: str


@dataclass(frozen=True)
class TableMeta:
    """Descriptive metadata of a table (from its ``table.toml``)."""

    id: str
    name: str
    year: int
    currency: str
    unit: float
    price_basis: str
    source: str
    path: Path
    employment_unit: str = "persons"
    files: tuple[Path, ...] = ()
    #: ``source`` in Russian (``source_ru`` in table.toml; shown in Russian reports).
    source_ru: str = ""
    #: Set for a projected table: what it was projected from, to which year, with which
    #: margins, and how the balancing went (see :mod:`iomodel.projection`).
    projection: Mapping[str, object] | None = None

    @property
    def projected(self) -> bool:
        """True for a table projected from another (not a published basic table)."""
        return self.projection is not None

    @cached_property
    def file_hashes(self) -> dict[str, str]:
        """sha256 of every file the table was read from, keyed by file name."""
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in self.files}

    @property
    def unit_label(self) -> str:
        """Human label of one table unit, e.g. 'mn RUB'."""
        names = {1.0: "", 1e3: "thousand ", 1e6: "mn ", 1e9: "bn "}
        return f"{names.get(self.unit, f'{self.unit:g} ')}{self.currency}"


def _frozen(values: np.ndarray, copy: bool = True) -> np.ndarray:
    arr = np.array(values, dtype=float, copy=True if copy else None)
    arr.flags.writeable = False
    return arr


@dataclass(frozen=True, eq=False)
class IOTable:
    """A validated symmetric input-output table of domestic products.

    Build it with :meth:`build`; readers in :mod:`iomodel.readers` do this for files.

    Attributes
    ----------
    meta : TableMeta
    sectors : pandas.DataFrame
        Indexed by sector code; at least ``label_ru`` and ``label_en``.
    Z, Y, V : numpy.ndarray (read-only)
        Intermediate use n×n, final demand n×k, primary inputs m×n.
    x : numpy.ndarray (read-only)
        Output by sector.
    employment : numpy.ndarray or None
        Persons (in ``meta.employment_unit``) by sector.
    """

    meta: TableMeta
    sectors: pd.DataFrame
    final_demand: tuple[str, ...]
    primary_inputs: tuple[str, ...]
    Z: np.ndarray
    Y: np.ndarray
    V: np.ndarray
    x: np.ndarray
    roles: Roles
    employment: np.ndarray | None = None
    closure_parameters: ClosureParameters = field(default_factory=ClosureParameters)
    imported_intermediate: np.ndarray | None = None
    gfcf_valuation: pd.DataFrame | None = None
    allow_negative: tuple[str, ...] = ()
    sign_exceptions: tuple[SignException, ...] = ()
    tolerance: Tolerance = field(default_factory=Tolerance)
    #: Shares of each sector (rows, table order) in each OKVED2 section (columns); rows sum to 1.
    section_shares: pd.DataFrame | None = None

    # ----------------------------------------------------------------- construction
    @classmethod
    def build(
        cls,
        meta: TableMeta,
        sectors: pd.DataFrame,
        Z: pd.DataFrame,
        Y: pd.DataFrame,
        V: pd.DataFrame,
        roles: Roles,
        x: pd.Series | None = None,
        employment: pd.Series | None = None,
        allow_negative: Sequence[str] = (),
        sign_exceptions: Sequence[SignException] = (),
        tolerance: Tolerance = Tolerance(),
        closure_parameters: ClosureParameters = ClosureParameters(),
        imported_intermediate: pd.DataFrame | None = None,
        gfcf_valuation: pd.DataFrame | None = None,
        section_shares: pd.DataFrame | None = None,
        copy: bool = True,
    ) -> IOTable:
        """Validate labelled blocks and return the table.

        ``copy=False`` lets the table keep the float blocks of ``Z``, ``Y`` and ``V`` without
        copying them — for a reader that built the frames itself and drops them afterwards (it
        saves one n×n copy of a large table).

        ``x`` defaults to ``Z·1 + Y·1``.  ``gfcf_valuation`` (sectors × purchasers, basic,
        trade_margins, transport_margins, net_taxes …) values gross fixed capital formation at
        purchasers' prices; margin-earning products carry negative margins.  ``allow_negative``
        names the final-demand columns and primary-input rows that may hold negative values
        (inventories, subsidies …); ``sign_exceptions`` single cells of any block (each must
        name existing labels and hold a negative value, so stale declarations are caught).
        ``section_shares`` (sectors × OKVED2 sections, rows summing to 1) is the concordance
        used to compare tables of different classifications at section level.
        Raises :class:`~iomodel.errors.TableError` naming ``meta.path``, the cell or sector,
        the size of the discrepancy and the fix.
        """
        where = str(meta.path)
        codes = [str(c) for c in sectors.index]
        _check_labels(where, codes, Z, Y, V, employment, imported_intermediate)
        if employment is not None:
            employment = employment.rename(index=str).reindex(codes)
        for name, block in (("Z", Z), ("Y", Y), ("V", V)):
            _check_finite(where, name, block)
        if employment is not None:
            _check_finite(where, "employment", employment.to_frame())
        _check_roles(where, roles, list(Y.columns), list(V.index))
        exceptions = tuple(sign_exceptions)
        _check_signs(where, Z, Y, V, employment, set(allow_negative), exceptions)

        z = Z.to_numpy(float)
        y = Y.to_numpy(float)
        v = V.to_numpy(float)
        with np.errstate(over="ignore", invalid="ignore"):
            row_total = z.sum(axis=1) + y.sum(axis=1)
            col_total = z.sum(axis=0) + v.sum(axis=0)
        for kind, total in (("row", row_total), ("column", col_total)):
            if not np.all(np.isfinite(total)):
                j = int(np.flatnonzero(~np.isfinite(total))[0])
                raise TableError(
                    f"{where}: the {kind} total of sector {codes[j]} overflows (its figures reach "
                    f"{np.abs(Z.to_numpy(float)).max():.3g}, too large to add up in double "
                    "precision); express the table in a larger unit (e.g. millions) and set "
                    "unit in table.toml"
                )
        if x is None:
            out = row_total
        else:
            _check_finite(where, "x", x.to_frame())
            out = x.reindex(codes).to_numpy(float)
            _check_identity(
                where,
                "row",
                codes,
                row_total,
                out,
                tolerance,
                "intermediate use + final demand",
                "output",
                (z, y),
                z.shape[0] + y.shape[1] + 1,
            )
        _check_identity(
            where,
            "column",
            codes,
            col_total,
            out,
            tolerance,
            "intermediate inputs + primary inputs",
            "output",
            (z, y, v),
            z.shape[0] + v.shape[0] + (1 if x is not None else z.shape[0] + y.shape[1]),
        )
        if np.any(out < 0):
            j = int(np.argmin(out))
            raise TableError(
                f"{where}: sector {codes[j]} has negative output {out[j]:g}; "
                "output must be zero or positive — check the sign of its row"
            )
        _check_zero_output(where, codes, z, v, employment, out)

        imp = None
        if imported_intermediate is not None:
            _check_finite(where, "imported intermediate use", imported_intermediate)
            imp = _frozen(imported_intermediate.to_numpy(float))
        table = cls(
            meta=meta,
            sectors=sectors.copy(),
            final_demand=tuple(str(c) for c in Y.columns),
            primary_inputs=tuple(str(r) for r in V.index),
            Z=_frozen(z, copy),
            Y=_frozen(y, copy),
            V=_frozen(v, copy),
            x=_frozen(out),
            roles=roles,
            employment=None if employment is None else _frozen(employment.to_numpy(float)),
            closure_parameters=closure_parameters,
            imported_intermediate=imp,
            gfcf_valuation=_checked_valuation(where, codes, gfcf_valuation),
            allow_negative=tuple(str(a) for a in allow_negative),
            sign_exceptions=exceptions,
            tolerance=tolerance,
            section_shares=_checked_shares(where, codes, section_shares),
        )
        table._check_productive()
        return table

    def _check_productive(self) -> None:
        if self.A.sum(axis=0).max(initial=0.0) < 1.0:  # the Perron root is below every bound
            return
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a singular I − A is reported below
            if leontief.is_productive(self.A, self.factorization):
                return
        rho = leontief.spectral_radius(self.A)
        sums = self.A.sum(axis=0)
        j = int(np.argmax(sums))
        raise TableError(
            f"{self.meta.path}: the table is not productive: spectral radius of A is {rho:.4f} "
            f"(must be < 1); the largest column sum of A is {sums[j]:.4f} in sector "
            f"{self.codes[j]} — intermediate inputs of that sector exceed its output; check its "
            "column of Z and its output"
        )

    # ----------------------------------------------------------------- labels
    @property
    def codes(self) -> list[str]:
        """Sector codes in table order."""
        return [str(c) for c in self.sectors.index]

    @property
    def n(self) -> int:
        """Number of sectors."""
        return len(self.sectors)

    def labels(self, lang: str = "en") -> list[str]:
        """Sector labels in ``lang`` ('ru' or 'en')."""
        return self.sectors[f"label_{lang}"].astype(str).tolist()

    def locate(self, code: str) -> int:
        """Position of a sector given by code (or, for Rosstat tables, number or OKPD2 code)."""
        key = str(code).strip()
        if key in self.sectors.index:
            return int(self.sectors.index.get_loc(key))
        for column in ("number", "okpd2"):
            if column in self.sectors.columns:
                hits = np.flatnonzero(
                    self.sectors[column].astype(str).str.replace(" ", "") == key.replace(" ", "")
                )
                if hits.size == 1:
                    return int(hits[0])
        raise TableError(
            f"{self.meta.path}: unknown sector {code!r}; known codes are e.g. "
            f"{', '.join(self.codes[:6])} … (see `iomodel sectors {self.meta.id}`)"
        )

    def select(self, codes: Sequence[str]) -> list[int]:
        """Positions of several sectors (see :meth:`locate`)."""
        return [self.locate(c) for c in codes]

    # ----------------------------------------------------------------- labelled views
    def frame(self, block: str) -> pd.DataFrame:
        """A labelled copy of ``Z``, ``Y`` or ``V``."""
        if block == "Z":
            return pd.DataFrame(self.Z, index=self.codes, columns=self.codes)
        if block == "Y":
            return pd.DataFrame(self.Y, index=self.codes, columns=list(self.final_demand))
        if block == "V":
            return pd.DataFrame(self.V, index=list(self.primary_inputs), columns=self.codes)
        raise ValueError(f"block must be 'Z', 'Y' or 'V', not {block!r}")

    def primary_row(self, names: Sequence[str] | str) -> np.ndarray:
        """Sum of the named primary-input rows of V (table units, by sector)."""
        if isinstance(names, str):
            names = (names,)
        idx = [self.primary_inputs.index(nm) for nm in names]
        return self.V[idx].sum(axis=0)

    def final_demand_column(self, name: str) -> np.ndarray:
        """One column of Y (table units, by sector)."""
        return self.Y[:, self.final_demand.index(name)]

    # ----------------------------------------------------------------- derived, cached
    @cached_property
    def A(self) -> np.ndarray:
        """Technical coefficients of domestic products."""
        return _frozen(leontief.technical_coefficients(self.Z, self.x), copy=False)

    @cached_property
    def factorization(self) -> leontief.Factorization:
        """LU factorisation of ``I − A`` (reused by every solve)."""
        return leontief.factorize(self.A)

    def coefficients(self, names: Sequence[str] | str) -> np.ndarray:
        """Primary-input rows per unit of output (sum of the named rows)."""
        return leontief.coefficient_row(self.primary_row(names), self.x)

    @cached_property
    def direct(self) -> dict[str, np.ndarray]:
        """Direct coefficients per unit of output, by effect.

        Keys: ``output`` (ones), ``value_added``, ``compensation``, ``taxes`` (net taxes on
        products and on production), ``product_taxes`` (net taxes on products only: with value
        added and imports they exhaust a unit of output), ``imports``, ``employment`` (persons per table unit; absent
        when the table has no employment).
        """
        r = self.roles
        coef = {
            "output": np.where(self.x != 0, 1.0, 0.0),
            "value_added": self.coefficients(r.value_added),
            "compensation": self.coefficients(r.compensation),
            "taxes": self.coefficients(tuple(r.product_taxes) + tuple(r.production_taxes)),
            "product_taxes": self.coefficients(r.product_taxes),
            "imports": self.coefficients(r.imports),
        }
        if self.employment is not None:
            coef["employment"] = leontief.coefficient_row(self.employment, self.x)
        for arr in coef.values():
            arr.flags.writeable = False
        return coef


# --------------------------------------------------------------------- validation helpers
_VALUATION = ("purchasers", "basic", "trade_margins", "transport_margins", "net_taxes")


def _checked_valuation(where: str, codes: list[str], frame: pd.DataFrame | None):
    if frame is None:
        return None
    missing = [c for c in _VALUATION if c not in frame.columns]
    if missing or [str(c) for c in frame.index] != codes:
        raise TableError(
            f"{where}: GFCF valuation needs columns {list(_VALUATION)} (missing "
            f"{missing}) and one row per sector code in table order"
        )
    _check_finite(where, "GFCF valuation", frame[list(_VALUATION)])
    gap = frame["purchasers"] - frame[list(_VALUATION[1:])].sum(axis=1)
    if (gap.abs() > 5 + 1e-6 * frame["purchasers"].abs()).any():
        code = gap.abs().idxmax()
        raise TableError(
            f"{where}: GFCF valuation of {code}: purchasers' price differs from basic "
            f"+ margins + taxes by {gap[code]:+,.1f}; check the valuation sheets"
        )
    out = frame[list(_VALUATION)].astype(float).copy()
    out.flags.allows_duplicate_labels = False
    return out


def _checked_shares(where: str, codes: list[str], shares: pd.DataFrame | None):
    if shares is None:
        return None
    if [str(c) for c in shares.index] != codes:
        raise TableError(f"{where}: section shares need one row per sector code, in table order")
    values = shares.to_numpy(float)
    if not np.isfinite(values).all() or (values < 0).any():
        raise TableError(f"{where}: section shares must be finite and non-negative")
    sums = values.sum(axis=1)
    if np.any(np.abs(sums - 1) > 1e-6):
        k = int(np.argmax(np.abs(sums - 1)))
        raise TableError(
            f"{where}: the section shares of sector {codes[k]} sum to {sums[k]:.6f}, not 1; "
            "fix the concordance file"
        )
    return shares.astype(float).copy()


def _check_labels(where, codes, Z, Y, V, employment, imported) -> None:
    if len(set(codes)) != len(codes):
        dup = sorted({c for c in codes if codes.count(c) > 1})
        raise TableError(f"{where}: duplicate sector codes {dup}; every sector needs a unique code")
    if Z.shape[0] != Z.shape[1]:
        raise TableError(
            f"{where}: Z must be square, got {Z.shape[0]} rows × {Z.shape[1]} columns; "
            "give one row and one column per sector"
        )
    for name, labels in (
        ("Z rows", Z.index),
        ("Z columns", Z.columns),
        ("Y rows", Y.index),
        ("V columns", V.columns),
    ):
        got = [str(c) for c in labels]
        if got != codes:
            diff = next(
                (i for i, (a, b) in enumerate(zip(got, codes)) if a != b), min(len(got), len(codes))
            )
            a = got[diff] if diff < len(got) else "(missing)"
            b = codes[diff] if diff < len(codes) else "(extra)"
            raise TableError(
                f"{where}: {name} do not match the sector list: position {diff + 1} is "
                f"{a!r}, expected {b!r}; use the same sector codes in the same order "
                "everywhere"
            )
    if imported is not None and (
        [str(c) for c in imported.index] != codes or [str(c) for c in imported.columns] != codes
    ):
        raise TableError(
            f"{where}: imported intermediate use must have the sector codes as "
            "rows and columns, in table order"
        )
    if employment is not None:
        missing = sorted(set(codes) - {str(c) for c in employment.index})
        extra = sorted({str(c) for c in employment.index} - set(codes))
        if missing or extra:
            raise TableError(
                f"{where}: employment sectors do not match the table: missing "
                f"{missing[:5]}, unknown {extra[:5]}; give one value per sector code"
            )


def _check_finite(where: str, name: str, block: pd.DataFrame) -> None:
    values = block.to_numpy(float)
    bad = np.argwhere(~np.isfinite(values))
    if bad.size:
        i, j = bad[0]
        raise TableError(
            f"{where}: {name} has a missing or non-finite value at row "
            f"{block.index[i]!r}, column {block.columns[j]!r} ({len(bad)} such cells); "
            "fill it with a number (0 if the flow is empty)"
        )


def _check_roles(where: str, roles: Roles, fd: list[str], pi: list[str]) -> None:
    if roles.household_consumption not in fd:
        raise TableError(
            f"{where}: roles.household_consumption = {roles.household_consumption!r} "
            f"is not a final-demand column; choose one of {fd}"
        )
    named = [
        roles.compensation,
        *roles.value_added,
        *roles.imports,
        *roles.product_taxes,
        *roles.production_taxes,
    ]
    for name in named:
        if name not in pi:
            raise TableError(
                f"{where}: role row {name!r} is not a primary-input row; choose from {pi}"
            )
    if roles.compensation not in roles.value_added:
        raise TableError(
            f"{where}: the compensation row {roles.compensation!r} must also be "
            "listed in roles.value_added"
        )
    for name in roles.production_taxes:
        if name not in roles.value_added:
            raise TableError(
                f"{where}: production-tax row {name!r} must be part of "
                "roles.value_added (taxes on production are a component of value added)"
            )
    overlap = set(roles.value_added) & (set(roles.imports) | set(roles.product_taxes))
    overlap |= set(roles.imports) & set(roles.product_taxes)
    if overlap:
        raise TableError(
            f"{where}: rows {sorted(overlap)} are given more than one of the roles "
            "value_added / imports / product_taxes; each row belongs to one"
        )


def _excepted(where, blocks, exceptions: Sequence[SignException]) -> list[np.ndarray]:
    """Masks of the cells of each block declared as sign exceptions (checked)."""
    masks = [np.zeros(b.shape, dtype=bool) for b in blocks]
    for ex in exceptions:
        hits = [
            (k, b.index.get_loc(ex.row), b.columns.get_loc(ex.column))
            for k, b in enumerate(blocks)
            if ex.row in b.index and ex.column in b.columns
        ]
        if not hits:
            raise TableError(
                f"{where}: sign exception at row {ex.row!r}, column {ex.column!r} names no "
                "cell of the table; use a sector code, final-demand or primary-input code"
            )
        k, i, j = hits[0]
        value = float(blocks[k].iat[i, j])
        if value >= 0:
            raise TableError(
                f"{where}: sign exception at row {ex.row!r}, column {ex.column!r} is declared "
                f"but the cell holds {value:g} ≥ 0; remove the declaration"
            )
        masks[k][i, j] = True
    return masks


def _check_signs(where, Z, Y, V, employment, allowed: set[str], exceptions=()) -> None:
    z_ok, y_ok, v_ok = _excepted(where, (Z, Y, V), exceptions)
    z = Z.to_numpy(float)
    if np.any((z < 0) & ~z_ok):
        i, j = np.argwhere((z < 0) & ~z_ok)[0]
        raise TableError(
            f"{where}: Z has a negative flow {z[i, j]:g} at row {Z.index[i]!r}, column "
            f"{Z.columns[j]!r}; intermediate flows cannot be negative unless the cell is "
            "declared in table.toml [[sign_exceptions]] with the reason"
        )
    for block, axis, kind, ok in (
        (Y, 1, "final-demand column", y_ok),
        (V, 0, "primary-input row", v_ok),
    ):
        arr = np.where(ok, 0.0, block.to_numpy(float))
        labels = block.columns if axis == 1 else block.index
        for k, label in enumerate(labels):
            part = arr[:, k] if axis == 1 else arr[k]
            if str(label) not in allowed and np.any(part < 0):
                m = int(np.argmin(part))
                other = block.index[m] if axis == 1 else block.columns[m]
                raise TableError(
                    f"{where}: {kind} {label!r} has a negative value {part[m]:g} at "
                    f"sector {other!r}; if the accounts allow it (inventories, "
                    "subsidies), declare it in table.toml allow_negative, else fix the sign"
                )
    if employment is not None and np.any(employment.to_numpy(float) < 0):
        bad = employment[employment < 0].index[0]
        raise TableError(f"{where}: employment of sector {bad!r} is negative; it must be ≥ 0")


def _check_identity(
    where: str,
    kind: str,
    codes: list[str],
    total: np.ndarray,
    x: np.ndarray,
    tol: Tolerance,
    lhs: str,
    rhs: str,
    blocks: tuple[np.ndarray, ...] = (),
    terms: int = 0,
) -> None:
    """Refuse the table when ``total`` and ``x`` differ by more than the tolerance; ``blocks``
    (the figures summed) and ``terms`` (how many cells the two sides add) size the rounding
    allowance."""
    gap = total - x
    allowed = tol.allowed(x)
    bad = np.abs(gap) > allowed
    rounded = ""
    if np.any(bad) and tol.rounding and blocks:
        q = rounding_step(*blocks)
        if q:
            allowed = allowed + rounding_allowance(q, terms)
            bad = np.abs(gap) > allowed
            rounded = f" (figures rounded to {q:g}: rounding allowance included)"
    if np.any(bad):
        j = int(np.argmax(np.where(bad, np.abs(gap), -1)))
        rel = abs(gap[j]) / abs(x[j]) if x[j] else float("inf")
        raise TableError(
            f"{where}: {kind} identity fails for sector {codes[j]}: {lhs} = {total[j]:,.3f} but "
            f"{rhs} = {x[j]:,.3f} (gap {gap[j]:+,.3f}, relative {rel:.2e}, allowed "
            f"{allowed[j]:,.3f}{rounded}); {int(bad.sum())} sector(s) fail — rebalance the "
            f"{kind}, or if the gap is rounding state it in table.toml "
            "([tolerance] absolute = …, in table units)"
        )


def _check_zero_output(where, codes, z, v, employment, x) -> None:
    for j in np.flatnonzero(x == 0):
        if np.any(z[:, j] != 0) or np.any(v[:, j] != 0):
            raise TableError(
                f"{where}: sector {codes[j]} has zero output but non-zero inputs in "
                "its column; give it an output or clear its column"
            )
        if employment is not None and employment.iloc[j] != 0:
            raise TableError(
                f"{where}: sector {codes[j]} has zero output but employment "
                f"{employment.iloc[j]:g}; zero-output sectors cannot employ anyone"
            )
