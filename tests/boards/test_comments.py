"""Comments on items (`boards.comments`)."""

from __future__ import annotations

import pytest

from boards import comments, items
from boards.errors import InvalidInput, Locked, NotAllowed, NotFound
from boards.models import Comment, ItemKind, MeetingState
from tests.boards.test_item_ops import build_place


@pytest.fixture
def place(session):
    return build_place(session)


def note(session, place, who="participant"):
    event = items.create_item(session=session, board=place.plenary, actor_person=getattr(place, who),
                              kind=ItemKind.note, x=0, y=0, text="Bisogno")
    session.commit()
    return event.data["item"]["id"]


def add(session, place, who="other", **fields):
    event = comments.add_comment(session=session, board=place.plenary, actor_person=getattr(place, who),
                                 **fields)
    session.commit()
    return event


def test_comments_and_answers_record_their_event(session, place):
    item_id = note(session, place)
    first = add(session, place, item_id=item_id, text=" D'accordo ")
    answer = add(session, place, "participant", item_id=item_id, text="Grazie", parent_id=first.data["comment"]["id"])
    assert first.name == "comment.added" and first.seq == 2
    assert first.data["comment"] == {"id": first.data["comment"]["id"], "item": item_id, "parent": None,
                                     "text": "D'accordo", "author": place.other.id,
                                     "organization": place.other.organization_id}
    assert answer.data["comment"]["parent"] == first.data["comment"]["id"]


@pytest.mark.parametrize(("fields", "error"), [
    ({"text": ""}, InvalidInput), ({"text": "x" * 2001}, InvalidInput),
    ({"text": "ok", "parent_id": 999999}, InvalidInput), ({"text": "ok", "item_id": 999999}, NotFound),
])
def test_invalid_comments_are_refused(session, place, fields, error):
    fields = {"item_id": note(session, place), **fields}
    with pytest.raises(error):
        add(session, place, **fields)


def test_observers_may_not_comment_and_locked_boards_refuse_comments(session, place):
    item_id = note(session, place)
    with pytest.raises(NotAllowed):
        add(session, place, "observer", item_id=item_id, text="no")
    session.rollback()
    place.plenary.locked = True
    session.add(place.plenary)
    session.commit()
    with pytest.raises(Locked):
        add(session, place, item_id=item_id, text="no")
    session.rollback()
    add(session, place, "facilitator", item_id=item_id, text="sì")


def test_comments_are_still_welcome_after_the_meeting_ends(session, place):
    item_id = note(session, place)
    place.meeting.state = MeetingState.ended
    session.add(place.meeting)
    session.commit()
    event = add(session, place, item_id=item_id, text="Ci ho ripensato")
    assert session.get(Comment, event.data["comment"]["id"]).asynchronous
