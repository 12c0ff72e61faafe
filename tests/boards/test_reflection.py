"""Work between meetings (`boards.reflection`): questions with a deadline, asynchronous
contributions and comments, visits and what changed since the previous one."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlmodel import select

from boards import items, reflection
from boards.access import Actor
from boards.clock import as_utc, utcnow
from boards.errors import InvalidInput, Locked, NotAllowed
from boards.events import board_stream, head, meeting_stream
from boards.models import (
    Action,
    AuditEntry,
    Comment,
    Decision,
    DecisionMethod,
    DocumentKind,
    DocumentVersion,
    Invite,
    Item,
    ItemKind,
    Meeting,
    MeetingMode,
    MeetingState,
    Process,
    Prompt,
)
from tests.boards.builders import person_actor, token
from tests.boards.test_item_ops import build_place


@pytest.fixture
def place(session):
    """build_place's meeting, ended, with its plenary known to the meeting."""
    place = build_place(session)
    place.meeting.plenary_board_id = place.plenary.id
    place.meeting.state = MeetingState.ended
    place.meeting.ended_at = utcnow()
    session.add(place.meeting)
    session.commit()
    return place


def actor(person) -> Actor:
    return person_actor(person) if person.account_id is None else Actor(token=token(), person=person)


def question(session, place, *, deadline=None, **fields) -> Prompt:
    event = reflection.open_question(session=session, actor=actor(place.facilitator),
                                     meeting_id=place.meeting.id, text="Cosa manca ancora?",
                                     deadline=deadline or utcnow() + timedelta(days=7))
    session.commit()
    prompt = session.get(Prompt, event.data["prompt"]["id"])
    for name, value in fields.items():
        setattr(prompt, name, value)
    session.add(prompt)
    session.commit()
    return prompt


def contribute(session, place, prompt, who="participant", text="Un punto di ascolto serale"):
    event = reflection.contribute(session=session, actor=actor(getattr(place, who)),
                                  prompt_id=prompt.id, text=text)
    session.commit()
    return event


def test_a_question_between_meetings_is_opened_on_the_meeting_stream_and_audited(session, place):
    before = head(session, meeting_stream(place.meeting.id))
    prompt = question(session, place)
    assert head(session, meeting_stream(place.meeting.id)) == before + 1
    assert prompt.deadline is not None and prompt.closed_at is None
    entry = session.exec(select(AuditEntry).where(AuditEntry.target == f"prompt:{prompt.id}")).one()
    assert entry.action == "reflection.open" and entry.detail["meeting"] == place.meeting.id


def test_an_answer_between_meetings_is_an_asynchronous_note_tied_to_the_question(session, place):
    prompt = question(session, place)
    before = head(session, board_stream(place.plenary.id))
    event = contribute(session, place, prompt)
    item = session.get(Item, event.data["item"]["id"])
    assert (event.name, event.stream, event.seq) == ("item.created", board_stream(place.plenary.id), before + 1)
    assert event.data["item"]["prompt"] == prompt.id and event.data["item"]["text"] == "Un punto di ascolto serale"
    assert (item.board_id, item.kind, item.prompt_id, item.asynchronous) == (
        place.plenary.id, ItemKind.note, prompt.id, True)
    second = contribute(session, place, prompt, "other", "Trasporti")
    # Side by side, not on top of each other.
    assert second.data["item"]["x"] > event.data["item"]["x"]
    assert second.data["item"]["y"] == event.data["item"]["y"]


def test_answers_before_a_scheduled_meeting_are_asynchronous_too(session, place):
    place.meeting.state = MeetingState.scheduled
    session.add(place.meeting)
    session.commit()
    prompt = question(session, place)
    item = session.get(Item, contribute(session, place, prompt).data["item"]["id"])
    assert item.asynchronous is True


