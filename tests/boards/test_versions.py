"""boards.versions: the draft follows or keeps, offers new material, approval freezes
numbered versions with their digest, signatures by capacity, publication, audit entries."""

from __future__ import annotations

import hashlib
import threading

import pytest
from sqlmodel import Session

from boards import audit, processes, versions
from boards.access import Actor, person_in_process
from boards.errors import Conflict, InvalidInput, NotAllowed, NotFound
from boards.models import AccountRole, DocumentKind, Signature
from tests.boards.builders import account, invited, meeting, organization, process, staff_actor
from tests.boards.builders import token as make_token

MINUTES = DocumentKind.minutes
FIRST = "# Verbale\n\nPresenti: Comune di Padova.\n\n- C1 Servono più educatori\n"


@pytest.fixture
def place(session):
    facilitator = staff_actor(session)
    percorso = process(session, facilitator)
    incontro = meeting(session, facilitator, percorso.id)
    secretary_account = account(session, "secretary", "Marco Verbalizzante")
    processes.add_staff(session, actor=facilitator, process_id=percorso.id, email=secretary_account.email,
                        role=AccountRole.secretary)
    secretary = Actor(token=make_token(), account=secretary_account)
    ente = organization(session, facilitator, percorso.id)
    _, anna = invited(session, facilitator, percorso.id, ente.id)
    return facilitator, secretary, anna, percorso, incontro


def draft_of(session, percorso, incontro, generated=FIRST):
    return versions.draft_for(session, kind=MINUTES, process_id=percorso.id, meeting_id=incontro.id,
                              generated=generated)


def test_an_untouched_draft_follows_the_generated_text(session, place):
    _, _, _, percorso, incontro = place
    draft = draft_of(session, percorso, incontro)
    assert (draft.version, draft.markdown, draft.generated) == (0, FIRST, FIRST)
    later = FIRST + "- C2 Un centro diurno\n"
    again = draft_of(session, percorso, incontro, later)
    assert again.id == draft.id and again.markdown == later and again.generated == later
    assert versions.offered(again, later) == []


def test_an_edited_draft_is_kept_and_new_material_is_offered(session, place):
    facilitator, _, _, percorso, incontro = place
    draft = draft_of(session, percorso, incontro)
    edited = FIRST.replace("più educatori", "più educatori di strada")
    versions.save_draft(session, actor=facilitator, draft=draft, markdown=edited)
    later = FIRST + "- C2 Un centro diurno\n\n| Ente | Presenza |\n|---|---|\n| ULSS 6 | presente |\n"
    again = draft_of(session, percorso, incontro, later)
    assert again.markdown == edited
    assert versions.offered(again, later) == [
        "- C2 Un centro diurno", "| Ente | Presenza |", "|---|---|", "| ULSS 6 | presente |"]
    # The secretary takes one block and marks the others as seen.
    taken = edited + "- C2 Un centro diurno\n"
    versions.save_draft(session, actor=facilitator, draft=again, markdown=taken, generated=later)
    assert versions.offered(again, later) == []
    assert draft_of(session, percorso, incontro, later).markdown == taken


def test_blocks_keep_list_items_with_their_continuation_lines():
    markdown = "## Titolo\n\nUna riga\ne la seguente.\n- uno\n  continua\n1. due\n\n| a |\n---\n"
    assert versions.blocks(markdown) == [
        "## Titolo", "Una riga\ne la seguente.", "- uno\n  continua", "1. due", "| a |", "---"]


