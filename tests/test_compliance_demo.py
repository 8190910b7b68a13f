"""The demo's compliance desk: statements for the EU/EEA subjects' restricting decisions only (waiting, since no
endpoint is configured), DSA mappings that cite the law, a legal hold, retention periods."""
import pytest

from trustops.compliance.models import DsaMapping, LegalHold, RetentionPolicy, Statement
from trustops.compliance.statements.catalogue import EEA_COUNTRIES
from trustops.simulation.seed import seed_world


@pytest.fixture(autouse=True)
def _own_var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_the_demo_has_statements_for_eu_subjects_only_a_hold_and_retention(db):
    seed_world(seed=7, size="tiny")
    # (The tiny world may decide no EU/EEA case; the demo's default size decides hundreds.)
    regions = set(Statement.objects.values_list("region", flat=True))
    assert regions <= EEA_COUNTRIES
    assert not Statement.objects.filter(status="submitted").exists()
    assert DsaMapping.objects.filter(decision_ground="DECISION_GROUND_ILLEGAL_CONTENT").count() == 5
    assert LegalHold.objects.count() == 1 and RetentionPolicy.objects.count() == 5
