"""Password validators (AUTH_PASSWORD_VALIDATORS): length, character classes, history.

They read their limits from ``rules`` when they run, so production mode and
``override_settings`` change them without rebuilding the validator list.
"""

from __future__ import annotations

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import rules

CLASSES = (
    ("upper", lambda c: c.isupper()),
    ("lower", lambda c: c.islower()),
    ("digit", lambda c: c.isdigit()),
    ("symbol", lambda c: not c.isalnum() and not c.isspace()),
)


class MinimumLengthValidator:
    def validate(self, password, user=None):
        minimum = rules.password_min_length()
        if len(password) < minimum:
            raise ValidationError(
                ngettext(
                    "The password must have at least %(minimum)d character.",
                    "The password must have at least %(minimum)d characters.",
                    minimum,
                )
                % {"minimum": minimum},
                code="password_too_short",
            )

    def get_help_text(self):
        minimum = rules.password_min_length()
        return ngettext(
            "At least %(minimum)d character.", "At least %(minimum)d characters.", minimum
        ) % {"minimum": minimum}


def character_classes(password: str) -> set[str]:
    return {name for name, test in CLASSES if any(test(c) for c in password)}


class CharacterClassesValidator:
    """At least N of: capital letters, small letters, digits, symbols (MLPS complexity)."""

    def validate(self, password, user=None):
        needed = rules.password_min_classes()
        if needed > 1 and len(character_classes(password)) < needed:
            raise ValidationError(
                _(
                    "The password must mix at least %(count)d of: capital letters, small "
                    "letters, digits and symbols."
                )
                % {"count": needed},
                code="password_too_simple",
            )

    def get_help_text(self):
        needed = rules.password_min_classes()
        if needed <= 1:
            return ""
        return _("At least %(count)d of: capital letters, small letters, digits and symbols.") % {
            "count": needed
        }


class PasswordHistoryValidator:
    """Not one of the user's last N passwords; also the hook that records every new password."""

    def validate(self, password, user=None):
        count = rules.password_history()
        if user is None or user.pk is None or count <= 0:
            return
        from .models import PasswordHistory

        hashes = list(
            PasswordHistory.objects.filter(user_id=user.pk).values_list("password", flat=True)[
                :count
            ]
        )
        if user.password and user.password not in hashes:
            hashes.insert(0, user.password)  # the current one, if set before the history began
        for encoded in hashes[:count]:
            if check_password(password, encoded):
                raise ValidationError(
                    ngettext(
                        "The password must differ from your last password.",
                        "The password must differ from your last %(count)d passwords.",
                        count,
                    )
                    % {"count": count},
                    code="password_reused",
                )

    def password_changed(self, password, user=None):
        if user is not None:
            from . import services

            services.password_was_set(user)

    def get_help_text(self):
        count = rules.password_history()
        if count <= 0:
            return ""
        return ngettext(
            "Not your last password.", "Not one of your last %(count)d passwords.", count
        ) % {"count": count}