def test_approval_freezes_numbered_versions_with_their_digest(session, place):
    facilitator, secretary, _, percorso, incontro = place
    draft = draft_of(session, percorso, incontro)
    first = versions.approve(session, actor=secretary, draft=draft)
    assert first.version == 1 and first.approved_at is not None and first.id != draft.id
    assert first.sha256 == hashlib.sha256(FIRST.encode("utf-8")).hexdigest()
    versions.save_draft(session, actor=facilitator, draft=draft, markdown=FIRST + "\nCorrezione.\n")
    second = versions.approve(session, actor=facilitator, draft=draft, note="Refuso nell'elenco")
    assert (second.version, second.note) == (2, "Refuso nell'elenco")
    kept = versions.get_version(session, kind=MINUTES, process_id=percorso.id, meeting_id=incontro.id, version=1)
    assert kept.markdown == FIRST and kept.sha256 == first.sha256
    history = versions.approved_versions(session, kind=MINUTES, process_id=percorso.id, meeting_id=incontro.id)
    assert [v.version for v in history] == [1, 2]
    with pytest.raises(Conflict):
        versions.save_draft(session, actor=facilitator, draft=kept, markdown="altro")
    with pytest.raises(Conflict):
        versions.approve(session, actor=facilitator, draft=kept)
    with pytest.raises(NotFound):
        versions.get_version(session, kind=MINUTES, process_id=percorso.id, meeting_id=incontro.id, version=3)
    actions = [entry.action for entry in audit.entries(session, process_id=percorso.id)]
    assert actions[:3] == ["minutes.approve", "minutes.save", "minutes.approve"]


def test_saved_markdown_has_one_line_ending_and_a_final_newline(session, place):
    facilitator, _, _, percorso, incontro = place
    draft = draft_of(session, percorso, incontro)
    versions.save_draft(session, actor=facilitator, draft=draft, markdown="# V\r\n\r\ntesto  ")
    assert draft.markdown == "# V\n\ntesto\n"
    with pytest.raises(InvalidInput):
        versions.save_draft(session, actor=facilitator, draft=draft, markdown="   ")
    with pytest.raises(InvalidInput):
        versions.save_draft(session, actor=facilitator, draft=draft, markdown="x" * (versions.MARKDOWN_LIMIT + 1))
    with pytest.raises(InvalidInput):
        versions.save_draft(session, actor=facilitator, draft=draft, markdown="# V",
                            generated="x" * (versions.MARKDOWN_LIMIT + 1))
    assert draft.markdown == "# V\n\ntesto\n"


def test_participants_neither_edit_nor_approve_nor_publish(session, place):
    _, _, anna, percorso, incontro = place
    draft = draft_of(session, percorso, incontro)
    with pytest.raises(NotAllowed):
        versions.save_draft(session, actor=anna, draft=draft, markdown="# mio")
    with pytest.raises(NotAllowed):
        versions.approve(session, actor=anna, draft=draft)
    assert draft.markdown == FIRST
    outsider = staff_actor(session)
    process(session, outsider)
    with pytest.raises(NotAllowed):
        versions.approve(session, actor=outsider, draft=draft)


def test_chair_and_minute_taker_sign_once_each(session, place):
    facilitator, secretary, anna, percorso, incontro = place
    # The chair is the facilitator who started the meeting.
    incontro.chair_id = person_in_process(session, facilitator, percorso.id).id
    draft = draft_of(session, percorso, incontro)
    with pytest.raises(Conflict):
        versions.sign(session, actor=facilitator, document=draft, capacity="chair")
    first = versions.approve(session, actor=secretary, draft=draft)
    with pytest.raises(InvalidInput):
        versions.sign(session, actor=facilitator, document=first, capacity="rup")
    with pytest.raises(NotAllowed):
        versions.sign(session, actor=secretary, document=first, capacity="chair")
    with pytest.raises(NotAllowed):
        versions.sign(session, actor=anna, document=first, capacity="minute_taker")
    signed = versions.sign(session, actor=facilitator, document=first, capacity="chair")
    assert isinstance(signed, Signature) and signed.signed_at is not None
    # No minute-taker recorded: the process's secretary signs.
    versions.sign(session, actor=secretary, document=first, capacity="minute_taker")
    with pytest.raises(Conflict):
        versions.sign(session, actor=facilitator, document=first, capacity="chair")
    assert [s.capacity for s in versions.signatures(session, first)] == ["chair", "minute_taker"]
    assert audit.entries(session, process_id=percorso.id)[0].action == "minutes.sign"


