"""Configuration as code: export, apply, idempotency, and a broken file refused whole with every problem."""
import textwrap

import pytest
from django.core.management import call_command
from django.db import connection

from trustops.config import platform_file
from trustops.config.document import Refused
from trustops.ledger.models import LedgerEvent
from trustops.outbox.models import WebhookEndpoint
from trustops.review.models import Queue, RoutingRule
from trustops.simulation import platform as setup

SECRET = "s3cret-for-the-receiver-0123456789"


@pytest.fixture
def demo(db, monkeypatch):
    call_command("init", verbosity=0)
    setup.install()
    platform_file.outbox.create_endpoint(url="https://hooks.example.com/trustops", event_kinds=["report.resolved"],
                                         name="platform", secret=SECRET, actor="test")
    monkeypatch.setenv(platform_file.secret_env_for("platform"), SECRET)


def _wipe():
    """Another empty database: every table of trustops emptied, as after a fresh migrate."""
    from django.apps import apps
    models = [m for m in apps.get_models(include_auto_created=True) if m._meta.app_label not in ("contenttypes", "auth", "sessions", "admin")]
    with connection.constraint_checks_disabled():
        for model in models:
            model.objects.all()._raw_delete(model.objects.db)


def test_export_then_apply_on_an_empty_database_reproduces_the_configuration(demo):
    exported = platform_file.export_yaml()
    _wipe()
    assert not Queue.objects.exists()
    changes = platform_file.apply(exported)
    assert any(str(c).startswith("+ queue general-us") for c in changes)
    assert platform_file.export_yaml() == exported
    assert WebhookEndpoint.objects.get(name="platform").secret == SECRET
    assert Queue.objects.get(is_default=True).key == setup.DEFAULT_QUEUE
    assert RoutingRule.objects.count() == len(setup.ROUTING)


def test_applying_twice_changes_nothing(demo):
    text = platform_file.export_yaml().replace("sla_seconds: 3600", "sla_seconds: 1800", 1)
    first = platform_file.apply(text)
    assert [c.action for c in first] == ["change"]
    events = LedgerEvent.objects.count()
    assert platform_file.apply(text) == []
    assert platform_file.apply(text, dry_run=True) == []
    assert LedgerEvent.objects.count() == events


def test_the_diff_names_what_is_created_changed_and_removed_and_a_dry_run_writes_nothing(demo):
    text = platform_file.export_yaml()
    text = text.replace("name: Authority orders\n", "name: Orders from authorities\n", 1)
    text = text.replace("queues:\n", textwrap.dedent("""\
        queues:
        - key: scams
          name: Scams
          sla_seconds: 7200
        """), 1)
    text = text.split("webhooks:")[0] + "webhooks: []\n"
    events = LedgerEvent.objects.count()
    changes = [str(c) for c in platform_file.apply(text, dry_run=True)]
    assert "+ queue scams" in changes
    assert "~ queue authority-orders: name 'Authority orders' → 'Orders from authorities'" in changes
    assert "- webhook platform" in changes
    assert LedgerEvent.objects.count() == events
    assert not Queue.objects.filter(key="scams").exists()
    platform_file.apply(text)
    assert Queue.objects.get(key="authority-orders").name == "Orders from authorities"
    assert not WebhookEndpoint.objects.filter(name="platform").exists()   # nothing was ever sent to it
    kinds = set(LedgerEvent.objects.filter(pk__gt=0).order_by("-pk").values_list("kind", flat=True)[:5])
    assert {"queue.created", "queue.changed"} <= kinds


BROKEN = """\
version: 1
queues:
- key: general
  name: General
  default: true
  sla_seconds: 10
- key: Bad Key
  name: Bad
  colour: red
routing:
- name: To nowhere
  queue: nowhere
  sources: [pigeon]
webhooks:
- name: platform
  url: https://hooks.example.com/trustops
  secret_env: lower-case
"""


def test_a_broken_file_is_refused_whole_with_every_problem_by_line_and_field(demo):
    events, queues = LedgerEvent.objects.count(), Queue.objects.count()
    with pytest.raises(Refused) as refused:
        platform_file.apply(BROKEN)
    found = {(p.line, p.field) for p in refused.value.problems}
    assert {(6, "queues[0].sla_seconds"), (7, "queues[1].key"), (9, "queues[1].colour"),
            (13, "routing[0].sources[0]"), (17, "webhooks[0].secret_env")} <= found
    assert LedgerEvent.objects.count() == events and Queue.objects.count() == queues


def test_references_between_sections_are_checked_with_their_lines(demo):
    text = textwrap.dedent("""\
        queues:
        - key: general
          name: General
          default: true
          teams: [nobody]
        routing:
        - name: Lost
          queue: missing
          policy_prefixes: [no_such_policy]
        """)
    with pytest.raises(Refused) as refused:
        platform_file.apply(text)
    assert {(p.line, p.field) for p in refused.value.problems} == {
        (5, "queues[0].teams[0]"), (8, "routing[0].queue"), (9, "routing[0].policy_prefixes[0]")}


def test_not_yaml_is_refused_with_its_line(demo):
    with pytest.raises(Refused) as refused:
        platform_file.apply("queues:\n  - key: a\n   name: [unclosed\n")
    assert refused.value.problems[0].line is not None


def test_a_new_endpoint_needs_its_secret_in_the_environment(demo, monkeypatch):
    text = platform_file.export_yaml() + ""
    text = text.replace("name: platform", "name: second", 1).replace(
        platform_file.secret_env_for("platform"), "SECOND_HOOK_SECRET")
    monkeypatch.delenv("SECOND_HOOK_SECRET", raising=False)
    with pytest.raises(Refused) as refused:
        platform_file.apply(text)
    assert [p.message for p in refused.value.problems] == ["SECOND_HOOK_SECRET is not set in the environment"]
    assert SECRET not in platform_file.export_yaml()


def test_the_command_line_applies_and_refuses(demo, tmp_path, capsys):
    path = tmp_path / "platform.yaml"
    call_command("config", "export", stdout=path.open("w"))
    call_command("config", "apply", str(path), "--dry-run")
    assert "Nothing to change." in capsys.readouterr().out
    path.write_text(BROKEN)
    from django.core.management.base import CommandError
    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("config", "apply", str(path))
    assert f"{path}:6: queues[0].sla_seconds" in capsys.readouterr().err


def test_a_queue_that_requires_certification_is_exported_and_applied(demo):
    text = platform_file.export_yaml()
    assert "requires_certification: false" in text
    changed = text.replace("requires_certification: false", "requires_certification: true", 1)
    changes = [str(c) for c in platform_file.apply(changed)]
    assert len(changes) == 1 and "requires_certification False → True" in changes[0]
    assert Queue.objects.filter(requires_certification=True).count() == 1
    assert platform_file.export_yaml() == changed
