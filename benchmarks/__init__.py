"""The benchmark behind ``make bench``: how fast the local engine answers, how little it reads,
how much memory a large scan takes, measured against the physical floor (decompressing the
files) and against the way many notebooks read CloudTrail (gzip + json + pandas).

``python -m benchmarks.run`` builds the benchmark store once (``benchmarks/store``, seeded,
git-ignored), measures everything side by side, prints a table and writes
``benchmarks/results/latest.json``. The method and what bounds each figure:
``docs/performance.md``.
"""
