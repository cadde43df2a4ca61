"""SM2, SM3 and SM4 as dangjian uses them, checked against the standards' published examples.

GB/T 39786-2021 (commercial cryptography correctly implemented: algorithms conform to the
standards) — docs/security.md.

Where the vectors come from (found with public sources, none invented here):

* SM2 signature: the worked example of GB/T 32918.2-2016 / GM/T 0003.2-2012 (Appendix A,
  "message digest", ID ``ALICE123@YAHOO.COM``) on the 256-bit example curve over Fp; the same
  numbers are in draft-shen-sm2-ecdsa-02 and are the fixed vectors of OpenSSL's
  ``test/sm2_internal_test.c`` ("From draft-shen-sm2-ecdsa-02": curve, d, k, r, s) and of
  other independent test suites (BouncyCastle-style ``SM2SignerTest``, gmalg's
  ``test_sign1``), which also give the public key, Z_A and e.
* The recommended curve: GB/T 32918.5-2017 (p, a, b, n, G), as published.
* SM3: GB/T 32905-2016, Appendix A, examples 1 ("abc") and 2 ("abcd" × 16).
* SM4: GB/T 32907-2016, Appendix A, example 1 (one block) and example 2 (the same block
  encrypted 1 000 000 times).
"""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from gmssl import sm2

from dangjian.core import crypto, signing
from dangjian.twofactor import gmt0021


def _h(text: str) -> str:
    return "".join(text.split()).lower()


# GB/T 32918.2-2016 Appendix A (GM/T 0003.2-2012): the 256-bit example curve over Fp.
EXAMPLE_CURVE = {
    "p": _h("8542D69E 4C044F18 E8B92435 BF6FF7DE 45728391 5C45517D 722EDB8B 08F1DFC3"),
    "a": _h("787968B4 FA32C3FD 2417842E 73BBFEFF 2F3C848B 6831D7E0 EC65228B 3937E498"),
    "b": _h("63E4C6D3 B23B0C84 9CF84241 484BFE48 F61D59A5 B16BA06E 6E12D1DA 27C5249A"),
    "g": _h(
        "421DEBD6 1B62EAB6 746434EB C3CC315E 32220B3B ADD50BDC 4C4E6C14 7FEDD43D"
        "0680512B CBB42C07 D47349D2 153B70C4 E5D7FDFC BFA36EA1 A85841B9 E46E09A2"
    ),
    "n": _h("8542D69E 4C044F18 E8B92435 BF6FF7DD 29772063 0485628D 5AE74EE7 C32E79B7"),
}
MESSAGE = b"message digest"
USER_ID = b"ALICE123@YAHOO.COM"
D_A = _h("128B2FA8 BD433C6C 068C8D80 3DFF7979 2A519A55 171B1B65 0C23661D 15897263")
P_A = _h(
    "0AE4C779 8AA0F119 471BEE11 825BE462 02BB79E2 A5844495 E97C04FF 4DF2548A"
    "7C0240F8 8F1CD4E1 6352A73C 17B7F16F 07353E53 A176D684 A9FE0C6B B798E857"
)
Z_A = _h("F4A38489 E32B45B6 F876E3AC 2168CA39 2362DC8F 23459C1D 1146FC3D BFB7BC9A")
E = _h("B524F552 CD82B8B0 28476E00 5C377FB1 9A87E6FC 682D48BB 5D42E3D9 B9EFFE76")
K = _h("6CB28D99 385C175C 94F94E93 4817663F C176D925 DD72B727 260DBAAE 1FB2F96F")
R = _h("40F1EC59 F793D9F4 9E09DCEF 49130D41 94F79FB1 EED2CAA5 5BACDB49 C4E755D1")
S = _h("6FC6DAC3 2C5D5CF1 0C77DFB2 0F7C2EB6 67A45787 2FB09EC5 6327A67E C7DEEBE7")

# GB/T 32918.5-2017: the recommended curve sm2p256v1.
RECOMMENDED_CURVE = {
    "p": _h("FFFFFFFE FFFFFFFF FFFFFFFF FFFFFFFF FFFFFFFF 00000000 FFFFFFFF FFFFFFFF"),
    "a": _h("FFFFFFFE FFFFFFFF FFFFFFFF FFFFFFFF FFFFFFFF 00000000 FFFFFFFF FFFFFFFC"),
    "b": _h("28E9FA9E 9D9F5E34 4D5A9E4B CF6509A7 F39789F5 15AB8F92 DDBCBD41 4D940E93"),
    "n": _h("FFFFFFFE FFFFFFFF FFFFFFFF FFFFFFFF 7203DF6B 21C6052B 53BBF409 39D54123"),
    "g": _h(
        "32C4AE2C 1F198119 5F990446 6A39C994 8FE30BBF F2660BE1 715A4589 334C74C7"
        "BC3736A2 F4F6779C 59BDCEE3 6B692153 D0A9877C C62A4740 02DF32E5 2139F0A0"
    ),
}


