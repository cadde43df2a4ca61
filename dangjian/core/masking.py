"""How personal data looks where the full value may not be shown.

The masks are for display only: the ciphertext and the blind index are the data.
Why an ID number shows no digit at all, while a phone keeps seven, is worked out in
docs/security.md ("How much a mask may show"): every page, API answer and export
that shows a masked ID number also shows the member's full birth date and gender,
so any digit kept here would leave far fewer than a million candidates.
"""

ID_NUMBER_MASK = "*" * 18


def mask_id_number(value: str | None) -> str:
    """******************: no character of the number is kept (only that there is one)."""
    if not value:
        return ""
    return ID_NUMBER_MASK


def mask_phone(value: str | None) -> str:
    """138****1234: first three and last four digits kept."""
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
