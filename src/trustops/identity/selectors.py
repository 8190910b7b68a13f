"""Reading identity: a person's own notifications (nobody reads another's), accounts and API tokens."""
from django.db.models import Q

from trustops.identity import access
from trustops.identity.models import ApiToken, Notification, User
from trustops.kernel.errors import NotFound


def unread_notification_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()


def notifications_for(user, *, limit: int = 100) -> list[Notification]:
    """The person's notifications, newest first."""
    return list(Notification.objects.filter(recipient_id=user.pk).order_by("-created_at", "-id")[:limit])


# ---- accounts and API tokens, as the console's people and token pages read them ----

def people_visible_to(viewer, *, query: str = "", role: str = "", active: str = ""):
    """Accounts the viewer administers, filtered by a word (username, name, e-mail, team, vendor), role and
    whether active ("yes"/"no")."""
    people = User.objects.filter(access.person_filter(viewer)).select_related("team", "vendor")
    query = (query or "").strip()
    if query:
        people = people.filter(Q(username__icontains=query) | Q(email__icontains=query)
                               | Q(first_name__icontains=query) | Q(last_name__icontains=query)
                               | Q(team__name__icontains=query) | Q(vendor__name__icontains=query))
    if role:
        people = people.filter(role=role)
    if active in ("yes", "no"):
        people = people.filter(is_active=active == "yes")
    return people.order_by("username")


def get_person(viewer, user_id: int):
    person = User.objects.filter(access.person_filter(viewer), pk=user_id).select_related("team", "vendor").first()
    if person is None:
        raise NotFound("user_not_found", "No such user.")
    return person


def tokens_visible_to(viewer, *, owner_id: int | None = None):
    """API tokens the viewer may see (their own; admins everyone's), newest first; `owner_id` narrows to one
    person's."""

    tokens = ApiToken.objects.filter(access.token_filter(viewer)).select_related("user")
    if owner_id is not None:
        tokens = tokens.filter(user_id=owner_id)
    return tokens.order_by("-created_at", "-id")


def get_token(viewer, token_id: int):
    token = ApiToken.objects.filter(access.token_filter(viewer), pk=token_id).first()
    if token is None:
        raise NotFound("token_not_found", "No such token.")
    return token
