"""The errors iomodel raises for bad input.

Every error is a ``ValueError`` whose message names the file, the sector, key or cell at fault,
the size of the problem where there is one, and what to do about it.
"""

from __future__ import annotations


class IOModelError(ValueError):
    """Base class of all iomodel input errors."""


class TableError(IOModelError):
    """An input-output table is malformed, unbalanced or not productive."""


class ScenarioError(IOModelError):
    """A scenario (shock) file is malformed or inconsistent with the table."""


class PriceError(IOModelError):
    """A price conversion is impossible (unknown currency, missing deflator or rate)."""


class FiscalError(IOModelError):
    """Fiscal law data (tables/fiscal/) is malformed, or a year it does not cover was asked for."""


class RegionError(IOModelError):
    """Regional data is malformed, or a region name is not one of the known regions."""


class OutputError(IOModelError):
    """Outputs cannot be written where asked (a file in the way, no permission)."""


class ConfigError(IOModelError):
    """A configuration file (e.g. of ``iomodel update``) is malformed or names unknown keys."""


class UpdateLocked(IOModelError):
    """Another ``iomodel update`` holds the lock of the runs folder."""


class UncertaintyError(IOModelError):
    """A distribution (scenario ``[uncertainty]`` block, tables/uncertainty.toml) is malformed,
    or a draw or sensitivity setting cannot be honoured."""


class GeoError(IOModelError):
    """Map data (tables/geo/: region boundaries, centre locations) is malformed."""
