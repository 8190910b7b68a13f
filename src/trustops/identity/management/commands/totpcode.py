from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from trustops.identity.models import User


class Command(BaseCommand):
    help = ("Print the current code of a user's authenticator (the newest one, confirmed or being enrolled). "
            "For demo and recovery on the server itself: anyone who can run this can read the database anyway.")

    def add_arguments(self, parser):
        parser.add_argument("user", nargs="?", help="The username (or give it with --username).")
        parser.add_argument("--username")

    def handle(self, *args, user=None, username=None, **options):
        username = username or user
        if not username:
            raise CommandError("name the user: trustops totpcode USERNAME")
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user {username!r}")
        device = TOTPDevice.objects.filter(user=user).order_by("-confirmed", "-id").first()
        if device is None:
            raise CommandError(f"{username} has no authenticator yet: sign in once to start enrolling one")
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        self.stdout.write(f"{totp.token():0{device.digits}d}")
