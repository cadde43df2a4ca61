"""people 0004_display_masks: an existing installation's stored ID-number masks lose their
digits, and seals that still verify move to the field list without the display masks."""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from dangjian.core import integrity
from dangjian.core.models import RecordSeal
from dangjian.organizations.models import OrganizationKind
from dangjian.people.models import Member
from tests.factories import make_member, make_org, synthetic_id_number

BEFORE = [("people", "0003_verbose_names")]
MIGRATION = importlib.import_module("dangjian.people.migrations.0004_display_masks")


def _old_mask(number: str) -> str:
    return number[:4] + "*" * 10 + number[-4:]


@pytest.mark.django_db(transaction=True)
def test_migration_masks_stored_numbers_and_keeps_verified_seals():
    root = make_org("迁移测试党委", OrganizationKind.COMMITTEE)
    branch = make_org("迁移测试党支部", OrganizationKind.BRANCH, root)
    numbers = [synthetic_id_number(datetime.date(1980, 1, 1), serial=s) for s in (1, 2)]
    sealed = make_member(branch, "已封存", id_number=numbers[0], phone="13700001111")
    changed = make_member(branch, "被改动", id_number=numbers[1])
    without = make_member(branch, "无号码")

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("people", "Member")
    member_1 = integrity.SealSpec("people.member", "member-1", MIGRATION.MEMBER_1_FIELDS)
    ct = ContentType.objects.get_for_model(Member)
    for member, number in ((sealed, numbers[0]), (changed, numbers[1])):
        old.objects.filter(pk=member.pk).update(id_number_masked=_old_mask(number))
        RecordSeal.objects.filter(content_type=ct, object_id=str(member.pk)).update(
            mac=integrity.compute_mac(old.objects.get(pk=member.pk), member_1),
            fields_version="member-1",
        )
    # A change made outside the application after sealing: the migration must not bless it.
    old.objects.filter(pk=changed.pk).update(name="改过")

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    masks = dict(Member.objects.values_list("name", "id_number_masked"))
    assert masks == {"已封存": "*" * 18, "改过": "*" * 18, "无号码": ""}
    sealed.refresh_from_db()
    assert sealed.decrypted("id_number") == numbers[0]  # the data itself is untouched
    assert sealed.phone_masked == "137****1111"
    assert integrity.status(sealed) == integrity.OK
    assert integrity.status(Member.objects.get(pk=changed.pk)) == integrity.OUTDATED
    assert integrity.status(without) == integrity.OK
