import io

from tests.conftest import TEST_SCALE
from workbench.demo import run_demo


def test_demo_finds_every_planted_scenario(sample_org, truth):
    out = io.StringIO()
    code = run_demo(sample_org, seed=7, scale=TEST_SCALE, stream=out)
    text = out.getvalue()
    assert "already generated" in text, "the demo reuses a sample with the same settings"
    n = len(truth["scenarios"])
    assert f"{n}/{n} planted scenarios found" in text, text
    assert code == 0
    assert truth["by_kind"]["hidden_user_bruteforce"]["source_ip"] in text
    assert truth["by_kind"]["port_scan"]["source_ip"] in text
    assert truth["by_kind"]["compromised_access_key"]["access_key_id"] in text
