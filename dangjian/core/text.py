"""Identifying text (names, titles): Unicode normalisation and invisible characters.

Names and titles are what people read to tell records apart, so a character
that shows nothing (zero-width space U+200B, soft hyphen, byte order mark) or
reorders what is shown (U+202E RIGHT-TO-LEFT OVERRIDE and its kin) would let two
records look alike or one look like another. Such text is refused with a
message naming the field, never stored stripped: the person typing it learns
that the copied text carried something they could not see.

Refused: every character of the Unicode categories Cc (control), Cf (format:
U+200B–U+200F, U+202A–U+202E, U+2060–U+2064, U+2066–U+2069, U+FEFF, U+00AD …),
Cs (surrogates), Co (private use), Zl and Zp (line and paragraph separators),
and the fillers that are letters by category but print blank (U+115F, U+1160,
U+3164, U+FFA0, U+2800). Variation selectors stay allowed: ideographic
variation sequences are how rare characters of Chinese names are written.

Normalisation (docs/security.md, "Identifying text"):

* ``NAME`` (people's and accounts' names, speakers): NFKC. Full-width Latin
  letters and digits, ideographic and no-break spaces and compatibility
  ideographs become their ordinary forms, so "ＬＩ　明" and "LI 明" are one name.
* ``TITLE`` (titles, organization and unit names): NFC only. NFKC would turn the
  full-width punctuation that Chinese text uses on purpose (，：；（）“”) into
  ASCII, changing official names such as "宣传司党支部（筹）". NFC still folds
  compatibility ideographs into the unified ones.

Both kinds turn other spaces (U+00A0, U+2000–U+200A …) into a plain space and
strip the ends.
"""

from __future__ import annotations

import re
import unicodedata
from typing import ClassVar

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

NAME = "name"
TITLE = "title"

REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Zl", "Zp"})
BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
# Space separators other than the ASCII space and the ideographic space U+3000,
# which Chinese text uses deliberately (and NFKC folds for names).
_OTHER_SPACES = re.compile(r"[\u00a0\u1680\u2000-\u200a\u202f\u205f]")


def invisible_character(value: str) -> tuple[int, str] | None:
    """The first refused character of ``value`` as (1-based position, character), or None."""
    # Fast path (C speed, the roster runs this for every name): isprintable() is
    # False for every refused category (and for spaces other than " ").
    if value.isprintable() and BLANK_LETTERS.isdisjoint(value):
        return None
    for position, char in enumerate(value, start=1):
        if char in BLANK_LETTERS or unicodedata.category(char) in REFUSED_CATEGORIES:
            return position, char
    return None


def normalize(value: str, *, kind: str = TITLE) -> str:
    """``value`` in the normal form of its kind (NAME: NFKC; TITLE: NFC), ends stripped."""
    value = unicodedata.normalize("NFKC" if kind == NAME else "NFC", value)
    return _OTHER_SPACES.sub(" ", value).strip()


def clean(value: str, *, label, kind: str = TITLE) -> str:
    """``value`` normalised; ValidationError naming ``label`` if it holds a refused character."""
    value = normalize(value, kind=kind)
    found = invisible_character(value)
    if found is not None:
        position, char = found
        raise ValidationError(
            _(
                "%(field)s contains an invisible or control character (%(code)s) at "
                "position %(position)d, such as a zero-width space or a direction mark "
                "copied along with the text. Delete it and type the text again."
            )
            % {"field": label, "code": f"U+{ord(char):04X}", "position": position},
            code="invisible_character",
        )
    return value


class IdentifyingTextMixin:
    """A model whose names or titles identify records: normalised and checked in
    ``clean_fields``, which every service's ``full_clean`` and every ModelForm runs.

    ``identifying_text`` maps field names to their kind (NAME or TITLE).
    """

    identifying_text: ClassVar[dict[str, str]] = {}

    def clean_fields(self, exclude=None):
        errors: dict[str, list] = {}
        for name, kind in self.identifying_text.items():
            value = getattr(self, name)
            if (exclude and name in exclude) or not isinstance(value, str) or not value:
                continue
            label = self._meta.get_field(name).verbose_name
            try:
                setattr(self, name, clean(value, label=label, kind=kind))
            except ValidationError as exc:
                errors[name] = exc.error_list
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as exc:
            for name, messages in exc.error_dict.items():
                errors.setdefault(name, []).extend(messages)
        if errors:
            raise ValidationError(errors)
