"""Detection rules: query files that each answer "did this bad thing happen?", with a stable id,
a severity and MITRE ATT&CK ids, all returning one set of columns so their hits share one table.

Rules live in ``queries/detections/<source>/<name>.sql`` (and ``detections/<source>/`` under any
folder of ``WORKBENCH_QUERY_PATH`` or given to ``workbench detect --rules``). Besides the query
header (:mod:`workbench.library`) a rule says ``-- id:``, ``-- title:``, ``-- severity:``
(``critical``, ``high``, ``medium``, ``low``), ``-- tactics:`` and ``-- techniques:`` (ATT&CK ids,
comma-separated) and ``-- false_positives:``; it returns :data:`HIT_COLUMNS`.
"""

from workbench.detections.rules import HIT_COLUMNS, SEVERITIES, Rule, get_rule, list_rules
from workbench.detections.run import Detections, run_rules
from workbench.detections.sigma import load_sigma_rules

__all__ = ["HIT_COLUMNS", "SEVERITIES", "Detections", "Rule", "get_rule", "list_rules", "load_sigma_rules", "run_rules"]
