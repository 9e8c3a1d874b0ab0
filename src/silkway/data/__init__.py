"""Curated, sourced data tables (hubs, legs, tariffs, dwell, emission factors).

See :mod:`silkway.data.tables` for the typed loaders.
"""
