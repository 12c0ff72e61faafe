"""boards.minutes_versions: staff read the reconciled draft, members approved versions only,
the public the published pseudonymised text; the contributions table."""

from __future__ import annotations

import pytest

from boards import minutes_versions
from boards.errors import Conflict, NotAllowed, NotFound
from boards.models import Board, Item, ItemKind
from tests.boards.builders import person_actor, process, staff_actor
from tests.boards.test_minutes import record  # noqa: F401 - the fixture


def test_staff_read_the_draft_members_only_approved_versions(session, record):  # noqa: F811
    staff, meeting = record.facilitator, record.meeting
    member = person_actor(record.people["anna"])
    with pytest.raises(NotAllowed, match="not approved yet"):
        minutes_versions.readable(session, actor=member, meeting_id=meeting.id)
    draft = minutes_versions.readable(session, actor=staff, meeting_id=meeting.id)
    assert draft.version == 0 and "Servono più educatori di strada" in draft.markdown
    first = minutes_versions.approve(session, actor=staff, meeting_id=meeting.id)
    assert minutes_versions.readable(session, actor=member, meeting_id=meeting.id).id == first.id
    assert minutes_versions.readable(session, actor=member, meeting_id=meeting.id, version=1).id == first.id
    with pytest.raises(NotFound):
        minutes_versions.readable(session, actor=member, meeting_id=meeting.id, version=2)
    outsider = staff_actor(session)
    process(session, outsider)
    with pytest.raises(NotAllowed):
        minutes_versions.readable(session, actor=outsider, meeting_id=meeting.id)
    history = minutes_versions.history(session, actor=member, meeting_id=meeting.id)
    assert [v["version"] for v in history["versions"]] == [1] and history["draft"] is None
    assert minutes_versions.history(session, actor=staff, meeting_id=meeting.id)["draft"] is not None


def test_the_draft_offers_what_the_record_adds_after_an_edit(session, record):  # noqa: F811
    staff, meeting = record.facilitator, record.meeting
    current = minutes_versions.current_draft(session, actor=staff, meeting_id=meeting.id)
    edited = current.document.markdown.replace("Trasporto a chiamata", "Trasporto a chiamata serale")
    minutes_versions.save_draft(session, actor=staff, meeting_id=meeting.id, markdown=edited)
    session.add(Item(board_id=record.notes["plenary"].board_id, kind=ItemKind.note, text="Orti condivisi",
                     author_id=record.people["bruno"].id, organization_id=record.people["bruno"].organization_id))
    session.flush()
    again = minutes_versions.current_draft(session, actor=staff, meeting_id=meeting.id)
    assert again.document.markdown == edited
    assert any("Orti condivisi" in block for block in again.offered)
    assert not any("Trasporto a chiamata" in block and "serale" not in block for block in again.offered
                   if block.startswith("- [C"))


def test_the_published_text_and_its_letterhead_name_no_one(session, record):  # noqa: F811
    staff, meeting = record.facilitator, record.meeting
    with pytest.raises(NotFound):
        minutes_versions.published(session, meeting_id=meeting.id)
    minutes_versions.approve(session, actor=staff, meeting_id=meeting.id)
    with pytest.raises(NotAllowed):
        minutes_versions.publish(session, actor=person_actor(record.people["anna"]), meeting_id=meeting.id,
                                 version=1)
    minutes_versions.publish(session, actor=staff, meeting_id=meeting.id, version=1)
    document = minutes_versions.published(session, meeting_id=meeting.id)
    for person in record.people.values():
        assert person.name not in document.public_markdown
    assert "Cooperativa Il Ponte" in document.public_markdown
    head = minutes_versions.public_letterhead(session, document=document)
    assert head.status.startswith("Testo pubblico della versione 1") and "Verbale" in head.title


def test_contributions_for_staff_with_their_place_and_body(session, record):  # noqa: F811
    rows = minutes_versions.contributions(session, actor=record.facilitator, meeting_id=record.meeting.id)
    private = next(row for row in rows if row["label"] == f"C{record.notes['private'].id}")
    assert private | {"created_at": None} == {
        "label": f"C{record.notes['private'].id}", "board": "Gruppo 1", "group": "Gruppo 1",
        "question": "Quali bisogni vedete nel quartiere?", "organization": "Associazione Porte Aperte",
        "author": "Carla Neri", "text": "Trasporto a chiamata", "asynchronous": "no", "created_at": None}
    assert [row["label"] for row in rows] == [f"C{item.id}" for item in sorted(record.notes.values(),
                                                                               key=lambda i: i.id)]
    with pytest.raises(NotAllowed):
        minutes_versions.contributions(session, actor=person_actor(record.people["anna"]),
                                       meeting_id=record.meeting.id)


def test_no_approval_while_a_board_hides_private_notes(session, record):  # noqa: F811
    staff, meeting = record.facilitator, record.meeting
    board = session.get(Board, record.notes["private"].board_id)
    board.private = True
    session.flush()
    with pytest.raises(Conflict, match="private mode"):
        minutes_versions.approve(session, actor=staff, meeting_id=meeting.id)
    assert minutes_versions.history(session, actor=staff, meeting_id=meeting.id)["versions"] == []
    board.private = False
    session.flush()
    assert minutes_versions.approve(session, actor=staff, meeting_id=meeting.id).version == 1
