"""Shipped input-output tables (package data ``iomodel.tables``; see iomodel/resources.py)."""
