"""``dangjian load_demo``: load the demo data once; on every later run reset the
demo accounts' passwords (./scripts/demo runs it at each start)."""

from __future__ import annotations

import os

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from dangjian.core import demo

PASSWORD_VARIABLE = "DANGJIAN_DEMO_PASSWORD"  # noqa: S105 (a variable name)


class Command(BaseCommand):
    help = (
        "Load the demo organs, organizations, synthetic members and demo accounts into an "
        "empty database; when they are loaded already, only reset the demo accounts' password."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--size",
            type=int,
            default=demo.DEFAULT_SIZE,
            help="number of synthetic members (default %(default)s); branches grow with it",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=demo.DEFAULT_SEED,
            help="seed of the generator: the same seed gives the same data (default %(default)s)",
        )
        parser.add_argument(
            "--password",
            help=f"password of the demo accounts (default: the {PASSWORD_VARIABLE} variable)",
        )

    def handle(self, *args, size: int, seed: int, password: str | None, **options):
        password = password or os.environ.get(PASSWORD_VARIABLE, "")
        if not password:
            raise CommandError(
                _(
                    "No password for the demo accounts: set the %(variable)s environment "
                    "variable or pass --password."
                )
                % {"variable": PASSWORD_VARIABLE}
            )
        try:
            validate_password(password)
        except ValidationError as exc:
            raise CommandError(
                _("The demo password is too weak: %(reasons)s")
                % {"reasons": " ".join(exc.messages)}
            ) from exc
        if size < 0:
            raise CommandError(_("--size cannot be negative."))
        try:
            result = demo.load_demo(size=size, seed=seed, password=password)
        except demo.DemoError as exc:
            raise CommandError(str(exc)) from exc
        if result.created:
            message = _(
                "Demo data loaded in %(seconds).1f s: %(units)d units, %(organizations)d "
                "organizations (%(branches)d branches), %(members)d members, %(posts)d posts, "
                "%(accounts)d accounts."
            ) % {
                "seconds": result.seconds,
                "units": result.units,
                "organizations": result.organizations,
                "branches": result.branches,
                "members": result.members,
                "posts": result.posts,
                "accounts": result.accounts,
            }
            message += " " + _(
                "History: %(topics)d study topics, %(meetings)d meetings (%(attendances)d "
                "attendance records), %(tasks)d tasks (%(reports)d progress reports)."
            ) % {
                "topics": result.topics,
                "meetings": result.meetings,
                "attendances": result.attendances,
                "tasks": result.tasks,
                "reports": result.progress_reports,
            }
            message += " " + _(
                "Campaigns and branches: %(campaigns)d campaigns (%(submissions)d ledger "
                "submissions), %(assessments)d four-strong assessments, %(trainings)d trainings."
            ) % {
                "campaigns": result.campaigns,
                "submissions": result.submissions,
                "assessments": result.assessments,
                "trainings": result.trainings,
            }
        else:
            message = _(
                "Demo data already loaded (%(organizations)d organizations, %(members)d "
                "members); the password of %(reset)d demo accounts was reset."
            ) % {
                "organizations": result.organizations,
                "members": result.members,
                "reset": result.passwords_reset,
            }
        self.stdout.write(message)