@pytest.mark.parametrize(("field", "message"), [
    ("deadline", "The deadline of this question has passed: its answers stay readable"),
    ("closed_at", "This guiding question is closed: its answers stay readable"),
])
def test_after_the_deadline_or_once_closed_nothing_is_added(session, place, field, message):
    prompt = question(session, place)
    setattr(prompt, field, utcnow() - timedelta(minutes=1))
    session.add(prompt)
    session.commit()
    before = head(session, board_stream(place.plenary.id))
    with pytest.raises(Locked) as refused:
        contribute(session, place, prompt)
    session.rollback()
    assert refused.value.message == message
    assert head(session, board_stream(place.plenary.id)) == before
    assert session.exec(select(Item).where(Item.prompt_id == prompt.id)).all() == []


def test_empty_answers_and_observers_are_refused(session, place):
    prompt = question(session, place)
    with pytest.raises(InvalidInput):
        contribute(session, place, prompt, text="   ")
    session.rollback()
    with pytest.raises(NotAllowed):
        contribute(session, place, prompt, "observer")


def test_a_question_for_a_group_is_answered_on_its_board_and_only_by_its_members(session, place):
    prompt = question(session, place, group_ids=[place.group_board.group_id])
    event = contribute(session, place, prompt)  # `participant` is the group's member
    assert event.stream == board_stream(place.group_board.id)
    before = head(session, board_stream(place.group_board.id))
    with pytest.raises(NotAllowed) as refused:
        contribute(session, place, prompt, "other")
    session.rollback()
    assert refused.value.message == "This question is for other groups"
    assert head(session, board_stream(place.group_board.id)) == before
    # Who cannot read the group board does not see its answers either.
    seen = reflection.questions(session, person=place.other, meetings=[place.meeting])
    assert [(q.prompt.id, q.notes, q.board_id) for q in seen] == [(prompt.id, [], None)]
    mine = reflection.questions(session, person=place.participant, meetings=[place.meeting])
    assert [note.id for note in mine[0].notes] == [event.data["item"]["id"]]
    assert mine[0].board_id == place.group_board.id


def test_comments_on_a_group_board_need_its_group(session, place):
    prompt = question(session, place, group_ids=[place.group_board.group_id])
    item_id = contribute(session, place, prompt).data["item"]["id"]
    with pytest.raises(NotAllowed) as refused:
        reflection.comment(session=session, actor=actor(place.other), item_id=item_id, text="Posso?")
    session.rollback()
    assert refused.value.message == "This board belongs to another group"
    assert session.exec(select(Comment).where(Comment.item_id == item_id)).all() == []


def test_a_reply_to_a_comment_is_threaded_and_asynchronous(session, place):
    prompt = question(session, place)
    item_id = contribute(session, place, prompt).data["item"]["id"]
    first = reflection.comment(session=session, actor=actor(place.other), item_id=item_id,
                               text="Con quali orari?")
    session.commit()
    reply = reflection.comment(session=session, actor=actor(place.participant), item_id=item_id,
                               text="Dalle 18 alle 22", parent_id=first.data["comment"]["id"])
    session.commit()
    assert (reply.name, reply.stream) == ("comment.added", board_stream(place.plenary.id))
    assert reply.seq == first.seq + 1
    assert reply.data["comment"]["parent"] == first.data["comment"]["id"]
    rows = session.exec(select(Comment).where(Comment.item_id == item_id).order_by(Comment.id)).all()
    assert [(c.text, c.asynchronous) for c in rows] == [("Con quali orari?", True), ("Dalle 18 alle 22", True)]
    [board] = [b for b in reflection.meeting_notes(session, actor=actor(place.other), meeting=place.meeting)
               if b.board.id == place.plenary.id]
    [note] = board.notes
    assert [(c.text, [r.text for r in c.replies]) for c in note.comments] == [
        ("Con quali orari?", ["Dalle 18 alle 22"])]


def test_a_reply_must_answer_a_comment_of_the_same_note(session, place):
    prompt = question(session, place)
    first = contribute(session, place, prompt).data["item"]["id"]
    second = contribute(session, place, prompt, "other").data["item"]["id"]
    comment = reflection.comment(session=session, actor=actor(place.other), item_id=first, text="Sì")
    session.commit()
    with pytest.raises(InvalidInput):
        reflection.comment(session=session, actor=actor(place.other), item_id=second, text="No",
                           parent_id=comment.data["comment"]["id"])


