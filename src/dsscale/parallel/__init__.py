"""Parallel programs on Ray: MapReduce word count, Monte Carlo, sample sort,
a sharded replicated key-value store on actors, and scaling measurements.

Each program has a ``serial`` reference that the Ray version must match
exactly. Importing this package does not import Ray; Ray is imported when a
Ray code path runs (see :mod:`dsscale.raysupport`).
"""
