"""The facilitator's board controls (`boards.board_controls`): lock, private mode and its
reveal (redaction in events and snapshots), and extra boards."""

from __future__ import annotations

import pytest

from boards import board_controls, items
from boards.errors import InvalidInput, Locked, NotAllowed
from boards.items import PRIVATE_AUTHOR, board_state
from boards.models import Board, BoardKind, ItemKind, MeetingState
from tests.boards.workshop import build_workshop


@pytest.fixture
def workshop(session):
    return build_workshop(session)


def control(session, workshop, function, who=None):
    event = function(session=session, board=workshop.plenary, actor_person=who or workshop.facilitator)
    session.commit()
    return event


def create(session, workshop, person, text="segreto"):
    event = items.create_item(session=session, board=workshop.plenary, actor_person=person, kind=ItemKind.note,
                              x=0, y=0, text=text)
    session.commit()
    return event


def test_a_locked_board_refuses_everyone_but_facilitators(session, workshop):
    assert control(session, workshop, board_controls.lock_board).name == "board.locked"
    for person in (workshop.participants[0], workshop.secretary):
        with pytest.raises(Locked):
            create(session, workshop, person)
        session.rollback()
    create(session, workshop, workshop.facilitator)
    with pytest.raises(InvalidInput):
        control(session, workshop, board_controls.lock_board)
    session.rollback()
    assert control(session, workshop, board_controls.unlock_board).name == "board.unlocked"
    create(session, workshop, workshop.participants[0])
    with pytest.raises(NotAllowed):
        control(session, workshop, board_controls.lock_board, who=workshop.secretary)


def test_private_items_are_redacted_for_others_until_the_reveal(session, workshop):
    author, other = workshop.participants[:2]
    before = create(session, workshop, author, "pubblica").data["item"]["id"]
    assert control(session, workshop, board_controls.start_private).name == "private.started"
    event = create(session, workshop, author)
    hidden = event.data["item"]["id"]
    assert event.data[PRIVATE_AUTHOR] == author.id and event.data["item"]["text"] == "segreto"
    # Changing a public item while private makes it private too.
    update = items.update_item(session=session, board=workshop.plenary, actor_person=author, item_id=before,
                               fields={"color": "green"})
    session.commit()
    assert update.data[PRIVATE_AUTHOR] == author.id

    def texts(viewer):
        return {item["id"]: (item["text"], item.get("redacted", False))
                for item in board_state(session, workshop.plenary, viewer)["items"]}

    assert texts(other) == {before: (None, True), hidden: (None, True)}
    assert texts(workshop.observer) == texts(other)
    for viewer in (author, workshop.facilitator, workshop.secretary):
        assert texts(viewer) == {before: ("pubblica", False), hidden: ("segreto", False)}
    assert board_state(session, workshop.plenary, other)["private"] is True

    revealed = control(session, workshop, board_controls.reveal_private)
    assert revealed.name == "private.revealed"
    assert [(i["id"], i["text"]) for i in revealed.data["items"]] == [(before, "pubblica"), (hidden, "segreto")]
    assert texts(other) == {before: ("pubblica", False), hidden: ("segreto", False)}
    assert session.get(Board, workshop.plenary.id).private is False
    after = create(session, workshop, author, "dopo")
    assert PRIVATE_AUTHOR not in after.data
    with pytest.raises(InvalidInput):
        control(session, workshop, board_controls.reveal_private)


def test_board_controls_are_for_facilitators_and_stop_with_the_meeting(session, workshop):
    for function in (board_controls.start_private, board_controls.lock_board):
        for person in (workshop.secretary, workshop.participants[0], workshop.observer):
            with pytest.raises(NotAllowed):
                control(session, workshop, function, who=person)
            session.rollback()
    workshop.meeting.state = MeetingState.ended
    session.add(workshop.meeting)
    session.commit()
    with pytest.raises(Locked):
        control(session, workshop, board_controls.start_private)


def test_extra_boards_are_created_with_or_without_a_template(session, workshop):
    [created] = board_controls.create_board(session=session, meeting=workshop.meeting,
                                            actor_person=workshop.facilitator, title="  Idee  libere ")
    session.commit()
    assert created.name == "board.created" and created.stream == f"meeting:{workshop.meeting.id}"
    board = session.get(Board, created.data["board"]["id"])
    assert (board.kind, board.title, created.data["board"]["title"]) == (BoardKind.extra, "Idee libere", "Idee libere")
    events = board_controls.create_board(session=session, meeting=workshop.meeting, actor_person=workshop.facilitator,
                                         title="SWOT", template="swot", lang="en")
    session.commit()
    *laid, made = events
    assert made.name == "board.created"
    assert {e.stream for e in laid} == {f"board:{made.data['board']['id']}"}
    assert [e.seq for e in laid] == list(range(1, len(laid) + 1))
    assert "Strengths" in [e.data["item"]["text"] for e in laid]
    for template in ("nope", "SWOT"):
        with pytest.raises(InvalidInput):
            board_controls.create_board(session=session, meeting=workshop.meeting, actor_person=workshop.facilitator,
                                        title="x", template=template)
        session.rollback()
    with pytest.raises(NotAllowed):
        board_controls.create_board(session=session, meeting=workshop.meeting, actor_person=workshop.secretary,
                                    title="x")
