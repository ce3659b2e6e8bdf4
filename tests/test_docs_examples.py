"""The examples in the README and the docs name what the demo data holds, so that they work as printed.

Every entity an example pivots or hunts on (an IP, an access key, a finding id) on a line that
runs the workbench against ``demo-data`` must be one the sample organisation planted.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
VALUE = re.compile(r"""(source_ip|access_key_id|finding_id)=["']?([A-Za-z0-9.]+)""")


def _examples():
    for doc in DOCS:
        lines = doc.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines):
            context = " ".join(lines[number:number + 2])  # a pivot's call may go on to the next line
            if "demo-data" not in context:
                continue
            for kind, value in VALUE.findall(line):
                yield doc.name, number + 1, kind, value


def test_every_demo_example_names_a_planted_entity(truth):
    planted = {"source_ip": set(), "access_key_id": set(), "finding_id": set()}
    for scenario in truth["scenarios"]:
        planted["source_ip"].add(scenario.get("source_ip"))
        planted["access_key_id"].add(scenario.get("access_key_id"))
        planted["finding_id"].update(scenario.get("finding_ids", []))
    examples = list(_examples())
    assert len(examples) >= 4, "the README and docs show the demo's entities"
    wrong = [(doc, line, kind, value) for doc, line, kind, value in examples if value not in planted[kind]]
    assert wrong == [], f"examples that find nothing on the demo data: {wrong}"
