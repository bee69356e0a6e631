"""Regionalisation of a national input-output table (pure functions: no I/O, no globals).

Russia publishes no regional input-output tables, so a region's coefficients are estimated from
the national table and the region's structure of gross value added (GVA) by OKVED2 section,
with location quotients (LQs).  Notation: ``A`` the national coefficients of domestic products
(n×n), ``g`` GVA by section, ``r`` the region, ``N`` the nation (the sum of all regions).

Location quotients
------------------
* **SLQ** (simple): ``SLQ_i = (g_i^r / g^r) / (g_i^N / g^N)``, the region's specialisation in the
  supplying product's section.  Quotient matrix ``q_ij = SLQ_i``.
* **CILQ** (cross-industry): ``CILQ_ij = SLQ_i / SLQ_j`` (supplier over buyer).  On the
  diagonal the formula is always 1; by the convention of Flegg, Webber & Elliott (1995) the
  diagonal takes ``SLQ_i`` instead.  Here product quotients come from *section* quotients, so
  every pair of products of one section has ``CILQ = 1`` for the same reason as the diagonal:
  the convention is applied to the whole same-section block (``q_ij = SLQ_i`` when i and j are in
  one section; with one product per section this is exactly the usual diagonal).
* **FLQ** (Flegg, Webber & Elliott 1995; Flegg & Webber 1997): ``FLQ_ij = λ*·CILQ_ij`` (and
  ``λ*·SLQ_i`` on the diagonal blocks), ``λ* = [log2(1 + g^r/g^N)]^δ``; ``0 ≤ δ < 1``.  λ* < 1
  for any region smaller than the nation and falls with the region's size: small regions buy
  more outside.  δ → 0 gives λ* → 1, i.e. the CILQ with the same diagonal convention.
* **AFLQ** (Flegg & Webber 2000): ``AFLQ_ij = FLQ_ij·log2(1 + SLQ_j)`` where the buying
  section is specialised (``SLQ_j > 1``), ``FLQ_ij`` elsewhere.

Regional input coefficients: ``r_ij = a_ij·min(q_ij, 1)`` — never above the national ones.

Origin of purchases and the interregional model
-----------------------------------------------
Regions ``1 … K`` (the centre's regions) and ``K+1`` = the rest of Russia.  Every region keeps the
national technology ``A``; only where its inputs come from differs.  ``s_k,i`` is region k's
share of national output of product i, estimated as its share of national GVA of the product's
section (``s_k,i = SLQ_k,i · g^k/g^N``); the rest of Russia has ``1 − Σ_k s_k,i``.

* A buyer in region k gets ``min(q_ij, 1)`` of each input locally; the remainder comes from the
  other locations in proportion to their supply shares ``s_m,i / (1 − s_k,i)``.  With one region
  (K = 1) the remainder is all bought in the rest of Russia: these are the region's imports from
  the rest of Russia, which become demand there.
* A buyer in the rest of Russia buys product i from region k in proportion to region k's share of
  national output, ``s_k,i``, and ``1 − Σ s_k,i`` at home.  (A choice, documented: the rest of
  Russia's coefficients are not regionalised by LQs; it is the nation minus small regions, and
  buys from each region as much as that region weighs in national supply.)

So every column of the interregional matrix sums, over origins, to the national column
(``Σ_o A_ob = A`` for each buyer b), and summing the solution over locations gives the national
solution for any split of the shock: ``Σ_o x_o = (I − A)⁻¹·Σ_o y_o``.

Final demand (the shock) is split the same way: ``rpc_k,i`` is the regional purchase
coefficient of final buyers in region k, the quotient of a buyer whose own SLQ is 1:
``min(SLQ_i, 1)`` for SLQ and CILQ, ``min(λ*·SLQ_i, 1)`` for FLQ and AFLQ (log2(1 + 1) = 1).

Solving with the rest of Russia eliminated
------------------------------------------
Because the locations add up to the nation, the rest of Russia's output is the national output
less the regions': ``x_R = x_N − Σ_k x_k``, with ``x_N`` from the national model.  Substituted
into the regions' rows, ``(I − M_rr + M_rR·E)·x_r = y_r + M_rR·x_N`` (``E = [I … I]`` sums the
regions) is a system of K·n unknowns instead of (K+1)·n — an LU of the national size for a
one-region centre (:func:`eliminate_rest`).  The same holds, block by block, for the
household-closed model.

Households (Type II)
--------------------
One household per location.  Households of location b receive the compensation paid by
producers of b — less the share paid to non-residents (fly-in/fly-out workers, вахта), which goes
to the households of the rest of Russia — and spend it with the national consumption column
``c`` (domestic products per unit of income), bought by origin like any final demand.  Because
every household has the same ``c`` and every producer the national income coefficient ``h``,
the sum over locations again equals the national household-closed solution: Type II results add
up exactly.  (Region-specific propensities to consume would break this exactness; they are not
modelled.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from . import leontief

__all__ = [
    "METHODS",
    "Method",
    "Regionalisation",
    "RestEliminated",
    "closed_interregional_coefficients",
    "eliminate_rest",
    "flq_scale",
    "interregional_coefficients",
    "location_quotients",
    "origin_shares",
    "purchase_coefficients",
    "quotients",
    "regional_coefficients",
    "regional_demand",
    "regional_multipliers",
    "regionalise",
    "split_effects",
    "supply_shares",
]

Method = Literal["slq", "cilq", "flq", "aflq"]
METHODS: tuple[str, ...] = ("slq", "cilq", "flq", "aflq")


# --------------------------------------------------------------------------- quotients
def location_quotients(regional: np.ndarray, national: np.ndarray) -> np.ndarray:
    """SLQ_s = (g_s^r / g^r) / (g_s^N / g^N) for each section s (or region × section rows).

    ``regional`` and ``national`` are GVA (or employment) by section.  A section absent from the
    nation (g_s^N = 0) gets 0: the region cannot supply what nobody produces.
    """
    regional = np.asarray(regional, dtype=float)
    national = np.asarray(national, dtype=float)
    if np.any(regional < 0) or np.any(national < 0):
        raise ValueError("location quotients need non-negative GVA by section")
    share_r = regional / regional.sum(axis=-1, keepdims=True)
    share_n = national / national.sum()
    return np.where(share_n > 0, share_r / np.where(share_n > 0, share_n, 1.0), 0.0)


def flq_scale(size: float, delta: float) -> float:
    """λ* = [log2(1 + size)]^δ, ``size`` the region's share of national GVA (0 < size ≤ 1)."""
    if not 0 < size <= 1:
        raise ValueError(f"the region's share of the nation must be in (0, 1], got {size}")
    if not 0 <= delta < 1:
        raise ValueError(f"δ must be in [0, 1), got {delta}")
    return float(np.log2(1.0 + size) ** delta)


