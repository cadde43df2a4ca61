"""``dangjian check_duties``: list the accounts whose roles break 三员分立.

An account holding the platform administrator, security administrator or
auditor role may hold no other role (``access.roles.mixes_duties``). Grants
made before that rule, or written past the services, are listed one account
a line (user name: roles); the exit status is 1 when there is any, so the
production start check (``dangjian.E008``) and scripts can rely on it. Revoke
the extra grants on the roles page (security administrator).
"""

from django.core.management.base import BaseCommand, CommandError

from dangjian.access.selectors import duty_violations


class Command(BaseCommand):
    help = "List accounts holding one of the three separated duties together with another role."

    def handle(self, *args, **options):
        found = duty_violations()
        for username, roles in found:
            self.stdout.write(f"{username}: {', '.join(roles)}")
        if found:
            raise CommandError(
                f"{len(found)} account(s) hold a separated duty together with another role.",
                returncode=1,
            )
        self.stdout.write("No account holds a separated duty together with another role.")
