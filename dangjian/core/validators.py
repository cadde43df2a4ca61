"""Validators shared by forms, the API and the roster import."""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
ID_PATTERN = re.compile(r"^[1-9]\d{16}[\dX]$")
PHONE_PATTERN = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")


def normalize_id_number(value: str) -> str:
    return (value or "").strip().replace(" ", "").upper()


def id_number_check_char(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def id_number_birth_date(value: str) -> datetime.date | None:
    try:
        return datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return None


def validate_id_number(value: str, *, birth_date: datetime.date | None = None) -> str:
    """Check a GB 11643-1999 citizen ID number; return it normalized.

    The messages never repeat the number itself: they end up on screens and
    in import reports, and the number is personal data.
    """
    value = normalize_id_number(value)
    if not ID_PATTERN.match(value):
        raise ValidationError(
            _("An ID number has 18 characters: 17 digits and a final digit or X."),
            code="id_format",
        )
    born = id_number_birth_date(value)
    if born is None or born > datetime.date.today() or born.year < 1900:
        raise ValidationError(
            _("The birth date inside the ID number is not a real date."), code="id_birth"
        )
    if id_number_check_char(value[:17]) != value[17]:
        raise ValidationError(
            _("The ID number's check digit is wrong; please check it for a typing error."),
            code="id_checksum",
        )
    if birth_date is not None and birth_date != born:
        raise ValidationError(
            _("The birth date does not match the birth date inside the ID number."),
            code="id_birth_mismatch",
        )
    return value


def normalize_phone(value: str) -> str:
    return re.sub(r"[\s()（）]", "", value or "")


def validate_phone(value: str) -> str:
    value = normalize_phone(value)
    if not PHONE_PATTERN.match(value):
        raise ValidationError(
            _("Enter an 11-digit mobile number or a landline number with its area code."),
            code="phone_format",
        )
    return value


def validate_no_markup(value: str) -> None:
    """Plain-text fields refuse HTML and script instead of storing it escaped."""
    if value and (strip_tags(value) != value or re.search(r"[<>]", value)):
        raise ValidationError(
            _("This field takes plain text only; remove the < and > characters."),
            code="markup",
        )
