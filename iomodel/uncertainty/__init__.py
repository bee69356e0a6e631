"""Uncertainty and sensitivity (issue 15): distributions as data, batched Monte Carlo, one-at-a-
time and variance-based sensitivity, and the same computation on dask.

* :mod:`.distributions` — distributions sampled through their quantile functions (pure);
* :mod:`.factors` — the uncertain inputs of a run: scenario ``[uncertainty]`` blocks, the defaults
  and the model's own parameters (``tables/uncertainty.toml``);
* :mod:`.basis` — each scenario's shock as basis shocks × weights (the shock is linear in capex,
  shares, price and volume);
* :mod:`.engine` — basis responses from one factorisation, draws as weights, quantiles and
  outranking probabilities;
* :mod:`.sensitivity` — tornado (one at a time) and Sobol indices (SALib);
* :mod:`.parallel` — the draws on dask (local threads or a ``dask.distributed`` cluster).

Only :mod:`.distributions` is imported with the package (scenario files use it); import the rest
where needed.
"""
