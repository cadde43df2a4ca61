"""Stored ID-number masks lose every digit (issue 11, docs/security.md "How much a mask
may show"); the seals of members move to field list member-2, which leaves the display
masks out.

The new mask is derived from the old mask string alone (a non-empty mask becomes 18
asterisks), so no key is needed for it. A member whose member-1 seal still verifies is
re-sealed under member-2 in the same step (that needs the audit key; without it the
seals are left as they were and show as "outdated" until ``dangjian integrity check``
and ``dangjian integrity seal``). A member whose seal does not verify keeps the old seal:
the check goes on reporting it rather than this migration blessing a changed row.
"""

from django.core.exceptions import ImproperlyConfigured
from django.db import migrations
from django.utils import timezone

MASK = "*" * 18
CHUNK = 1000

# The field list the seals were written with before this migration (core/integrity.py).
MEMBER_1_FIELDS = (
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "education",
    "id_number_cipher",
    "id_number_index",
    "id_number_masked",
    "phone_cipher",
    "phone_index",
    "phone_masked",
    "joined_party_on",
    "full_member_on",
    "status",
    "organization",
    "admin_title",
    "left_at",
)


def _verified_member_1(apps, Member) -> set[str]:
    """Ids (text) of members whose member-1 seal matches the row as stored now."""
    from dangjian.core import integrity

    ContentType = apps.get_model("contenttypes", "ContentType")
    RecordSeal = apps.get_model("core", "RecordSeal")
    ct = ContentType.objects.filter(app_label="people", model="member").first()
    if ct is None:
        return set()
    old = integrity.SealSpec("people.member", "member-1", MEMBER_1_FIELDS)
    seals = dict(
        RecordSeal.objects.filter(content_type=ct, fields_version="member-1").values_list(
            "object_id", "mac"
        )
    )
    verified = set()
    last = 0
    while seals:
        batch = list(Member.objects.filter(pk__gt=last).order_by("pk")[:CHUNK])
        if not batch:
            break
        for member in batch:
            mac = seals.get(str(member.pk))
            if mac is not None and integrity.compute_mac(member, old) == mac:
                verified.add(str(member.pk))
        last = batch[-1].pk
    return verified


def _reseal(apps, Member, ids: set[str]) -> None:
    from dangjian.core import integrity

    ContentType = apps.get_model("contenttypes", "ContentType")
    RecordSeal = apps.get_model("core", "RecordSeal")
    ct = ContentType.objects.get(app_label="people", model="member")
    spec = integrity.SPECS["people.member"]
    pks = sorted(int(pk) for pk in ids)
    for start in range(0, len(pks), CHUNK):
        for member in Member.objects.filter(pk__in=pks[start : start + CHUNK]):
            RecordSeal.objects.filter(content_type=ct, object_id=str(member.pk)).update(
                mac=integrity.compute_mac(member, spec),
                fields_version=spec.version,
                sealed_at=timezone.now(),
            )


def forwards(apps, schema_editor):
    Member = apps.get_model("people", "Member")
    try:
        verified = _verified_member_1(apps, Member)
    except ImproperlyConfigured:
        verified = None  # no audit key here: masks only, seals stay "outdated"
    Member.objects.exclude(id_number_masked="").exclude(id_number_masked=MASK).update(
        id_number_masked=MASK
    )
    if verified:
        _reseal(apps, Member, verified)


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0003_verbose_names"),
        ("core", "0006_archive_object_index"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    # The old digits cannot come back: going backwards leaves the masks as they are.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
