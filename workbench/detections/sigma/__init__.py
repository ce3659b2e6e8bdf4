"""Sigma rules over CloudTrail, converted into rules of the library (``workbench detect --sigma DIR``).

A Sigma rule (YAML, `the Sigma specification <https://github.com/SigmaHQ/sigma-specification>`_)
with ``logsource: product: aws, service: cloudtrail`` becomes one rule of the library's contract
over the ``cloudtrail`` table, its values bound as parameters, never written into its SQL. One
idea a module:

* :mod:`.pipeline`: pySigma's processing pipeline: other logsources refused, each Sigma field
  mapped to the table's column, struct field or JSON path;
* :mod:`.backend`: pySigma's backend: the condition as SQL in the library's dialect, each value
  a ``:sigma_N`` placeholder;
* :mod:`.load`: files read into :class:`~workbench.detections.Rule` objects, with the reason
  for each rule that does not convert.

pySigma is imported when rules are loaded, not with this package.
"""

from workbench.detections.sigma.load import load_sigma_rules

__all__ = ["load_sigma_rules"]
