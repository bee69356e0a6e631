"""Report templates, fonts and translations (package data ``iomodel.reports``)."""
