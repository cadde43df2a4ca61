"""Key rotation: personal data re-encrypted under a new SM4 key, blind indexes recomputed
under a new index key, seals renewed; atomic per batch, resumable.

GB/T 39786-2021 (key life cycle: keys replaced; keys from configuration, not the
database) — docs/security.md.
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from dangjian.core import crypto, integrity
from dangjian.core.models import KeyRotation
from dangjian.people.models import Member
from tests.factories import make_member, synthetic_id_number

pytestmark = pytest.mark.django_db

NEW_DATA = "0f" * 16
NEW_INDEX = "1e" * 32


@pytest.fixture
def keys(settings):
    old = {"data": settings.DANGJIAN_DATA_KEY, "index": settings.DANGJIAN_INDEX_KEY}
    yield old
    crypto.get_keys.cache_clear()


def _use(**values):
    crypto.get_keys.cache_clear()
    return override_settings(**values)


def test_rotation_re_encrypts_with_the_new_key_only_and_search_still_works(tree, keys):
    numbers = {}
    for i in range(5):
        number = synthetic_id_number(serial=700 + i)
        member = make_member(
            tree.orgs["branch"], f"轮换{i}", id_number=number, phone=f"1380000{i:04d}"
        )
        numbers[member.pk] = number
    before = dict(Member.objects.filter(pk__in=numbers).values_list("pk", "id_number_cipher"))
    rotation = {
        "DANGJIAN_DATA_KEY": NEW_DATA,
        "DANGJIAN_INDEX_KEY": NEW_INDEX,
        "DANGJIAN_OLD_DATA_KEY": keys["data"],
        "DANGJIAN_OLD_INDEX_KEY": keys["index"],
    }
    with _use(**rotation):
        # an interrupted run: one batch of two rows, then stop
        call_command("rotate_keys", "--batch", "2", "--max-batches", "1", stdout=StringIO())
        run = KeyRotation.objects.get()
        assert run.rows == 2 and run.finished_at is None
        # both keys readable meanwhile
        assert all(m.decrypted("id_number") for m in Member.objects.filter(pk__in=numbers))
        call_command("rotate_keys", "--batch", "2", stdout=StringIO())  # resumes
        run.refresh_from_db()
        assert run.finished_at is not None and run.rows == Member.objects.count()
    with _use(DANGJIAN_DATA_KEY=NEW_DATA, DANGJIAN_INDEX_KEY=NEW_INDEX):  # old keys removed
        call_command("rotate_keys", "--check", stdout=StringIO())
        for member in Member.objects.filter(pk__in=numbers):
            assert member.decrypted("id_number") == numbers[member.pk]
            assert bytes(member.id_number_cipher) != bytes(before[member.pk])
            with pytest.raises(crypto.DecryptionError):
                crypto.decrypt(member.id_number_cipher, key=bytes.fromhex(keys["data"]))
            # the blind index is under the new key: look-up by ID number still finds the member
            assert list(Member.objects.with_id_number(numbers[member.pk])) == [member]
            assert integrity.status(member) == integrity.OK
        phone_index = crypto.blind_index("13800000003", purpose="phone")
        assert Member.objects.filter(phone_index=phone_index).count() == 1
    with (
        _use(DANGJIAN_DATA_KEY=keys["data"], DANGJIAN_INDEX_KEY=keys["index"]),
        pytest.raises(CommandError),  # the old key alone no longer reads the data
    ):
        call_command("rotate_keys", "--check", stdout=StringIO(), stderr=StringIO())


def test_rotation_without_old_keys_refuses(tree, keys):
    with (
        _use(DANGJIAN_OLD_DATA_KEY=None, DANGJIAN_OLD_INDEX_KEY=None),
        pytest.raises(CommandError, match="Nothing to rotate"),
    ):
        call_command("rotate_keys", stdout=StringIO(), skip_checks=False)  # as from the shell
