"""Pure input-output mathematics (no I/O, no globals).

Notation (Miller & Blair 2009): ``Z`` intermediate flows (n×n), ``x`` output (n), ``A`` technical
coefficients, ``L = (I - A)^-1`` the Leontief inverse, ``y`` final demand (n or n×k), ``c`` a row
of direct coefficients (effect per unit of output, e.g. compensation / output).

Every function takes and returns plain numpy arrays.  Solves reuse one LU factorisation of
``I - A``; the explicit inverse is formed only by :func:`leontief_inverse`, for callers that need
the whole matrix.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Protocol

import numpy as np

__all__ = [
    "ClosedFactorization",
    "Closure",
    "Factorization",
    "NeumannSolver",
    "Solver",
    "closed_coefficients",
    "coefficient_row",
    "factorize",
    "factorize_closed",
    "is_productive",
    "leontief_inverse",
    "multipliers",
    "spectral_radius",
    "technical_coefficients",
]


def technical_coefficients(Z: np.ndarray, x: np.ndarray) -> np.ndarray:
    """A = Z·diag(x)⁻¹: input of product i per unit of output of product j.

    A column j with zero output must have no inputs either; its coefficients are then zero
    (the product is inactive).  Non-zero inputs to a zero-output column raise ``ValueError``.
    """
    Z = np.asarray(Z, dtype=float)
    x = np.asarray(x, dtype=float)
    if Z.ndim != 2 or Z.shape[0] != Z.shape[1] or Z.shape[0] != x.shape[0]:
        raise ValueError(f"Z must be n×n and x of length n; got Z {Z.shape}, x {x.shape}")
    return coefficient_row(Z, x)


def coefficient_row(flows: np.ndarray, x: np.ndarray) -> np.ndarray:
    """flows·diag(x)⁻¹ for any block of rows (value added, imports, employment …).

    Columns with zero output get zero coefficients; a non-zero flow into such a column raises
    ``ValueError`` naming the column index.
    """
    flows = np.asarray(flows, dtype=float)
    x = np.asarray(x, dtype=float)
    active = x != 0
    if active.all():
        return flows / x
    inactive = np.flatnonzero(~active)
    bad = inactive[np.any(flows.reshape(-1, x.shape[0])[:, inactive] != 0, axis=0)]
    if bad.size:
        raise ValueError(f"columns {bad.tolist()} have zero output but non-zero inputs")
    out = flows / np.where(active, x, 1.0)
    out[..., inactive] = 0.0
    return out


#: Below this size the spectral radius comes from the full eigenvalue problem (exact, cheap).
_EIG_SIZE = 200


def spectral_radius(A: np.ndarray, rtol: float = 1e-10, max_iter: int = 2000) -> float:
    """Largest absolute eigenvalue ρ(A); the model is productive when ρ(A) < 1.

    For a non-negative ``A`` larger than 200 × 200 the Perron root is found by power iteration
    on ``A + I`` (whose Perron root is ρ(A) + 1 and which has no other eigenvalue of that
    modulus, so the iteration converges even for periodic ``A``), O(n²) per step, until the
    estimate changes by less than ``rtol``; the full
    eigenvalue problem (O(n³), 30× an LU) is solved only for small or signed matrices, or when
    the iteration has not settled to ``rtol`` after ``max_iter`` steps.
    """
    A = np.asarray(A, dtype=float)
    if A.size == 0:
        return 0.0
    if A.shape[0] <= _EIG_SIZE or np.any(A < 0):
        return float(np.max(np.abs(np.linalg.eigvals(A))))
    v = np.full(A.shape[0], 1.0 / A.shape[0])
    rho = -1.0
    for _ in range(max_iter):
        w = A @ v + v  # (A + I)·v, v ≥ 0 with sum 1
        estimate = float(w.sum()) - 1.0  # ‖(A + I)v‖₁ / ‖v‖₁ − 1
        v = w / w.sum()
        if abs(estimate - rho) <= rtol * max(abs(estimate), 1e-300):
            return max(estimate, 0.0)
        rho = estimate
    return float(np.max(np.abs(np.linalg.eigvals(A))))


def is_productive(A: np.ndarray, factorization: Factorization | None = None) -> bool:
    """True when ρ(A) < 1, i.e. (I − A)⁻¹ exists and is non-negative, for a non-negative A.

    The Perron root is at most the largest column sum, so most tables pass at once.  Otherwise
    ``I − A`` is a non-singular M-matrix exactly when ``z = (I − A)⁻¹·1`` exists and is positive
    (one of the equivalent characterisations of M-matrices, Berman & Plemmons, *Nonnegative
    Matrices in the Mathematical Sciences*, ch. 6): one solve on the LU of ``I − A`` (pass the
    one already computed as ``factorization``), no eigenvalue problem.  A signed ``A`` falls
    back to the eigenvalues.
    """
    A = np.asarray(A, dtype=float)
    if A.size == 0:
        return True
    if np.any(A < 0):
        return spectral_radius(A) < 1.0
    if A.sum(axis=0).max() < 1.0:
        return True
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a singular I − A is an answer here, not a warning
            factorization = factorization or factorize(A)
            z = factorization.solve(np.ones(A.shape[0]))
    except (ValueError, np.linalg.LinAlgError):
        return False
    return bool(np.all(np.isfinite(z)) and np.all(z > 0))


@dataclass(frozen=True)
class Factorization:
    """LU factorisation of ``I - A`` for repeated solves.

    ``solve(y)`` returns ``x = L·y``; ``solve_transposed(c)`` returns ``L'·c``, i.e. the row
    vector ``c'·L`` (multipliers of a direct coefficient row ``c``).
    """

    lu: np.ndarray
    piv: np.ndarray
    transposed: bool = False  # lu factorises (I − A)' rather than I − A

    @property
    def n(self) -> int:
        """Number of sectors."""
        return self.lu.shape[0]

    def solve(self, y: np.ndarray) -> np.ndarray:
        """x = (I − A)⁻¹·y for a vector or the columns of a matrix ``y``."""
        y = np.asarray(y, dtype=float)
        from scipy.linalg import lu_solve  # scipy loads only when a table is factorised

        return lu_solve((self.lu, self.piv), y, trans=int(self.transposed))

    def solve_transposed(self, c: np.ndarray) -> np.ndarray:
        """m = (I − A)⁻ᵀ·c, so that m' = c'·L (c a vector or the columns of a matrix)."""
        c = np.asarray(c, dtype=float)
        from scipy.linalg import lu_solve

        return lu_solve((self.lu, self.piv), c, trans=int(not self.transposed))


def factorize(A: np.ndarray) -> Factorization:
    """Factorise ``I - A`` once (LU with partial pivoting) for many right-hand sides.

    ``I − A`` is formed in one new array that LAPACK then overwrites with its factors: one n×n
    buffer besides ``A``.  LAPACK works on column-major arrays, so a row-major ``A`` is
    factorised as ``(I − A)'`` (the same memory read column-wise) and solved with the
    transposed factors.
    """
    A = np.asarray(A, dtype=float)
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        raise ValueError(f"A must be square, got shape {A.shape}")
    if not np.all(np.isfinite(A)):
        raise ValueError("A holds infinite or NaN coefficients")
    transposed = not A.flags.f_contiguous
    M = np.negative(A.T if transposed else A)  # keeps the column-major layout
    M[np.diag_indices_from(M)] += 1.0
    from scipy.linalg import lu_factor  # imported here: the Neumann solver needs no scipy

    lu, piv = lu_factor(M, overwrite_a=True, check_finite=False)
    return Factorization(lu, piv, transposed)


def leontief_inverse(A: np.ndarray) -> np.ndarray:
    """L = (I − A)⁻¹, the total requirements matrix (formed by a solve against I)."""
    return factorize(A).solve(np.eye(np.asarray(A).shape[0]))


@dataclass(frozen=True)
class Closure:
    """Household row and column that close the model for Type II effects.

    ``income`` (n): household income per unit of output, usually compensation / output.
    ``consumption`` (n): domestic products bought by households per unit of that income.
    """

    income: np.ndarray
    consumption: np.ndarray


def closed_coefficients(A: np.ndarray, closure: Closure) -> np.ndarray:
    """A* = [[A, h_c], [h_r, 0]]: the (n+1)×(n+1) household-closed coefficient matrix."""
    A = np.asarray(A, dtype=float)
    n = A.shape[0]
    closed = np.zeros((n + 1, n + 1))
    closed[:n, :n] = A
    closed[:n, n] = closure.consumption
    closed[n, :n] = closure.income
    return closed


class Solver(Protocol):
    """What the multiplier and closure code needs: solves with ``I − A`` and its transpose."""

    @property
    def n(self) -> int: ...

    def solve(self, y: np.ndarray) -> np.ndarray: ...

    def solve_transposed(self, c: np.ndarray) -> np.ndarray: ...


class NeumannSolver:
    """Solves of ``I − A`` for a few right-hand sides of a large table, without factorising.

    For a non-negative ``A`` whose column sums are all below ``σ < 1``, ``x = Σₖ Aᵏ·y`` (the
    Neumann series; Miller & Blair 2009, §2.4) converges, and after ``k`` terms the rest is at
    most ``σ/(1 − σ)`` times the last term (in the 1-norm for ``A``, the ∞-norm for ``A'``,
    whose norms are both ``σ``): the iteration stops when that bound falls below ``rtol`` of the
    solution, column by column.  Each term costs one product with ``A`` (``2n²`` operations per
    right-hand side) against ``2n³/3`` for an LU factorisation, so for a handful of right-hand
    sides on thousands of sectors it is many times cheaper and needs no n×n buffer.  When the
    series would need more terms than half an LU costs (it converges at the rate of ρ(A), judged
    from the first terms), the solver factorises after all and keeps the factors for later calls.
    """

    def __init__(self, A: np.ndarray, rtol: float = 1e-13):
        self.A = np.asarray(A, dtype=float)
        self.sigma = float(self.A.sum(axis=0).max(initial=0.0))
        if np.any(self.A < 0) or not self.sigma < 1.0:
            raise ValueError("the Neumann solver needs a non-negative A with column sums below 1")
        self.rtol = rtol
        self._lu: Factorization | None = None

    @property
    def n(self) -> int:
        """Number of sectors."""
        return self.A.shape[0]

    @property
    def factorized(self) -> bool:
        """True once the solver has fallen back to an LU factorisation."""
        return self._lu is not None

    def solve(self, y: np.ndarray) -> np.ndarray:
        """x = (I − A)⁻¹·y for a vector or the columns of a matrix ``y``."""
        return self._solve(np.asarray(y, dtype=float), transposed=False)

    def solve_transposed(self, c: np.ndarray) -> np.ndarray:
        """m = (I − A)⁻ᵀ·c for a vector or the columns of a matrix ``c``."""
        return self._solve(np.asarray(c, dtype=float), transposed=True)

    def _factorization(self) -> Factorization:
        if self._lu is None:
            self._lu = factorize(self.A)
        return self._lu

    def _solve(self, b: np.ndarray, transposed: bool) -> np.ndarray:
        if self._lu is None:
            x = self._series(b, transposed)
            if x is not None:
                return x
        lu = self._factorization()
        return lu.solve_transposed(b) if transposed else lu.solve(b)

    def _series(self, b: np.ndarray, transposed: bool) -> np.ndarray | None:
        # the right-hand sides as rows: Aᵀ-products as row · A, A-products as (A · column)ᵀ —
        # the faster way through A's memory whichever its layout
        rows = np.atleast_2d(b.T if b.ndim == 2 else b).copy()
        A = self.A
        k = rows.shape[0]
        budget = max(1, self.n // (6 * k))  # terms costing half an LU
        factor = self.sigma / (1.0 - self.sigma)
        ord_ = np.inf if transposed else 1  # the norm in which ‖A'‖ or ‖A‖ is at most σ
        x, term = rows.copy(), rows
        previous = None
        for it in range(1, budget + 1):
            term = term @ A if transposed else (A @ term.T).T
            x += term
            size = np.linalg.norm(term, ord=ord_, axis=1)
            if np.all(factor * size <= self.rtol * np.linalg.norm(x, ord=ord_, axis=1)):
                return x.T if b.ndim == 2 else x[0]
            if it == 8 and previous is not None:  # the rate of convergence, from the first terms
                rate = float(np.max(size / np.where(previous > 0, previous, 1.0)))
                if rate >= 1.0 or it + np.log(self.rtol) / np.log(max(rate, 1e-300)) > budget:
                    return None
            previous = size
        return None


@dataclass(frozen=True)
class ClosedFactorization:
    """Solves of the household-closed model ``I − A*`` on the LU of the open ``I − A``.

    ``I − A* = [[I − A, −h_c], [−h_r, 1]]`` is the open matrix bordered by one row and column,
    so its solves need no factorisation of their own (block elimination of the border): with ``u = L·h_c``, ``v = L'·h_r'`` and the scalar ``s = 1 − h_r·L·h_c``,

    * ``(I − A*)⁻¹·[y; g]``: ``w = (g + h_r·L·y) / s``, ``x = L·y + u·w``;
    * ``(I − A*)⁻ᵀ·[c; c₀]``: ``μ = (c₀ + h_c·L'·c) / s``, ``m = L'·c + v·μ``.

    Each costs the open solve plus O(n) per right-hand side.  ``s > 0`` is exactly the condition
    for the closed model to be productive when the open one is (the Schur complement of an
    M-matrix), and ``1 / s`` is the household feedback (Miller & Blair 2009, §6.2).
    """

    open: Solver
    closure: Closure
    u: np.ndarray  # L·h_c
    v: np.ndarray  # L'·h_r
    s: float  # 1 − h_r·L·h_c

    @property
    def n(self) -> int:
        """Size of the closed system (sectors + households)."""
        return self.open.n + 1

    @property
    def productive(self) -> bool:
        """True when ρ(A*) < 1 (given a productive open model)."""
        return bool(np.isfinite(self.s) and self.s > 0)

    def solve(self, rhs: np.ndarray) -> np.ndarray:
        """[x; w] = (I − A*)⁻¹·[y; g] for a vector or the columns of a matrix of n+1 rows."""
        rhs = np.asarray(rhs, dtype=float)
        n = self.open.n
        x = self.open.solve(rhs[:n])
        w = (rhs[n] + self.closure.income @ x) / self.s
        x += np.multiply.outer(self.u, w)
        return np.concatenate([x, np.asarray(w)[None]], axis=0)

    def solve_transposed(self, c: np.ndarray) -> np.ndarray:
        """[m; μ] = (I − A*)⁻ᵀ·[c; c₀] for a vector or the columns of a matrix of n+1 rows."""
        c = np.asarray(c, dtype=float)
        n = self.open.n
        return self.extend_transposed(self.open.solve_transposed(c[:n]), c[n])

    def extend_transposed(self, m_open: np.ndarray, c0: np.ndarray | float) -> np.ndarray:
        """The closed model's ``(I − A*)⁻ᵀ·[c; c₀]`` from the open model's ``m_open = L'·c``
        (O(n) per column: Type II multipliers from Type I ones)."""
        mu = (c0 + self.closure.consumption @ m_open) / self.s
        m = m_open + np.multiply.outer(self.v, mu)
        return np.concatenate([m, np.asarray(mu)[None]], axis=0)


def factorize_closed(factorization: Solver, closure: Closure) -> ClosedFactorization:
    """Solves of the household-closed model on the open model's LU (see
    :class:`ClosedFactorization`): two open solves and a dot product, O(n²)."""
    h_c = np.asarray(closure.consumption, dtype=float)
    h_r = np.asarray(closure.income, dtype=float)
    u = factorization.solve(h_c)
    v = factorization.solve_transposed(h_r)
    return ClosedFactorization(factorization, closure, u, v, float(1.0 - h_r @ u))


def multipliers(factorization: Solver, coefficients: np.ndarray) -> np.ndarray:
    """Type-agnostic multipliers: m_kj = Σ_i c_ki·L_ij, the effect k per unit of final demand j.

    ``coefficients`` is a k×n block of direct coefficient rows (output: a row of ones).  For the
    household-closed factorisation pass rows of length n+1 (zero in the household column) and
    keep the first n entries of each result.
    """
    c = np.atleast_2d(np.asarray(coefficients, dtype=float))
    return factorization.solve_transposed(c.T).T