def quotients(
    slq: np.ndarray,
    method: Method,
    *,
    groups: Sequence[str] | None = None,
    size: float | None = None,
    delta: float | None = None,
) -> np.ndarray:
    """The n×n matrix of location quotients q_ij (supplier i, buyer j), before capping at 1.

    ``slq`` holds the SLQ of each product (its section's SLQ).  ``groups`` names each product's
    section: products of one section form a diagonal block, which takes ``SLQ_i`` under CILQ,
    FLQ and AFLQ (see the module docstring); without ``groups`` only the diagonal does.  FLQ
    and AFLQ need the region's ``size`` (share of national GVA) and ``delta``.  A buying product
    absent from the region (SLQ_j = 0) has an inactive column; it gets ``SLQ_i``, so the matrix
    stays finite.
    """
    slq = np.asarray(slq, dtype=float)
    n = slq.shape[0]
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    rows = np.broadcast_to(slq[:, None], (n, n))
    if method == "slq":
        return np.array(rows)
    if groups is None:
        same = np.eye(n, dtype=bool)
    else:
        labels = np.asarray(groups)
        if labels.shape != (n,):
            raise ValueError(f"groups must name one section per product ({n}), got {labels.shape}")
        same = labels[:, None] == labels[None, :]
    buyer = slq[None, :]
    cross = np.divide(rows, buyer, out=np.array(rows), where=buyer > 0)
    q = np.where(same, rows, cross)
    if method == "cilq":
        return q
    if size is None or delta is None:
        raise ValueError(f"{method.upper()} needs the region's size and δ")
    q = flq_scale(size, delta) * q
    if method == "aflq":
        q = q * np.where(buyer > 1, np.log2(1.0 + buyer), 1.0)
    return q


