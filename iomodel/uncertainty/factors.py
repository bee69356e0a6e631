"""The uncertain inputs of a run: each centre's parameters and the model's own.

A scenario's parameter takes the distribution its ``[uncertainty]`` block declares, else the
default of ``tables/uncertainty.toml`` ``[defaults]`` derived from its variants and confidence
rating; the model's parameters (closure, FLQ δ, an optional perturbation of the technical
coefficients) come from the same file.  Every factor records its central value — the value of the
deterministic run, which a draw with no spread reproduces.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..categories import COST_ITEMS, PURPOSES
from ..errors import UncertaintyError
from ..scenario import Scenario
from ..table import IOTable
from .distributions import Dirichlet, Distribution, Scalar, parse_scalar

__all__ = [
    "CENTRE_PARAMETERS",
    "MODEL_PARAMETERS",
    "Factor",
    "ModelUncertainty",
    "centre_factors",
    "load_model_uncertainty",
    "model_factors",
]

#: A centre's uncertain parameters, in the order factors are listed.
CENTRE_PARAMETERS = (
    "capex",
    "equipment_import_share",
    "purposes",
    "price_scale",
    "volume_scale",
    "costs",
    "operating_localisation",
    "jobs",
)
#: The model's own uncertain parameters.
MODEL_PARAMETERS = ("propensity_to_consume", "income_tax_rate", "flq_delta", "coefficients")
CONFIDENCE = ("high", "medium", "low")


@dataclass(frozen=True)
class Factor:
    """One uncertain input: ``centre`` None for a model parameter every centre shares.

    ``central`` is the deterministic run's value (a tuple for shares); ``declared`` says whether
    the distribution was stated (scenario or model file) or is a default.
    """

    name: str
    centre: str | None
    distribution: Distribution
    central: float | tuple[float, ...]
    declared: bool

    @property
    def size(self) -> int:
        """Uniform numbers one draw of this factor takes."""
        return self.distribution.size

    @property
    def spread(self) -> bool:
        return self.distribution.spread


@dataclass(frozen=True)
class ModelUncertainty:
    """``tables/uncertainty.toml``: the model's distributions and the scenario defaults."""

    propensity_to_consume: Scalar
    income_tax_rate: Scalar
    flq_delta: Scalar
    coefficient_cv: float
    jobs_range: dict[str, float]
    shares_concentration: dict[str, float]
    path: Path


