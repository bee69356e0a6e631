"""GRAS: generalised RAS for matrices with positive and negative entries.

Given a base matrix ``X0`` and target row and column sums ``u`` and ``v``, GRAS finds the matrix
``X`` closest to ``X0`` (in the information-loss sense) whose sums are ``u`` and ``v`` and whose
cells keep the signs of ``X0``:

    X = r̂ P ŝ − r̂⁻¹ N ŝ⁻¹,      P = max(X0, 0),  N = max(−X0, 0),

with row multipliers ``r`` and column multipliers ``s`` found by alternating the closed-form
updates (Lenzen, Wood & Gallego 2007, eqs. 8a–8b; Temurshoev, Miller & Bouwmeester 2013)

    s_j = (v_j + √(v_j² + 4 p_j n_j)) / (2 p_j),   p_j = Σ_i P_ij r_i,  n_j = Σ_i N_ij / r_i,
    r_i = (u_i + √(u_i² + 4 p_i n_i)) / (2 p_i),   p_i = Σ_j P_ij s_j,  n_i = Σ_j N_ij / s_j,

and, where a row or column has no positive entry (``p = 0``), ``r_i = −n_i / u_i``.  Zero cells
stay zero, positive cells stay positive and negative cells negative.  References: Junius &
Oosterhaven (2003), Economic Systems Research 15(1), 87–96; Lenzen, Wood & Gallego (2007),
ESR 19(4), 461–465; Temurshoev, Miller & Bouwmeester (2013), "A note on the GRAS method",
ESR 25(3), 361–367.

Pure numerics: numpy arrays in, a frozen result out; no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["GrasResult", "gras"]


@dataclass(frozen=True)
class GrasResult:
    """The balanced matrix and how the balancing went.

    Attributes
    ----------
    X : numpy.ndarray
        The adjusted matrix, same shape and signs as the base.
    r, s : numpy.ndarray
        Row and column multipliers.
    iterations : int
        Row-and-column update rounds performed.
    converged : bool
        Whether every row and column sum met its target within the tolerance.
    max_residual : float
        Largest absolute gap between a row or column sum and its target.
    max_relative_residual : float
        The same, relative to ``max(|target|, 1)``.
    adjustment : float
        Size of the adjustment: ``Σ|X − X0| / Σ|X0|`` (0 when nothing changed).
    """

    X: np.ndarray
    r: np.ndarray
    s: np.ndarray
    iterations: int
    converged: bool
    max_residual: float
    max_relative_residual: float
    adjustment: float


def _multipliers(positive: np.ndarray, negative: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Solve p·m − n/m = target for m > 0, elementwise (p, n ≥ 0)."""
    out = np.ones_like(target, dtype=float)
    has_p = positive > 0
    disc = np.sqrt(target[has_p] ** 2 + 4 * positive[has_p] * negative[has_p])
    out[has_p] = (target[has_p] + disc) / (2 * positive[has_p])
    only_n = ~has_p & (negative > 0)
    out[only_n] = -negative[only_n] / target[only_n]
    return out


def _check(X0: np.ndarray, u: np.ndarray, v: np.ndarray, tol: float) -> None:
    if X0.ndim != 2 or u.shape != (X0.shape[0],) or v.shape != (X0.shape[1],):
        raise ValueError(
            f"GRAS: base matrix {X0.shape} needs {X0.shape[0]} row targets and "
            f"{X0.shape[1] if X0.ndim == 2 else '?'} column targets, got {u.shape} and {v.shape}"
        )
    if not (np.isfinite(X0).all() and np.isfinite(u).all() and np.isfinite(v).all()):
        raise ValueError("GRAS: the base matrix and the targets must be finite")
    scale = max(np.abs(u).sum(), np.abs(v).sum(), 1.0)
    if abs(u.sum() - v.sum()) > tol * scale:
        raise ValueError(
            f"GRAS: row targets sum to {u.sum():,.6g} but column targets to {v.sum():,.6g}; "
            "they must be equal"
        )
    pos, neg = X0 > 0, X0 < 0
    for axis, targets, name in ((1, u, "row"), (0, v, "column")):
        has_pos, has_neg = pos.any(axis=axis), neg.any(axis=axis)
        bad = (~has_pos & ~has_neg & (targets != 0)) | (~has_pos & has_neg & (targets >= 0))
        bad |= has_pos & ~has_neg & (targets <= 0)
        if bad.any():
            k = int(np.flatnonzero(bad)[0])
            raise ValueError(
                f"GRAS: {name} {k} cannot reach its target {targets[k]:g} keeping the signs "
                "of its cells (all zero, or all of one sign against the target's sign or zero)"
            )


def gras(
    X0: np.ndarray,
    u: np.ndarray,
    v: np.ndarray,
    *,
    tol: float = 1e-9,
    max_iter: int = 10_000,
) -> GrasResult:
    """Balance ``X0`` to row sums ``u`` and column sums ``v`` keeping every cell's sign.

    Parameters
    ----------
    X0 : array (m, n)
        Base matrix; may hold negative entries.
    u, v : array (m,), (n,)
        Target row and column sums; ``Σu = Σv``.
    tol : float
        Convergence: every row and column sum within ``tol × max(|target|, 1)`` of its target.
    max_iter : int
        Cap on the number of row-and-column update rounds.

    Returns
    -------
    GrasResult
        ``converged`` is False if the cap was reached first (the caller decides what to do).

    Raises
    ------
    ValueError
        If shapes differ, the targets' totals differ, or a row or column cannot reach its
        target with the signs of its cells (e.g. a row of zeros with a non-zero target).

    Examples
    --------
    >>> res = gras(np.array([[1.0, 1.0], [1.0, 1.0]]), np.array([3.0, 1.0]), np.array([2.0, 2.0]))
    >>> res.X.round(6).tolist(), res.converged
    ([[1.5, 1.5], [0.5, 0.5]], True)
    """
    X0 = np.asarray(X0, dtype=float)
    u = np.asarray(u, dtype=float)
    v = np.asarray(v, dtype=float)
    _check(X0, u, v, 1e-9)
    P = np.where(X0 > 0, X0, 0.0)
    N = np.where(X0 < 0, -X0, 0.0)
    r = np.ones(X0.shape[0])
    s = np.ones(X0.shape[1])
    scale_u = np.maximum(np.abs(u), 1.0)
    scale_v = np.maximum(np.abs(v), 1.0)
    iterations = 0
    while True:
        s = _multipliers(P.T @ r, N.T @ (1 / r), v)
        r = _multipliers(P @ s, N @ (1 / s), u)
        iterations += 1
        # after the row step the rows are exact; the columns tell how far we are
        col_gap = np.abs(r @ P * s - (1 / r) @ N / s - v)
        if np.all(col_gap <= tol * scale_v) or iterations >= max_iter:
            break
    X = r[:, None] * P * s[None, :] - N / (r[:, None] * s[None, :])
    row_gap = np.abs(X.sum(axis=1) - u)
    col_gap = np.abs(X.sum(axis=0) - v)
    rel = max(float((row_gap / scale_u).max(initial=0)), float((col_gap / scale_v).max(initial=0)))
    base = np.abs(X0).sum()
    return GrasResult(
        X=X,
        r=r,
        s=s,
        iterations=iterations,
        converged=rel <= tol,
        max_residual=float(max(row_gap.max(initial=0), col_gap.max(initial=0))),
        max_relative_residual=rel,
        adjustment=float(np.abs(X - X0).sum() / base) if base else 0.0,
    )