def test_only_facilitators_open_questions_with_a_deadline_on_meetings_not_running(session, place):
    with pytest.raises(NotAllowed):
        reflection.open_question(session=session, actor=actor(place.participant), meeting_id=place.meeting.id,
                                 text="Io?", deadline=utcnow() + timedelta(days=1))
    session.rollback()
    with pytest.raises(InvalidInput) as missing:
        reflection.open_question(session=session, actor=actor(place.facilitator), meeting_id=place.meeting.id,
                                 text="Senza scadenza", deadline=None)
    session.rollback()
    assert missing.value.params == {"field": "deadline"}
    with pytest.raises(InvalidInput):
        reflection.open_question(session=session, actor=actor(place.facilitator), meeting_id=place.meeting.id,
                                 text="Nel passato", deadline=utcnow() - timedelta(hours=1))
    session.rollback()
    place.meeting.state = MeetingState.live
    session.add(place.meeting)
    session.commit()
    with pytest.raises(Locked):
        reflection.open_question(session=session, actor=actor(place.facilitator), meeting_id=place.meeting.id,
                                 text="Adesso", deadline=utcnow() + timedelta(days=1))


def test_closing_a_question_keeps_it_readable_and_is_audited(session, place):
    prompt = question(session, place)
    item_id = contribute(session, place, prompt).data["item"]["id"]
    event = reflection.close_question(session=session, actor=actor(place.facilitator), prompt_id=prompt.id)
    session.commit()
    assert (event.name, event.data) == ("prompt.closed", {"prompt": prompt.id})
    [seen] = reflection.questions(session, person=place.other, meetings=[place.meeting])
    assert (seen.state, seen.board_id, [n.id for n in seen.notes]) == ("closed", None, [item_id])
    assert session.exec(select(AuditEntry.action).where(AuditEntry.target == f"prompt:{prompt.id}")
                        .order_by(AuditEntry.id)).all() == ["reflection.open", "reflection.close"]


def test_questions_list_open_ones_first_then_expired_and_closed(session, place):
    later = question(session, place, deadline=utcnow() + timedelta(days=9))
    sooner = question(session, place, deadline=utcnow() + timedelta(days=2))
    expired = question(session, place)
    expired.deadline = utcnow() - timedelta(days=1)
    session.add(expired)
    session.commit()
    seen = reflection.questions(session, person=place.participant, meetings=[place.meeting])
    assert [(q.prompt.id, q.state) for q in seen] == [
        (sooner.id, "open"), (later.id, "open"), (expired.id, "expired")]


def test_a_visit_starts_after_a_pause(session, place):
    person = place.participant
    start = utcnow()
    assert reflection.record_visit(session, person=person, now=start) is None
    # Within the pause: the same visit, "since" does not move.
    assert reflection.record_visit(session, person=person, now=start + timedelta(minutes=20)) is None
    back = start + timedelta(minutes=20) + reflection.VISIT_PAUSE
    assert reflection.record_visit(session, person=person, now=back) == start + timedelta(minutes=20)
    assert as_utc(person.last_visit_at) == back
    assert reflection.record_visit(session, person=person, now=back + timedelta(minutes=1)) == (
        start + timedelta(minutes=20))


def test_a_first_visit_has_no_changes(session, place):
    question(session, place)
    changes = reflection.changes_since(session, person=place.participant, since=None, meetings=[place.meeting])
    assert changes.first_visit and changes.total == 0


