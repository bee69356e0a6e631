"""The fixed categories scenarios are written in: capex purposes, operating cost items, tax kinds.

Shared by :mod:`iomodel.scenario` (which validates files against them) and :mod:`iomodel.shock`
(which maps them to table products), so neither has to import the other.
"""

from __future__ import annotations

__all__ = ["COST_ITEMS", "EQUIPMENT", "PURCHASES", "PURPOSES", "TAX_KINDS"]

#: Capex purposes (``[construction.purposes]``), each mapped to products by the bridge.
PURPOSES = ("construction", "machinery", "electrical", "vehicles", "engineering", "other")
#: Purposes whose domestic share is set by a variant's equipment import share.
EQUIPMENT = ("machinery", "electrical")
#: Cost items bought from other products; the rest of the cost structure is primary inputs.
PURCHASES = ("energy", "fuel", "reagents", "spares", "transport", "services")
#: Cost items of ``[operation.costs]``: purchases and wages, shares of output value at design
#: volume and base prices.  Taxes come from ``[[operation.taxes]]`` lines; operating surplus is
#: what remains.
COST_ITEMS = (*PURCHASES, "wages")
#: Kinds of ``[[operation.taxes]]`` lines.
TAX_KINDS = ("mineral_extraction", "property", "other")
