"""Console sign-in and sign-out open and close a work session, the activity adherence is measured from."""
from trustops.workforce.rosters import services


def signed_in(sender, request, user, **kwargs):
    services.open_session(user)


def signed_out(sender, request, user, **kwargs):
    if user is not None and user.is_authenticated:
        services.close_session(user)
