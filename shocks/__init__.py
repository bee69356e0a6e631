"""Shipped centre scenarios (package data ``iomodel.shocks``; see iomodel/resources.py)."""
