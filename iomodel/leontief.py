"""Pure input-output mathematics (no I/O, no globals).

Notation (Miller & Blair 2009): ``Z`` intermediate flows (n×n), ``x`` output (n), ``A`` technical
coefficients, ``L = (I - A)^-1`` the Leontief inverse, ``y`` final demand (n or n×k), ``c`` a row
of direct coefficients (effect per unit of output, e.g. compensation / output).

Every function takes and returns plain numpy arrays.  Solves reuse one LU factorisation of
``I - A``; the explicit inverse is formed only by :func:`leontief_inverse`, for callers that need
the whole matrix.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg

__all__ = [
    "Closure",
    "Factorization",
    "closed_coefficients",
    "coefficient_row",
    "factorize",
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
    bad = np.flatnonzero(~active & np.any(flows.reshape(-1, x.shape[0]) != 0, axis=0))
    if bad.size:
        raise ValueError(f"columns {bad.tolist()} have zero output but non-zero inputs")
    safe_x = np.where(active, x, 1.0)
    return np.where(active, flows / safe_x, 0.0)


def spectral_radius(A: np.ndarray) -> float:
    """Largest absolute eigenvalue ρ(A); the model is productive when ρ(A) < 1."""
    A = np.asarray(A, dtype=float)
    if A.size == 0:
        return 0.0
    return float(np.max(np.abs(np.linalg.eigvals(A))))


def is_productive(A: np.ndarray) -> bool:
    """True when ρ(A) < 1, i.e. (I − A)⁻¹ exists and is non-negative for a non-negative A.

    For a non-negative A the Perron root is at most the largest column sum, so the eigenvalue
    problem is solved only when some column sums to 1 or more.
    """
    A = np.asarray(A, dtype=float)
    if A.size and np.all(A >= 0) and A.sum(axis=0).max() < 1.0:
        return True
    return spectral_radius(A) < 1.0


@dataclass(frozen=True)
class Factorization:
    """LU factorisation of ``I - A`` for repeated solves.

    ``solve(y)`` returns ``x = L·y``; ``solve_transposed(c)`` returns ``L'·c``, i.e. the row
    vector ``c'·L`` (multipliers of a direct coefficient row ``c``).
    """

    lu: np.ndarray
    piv: np.ndarray

    @property
    def n(self) -> int:
        """Number of sectors."""
        return self.lu.shape[0]

    def solve(self, y: np.ndarray) -> np.ndarray:
        """x = (I − A)⁻¹·y for a vector or the columns of a matrix ``y``."""
        return scipy.linalg.lu_solve((self.lu, self.piv), np.asarray(y, dtype=float))

    def solve_transposed(self, c: np.ndarray) -> np.ndarray:
        """m = (I − A)⁻ᵀ·c, so that m' = c'·L (c a vector or the columns of a matrix)."""
        return scipy.linalg.lu_solve((self.lu, self.piv), np.asarray(c, dtype=float), trans=1)


def factorize(A: np.ndarray) -> Factorization:
    """Factorise ``I - A`` once (LU with partial pivoting) for many right-hand sides."""
    A = np.asarray(A, dtype=float)
    lu, piv = scipy.linalg.lu_factor(np.eye(A.shape[0]) - A, check_finite=True)
    return Factorization(lu, piv)


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


def multipliers(factorization: Factorization, coefficients: np.ndarray) -> np.ndarray:
    """Type-agnostic multipliers: m_kj = Σ_i c_ki·L_ij, the effect k per unit of final demand j.

    ``coefficients`` is a k×n block of direct coefficient rows (output: a row of ones).  For the
    household-closed factorisation pass rows of length n+1 (zero in the household column) and
    keep the first n entries of each result.
    """
    c = np.atleast_2d(np.asarray(coefficients, dtype=float))
    return factorization.solve_transposed(c.T).T
