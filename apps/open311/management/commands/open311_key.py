"""``manage.py open311_key create "App name" [--email E]`` prints a new key once;
``manage.py open311_key revoke PREFIX`` switches one off; ``list`` shows them (never the keys)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from apps.core.errors import ServiceError
from apps.open311.keys import api_key_issue, api_key_revoke
from apps.open311.models import ApiKey


class Command(BaseCommand):
    help = "Issue, list and revoke the API keys of Open311 client applications."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="issue a key; it is printed once and never shown again")
        create.add_argument("application", help="name of the client application, recorded on its tickets")
        create.add_argument("--email", default="", help="contact email of the application's developers")
        revoke = sub.add_parser("revoke", help="revoke a key by its prefix (the part before the dot)")
        revoke.add_argument("prefix")
        sub.add_parser("list", help="list the keys: prefix, application, state, last use")

    def handle(self, *args, **options):
        try:
            if options["action"] == "create":
                api_key, raw_key = api_key_issue(application=options["application"], contact_email=options["email"])
                self.stdout.write(raw_key)
                self.stderr.write(
                    f"Key {api_key.prefix} issued to {api_key.application}: copy it now, it is not stored and "
                    "will not be shown again."
                )
            elif options["action"] == "revoke":
                api_key = api_key_revoke(prefix=options["prefix"])
                self.stdout.write(f"Revoked {api_key.prefix} ({api_key.application}).")
            else:
                for api_key in ApiKey.objects.order_by("application", "id"):
                    state = "active" if api_key.is_active else "revoked"
                    used = api_key.last_used_at.isoformat(timespec="seconds") if api_key.last_used_at else "never used"
                    self.stdout.write(f"{api_key.prefix}\t{state}\t{used}\t{api_key.application}")
        except ServiceError as refused:
            raise CommandError(refused.message) from None
