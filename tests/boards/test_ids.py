"""boards.ids: ids from outside, which may be any number, never reach the driver unchecked."""

from __future__ import annotations

import pytest

from boards.ids import MAX_ID, fetch
from boards.models import Process
from tests.boards.builders import process, staff_actor


def test_a_real_id_finds_its_row(session):
    created = process(session, staff_actor(session))
    assert fetch(session, Process, created.id) is created


@pytest.mark.parametrize("value", [0, -1, MAX_ID + 1, 2**63, 10**40, True, "1", 1.0, None])
def test_anything_that_cannot_be_an_id_finds_nothing(session, value):
    assert fetch(session, Process, value) is None


def test_the_largest_id_is_a_postgresql_integer(session):
    assert MAX_ID == 2**31 - 1
    assert fetch(session, Process, MAX_ID) is None
