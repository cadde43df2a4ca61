"""SM4-GCM encryption, HMAC-SM3 blind indexes, masking and the ID-number rules."""

import datetime

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.test import override_settings

from dangjian.core import crypto
from dangjian.core.masking import mask_id_number, mask_phone
from dangjian.core.validators import validate_id_number, validate_no_markup, validate_phone
from tests.factories import synthetic_id_number


def test_round_trip_and_fresh_nonce():
    """The same value encrypts differently each time and decrypts back."""
    a, b = crypto.encrypt("13800001234"), crypto.encrypt("13800001234")
    assert a != b
    assert crypto.decrypt(a) == crypto.decrypt(b) == "13800001234"
    assert b"13800001234" not in a


def test_tampered_ciphertext_is_refused():
    token = bytearray(crypto.encrypt("secret"))
    token[-1] ^= 1
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(bytes(token))


def test_blind_index_is_keyed_and_purpose_bound():
    assert crypto.blind_index("x", purpose="id_number") == crypto.blind_index(
        "x", purpose="id_number"
    )
    assert crypto.blind_index("x", purpose="id_number") != crypto.blind_index("x", purpose="phone")


def test_sm3_matches_the_standard_vector():
    """The SM3 under our HMAC is the real one: SM3("abc") of GB/T 32905-2016, Appendix A.1."""
    from cryptography.hazmat.primitives import hashes

    digest = hashes.Hash(hashes.SM3())
    digest.update(b"abc")
    assert digest.finalize().hex() == (
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    )


def test_missing_keys_fail_clearly():
    crypto.get_keys.cache_clear()
    try:
        with (
            override_settings(DANGJIAN_DATA_KEY=None, DANGJIAN_KEY_FILE=None),
            pytest.raises(ImproperlyConfigured, match="DANGJIAN_DATA_KEY"),
        ):
            crypto.get_keys()
    finally:
        crypto.get_keys.cache_clear()


def test_key_file(tmp_path):
    path = tmp_path / "keys"
    path.write_text("DATA_KEY=" + "ab" * 16 + "\nINDEX_KEY=" + "cd" * 32 + "\n")
    crypto.get_keys.cache_clear()
    try:
        with override_settings(
            DANGJIAN_DATA_KEY=None, DANGJIAN_INDEX_KEY=None, DANGJIAN_KEY_FILE=str(path)
        ):
            assert crypto.get_keys().data == bytes.fromhex("ab" * 16)
    finally:
        crypto.get_keys.cache_clear()


def test_masks():
    """An ID number keeps no character: with the birth date and gender shown in clear
    beside it, any kept digit leaves far fewer than 10**6 candidates (docs/security.md)."""
    assert mask_id_number("11010119900101123X") == "*" * 18
    assert mask_phone("13800001234") == "138****1234"
    assert mask_id_number("") == ""


def test_valid_id_number_is_normalized():
    number = synthetic_id_number(datetime.date(1990, 1, 1), serial=7)
    assert validate_id_number(number.lower()) == number


@pytest.mark.parametrize(
    ("bad", "code"),
    [
        ("12345", "id_format"),
        ("110101199002301234", "id_birth"),  # 30 February
        ("110101209901011234", "id_birth"),  # born in the future
    ],
)
def test_invalid_id_numbers(bad, code):
    with pytest.raises(ValidationError) as exc:
        validate_id_number(bad)
    assert exc.value.code == code


def test_id_checksum_error():
    good = synthetic_id_number(datetime.date(1990, 1, 1), serial=8)
    wrong_last = "0" if good[-1] != "0" else "1"
    with pytest.raises(ValidationError) as exc:
        validate_id_number(good[:-1] + wrong_last)
    assert exc.value.code == "id_checksum"
    assert good[:10] not in " ".join(exc.value.messages)


def test_id_birth_date_must_agree():
    number = synthetic_id_number(datetime.date(1990, 1, 1), serial=9)
    with pytest.raises(ValidationError) as exc:
        validate_id_number(number, birth_date=datetime.date(1991, 1, 1))
    assert exc.value.code == "id_birth_mismatch"


def test_phone_and_markup():
    assert validate_phone("138 0000 1234") == "13800001234"
    with pytest.raises(ValidationError):
        validate_phone("12345")
    with pytest.raises(ValidationError):
        validate_no_markup("<script>alert(1)</script>")
    validate_no_markup("党建“四强”支部")
