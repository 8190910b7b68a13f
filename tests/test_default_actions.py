"""A violation decided without choosing actions gets defaults that the decision check itself accepts."""
import pytest

from trustops.enforcement.services import penalties
from trustops.kernel.errors import Invalid
from trustops.policies import selectors as policies
from trustops.review.models import Queue
from trustops.subjects.models import Subject


def _subjects():
    owner = Subject(type="creator", external_id="owner", region="US")
    return {"account": owner,
            "owned item": Subject(type="video", external_id="owned", region="US", owner=owner),
            "ownerless item": Subject(type="video", external_id="ownerless", region="US"),
            "listing": Subject(type="listing", external_id="listing", region="US",
                               owner=Subject(type="merchant", external_id="shop", region="US"))}


@pytest.mark.django_db
def test_defaults_pass_the_check_for_every_policy_subject_and_queue(platform):
    queue_rules = {q.key: q.allowed_actions for q in Queue.objects.all()} | {"content-only": ["remove"],
                                                                             "owner-only": ["warn", "ban"]}
    checked = 0
    for policy in policies.active_catalogue().values():
        for label, subject in _subjects().items():
            for queue, allowed in queue_rules.items():
                actions = penalties.default_actions(subject, policy, allowed)
                penalties.check_actions(subject, policy, actions, allowed)   # raises if the default is refused
                assert set(actions) <= penalties.open_actions(subject, policy, allowed), (policy.code, label, queue)
                checked += 1
    assert checked > 100


@pytest.mark.django_db
def test_an_account_never_gets_a_content_action_by_default(platform):
    account = _subjects()["account"]
    for policy in policies.active_catalogue().values():
        actions = penalties.default_actions(account, policy, [])
        assert not set(actions) & penalties.ITEM_ACTIONS, policy.code
        with pytest.raises(Invalid):
            penalties.check_actions(account, policy, ["remove"], [])