def test_publication_freezes_the_public_text(session, place):
    facilitator, _, anna, percorso, incontro = place
    draft = draft_of(session, percorso, incontro)
    with pytest.raises(Conflict):
        versions.publish(session, actor=facilitator, document=draft, public_markdown="x")
    first = versions.approve(session, actor=facilitator, draft=draft)
    assert versions.latest_published(session, kind=MINUTES, process_id=percorso.id, meeting_id=incontro.id) is None
    with pytest.raises(NotAllowed):
        versions.publish(session, actor=anna, document=first, public_markdown="# Pubblico")
    versions.publish(session, actor=facilitator, document=first, public_markdown="# Pubblico")
    assert first.public_markdown == "# Pubblico\n" and first.published_at is not None
    assert versions.latest_published(session, kind=MINUTES, process_id=percorso.id,
                                     meeting_id=incontro.id).id == first.id
    with pytest.raises(Conflict):
        versions.publish(session, actor=facilitator, document=first, public_markdown="# Altro")
    assert audit.entries(session, process_id=percorso.id)[0].action == "minutes.publish"


def test_the_synthesis_is_versioned_per_process(session, place):
    facilitator, secretary, _, percorso, incontro = place
    synthesis = versions.draft_for(session, kind=DocumentKind.synthesis, process_id=percorso.id,
                                   meeting_id=None, generated="# Sintesi\n")
    minutes = draft_of(session, percorso, incontro)
    assert synthesis.id != minutes.id
    assert versions.approve(session, actor=facilitator, draft=synthesis).version == 1
    assert versions.approve(session, actor=facilitator, draft=minutes).version == 1
    assert versions.approve(session, actor=facilitator, draft=synthesis).version == 2
    document = versions.get_version(session, kind=DocumentKind.synthesis, process_id=percorso.id,
                                    meeting_id=None, version=2)
    versions.sign(session, actor=facilitator, document=document, capacity="chair")
    versions.sign(session, actor=secretary, document=document, capacity="minute_taker")
    with pytest.raises(NotAllowed):
        versions.sign(session, actor=facilitator, document=document, capacity="minute_taker")


def test_a_save_from_a_draft_changed_since_is_refused_unless_it_keeps_that_text(session, place):
    facilitator, secretary, _, percorso, incontro = place
    draft = draft_of(session, percorso, incontro)
    base = versions.sha256_of(draft.markdown)
    chair_text = FIRST + "\nNota della presidente.\n"
    versions.save_draft(session, actor=facilitator, draft=draft, markdown=chair_text, base_sha256=base)
    # The secretary opened the editor at the same time: their save would replace the chair's.
    with pytest.raises(Conflict):
        versions.save_draft(session, actor=secretary, draft=draft, markdown=FIRST + "\nNota della segretaria.\n",
                            base_sha256=base)
    assert draft.markdown == chair_text
    # The very text stored is no conflict, and neither is a save from the new base.
    versions.save_draft(session, actor=secretary, draft=draft, markdown=chair_text, base_sha256=base)
    merged = chair_text + "\nNota della segretaria.\n"
    versions.save_draft(session, actor=secretary, draft=draft, markdown=merged,
                        base_sha256=versions.sha256_of(chair_text))
    assert draft.markdown == merged
    # Without a base, the last save wins, as before.
    versions.save_draft(session, actor=facilitator, draft=draft, markdown=FIRST)
    assert draft.markdown == FIRST


def test_of_two_saves_from_one_base_at_once_the_second_waits_and_is_refused(engine, session, place):
    facilitator, secretary, _, percorso, incontro = place
    draft_of(session, percorso, incontro)
    session.commit()
    base = versions.sha256_of(FIRST)
    second = {}

    def stored(other):
        return versions.find_draft(other, kind=MINUTES, process_id=percorso.id, meeting_id=incontro.id)

    def secretary_saves():
        with Session(engine) as other:
            try:
                versions.save_draft(other, actor=secretary, draft=stored(other), markdown=FIRST + "\nSegretaria.\n",
                                    base_sha256=base)
                other.commit()
            except Conflict as error:
                second["error"] = error

    with Session(engine) as first:
        versions.save_draft(first, actor=facilitator, draft=stored(first), markdown=FIRST + "\nPresidente.\n",
                            base_sha256=base)
        writer = threading.Thread(target=secretary_saves)
        writer.start()
        writer.join(timeout=0.3)
        assert writer.is_alive(), "the second save must wait for the first one's commit"
        first.commit()
    writer.join(timeout=30)
    assert isinstance(second.get("error"), Conflict)
    with Session(engine) as fresh:
        assert stored(fresh).markdown == FIRST + "\nPresidente.\n"
