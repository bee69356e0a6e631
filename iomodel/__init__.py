"""iomodel: a Leontief input-output impact model for Russia's rare-metal mineral-resource centres.

Nothing heavy is imported here, so ``iomodel --help`` and ``import iomodel.errors`` stay fast;
import the modules you need (``iomodel.pipeline``, ``iomodel.readers``, ``iomodel.multipliers`` …).
"""
