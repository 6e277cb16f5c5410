"""Synthetic demo data: a wine merchant's catalogue, customers across the US, and order history.

:mod:`~oms_core.demo.seeder` loads it; the other modules only generate it, from prebuilt word and
place lists with a seeded ``random.Random``, so the same seed always gives the same data.
"""