def regional_coefficients(A: np.ndarray, q: np.ndarray) -> np.ndarray:
    """r_ij = a_ij·min(q_ij, 1): inputs bought inside the region per unit of its output."""
    return np.asarray(A, dtype=float) * np.minimum(np.asarray(q, dtype=float), 1.0)


def purchase_coefficients(
    slq: np.ndarray, method: Method, *, size: float | None = None, delta: float | None = None
) -> np.ndarray:
    """Regional purchase coefficients of final buyers in the region, by product.

    The quotient of a buyer whose own SLQ is 1: ``min(SLQ_i, 1)`` for SLQ and CILQ,
    ``min(λ*·SLQ_i, 1)`` for FLQ and AFLQ.  The rest, ``1 − rpc``, is bought elsewhere in Russia.
    """
    slq = np.asarray(slq, dtype=float)
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    scale = 1.0
    if method in ("flq", "aflq"):
        if size is None or delta is None:
            raise ValueError(f"{method.upper()} needs the region's size and δ")
        scale = flq_scale(size, delta)
    return np.minimum(scale * slq, 1.0)


def supply_shares(slq: np.ndarray, size: float) -> np.ndarray:
    """s_i = SLQ_i·size: the region's share of national output of each product (≤ 1)."""
    return np.minimum(np.asarray(slq, dtype=float) * size, 1.0)


# --------------------------------------------------------------------------- origins
def origin_shares(local: np.ndarray, k: int, supply: np.ndarray) -> np.ndarray:
    """Shares of a purchase by a buyer in location ``k`` supplied from each location.

    ``local`` (any shape ending in n, values in [0, 1]) is what the buyer gets locally;
    ``supply`` (K×n) the regions' supply shares.  Returns an array with a new leading axis of
    length K+1 (regions, then the rest of Russia) that sums to 1 over it.  The remainder
    ``1 − local`` comes from the other locations in proportion to their supply shares; a buyer in
    the rest of Russia (``k = K``) ignores ``local`` and buys ``s_m`` from region m.
    """
    supply = np.atleast_2d(np.asarray(supply, dtype=float))
    local = np.asarray(local, dtype=float)
    K = supply.shape[0]
    everyone = np.vstack([supply, 1.0 - supply.sum(axis=0, keepdims=True)])  # (K+1)×n
    if np.any(everyone < -1e-12):
        raise ValueError("supply shares of the regions add up to more than 1 for some product")
    everyone = np.clip(everyone, 0.0, 1.0)
    # the supplier is the first axis of ``local`` (rows of an n×n block, or a vector)
    expand = (slice(None), slice(None)) + (None,) * (local.ndim - 1)
    if k == K:
        return np.broadcast_to(everyone[expand], (K + 1, *local.shape)).copy()
    others = everyone.copy()
    others[k] = 0.0
    elsewhere = others.sum(axis=0)  # = 1 − s_k
    weights = np.where(elsewhere > 0, others / np.where(elsewhere > 0, elsewhere, 1.0), 0.0)
    # where the region is all of national supply, what is not local comes from the rest of Russia
    weights[K] = np.where(elsewhere > 0, weights[K], 1.0)
    out = (1.0 - local)[None] * weights[expand]
    out[k] = local
    return out


def interregional_coefficients(
    A: np.ndarray, regional: Sequence[np.ndarray], supply: np.ndarray
) -> np.ndarray:
    """The (K+1)n-square interregional matrix [[A_11 … A_1s], …, [A_s1 … A_ss]].

    ``regional`` holds each region's locally bought coefficients ``r = a·min(q, 1)`` (n×n);
    ``supply`` (K×n) the regions' supply shares.  Block (o, b) is what buyers in b buy from o
    per unit of their output; for each buyer b, ``Σ_o A_ob = A``.
    """
    A = np.asarray(A, dtype=float)
    n = A.shape[0]
    supply = np.atleast_2d(np.asarray(supply, dtype=float))
    K = supply.shape[0]
    if len(regional) != K:
        raise ValueError(f"{len(regional)} regional matrices for {K} regions")
    safe_A = np.where(A > 0, A, 1.0)
    blocks = np.zeros((K + 1, n, K + 1, n))
    for b in range(K + 1):  # one block column per location (K + 1, a handful), not per sector
        local = np.ones_like(A) if b == K else np.where(A > 0, regional[b] / safe_A, 1.0)
        shares = origin_shares(local, b, supply)
        blocks[:, :, b, :] = shares * A
    return blocks.reshape((K + 1) * n, (K + 1) * n)


