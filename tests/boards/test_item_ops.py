"""Board ops on items (`boards.items`, the live-change functions): roles, locks, the end of
the meeting, validation, versions, and the event each change records."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlmodel import Session, select

from boards import items
from boards.clock import utcnow
from boards.errors import InvalidInput, Locked, NotAllowed, NotFound
from boards.events import head
from boards.models import (
    Account,
    AccountRole,
    Board,
    BoardKind,
    BreakoutGroup,
    Event,
    GroupMember,
    Item,
    ItemKind,
    Meeting,
    MeetingMode,
    MeetingState,
    Organization,
    OrganizationKind,
    Person,
    PersonRole,
    Process,
    ProcessKind,
    Prompt,
)


@pytest.fixture
def place(session: Session) -> SimpleNamespace:
    return build_place(session)


def build_place(session: Session) -> SimpleNamespace:
    """A meeting with its plenary board, a group board, and one person of each role."""
    account = Account(email=f"f{id(session)}-{utcnow().timestamp()}@example.org", name="Giulia",
                      role=AccountRole.facilitator, password_hash="-")
    session.add(account)
    session.flush()
    process = Process(title="Percorso", kind=ProcessKind.co_design, created_by=account.id)
    session.add(process)
    session.flush()
    organization = Organization(process_id=process.id, name="Cooperativa", kind=OrganizationKind.third_sector)
    session.add(organization)
    session.flush()
    people = {}
    for role in ("facilitator", "secretary", "participant", "observer"):
        people[role] = Person(process_id=process.id, name=role.title(), role=PersonRole(role),
                              organization_id=organization.id)
        session.add(people[role])
    people["other"] = Person(process_id=process.id, name="Other", role=PersonRole.participant,
                             organization_id=organization.id)
    session.add(people["other"])
    meeting = Meeting(process_id=process.id, number=1, title="Primo", starts_at=utcnow(),
                      mode=MeetingMode.online)
    session.add(meeting)
    session.flush()
    plenary = Board(meeting_id=meeting.id, title="Plenaria", kind=BoardKind.plenary)
    group = BreakoutGroup(meeting_id=meeting.id, name="Gruppo 1", position=1)
    session.add_all([plenary, group])
    session.flush()
    group_board = Board(meeting_id=meeting.id, title="Gruppo 1", kind=BoardKind.group, group_id=group.id)
    session.add(group_board)
    session.flush()
    session.add(GroupMember(group_id=group.id, person_id=people["participant"].id))
    session.commit()
    return SimpleNamespace(meeting=meeting, plenary=plenary, group_board=group_board, **people)


def create(session, place, who="participant", board=None, **fields):
    fields = {"kind": ItemKind.note, "x": 10, "y": 20, **fields}
    event = items.create_item(session=session, board=board or place.plenary,
                              actor_person=getattr(place, who), **fields)
    session.commit()
    return event


def test_create_records_the_item_and_its_event_in_one_transaction(session, place):
    event = create(session, place, text="  Servono più  posti letto \u202e ", color="#ffcc00")
    item = session.get(Item, event.data["item"]["id"])
    assert (event.stream, event.seq, event.name) == (f"board:{place.plenary.id}", 1, "item.created")
    assert event.data == {"item": items.item_view(item, place.participant)}
    assert item.text == "Servono più  posti letto" and item.version == 1
    assert (item.author_id, item.organization_id, item.w, item.h) == (
        place.participant.id, place.participant.organization_id, 200.0, 200.0)
    assert event.actor_person_id == place.participant.id


@pytest.mark.parametrize("fields", [
    {"text": "x" * 2001}, {"color": "url(javascript:alert(1))"}, {"x": float("nan")},
    {"w": 0}, {"h": -3}, {"y": 10**9}, {"frame": 999999}, {"prompt": 999999},
])
def test_invalid_creations_change_nothing(session, place, fields):
    if "frame" in fields:
        fields = {"frame_id": fields["frame"]}
    if "prompt" in fields:
        fields = {"prompt_id": fields["prompt"]}
    with pytest.raises((InvalidInput, NotFound)):
        create(session, place, **fields)
    session.rollback()
    assert head(session, f"board:{place.plenary.id}") == 0
    assert session.exec(select(Item).where(Item.board_id == place.plenary.id)).all() == []


def test_observers_and_outsiders_of_a_group_may_not_write(session, place):
    with pytest.raises(NotAllowed):
        create(session, place, "observer")
    session.rollback()
    with pytest.raises(NotAllowed):
        create(session, place, "other", board=place.group_board)
    session.rollback()
    for who in ("participant", "secretary", "facilitator"):
        create(session, place, who, board=place.group_board)


def test_participants_change_and_delete_their_own_items_but_move_any(session, place):
    item_id = create(session, place, "other").data["item"]["id"]
    for change in (
        lambda: items.update_item(session=session, board=place.plenary, actor_person=place.participant,
                                  item_id=item_id, fields={"text": "mine now"}),
        lambda: items.delete_item(session=session, board=place.plenary, actor_person=place.secretary,
                                  item_id=item_id),
    ):
        with pytest.raises(NotAllowed):
            change()
        session.rollback()
    moved = items.move_item(session=session, board=place.plenary, actor_person=place.participant,
                            item_id=item_id, x=5, y=6)
    session.commit()
    assert moved.data == {"item": item_id, "x": 5.0, "y": 6.0, "version": 2}
    updated = items.update_item(session=session, board=place.plenary, actor_person=place.facilitator,
                                item_id=item_id, fields={"color": "blue", "w": 300})
    session.commit()
    assert updated.data == {"item": item_id, "fields": {"color": "blue", "w": 300.0}, "version": 3}
    deleted = items.delete_item(session=session, board=place.plenary, actor_person=place.other,
                                item_id=item_id)
    session.commit()
    assert deleted.data == {"item": item_id}
    with pytest.raises(NotFound):
        items.move_item(session=session, board=place.plenary, actor_person=place.other,
                        item_id=item_id, x=0, y=0)


def test_updates_set_only_their_fields_and_every_change_counts_a_version(session, place):
    item_id = create(session, place, text="prima").data["item"]["id"]
    frame_id = create(session, place, kind=ItemKind.frame).data["item"]["id"]
    for fields in ({"text": "seconda"}, {"frame": frame_id}, {"color": "green"}, {"frame": None}):
        items.update_item(session=session, board=place.plenary, actor_person=place.participant,
                          item_id=item_id, fields=fields)
        session.commit()
    item = session.get(Item, item_id)
    assert (item.text, item.color, item.frame_id, item.version) == ("seconda", "green", None, 5)
    for fields in ({}, {"x": 3}, {"frame": item_id}, {"frame": 2**40}, {"text": 5}):
        with pytest.raises((InvalidInput, NotFound)):
            items.update_item(session=session, board=place.plenary, actor_person=place.participant,
                              item_id=item_id, fields=fields)
        session.rollback()
    assert [e.seq for e in session.exec(select(Event).where(Event.stream == f"board:{place.plenary.id}").order_by(Event.seq))] == [
        1, 2, 3, 4, 5, 6]


def test_a_locked_board_refuses_all_but_facilitators(session, place):
    item_id = create(session, place).data["item"]["id"]
    place.plenary.locked = True
    session.add(place.plenary)
    session.commit()
    with pytest.raises(Locked):
        items.move_item(session=session, board=place.plenary, actor_person=place.participant,
                        item_id=item_id, x=1, y=1)
    session.rollback()
    with pytest.raises(Locked):
        create(session, place, "secretary")
    session.rollback()
    create(session, place, "facilitator")


def test_after_the_end_only_answers_to_a_prompt_still_open(session, place):
    item_id = create(session, place).data["item"]["id"]
    open_prompt = Prompt(meeting_id=place.meeting.id, text="Cosa manca?", deadline=utcnow() + timedelta(days=7))
    past_prompt = Prompt(meeting_id=place.meeting.id, text="Ieri?", deadline=utcnow() - timedelta(days=1))
    session.add_all([open_prompt, past_prompt])
    place.meeting.state = MeetingState.ended
    session.add(place.meeting)
    session.commit()
    for change in (
        lambda: create(session, place),
        lambda: create(session, place, prompt_id=past_prompt.id),
        lambda: create(session, place, "facilitator"),
        lambda: items.move_item(session=session, board=place.plenary, actor_person=place.facilitator,
                                item_id=item_id, x=1, y=1),
        lambda: items.delete_item(session=session, board=place.plenary, actor_person=place.participant,
                                  item_id=item_id),
    ):
        with pytest.raises(Locked):
            change()
        session.rollback()
    event = create(session, place, prompt_id=open_prompt.id, text="Un trasporto")
    item = session.get(Item, event.data["item"]["id"])
    assert item.asynchronous and event.data["item"]["prompt"] == open_prompt.id


def test_items_made_in_private_mode_are_marked_for_redaction(session, place):
    place.plenary.private = True
    session.add(place.plenary)
    session.commit()
    event = create(session, place, text="segreto")
    assert event.data[items.PRIVATE_AUTHOR] == place.participant.id
    item = session.get(Item, event.data["item"]["id"])
    assert items.item_view(item, place.other)["text"] is None
    assert items.item_view(item, place.secretary)["text"] == "segreto"


def test_a_move_reaches_the_item_the_session_already_holds(session, place):
    item_id = create(session, place).data["item"]["id"]
    item = session.get(Item, item_id)
    items.move_item(session=session, board=place.plenary, actor_person=place.other, item_id=item_id, x=7, y=8)
    session.commit()
    assert (item.x, item.y, item.version) == (7.0, 8.0, 2)


def test_the_snapshot_shows_each_live_item_as_item_view_and_the_comments_on_them(session, place):
    from boards.comments import add_comment

    kept = create(session, place, "other", text="visibile").data["item"]["id"]
    gone = create(session, place, text="tolto").data["item"]["id"]
    for item_id in (kept, gone):
        add_comment(session=session, board=place.plenary, actor_person=place.participant, item_id=item_id,
                    text=f"su {item_id}")
    place.plenary.private = True
    session.add(place.plenary)
    session.commit()
    create(session, place, "other", text="segreto", kind=ItemKind.text)
    items.delete_item(session=session, board=place.plenary, actor_person=place.participant, item_id=gone)
    session.commit()
    for viewer in (place.participant, place.other, place.secretary):
        state = items.board_state(session, place.plenary, viewer)
        live = items.live_items(session, place.plenary.id)
        assert state["items"] == [items.item_view(item, viewer) for item in live]
        assert [item["text"] for item in state["items"]] == (
            ["visibile", None] if viewer is place.participant else ["visibile", "segreto"])
        assert [(c["item"], c["text"]) for c in state["comments"]] == [(kept, f"su {kept}")]
    assert items.board_state(session, place.group_board, place.participant)["items"] == []


def test_a_held_stream_is_forgotten_when_its_transaction_ends(session, place):
    stream = f"board:{place.plenary.id}"
    items.hold_stream(session, stream)
    assert items.holds_stream(session, stream) and not items.holds_stream(session, "board:0")
    session.commit()
    assert not items.holds_stream(session, stream)
    session.get(Board, place.plenary.id)  # a new transaction
    assert not items.holds_stream(session, stream)
