"""boards.secrets: random secrets with enough entropy, join codes people can type, digests."""

from __future__ import annotations

import hashlib
import math
import string

from boards.secrets import CODE_ALPHABET, CODE_LENGTH, digest, new_code, new_token, normalise_code


def test_tokens_carry_at_least_128_random_bits():
    tokens = {new_token() for _ in range(100)}
    assert len(tokens) == 100
    for token in tokens:
        assert set(token) <= set(string.ascii_letters + string.digits + "-_")
        assert len(token) * 6 >= 128


def test_join_codes_use_an_unambiguous_alphabet():
    assert not set(CODE_ALPHABET) & set("0O1IL")
    assert len(set(CODE_ALPHABET)) == len(CODE_ALPHABET)
    assert CODE_LENGTH >= 8
    # Guessing one among ~2e14 codes, ten failures per quarter hour: not a practical attack.
    assert CODE_LENGTH * math.log2(len(CODE_ALPHABET)) > 40
    codes = {new_code() for _ in range(100)}
    assert len(codes) == 100
    assert all(len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET) for code in codes)


def test_codes_are_typed_with_spaces_dashes_and_lower_case():
    assert normalise_code(" bcd-fgh jkm n ") == "BCDFGHJKMN"


def test_digests_are_sha256_hex():
    assert digest("segreto") == hashlib.sha256(b"segreto").hexdigest()
    assert len(digest(new_token())) == 64