def load_model_uncertainty(path: Path) -> ModelUncertainty:
    """Read and check ``tables/uncertainty.toml`` (UncertaintyError naming the key and fix)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UncertaintyError(f"{path}: not found; the model's distributions live there") from None
    except tomllib.TOMLDecodeError as exc:
        raise UncertaintyError(f"{path}: not valid TOML ({exc})") from None

    def block(name: str) -> dict:
        node = data.get(name)
        if not isinstance(node, dict):
            raise UncertaintyError(f"{path}: [{name}] is missing; see the shipped file")
        return node

    def scalar(section: str, key: str, bounds: tuple[float, float]) -> Scalar:
        node = block(section)
        if key not in node:
            raise UncertaintyError(f"{path}: [{section}] {key} is missing")
        if not str(node.get(f"{key}_source", "")).strip():
            raise UncertaintyError(
                f"{path}: [{section}] {key}_source is missing; say where the "
                "distribution comes from"
            )
        return parse_scalar(node[key], f"{path}: [{section}] {key}", UncertaintyError, bounds)

    def by_confidence(key: str, bounds: tuple[float, float]) -> dict[str, float]:
        node = block("defaults").get(key)
        if not isinstance(node, dict) or sorted(node) != sorted(CONFIDENCE):
            raise UncertaintyError(
                f"{path}: [defaults] {key} must give high, medium and low, e.g. "
                "{high = 0.1, medium = 0.2, low = 0.3}"
            )
        for level, value in node.items():
            if (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or not (bounds[0] < value <= bounds[1])
            ):
                raise UncertaintyError(
                    f"{path}: [defaults] {key}.{level} must be a number in "
                    f"({bounds[0]:g}, {bounds[1]:g}], got {value!r}"
                )
        return {k: float(v) for k, v in node.items()}

    cv = block("coefficients").get("cv")
    if isinstance(cv, bool) or not isinstance(cv, (int, float)) or not 0 <= cv <= 1:
        raise UncertaintyError(f"{path}: [coefficients] cv must be a number in [0, 1], got {cv!r}")
    return ModelUncertainty(
        propensity_to_consume=scalar("closure", "propensity_to_consume", (0.0, 1.0)),
        income_tax_rate=scalar("closure", "income_tax_rate", (0.0, 1.0)),
        flq_delta=scalar("regional", "flq_delta", (0.0, 1.0)),
        coefficient_cv=float(cv),
        jobs_range=by_confidence("jobs_range", (0.0, 1.0)),
        shares_concentration=by_confidence("shares_concentration", (0.0, math.inf)),
        path=path,
    )


def _over_variants(scenario: Scenario, key: str) -> Scalar:
    """Triangular over the lowest, central and highest value of ``key`` among the variants."""
    values = [getattr(v, key) for v in scenario.variants.values()]
    central = getattr(scenario.variants["central"], key)
    return Scalar("triangular", min(values), central, max(values))


def _has_localisation(scenario: Scenario) -> bool:
    op = scenario.operation
    return op is not None and op.localisation is not None and op.costs is not None


def centre_factors(scenario: Scenario, model: ModelUncertainty) -> list[Factor]:
    """The uncertain parameters of ``scenario`` (central variant, base case): declared in its
    ``[uncertainty]`` block or defaulted (see ``tables/uncertainty.toml`` ``[defaults]``)."""
    declared = scenario.uncertainty.distributions if scenario.uncertainty else {}
    central = scenario.variants["central"]
    op = scenario.operation
    level = scenario.centre.confidence if scenario.centre.confidence in CONFIDENCE else "low"
    kappa = model.shares_concentration[level]
    con = scenario.construction
    out = []

    def add(name: str, default: Distribution, value: float | tuple[float, ...]) -> None:
        dist = declared.get(name, default)
        out.append(Factor(name, scenario.id, dist, value, name in declared))

    for key in ("capex", "equipment_import_share"):
        add(key, _over_variants(scenario, key), getattr(central, key))
    purposes = tuple(con.purposes[p] for p in PURPOSES)
    add("purposes", Dirichlet(purposes, kappa), purposes)
    if op is not None:
        for key in ("price_scale", "volume_scale"):
            add(key, _over_variants(scenario, key), getattr(central, key))
        if op.costs is not None:
            stated = [op.costs.get(c, 0.0) for c in COST_ITEMS]
            shares = (*stated, 1.0 - sum(stated))
            add("costs", Dirichlet(shares, kappa), shares)
        if _has_localisation(scenario):
            add("operating_localisation", Scalar("triangular", 0.0, 0.5, 1.0), 0.5)
        if op.jobs is not None:
            r = model.jobs_range[level]
            add(
                "jobs", Scalar("triangular", op.jobs * (1 - r), op.jobs, op.jobs * (1 + r)), op.jobs
            )
    return out


def model_factors(
    table: IOTable,
    model: ModelUncertainty,
    closure: str,
    coefficient_cv: float | None = None,
    delta: float | None = None,
) -> list[Factor]:
    """The model's own factors for a run on ``table``: the closure's propensity to consume and
    income tax rate (default closure only; the textbook closure has no parameters), the FLQ δ
    of the regional step when it runs with ``delta``, and the technical-coefficient
    perturbation when its CV (``coefficient_cv``, else the file's) > 0."""
    out = []
    if closure == "default":
        p = table.closure_parameters
        for name in ("propensity_to_consume", "income_tax_rate"):
            dist: Scalar = getattr(model, name)
            value = getattr(p, name)
            if value is None or not dist.low - 1e-12 <= value <= dist.high + 1e-12:
                raise UncertaintyError(
                    f"{model.path}: [closure] {name} {dist.describe()} leaves out the table's "
                    f"own value {value!r} ({table.meta.path}); make the table's value one of "
                    "its values"
                )
            out.append(Factor(name, None, dist, float(value), True))
    if delta is not None:
        dist = model.flq_delta
        if not dist.low - 1e-12 <= delta <= dist.high + 1e-12:
            raise UncertaintyError(
                f"{model.path}: [regional] flq_delta {dist.describe()} leaves out the run's "
                f"δ = {delta:g}; make it one of its values"
            )
        out.append(Factor("flq_delta", None, dist, float(delta), True))
    cv = model.coefficient_cv if coefficient_cv is None else coefficient_cv
    if cv > 0:
        # one uniform number per draw seeds the draw's matrix of coefficient errors
        out.append(Factor("coefficients", None, Scalar("uniform", 0.0, 0.5, 1.0), cv, True))
    return out


def factor_width(factors: Sequence[Factor]) -> int:
    """Uniform numbers one draw of all ``factors`` takes."""
    return sum(f.size for f in factors)
