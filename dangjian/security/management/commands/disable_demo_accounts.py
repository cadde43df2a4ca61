"""``dangjian disable_demo_accounts``: disable the demo accounts before going to production."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from dangjian.core import audit
from dangjian.core.demo import ACCOUNT_NAMES


class Command(BaseCommand):
    help = "Disable the demo accounts (admin, jiguan, dangzu, zhibu, dangyuan, anquan, shenji)."

    @transaction.atomic
    def handle(self, *args, **options):
        names = []
        for user in get_user_model().objects.filter(username__in=ACCOUNT_NAMES, is_active=True):
            user.is_active = False
            user.save(update_fields=["is_active"])
            names.append(user.username)
            audit.record(
                actor=None,
                action=audit.AuditEvent.Action.UPDATE,
                obj=user,
                changes={"is_active": [True, False]},
                note="demo account disabled",
            )
        self.stdout.write(
            f"disabled: {', '.join(sorted(names))}" if names else "no active demo account"
        )