def test_changes_since_the_previous_visit(session, place):
    me, other = place.participant, place.other
    old_prompt = question(session, place)
    my_note = contribute(session, place, old_prompt, "participant", "Mia nota").data["item"]["id"]
    contribute(session, place, old_prompt, "other", "Prima della visita")
    since = utcnow()
    new_prompt = question(session, place, deadline=utcnow() + timedelta(days=3))
    theirs = contribute(session, place, new_prompt, "other", "Dopo la visita").data["item"]["id"]
    contribute(session, place, new_prompt, "participant", "Anche mia")  # mine: not a change for me

    def say(who, item_id, text, parent=None):
        event = reflection.comment(session=session, actor=actor(who), item_id=item_id, text=text,
                                   parent_id=parent)
        session.commit()
        return event.data["comment"]["id"]

    on_my_note = say(other, my_note, "Commento alla tua nota")
    my_comment = say(me, theirs, "Mio commento")
    reply = say(other, theirs, "Risposta al tuo commento", my_comment)
    elsewhere = say(place.facilitator, theirs, "Commento generico")
    decision = Decision(meeting_id=place.meeting.id, text="Si apre lo sportello", method=DecisionMethod.consensus,
                        outcome="approvata", recorded_by=place.secretary.id)
    action = Action(meeting_id=place.meeting.id, text="Bozza del regolamento", owner_id=me.organization_id,
                    created_by=place.secretary.id)
    minutes = DocumentVersion(kind=DocumentKind.minutes, process_id=place.meeting.process_id,
                              meeting_id=place.meeting.id, version=1, markdown="# Verbale", approved_at=utcnow())
    draft = DocumentVersion(kind=DocumentKind.minutes, process_id=place.meeting.process_id,
                            meeting_id=place.meeting.id, version=0, markdown="# Bozza")
    scheduled = Meeting(process_id=place.meeting.process_id, number=2, title="Secondo incontro",
                        starts_at=utcnow() + timedelta(days=20), mode=MeetingMode.in_person)
    session.add_all([decision, action, minutes, draft, scheduled])
    session.commit()
    # A note on the group board, which `participant` reads and `other` does not.
    place.meeting.state = MeetingState.scheduled
    session.add(place.meeting)
    session.commit()
    hidden = items.create_item(session=session, board=place.group_board, actor_person=place.facilitator,
                               kind=ItemKind.note, x=0, y=0, text="Nel gruppo").data["item"]["id"]
    session.commit()

    changes = reflection.changes_since(session, person=me, since=since,
                                       meetings=[place.meeting, scheduled])
    listed = {kind: [(c.id, c.text) for c in entries] for kind, entries in changes.entries.items()}
    assert listed == {
        "replies": [(on_my_note, "Commento alla tua nota"), (reply, "Risposta al tuo commento")],
        "contributions": [(theirs, "Dopo la visita"), (hidden, "Nel gruppo")],
        "comments": [(elsewhere, "Commento generico")],
        "questions": [(new_prompt.id, "Cosa manca ancora?")],
        "decisions": [(decision.id, "Si apre lo sportello")],
        "actions": [(action.id, "Bozza del regolamento")],
        "minutes": [(minutes.id, None)],
        "meetings": [(scheduled.id, "Secondo incontro")],
    }
    assert changes.counts == {"replies": 2, "contributions": 2, "comments": 1, "questions": 1,
                              "decisions": 1, "actions": 1, "minutes": 1, "meetings": 1}
    assert changes.total == 10 and not changes.first_visit
    assert changes.entries["replies"][0].item_id == my_note
    assert changes.entries["minutes"][0].version == 1
    # The other participant does not read the group board.
    theirs_view = reflection.changes_since(session, person=other, since=since, meetings=[place.meeting])
    assert hidden not in [c.id for c in theirs_view.entries["contributions"]]
    # For them, my comment and the facilitator's on their note are the replies.
    assert [c.id for c in theirs_view.entries["replies"]] == [my_comment, elsewhere]


def test_invited_people_see_the_meetings_of_their_invite(session, place):
    second = Meeting(process_id=place.meeting.process_id, number=2, title="Secondo",
                     starts_at=utcnow(), mode=MeetingMode.online)
    session.add(second)
    session.commit()
    session.add(Invite(process_id=second.process_id, person_id=place.other.id, secret_hash=uuid.uuid4().hex,
                       meetings=[second.id], created_by=session.get(Process, second.process_id).created_by))
    session.commit()
    assert [m.id for m in reflection.admitted_meetings(session, place.other)] == [second.id]
    assert [m.id for m in reflection.admitted_meetings(session, place.facilitator)] == [
        place.meeting.id, second.id]
