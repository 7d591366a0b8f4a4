from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from teams.public_ids import decode_public_id, encode_member_id


@given(st.integers(min_value=1, max_value=2**53 - 1))
def test_it_round_trips_every_member_id(member_id):
    public = encode_member_id(member_id)
    assert public.startswith("user_")
    assert decode_public_id(public) == member_id


def test_it_does_not_reveal_the_sequence():
    assert encode_member_id(1) != "user_1"
    assert encode_member_id(2)[5:] != encode_member_id(1)[5:]


def test_it_rejects_text_that_is_not_a_public_id():
    for text in ["user_", "user_ABC", "usr_abc", "42", "user_" + "z" * 14, "user_zzzzzzzzzzzzz"]:
        assert decode_public_id(text) is None
