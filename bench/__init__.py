"""Benchmarks of cryptokg at scale: a seeded data generator and measurements against references.

``python -m bench.run --size S`` (``make bench``) and ``--size L`` (``make bench-l``) write
``bench/RESULTS.md``. Nothing here is imported by ``graph`` or ``api``.
"""
