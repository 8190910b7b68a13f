from datetime import timedelta
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from trustops.identity import services
from trustops.identity.access import CLEARANCES
from trustops.identity.roles import SCOPES, Role
from trustops.kernel.errors import DomainError


class Command(BaseCommand):
    help = "Create a user (and its team/vendor if new); optionally write a fresh API token to a file."

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True)
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--team")
        parser.add_argument("--vendor")
        parser.add_argument("--region", action="append", default=[], dest="regions",
                            help="Data region the user is cleared for (repeatable; '*' for all).")
        parser.add_argument("--clearance", action="append", default=[], dest="clearances", choices=sorted(CLEARANCES),
                            help="Restricted content this person may see and work (repeatable).")
        parser.add_argument("--email", default="")
        parser.add_argument("--password-file", type=Path)
        parser.add_argument("--token-file", type=Path)
        parser.add_argument("--scope", action="append", dest="scopes", choices=sorted(SCOPES),
                            help="Token scope (repeatable); defaults to the role's scopes.")
        parser.add_argument("--token-days", type=int, default=None, help="Token expiry in days (default: none).")

    def handle(self, *args, **o):
        password = None
        if o["password_file"]:
            password = o["password_file"].read_text().strip()
            if len(password) < 10:
                raise CommandError("The password must have at least 10 characters.")
        try:
            with transaction.atomic():
                user = services.create_user(username=o["username"], role=o["role"], team=o["team"],
                                            vendor=o["vendor"], regions=o["regions"], password=password,
                                            email=o["email"], clearances=o["clearances"], actor="cli")
                plaintext = None
                if o["token_file"]:
                    _, plaintext = services.issue_token(
                        user=user, scopes=o["scopes"], name="cli",
                        expires_in=timedelta(days=o["token_days"]) if o["token_days"] else None, actor="cli")
        except DomainError as error:
            raise CommandError(f"{error.code}: {error.message}")
        if plaintext:
            o["token_file"].parent.mkdir(parents=True, exist_ok=True)
            o["token_file"].write_text(plaintext + "\n")
            o["token_file"].chmod(0o600)
        self.stdout.write(f"created {user.username} ({user.role})"
                          + (f", token written to {o['token_file']}" if plaintext else ""))
