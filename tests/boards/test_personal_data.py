"""boards.personal_data: erasing a person pseudonymises them everywhere but in approved
versions, which stay byte for byte (GDPR art. 17(3)(b)); a person's data can be exported;
the retention run erases the people of processes over long enough ago."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from boards import minutes, minutes_versions, personal_data, pseudonyms, synthesis, versions
from boards.errors import InvalidInput, NotAllowed, NotFound
from boards.events import meeting_stream
from boards.models import (
    AccountRole,
    Attendance,
    AuditEntry,
    Board,
    AuthToken,
    Comment,
    DocumentVersion,
    Event,
    Invite,
    Item,
    Meeting,
    MeetingState,
    OpReceipt,
    Representation,
    Vote,
    VotingRound,
)
from tests.boards.builders import invited, meeting, organization, person_actor, process, staff_actor
from tests.boards.test_minutes import ENDED, Record, note
from tests.boards.test_minutes import record  # noqa: F401 - the fixture

NAME = "Anna Rossi"
BODY = "Fondazione Anna Rossi"


def names_her(text: str) -> bool:
    """Whether the text names Anna Rossi, but for the organisation named after her."""
    text = text.replace(BODY, "")
    return "Anna" in text or "Rossi" in text


def _texts(session, record: Record) -> list[str]:
    """Every free text of the meeting that could name someone."""
    session.flush()
    boards = select(Board.id).where(Board.meeting_id == record.meeting.id)
    items = select(Item.id).where(Item.board_id.in_(boards))
    rows = (session.exec(select(Item.text).where(Item.board_id.in_(boards))).all()
            + session.exec(select(Comment.text).where(Comment.item_id.in_(items))).all())
    drafts = session.exec(select(DocumentVersion).where(DocumentVersion.process_id == record.meeting.process_id,
                                                        DocumentVersion.version == 0)).all()
    return list(rows) + [d.markdown for d in drafts] + [d.generated or "" for d in drafts]


@pytest.fixture
def erasable(session, record):  # noqa: F811 - the fixture
    """The record with Anna Rossi named by others, her invite and session, an approved
    verbale naming her, and drafts (verbale and synthesis) naming her."""
    anna, bruno = record.people["anna"], record.people["bruno"]
    process_id = record.meeting.process_id
    organization(session, record.facilitator, process_id, name=BODY)
    anna.email = "anna.rossi@example.org"
    invite = session.exec(select(Invite).where(Invite.person_id == anna.id)).one()
    invite.email = anna.email
    session.add(AuthToken(token_hash=f"anna-{anna.id}", person_id=anna.id, invite_id=invite.id,
                          expires_at=ENDED + timedelta(days=30)))
    session.add(OpReceipt(person_id=anna.id, op_id="op-1", stream="board:1", seq=1, result={"text": NAME}))
    mention = note(session, _plenary(session, record), bruno, "Come ha detto Anna Rossi: e Rossi ha ragione")
    session.add(Comment(item_id=mention.id, text="D'accordo con Anna", author_id=bruno.id))
    approved_draft = minutes_versions.current_draft(session, actor=record.facilitator, meeting_id=record.meeting.id)
    assert NAME in approved_draft.document.markdown
    approved = minutes_versions.approve(session, actor=record.facilitator, meeting_id=record.meeting.id)
    minutes_versions.save_draft(session, actor=record.facilitator, meeting_id=record.meeting.id,
                                markdown=approved.markdown + "\nNota della segretaria: sentire Anna Rossi.\n")
    synthesis.add_statement(session, actor=record.facilitator, process_id=process_id,
                            text="Proposta di Anna Rossi: un centro diurno")
    synthesis.draft(session, actor=record.facilitator, process_id=process_id)
    session.flush()
    assert any(NAME in text for text in _texts(session, record))
    return approved


def _plenary(session, record) -> Board:
    return session.get(Board, record.notes["plenary"].board_id)


def test_erasure_replaces_the_name_everywhere_but_in_approved_versions(session, record, erasable):  # noqa: F811
    anna = record.people["anna"]
    approved = erasable
    approved_bytes, approved_sha = approved.markdown.encode(), approved.sha256
    result = personal_data.erase_person(session, actor=record.facilitator, person_id=anna.id,
                                        reason="Richiesta scritta di Anna Rossi del 20 novembre")
    pseudonym = pseudonyms.pseudonyms(session, process_id=record.meeting.process_id)[anna.id]
    assert result.pseudonym == pseudonym == "Partecipante B"  # the facilitator is A
    assert not result.already_erased
    session.refresh(anna)
    assert (anna.name, anna.email) == (pseudonym, None)
    assert anna.erased_at is not None and anna.removed_at is not None
    invite = session.exec(select(Invite).where(Invite.person_id == anna.id)).one()
    assert invite.email is None and invite.revoked_at is not None
    assert all(t.revoked_at for t in session.exec(select(AuthToken).where(AuthToken.person_id == anna.id)))
    assert not session.exec(select(OpReceipt).where(OpReceipt.person_id == anna.id)).all()
    assert session.exec(select(Representation.title).where(Representation.person_id == anna.id)).one() == ""
    # Contributions, comments, the drafts (verbale and synthesis) and the event log.
    texts = _texts(session, record)
    for text in texts:
        assert not names_her(text), text
    assert "Come ha detto Partecipante B: e Partecipante B ha ragione" in texts
    assert "D'accordo con Partecipante B" in texts
    assert any(BODY in text for text in texts)  # organisations keep their names
    streams = [meeting_stream(record.meeting.id)] + [f"board:{b}" for b in session.exec(
        select(Board.id).where(Board.meeting_id == record.meeting.id))]
    for event in session.exec(select(Event).where(Event.stream.in_(streams))):
        assert not names_her(str(event.data))
    # Every later generation follows: the verbale and the synthesis read the new name.
    for lang in ("it", "en"):
        assert not names_her(minutes.generate(session, meeting_id=record.meeting.id, lang=lang))
        assert not names_her(synthesis.generate(session, process_id=record.meeting.process_id, lang=lang))
    assert pseudonym in minutes.generate(session, meeting_id=record.meeting.id)
    # The approved version is kept byte for byte, and the result says so and why.
    session.refresh(approved)
    assert approved.markdown.encode() == approved_bytes and NAME in approved.markdown
    assert approved.sha256 == approved_sha == versions.sha256_of(approved.markdown)
    view = result.view()
    assert view["retained"] == [{"kind": "minutes", "meeting": record.meeting.id, "version": 1,
                                 "sha256": approved_sha, "approved_at": view["retained"][0]["approved_at"]}]
    assert "17(3)(b)" in view["retained_because"]
    assert view["changed"]["contributions"] >= 1 and view["changed"]["drafts"] == 2
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "person.erase",
                                                  AuditEntry.process_id == record.meeting.process_id)).one()
    assert entry.target == f"person:{anna.id}" and entry.account_id == record.facilitator.account.id
    assert "17(3)(b)" in entry.detail["retained_because"]
    assert entry.detail["retained"][0]["sha256"] == approved_sha
    assert entry.detail["reason"] == "Richiesta scritta di Partecipante B del 20 novembre"
    assert not names_her(str([e.detail for e in session.exec(
        select(AuditEntry).where(AuditEntry.process_id == record.meeting.process_id))]))


def test_erasing_twice_changes_nothing_more(session, record, erasable):  # noqa: F811
    anna = record.people["anna"]
    first = personal_data.erase_person(session, actor=record.facilitator, person_id=anna.id, reason="Richiesta")
    texts, entries = _texts(session, record), session.exec(select(AuditEntry.id)).all()
    second = personal_data.erase_person(session, actor=record.facilitator, person_id=anna.id, reason="Di nuovo")
    assert second.already_erased and second.pseudonym == first.pseudonym
    assert second.erased_at == first.erased_at and second.retained == first.retained
    assert _texts(session, record) == texts
    assert session.exec(select(AuditEntry.id)).all() == entries


def test_shared_first_names_and_the_word_partecipante_stay(session, record):  # noqa: F811
    """A first name two people share names neither; "partecipante" is a word, not a person."""
    anna, bruno = record.people["anna"], record.people["bruno"]
    bruno.name = "Bruno Anna"  # two people share "Anna" (unusual, but it is the test)
    text = note(session, _plenary(session, record), bruno, "Anna e Rossi: ogni partecipante ne parli")
    personal_data.erase_person(session, actor=record.facilitator, person_id=anna.id, reason="Richiesta")
    session.refresh(text)
    assert text.text == "Anna e Partecipante B: ogni partecipante ne parli"
    public = pseudonyms.pseudonymise(session, process_id=record.meeting.process_id,
                                     markdown="Partecipante B e ogni partecipante")
    assert public == "Partecipante B e ogni partecipante"
    english = pseudonyms.pseudonymise(session, process_id=record.meeting.process_id,
                                      markdown="Partecipante B", lang="en")
    assert english == "Participant B"


def test_only_facilitators_of_the_process_erase_participants(session, record):  # noqa: F811
    anna, bruno = record.people["anna"], record.people["bruno"]
    secretary = staff_actor(session, "secretary")
    from boards import processes
    processes.add_staff(session, actor=record.facilitator, process_id=record.meeting.process_id,
                        email=secretary.account.email, role=AccountRole.secretary)
    stranger = staff_actor(session)
    process(session, stranger)
    for actor in (secretary, stranger, person_actor(bruno), person_actor(anna)):
        with pytest.raises(NotAllowed):
            personal_data.erase_person(session, actor=actor, person_id=anna.id, reason="Richiesta")
    with pytest.raises(InvalidInput, match="Staff"):
        personal_data.erase_person(session, actor=record.facilitator, person_id=record.people["giulia"].id,
                                   reason="Richiesta")
    with pytest.raises(InvalidInput, match="reason"):
        personal_data.erase_person(session, actor=record.facilitator, person_id=anna.id, reason="  ")
    with pytest.raises(NotFound):
        personal_data.erase_person(session, actor=record.facilitator, person_id=10**9, reason="Richiesta")
    session.refresh(anna)
    assert anna.erased_at is None and anna.name == NAME


def test_a_person_erased_during_a_live_meeting_leaves_it(session, record):  # noqa: F811
    meeting, anna = record.meeting, record.people["anna"]
    meeting.state, meeting.ended_at = MeetingState.live, None
    row = session.exec(select(Attendance).where(Attendance.meeting_id == meeting.id,
                                                Attendance.person_id == anna.id)).one()
    row.left_at = None
    session.flush()
    result = personal_data.erase_person(session, actor=record.facilitator, person_id=anna.id, reason="Richiesta")
    assert [(m, e.stream, e.name, e.data) for m, e in result.events.items()] == [
        (meeting.id, meeting_stream(meeting.id), "participant.removed", {"participant": anna.id})]
    session.refresh(row)
    assert row.left_at is not None


# --- export ----------------------------------------------------------------------------------


def test_a_person_exports_their_own_data_and_staff_may_too(session, record):  # noqa: F811
    anna, bruno = record.people["anna"], record.people["bruno"]
    board = _plenary(session, record)
    voting = VotingRound(board_id=board.id, budget=3)
    session.add(voting)
    session.flush()
    session.add(Vote(round_id=voting.id, item_id=record.notes["markup"].id, person_id=anna.id))
    session.add(Comment(item_id=record.notes["group"].id, text="Sono d'accordo", author_id=anna.id))
    session.add(Comment(item_id=record.notes["group"].id, text="Commento di Bruno", author_id=bruno.id))
    invite = session.exec(select(Invite).where(Invite.person_id == anna.id)).one()
    session.flush()
    data = personal_data.export_person(session, actor=person_actor(anna, invite_id=invite.id), person_id=anna.id)
    assert data["format"] == "tavolo-personal-data/1"
    assert data["person"]["name"] == NAME and data["person"]["organization"]["name"] == "Comune di Padova"
    assert data["representations"][0]["title"] == "Assessora"
    assert [c["text"] for c in data["contributions"]] == ["Servono più educatori di strada", "Testo cancellato"]
    assert [c["text"] for c in data["comments"]] == ["Sono d'accordo"]
    assert [v["item"] for v in data["votes"]] == [record.notes["markup"].id]
    assert data["recording_consents"][0]["consent"] is True
    assert data["attendance"][0]["meeting"]["number"] == record.meeting.number
    assert data["invites"][0]["id"] == invite.id and "secret_hash" not in data["invites"][0]
    assert invite.secret_hash not in str(data)
    assert "Commento di Bruno" not in str(data) and "Un centro diurno" not in str(data)
    assert any("altre persone" in entry["what"] for entry in data["not_included"])
    english = personal_data.export_person(session, actor=record.facilitator, person_id=anna.id, lang="en")
    assert any("Other people" in entry["what"] for entry in english["not_included"])
    with pytest.raises(NotAllowed):
        personal_data.export_person(session, actor=person_actor(bruno), person_id=anna.id)
    with pytest.raises(NotAllowed):
        personal_data.export_person(session, actor=staff_actor(session), person_id=anna.id)
    with pytest.raises(NotFound):
        personal_data.export_person(session, actor=record.facilitator, person_id=10**9)


def test_the_export_after_erasure_names_no_one(session, record, erasable):  # noqa: F811
    anna = record.people["anna"]
    personal_data.erase_person(session, actor=record.facilitator, person_id=anna.id, reason="Richiesta")
    data = personal_data.export_person(session, actor=record.facilitator, person_id=anna.id)
    assert data["person"]["name"] == "Partecipante B" and data["person"]["email"] is None
    assert NAME not in str(data) and "anna.rossi@" not in str(data)
    assert [e["action"] for e in data["audit"]][-1] == "person.erase"


# --- retention -------------------------------------------------------------------------------

NOW = datetime(2028, 1, 15, 9, tzinfo=UTC)


def test_retention_erases_the_people_of_processes_over_long_ago(session, record):  # noqa: F811
    # The record's process: one meeting ended on ENDED, the next never held.
    fresh = staff_actor(session)
    other = process(session, fresh)
    body = organization(session, fresh, other.id)
    new, _ = invited(session, fresh, other.id, body.id)
    recent = meeting(session, fresh, other.id)
    recent.state, recent.ended_at = MeetingState.ended, NOW - timedelta(days=10)
    session.add(AuthToken(token_hash="expired-one", person_id=new.person.id, expires_at=NOW - timedelta(days=1)))
    session.add(AuthToken(token_hash="valid-one", person_id=new.person.id, expires_at=NOW + timedelta(days=1)))
    session.add(OpReceipt(person_id=new.person.id, op_id="old", stream="board:1", seq=1, result={},
                          created_at=NOW - timedelta(days=4)))
    session.add(OpReceipt(person_id=new.person.id, op_id="new", stream="board:1", seq=2, result={},
                          created_at=NOW - timedelta(hours=1)))
    # The record's second meeting is said held on the same day: the process is over.
    following = session.exec(select(Meeting).where(Meeting.process_id == record.meeting.process_id,
                                                    Meeting.id != record.meeting.id)).all()
    for m in following:
        m.state, m.ended_at = MeetingState.ended, ENDED
    session.flush()
    participants = [p for key, p in record.people.items() if key != "giulia"]

    dry = personal_data.run_retention(session, days=365, now=NOW, dry_run=True, receipt_days=3)
    # Other tests' processes may be in the database too: only these two are looked at.
    assert record.meeting.process_id in dry.processes and other.id not in dry.processes
    mine = [(process_id, person_id) for process_id, person_id in dry.erased if process_id == record.meeting.process_id]
    assert mine == [(record.meeting.process_id, p.id) for p in sorted(participants, key=lambda p: p.id)]
    assert dry.receipts >= 1 and dry.sessions >= 1
    assert all(p.erased_at is None for p in participants)
    assert session.exec(select(AuthToken).where(AuthToken.token_hash == "expired-one")).first() is not None

    done = personal_data.run_retention(session, days=365, now=NOW, receipt_days=3)
    assert done.erased == dry.erased
    for person in participants:
        session.refresh(person)
        assert person.erased_at == NOW and person.name.startswith("Partecipante ")
    assert record.people["giulia"].erased_at is None
    session.refresh(new.person)
    assert new.person.erased_at is None  # its process ended ten days ago
    assert session.exec(select(AuthToken).where(AuthToken.token_hash == "expired-one")).first() is None
    assert session.exec(select(AuthToken).where(AuthToken.token_hash == "valid-one")).first() is not None
    assert session.exec(select(OpReceipt.op_id).where(OpReceipt.person_id == new.person.id)).all() == ["new"]
    erasures = session.exec(select(AuditEntry).where(AuditEntry.action == "person.erase",
                                                     AuditEntry.process_id == record.meeting.process_id)).all()
    assert len(erasures) == len(participants)
    assert "365 days" in erasures[0].detail["reason"]
    run = session.exec(select(AuditEntry).where(AuditEntry.action == "retention.run")
                       .order_by(AuditEntry.id.desc())).first()
    assert run.account_id is None and run.detail["erased"] == len(done.erased)

    again = personal_data.run_retention(session, days=365, now=NOW, receipt_days=3)
    assert again.erased == [] and again.sessions == 0


def test_retention_refuses_a_negative_period(session):
    with pytest.raises(InvalidInput):
        personal_data.run_retention(session, days=-1, now=NOW, receipt_days=3)
