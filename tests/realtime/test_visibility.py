"""Visibility classes: who sees what of an event, and encoding once per class."""

from __future__ import annotations

from boards.items import PRIVATE_AUTHOR
from boards.models import PersonRole
from realtime.streams import LogEvent
from realtime.visibility import EVERYONE, REDACTED, SECRET, Viewer, class_of, data_for, event_frame

AUTHOR = Viewer(7, PersonRole.participant)
OTHER = Viewer(8, PersonRole.participant)
SECRETARY = Viewer(9, PersonRole.secretary)
OBSERVER = Viewer(10, PersonRole.observer)


def created(private: bool) -> LogEvent:
    data = {"item": {"id": 1, "text": "Un segreto", "author": 7}}
    if private:
        data[PRIVATE_AUTHOR] = 7
    return LogEvent("board:4", 3, "item.created", data, 7, 2, "op-1", "2026-11-22T10:00:00Z")


def test_public_events_have_one_class_and_no_server_notes():
    event = created(private=False)
    assert {class_of(event, v) for v in (AUTHOR, OTHER, SECRETARY, OBSERVER)} == {EVERYONE}
    frame = event_frame(event, EVERYONE)
    assert frame == {"type": "event", "stream": "board:4", "seq": 3, "name": "item.created",
                     "data": {"item": {"id": 1, "text": "Un segreto", "author": 7}},
                     "actor": {"participant": 7, "organization": 2}, "op": "op-1",
                     "at": "2026-11-22T10:00:00Z"}


def test_private_items_are_redacted_for_everyone_but_author_and_staff():
    event = created(private=True)
    assert class_of(event, AUTHOR) == class_of(event, SECRETARY) == EVERYONE
    assert class_of(event, OTHER) == class_of(event, OBSERVER) == REDACTED
    assert data_for(event, OTHER)["item"] == {"id": 1, "text": None, "author": 7, "redacted": True}
    assert data_for(event, AUTHOR) == {"item": {"id": 1, "text": "Un segreto", "author": 7}}
    assert event.data["item"]["text"] == "Un segreto"  # the stored event is untouched


def test_private_updates_redact_the_text_field_even_when_untouched():
    event = LogEvent("meeting:1", 4, "item.updated",
                     {"item": 1, "fields": {"color": "blue"}, "version": 3, PRIVATE_AUTHOR: 7},
                     9, None, None, "2026-11-22T10:00:00Z")
    assert event_frame(event, REDACTED)["stream"] == "meeting"
    assert data_for(event, OTHER) == {"item": 1, "fields": {"color": "blue", "text": None, "redacted": True},
                                      "version": 3}


FACILITATOR = Viewer(11, PersonRole.facilitator)


def vote(name: str = "vote.cast") -> LogEvent:
    return LogEvent("board:4", 5, name, {"item": 3}, 7, 2, "anna-vota-1", "2026-11-22T10:00:00Z")


def test_votes_are_whole_for_the_voter_and_facilitators_only():
    for name in ("vote.cast", "vote.retracted"):
        event = vote(name)
        assert class_of(event, AUTHOR) == class_of(event, FACILITATOR) == EVERYONE
        assert {class_of(event, v) for v in (OTHER, SECRETARY, OBSERVER)} == {SECRET}
        whole = event_frame(event, EVERYONE)
        assert (whole["data"], whole["actor"], whole["op"]) == ({"item": 3}, {"participant": 7, "organization": 2},
                                                                "anna-vota-1")
        secret = event_frame(event, SECRET)
        # Someone voted: nobody knows who nor for what, and the seq stays.
        assert (secret["data"], secret["actor"], secret["op"], secret["seq"]) == ({"item": None}, None, None, 5)
        assert event.data == {"item": 3}