def test_sm2_public_key_z_and_e_of_the_standard_example():
    """d_A gives the example's public key; Z_A and e = SM3(Z_A ‖ M) are the published ones."""
    assert signing.public_from_private(D_A, curve=EXAMPLE_CURVE) == P_A
    assert signing.z_value(P_A, user_id=USER_ID, curve=EXAMPLE_CURVE).hex() == Z_A
    assert signing.message_hash(P_A, MESSAGE, user_id=USER_ID, curve=EXAMPLE_CURVE).hex() == E


def test_sm2_signature_of_the_standard_example_is_reproduced_and_verifies():
    """With the example's k, the signing path gives exactly the published (r, s), which verifies;
    another message, ID or signature does not."""
    signature = signing.sign_message(D_A, P_A, MESSAGE, user_id=USER_ID, curve=EXAMPLE_CURVE, k=K)
    assert signature == R + S
    assert signing.verify_message(P_A, MESSAGE, R + S, user_id=USER_ID, curve=EXAMPLE_CURVE)
    assert not signing.verify_message(
        P_A, b"message digesT", R + S, user_id=USER_ID, curve=EXAMPLE_CURVE
    )
    assert not signing.verify_message(
        P_A, MESSAGE, R + S, user_id=b"BILL456@YAHOO.COM", curve=EXAMPLE_CURVE
    )
    bad_s = f"{(int(S, 16) + 1) % int(EXAMPLE_CURVE['n'], 16):064x}"
    assert not signing.verify_message(P_A, MESSAGE, R + bad_s, user_id=USER_ID, curve=EXAMPLE_CURVE)
    # a random k (the production path) gives another signature that verifies just the same
    fresh = signing.sign_message(D_A, P_A, MESSAGE, user_id=USER_ID, curve=EXAMPLE_CURVE)
    assert fresh != R + S
    assert signing.verify_message(P_A, MESSAGE, fresh, user_id=USER_ID, curve=EXAMPLE_CURVE)


def test_signing_uses_the_recommended_curve_of_gb_t_32918_5_and_the_default_id():
    """Production signatures are on sm2p256v1 with the GM/T 0009 default ID 1234567812345678."""
    assert {k: v.lower() for k, v in sm2.default_ecc_table.items()} == RECOMMENDED_CURVE
    assert signing.DEFAULT_USER_ID == b"1234567812345678"


def test_signatures_made_before_z_was_computed_here_still_verify():
    """The Z computed here with the default ID equals gmssl's own: the same k gives the same
    signature as gmssl's sign_with_sm3, so signatures stored earlier stay valid."""
    private_key, public_key = signing.generate_keypair()
    digest = signing.sm3_hex(b"closing task 42")
    legacy = sm2.CryptSM2(private_key=private_key, public_key="")
    legacy.public_key = public_key
    old_signature = legacy.sign_with_sm3(bytes.fromhex(digest), K)
    assert old_signature
    assert signing.sign_message(private_key, public_key, bytes.fromhex(digest), k=K) == (
        old_signature
    )
    assert signing.verify_digest(public_key, digest, old_signature)


@pytest.mark.parametrize("sm3", [signing.sm3_hex, lambda data: gmt0021.sm3(data).hex()])
def test_sm3_gives_the_examples_of_gb_t_32905(sm3):
    """Both SM3 entry points (signatures, dynamic passwords) give the two GB/T 32905 digests."""
    assert sm3(b"abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    assert sm3(b"abcd" * 16) == ("debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732")


SM4_KEY = bytes.fromhex("0123456789abcdeffedcba9876543210")


def test_sm4_block_gives_the_examples_of_gb_t_32907():
    """The SM4 under crypto.py's SM4-GCM: example 1 (one block) and example 2 (10^6 times)."""
    # ECB here only to reach the bare block function the standard's examples are about
    encryptor = Cipher(algorithms.SM4(SM4_KEY), modes.ECB()).encryptor()  # noqa: S305
    block = encryptor.update(SM4_KEY)  # the example's plaintext equals its key
    assert block.hex() == "681edf34d206965e86b3e94f536e4246"
    for _ in range(999_999):
        block = encryptor.update(block)
    assert block.hex() == "595298c7c6fd271f0402f804c33d3f66"
    decryptor = Cipher(algorithms.SM4(SM4_KEY), modes.ECB()).decryptor()  # noqa: S305
    assert decryptor.update(bytes.fromhex("681edf34d206965e86b3e94f536e4246")) == SM4_KEY


def test_crypto_encrypt_is_sm4_gcm_over_that_block_cipher():
    """A value encrypted by crypto.encrypt decrypts with a plain SM4-GCM under the data key."""
    token = crypto.encrypt("党员信息", key=SM4_KEY)
    nonce, body, tag = token[1:13], token[13:-16], token[-16:]
    decryptor = Cipher(algorithms.SM4(SM4_KEY), modes.GCM(nonce, tag)).decryptor()
    assert (decryptor.update(body) + decryptor.finalize()).decode() == "党员信息"
