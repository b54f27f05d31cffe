"""Benchmarks of the GMM Explorer: ``python -m bench`` (or ``make bench``).

Each section times one target of issue 5 ("Fast at every size") as a median over
repeats, next to a baseline measured in the same run, checks that what it timed is
correct (same minima, same values), and reports whether the target is met. Nothing
here fails on time. See BENCHMARKS.md for the figures and what they mean.
"""