def regional_demand(demand: np.ndarray, rpc: np.ndarray, supply: np.ndarray) -> np.ndarray:
    """Final demand by buyer location (K+1, n[, m]) → demand by supplying location ((K+1)n[, m]).

    Buyers in region k get ``rpc[k]`` of each product locally and the rest elsewhere (see
    :func:`origin_shares`); buyers in the rest of Russia buy ``s_k`` from region k.
    """
    demand = np.asarray(demand, dtype=float)
    rpc = np.atleast_2d(np.asarray(rpc, dtype=float))
    supply = np.atleast_2d(np.asarray(supply, dtype=float))
    K = supply.shape[0]
    n = supply.shape[1]
    if demand.shape[0] != K + 1 or demand.shape[1] != n:
        raise ValueError(
            f"demand must be ({K + 1}, {n}[, m]) by buyer location, got {demand.shape}"
        )
    out = np.zeros(demand.shape)
    for b in range(K + 1):  # buyer locations, not sectors
        shares = origin_shares(rpc[b] if b < K else np.zeros(n), b, supply)  # (K+1)×n
        if demand.ndim == 3:
            out += shares[:, :, None] * demand[b][None]
        else:
            out += shares * demand[b][None]
    return out.reshape(((K + 1) * n,) + demand.shape[2:])


def closed_interregional_coefficients(
    M: np.ndarray,
    income: np.ndarray,
    consumption: np.ndarray,
    rpc: np.ndarray,
    supply: np.ndarray,
    nonresident_share: np.ndarray | float = 0.0,
) -> np.ndarray:
    """Household-closed interregional matrix (one household per location), (K+1)(n+1) square.

    Order: the (K+1)n production rows/columns of ``M``, then K+1 households.  ``income`` (n) is
    compensation per unit of output (national), ``consumption`` (n) domestic products bought per
    unit of household income (national), bought by origin with ``rpc`` (K×n) and ``supply``.
    ``nonresident_share`` (scalar, K, or K×n): the share of compensation paid by producers of
    region k to households resident in the rest of Russia (fly-in/fly-out workers).
    """
    M = np.asarray(M, dtype=float)
    income = np.asarray(income, dtype=float)
    consumption = np.asarray(consumption, dtype=float)
    supply = np.atleast_2d(np.asarray(supply, dtype=float))
    K, n = supply.shape
    L = K + 1
    phi = np.asarray(nonresident_share, dtype=float)
    phi = np.broadcast_to(phi[:, None] if phi.ndim == 1 else phi, (K, n))
    if np.any(phi < 0) or np.any(phi > 1):
        raise ValueError("non-resident shares of compensation must lie in [0, 1]")
    hh = np.zeros((L, L * n))  # household rows: income by location of residence
    for k in range(K):
        hh[k, k * n : (k + 1) * n] = (1.0 - phi[k]) * income
        hh[K, k * n : (k + 1) * n] = phi[k] * income
    hh[K, K * n :] = income
    spend = regional_demand(np.eye(L)[:, None, :] * consumption[None, :, None], rpc, supply)
    closed = np.zeros((L * (n + 1), L * (n + 1)))
    closed[: L * n, : L * n] = M
    closed[: L * n, L * n :] = spend
    closed[L * n :, : L * n] = hh
    return closed


# --------------------------------------------------------------------------- reduced solve
@dataclass(frozen=True)
class RestEliminated:
    """Solves of an interregional system with its last location (the rest) eliminated.

    ``lu`` factorises ``I − M_rr + M_rR·E`` (K·s square, s unknowns per location), ``coupling``
    is ``M_rR`` (K·s × s).  See :func:`eliminate_rest`.
    """

    lu: leontief.Factorization
    coupling: np.ndarray
    locations: int
    size: int

    def solve(self, rhs: np.ndarray, national: np.ndarray) -> np.ndarray:
        """The full solution (locations·s[, m]) of ``x = M·x + rhs`` given the national one.

        ``national`` (s[, m]) solves the national system for the right-hand side summed over
        locations, ``Σ_o rhs_o``.
        """
        rhs = np.asarray(rhs, dtype=float)
        national = np.asarray(national, dtype=float)
        K, s = self.locations - 1, self.size
        regions = self.lu.solve(rhs[: K * s] + self.coupling @ national)
        rest = national - regions.reshape((K, s) + regions.shape[1:]).sum(axis=0)
        return np.concatenate([regions, rest], axis=0)


