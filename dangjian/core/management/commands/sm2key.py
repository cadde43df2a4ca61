"""``dangjian sm2key generate|register|list USER``: users' SM2 signing keys.

``generate`` makes a key pair, writes the private key to
``$DANGJIAN_SM2_KEY_DIR/<username>.key`` (mode 600) and registers the public
key. ``register`` registers a public key made elsewhere (the private key file
is put in place by the operator). Private keys are never stored in the database.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from dangjian.core import audit, signing
from dangjian.core.models import AuditEvent, SigningKey


class Command(BaseCommand):
    help = "Generate or register a user's SM2 signing key."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        gen = sub.add_parser("generate", help="new key pair; private key into the key directory")
        gen.add_argument("username")
        reg = sub.add_parser("register", help="register a public key (128 hex digits)")
        reg.add_argument("username")
        reg.add_argument("public_key")
        lst = sub.add_parser("list", help="the registered keys of a user")
        lst.add_argument("username")

    def handle(self, *args, subcommand, username, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user {username}")
        if subcommand == "list":
            for key in SigningKey.objects.filter(user=user):
                state = "revoked" if key.revoked_at else "active"
                self.stdout.write(f"{key.fingerprint} {state} {key.created_at:%Y-%m-%d}")
            return
        if subcommand == "generate":
            path = signing.key_path(username)
            if path is None:
                raise CommandError("Set DANGJIAN_SM2_KEY_DIR to the directory of the key files.")
            if path.exists():
                raise CommandError(f"{path} exists; move it away first.")
            private_key, public_key = signing.generate_keypair()
            signing.write_private_key(username, private_key)
            self.stdout.write(f"private key written to {path}")
        else:
            public_key = options["public_key"]
        try:
            key = signing.register_public_key(user, public_key)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        audit.record(
            actor=None,
            action=AuditEvent.Action.CREATE,
            obj=key,
            object_repr=f"SM2 key {key.fingerprint[:16]} of {username}",
            note="sm2key",
        )
        self.stdout.write(f"registered public key {key.fingerprint}")
