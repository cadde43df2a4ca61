"""The seven capabilities (七种能力) of DOMAIN.md, for every app that tags work with them.

Import ``Capability`` from here (trainings, campaigns, four-strong indicators …)
so the codes stay the same everywhere.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Capability(models.TextChoices):
    POLITICAL = "political", _("political capability")
    RESEARCH = "research", _("investigation and research capability")
    DECISION = "decision", _("scientific decision-making capability")
    REFORM = "reform", _("reform and tackling-difficulties capability")
    EMERGENCY = "emergency", _("emergency response capability")
    MASS_WORK = "mass_work", _("mass work capability")
    IMPLEMENTATION = "implementation", _("implementation capability")


CAPABILITY_CODES = tuple(Capability.values)


def clean_capabilities(values) -> list[str]:
    """The codes in their canonical order, without duplicates; ValueError on an unknown one."""
    if not isinstance(values, list | tuple | set | frozenset):
        raise ValueError("capabilities must be a list")
    chosen = {str(v) for v in values}
    unknown = chosen - set(CAPABILITY_CODES)
    if unknown:
        raise ValueError(f"unknown capabilities {sorted(unknown)}")
    return [c for c in CAPABILITY_CODES if c in chosen]