def eliminate_rest(M: np.ndarray, locations: int) -> RestEliminated:
    """Factorise ``M`` (locations·s square, location-major) with the last location eliminated.

    Valid when, for every buyer, the blocks of ``M`` sum over origins to the national matrix, so
    that the locations' solutions add up to the national solution (see the module docstring).
    """
    M = np.asarray(M, dtype=float)
    s = M.shape[0] // locations
    K = locations - 1
    coupling = M[: K * s, K * s :]
    # I − M_rr + M_rR·E, given to factorize() as A = M_rr − M_rR·E (it factorises I − A)
    reduced = M[: K * s, : K * s] - np.tile(coupling, (1, K))
    return RestEliminated(leontief.factorize(reduced), coupling, locations, s)


def by_location(closed: np.ndarray, locations: int) -> np.ndarray:
    """Reorder a household-closed interregional matrix (all production, then all households)
    location by location: [x_1, h_1, x_2, h_2, …] — the permutation as an index array."""
    n = closed.shape[0] // locations - 1
    return np.concatenate([np.r_[k * n : (k + 1) * n, locations * n + k] for k in range(locations)])


# --------------------------------------------------------------------------- results
def split_effects(coefficients: np.ndarray, x: np.ndarray, n: int, locations: int) -> np.ndarray:
    """Effects by location: ``coefficients`` (k×n, national) times each location's output.

    ``x`` is a solution of the interregional system: ``locations``·n production rows first (any
    household rows after them are ignored), then columns.  Returns (locations, k[, m]).
    """
    c = np.atleast_2d(np.asarray(coefficients, dtype=float))
    x = np.asarray(x, dtype=float)
    xs = x[: locations * n].reshape((locations, n) + x.shape[1:])
    return np.einsum("kn,ln...->lk...", c, xs)


def regional_multipliers(
    factorization: leontief.Factorization,
    coefficients: np.ndarray,
    rpc: np.ndarray,
    supply: np.ndarray,
    buyer: int = 0,
) -> np.ndarray:
    """Effects by location per unit of final demand for each product by a buyer in ``buyer``.

    ``factorization`` is of the open ((K+1)n) or household-closed ((K+1)(n+1)) interregional
    matrix.  Returns (K+1, k, n): effect k in each location per unit of final demand for product
    j bought in location ``buyer`` (split by origin with ``rpc``/``supply``).  Summed over
    locations this is the national multiplier of the same type.
    """
    supply = np.atleast_2d(np.asarray(supply, dtype=float))
    K, n = supply.shape
    demand = np.zeros((K + 1, n, n))
    demand[buyer] = np.eye(n)
    y = regional_demand(demand, rpc, supply)
    if factorization.n > y.shape[0]:
        y = np.vstack([y, np.zeros((factorization.n - y.shape[0], n))])
    return split_effects(coefficients, factorization.solve(y), n, K + 1)


