"""The models and their migrations say the same thing: a model change without its migration fails here."""
from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_every_model_change_has_its_migration():
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exit:
        pytest.fail(f"models changed without a migration (exit {exit.code}):\n{out.getvalue()}")