# --------------------------------------------------------------------------- assembly
@dataclass(frozen=True)
class Regionalisation:
    """Everything estimated for K regions of one table (arrays; nothing mutates them).

    ``quotients`` (K×n×n, uncapped), ``regional`` (K×n×n, locally bought coefficients),
    ``rpc`` (K×n), ``supply`` (K×n), ``slq`` (K×n, by product), ``size`` (K), ``M`` the open
    interregional matrix ((K+1)n square), ``method`` and ``delta``.
    """

    method: str
    delta: float | None
    slq: np.ndarray
    size: np.ndarray
    quotients: np.ndarray
    regional: np.ndarray
    rpc: np.ndarray
    supply: np.ndarray
    M: np.ndarray

    @property
    def n(self) -> int:
        """Number of products."""
        return self.slq.shape[1]

    @property
    def regions(self) -> int:
        """Number of regions K (the rest of Russia is location K)."""
        return self.slq.shape[0]

    @property
    def simple_rpc(self) -> np.ndarray:
        """``min(SLQ_i, 1)`` (K×n): purchase coefficients without the FLQ's size penalty λ*,
        for buyers whose purchases are mostly local (households: retail, housing, services)."""
        return np.minimum(self.slq, 1.0)

    def factorization(self) -> leontief.Factorization:
        """LU factorisation of I − M (for many right-hand sides)."""
        return leontief.factorize(self.M)

    def reduced_factorization(self) -> RestEliminated:
        """The open model with the rest of Russia eliminated (K·n unknowns)."""
        return eliminate_rest(self.M, self.regions + 1)

    def reduced_closed_factorization(
        self,
        income: np.ndarray,
        consumption: np.ndarray,
        nonresident_share: np.ndarray | float = 0.0,
        household_rpc: np.ndarray | None = None,
    ) -> tuple[RestEliminated, np.ndarray]:
        """The household-closed model with the rest of Russia eliminated (K·(n+1) unknowns).

        Returns the factorisation, which works location by location ([x_1, h_1, …]), and the
        index array that reorders the usual layout (production, then households) into it.
        """
        closed = self.closed(income, consumption, nonresident_share, household_rpc)
        order = by_location(closed, self.regions + 1)
        return eliminate_rest(closed[np.ix_(order, order)], self.regions + 1), order

    def closed_factorization(
        self,
        income: np.ndarray,
        consumption: np.ndarray,
        nonresident_share: np.ndarray | float = 0.0,
        household_rpc: np.ndarray | None = None,
    ) -> leontief.Factorization:
        """LU factorisation of the household-closed interregional matrix (:meth:`closed`)."""
        return leontief.factorize(
            self.closed(income, consumption, nonresident_share, household_rpc)
        )

    def closed(
        self,
        income: np.ndarray,
        consumption: np.ndarray,
        nonresident_share: np.ndarray | float = 0.0,
        household_rpc: np.ndarray | None = None,
    ) -> np.ndarray:
        """The household-closed interregional matrix (see
        :func:`closed_interregional_coefficients`).

        Households buy by origin with ``household_rpc`` (K×n), by default the final buyers'
        ``rpc``; :attr:`simple_rpc` is the other choice offered.
        """
        return closed_interregional_coefficients(
            self.M,
            income,
            consumption,
            self.rpc if household_rpc is None else household_rpc,
            self.supply,
            nonresident_share,
        )


def regionalise(
    A: np.ndarray,
    sections: Sequence[str],
    regional_gva: np.ndarray,
    national_gva: np.ndarray,
    section_names: Sequence[str],
    method: Method = "flq",
    delta: float | None = None,
    absent: np.ndarray | None = None,
) -> Regionalisation:
    """Regionalise ``A`` for K regions from GVA by section.

    ``sections`` gives each product's section; ``regional_gva`` (K × sections) and
    ``national_gva`` (sections) are GVA by section in ``section_names`` order (the nation is the
    sum of all regions, not only these K).  Product quotients take their section's SLQ.
    ``absent`` (booleans, n or K×n) marks products a region does not make although its section
    is there (a section quotient is too coarse: a region strong in metallurgy need not make
    machinery): their SLQ is 0, so nobody buys them in that region and it supplies none of the
    nation's output of them.
    """
    A = np.asarray(A, dtype=float)
    regional_gva = np.atleast_2d(np.asarray(regional_gva, dtype=float))
    national_gva = np.asarray(national_gva, dtype=float)
    names = list(section_names)
    missing = sorted(set(sections) - set(names))
    if missing:
        raise ValueError(f"products in sections {missing} have no regional GVA; give every section")
    index = np.array([names.index(s) for s in sections])
    slq = location_quotients(regional_gva, national_gva)[:, index]
    if absent is not None:
        slq = np.where(np.broadcast_to(np.asarray(absent, dtype=bool), slq.shape), 0.0, slq)
    size = regional_gva.sum(axis=1) / national_gva.sum()
    q = np.stack(
        [
            quotients(slq[k], method, groups=sections, size=size[k], delta=delta)
            for k in range(len(size))
        ]
    )
    regional = np.stack([regional_coefficients(A, qk) for qk in q])
    rpc = np.stack(
        [purchase_coefficients(slq[k], method, size=size[k], delta=delta) for k in range(len(size))]
    )
    supply = np.stack([supply_shares(slq[k], size[k]) for k in range(len(size))])
    M = interregional_coefficients(A, list(regional), supply)
    return Regionalisation(method, delta, slq, size, q, regional, rpc, supply, M)
