"""Between meetings: the page of questions open with a deadline and what changed, answering
and commenting with and without htmx, and the summary on the process page."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import Session, select

from boards.clock import utcnow
from boards.models import AuditEntry, Comment, Item, Person, Prompt
from tests.pages.conftest import post_form, sign_in

QUESTION = re.compile(r'<article id="question-(\d+)"')
NOTE = re.compile(r'<article id="item-(\d+)"')


def page(world) -> str:
    return f"/processes/{world.process}/reflection"


def as_participant(client, world):
    client.cookies.clear()
    client.cookies.set("tavolo_session", world.participant["token"])
    return client


def as_facilitator(client, world):
    # Signing in replaces the browser's session: the participant's token is not passed to it.
    client.cookies.clear()
    sign_in(client, world.facilitator.email)
    return client


def open_question(client, world, text="Cosa manca ancora ai servizi serali?", deadline="2030-01-10T18:00"):
    as_facilitator(client, world)
    answer = post_form(client, f"/processes/{world.process}/reflection/questions",
                       {"meeting": str(world.meeting["id"]), "text": text, "deadline": deadline},
                       page=page(world))
    assert answer.status_code == 303, answer.text
    return int(QUESTION.search(client.get(page(world)).text).group(1))


def test_a_first_visit_is_welcomed(client, world):
    answer = as_participant(client, world).get(page(world))
    assert answer.status_code == 200
    assert "<h1><span class=\"eyebrow\">Centro servizi grave marginalità</span>Tra un incontro e l’altro</h1>" in answer.text
    assert "Benvenuta o benvenuto! È la tua prima visita" in answer.text
    assert "Nessuna domanda è aperta tra un incontro e l’altro in questo momento." in answer.text
    assert 'href="/meetings/%d/reflection"' % world.meeting["id"] in answer.text


def test_a_facilitator_opens_a_question_that_is_audited_and_shown_with_its_deadline(client, world, engine):
    prompt_id = open_question(client, world)
    with Session(engine) as session:
        prompt = session.get(Prompt, prompt_id)
        assert prompt.text == "Cosa manca ancora ai servizi serali?"
        # 18:00 Italian time in January is 17:00 UTC.
        assert (prompt.deadline.hour, prompt.deadline.minute) == (17, 0)
        assert session.exec(select(AuditEntry.action).where(AuditEntry.target == f"prompt:{prompt_id}")).one() == (
            "reflection.open")
    text = as_participant(client, world).get(page(world)).text
    assert "Cosa manca ancora ai servizi serali?" in text
    assert "Aperta fino al 10 gen 2030, 18:00 (tra " in text
    assert 'action="/reflection/questions/%d/answers"' % prompt_id in text
    assert "Chiudi la domanda" not in text  # for facilitators only


def test_a_question_needs_a_deadline_and_only_facilitators_open_one(client, world):
    as_facilitator(client, world)
    answer = post_form(client, f"/processes/{world.process}/reflection/questions",
                       {"meeting": str(world.meeting["id"]), "text": "Senza scadenza", "deadline": ""},
                       page=page(world), htmx=True)
    assert answer.status_code == 422
    assert "<html" not in answer.text and 'id="question-deadline-error"' in answer.text
    assert "Dai una scadenza alla domanda" in answer.text
    as_participant(client, world)
    refused = post_form(client, f"/processes/{world.process}/reflection/questions",
                        {"meeting": str(world.meeting["id"]), "text": "Io?", "deadline": "2030-01-10T18:00"},
                        page=page(world))
    assert refused.status_code == 403


def test_an_answer_without_javascript_comes_back_to_the_page_and_is_asynchronous(client, world, engine):
    prompt_id = open_question(client, world)
    as_participant(client, world)
    answer = post_form(client, f"/reflection/questions/{prompt_id}/answers",
                       {"text": "Un punto di ascolto aperto fino alle 22"}, page=page(world))
    assert answer.status_code == 303
    with Session(engine) as session:
        item = session.exec(select(Item).where(Item.prompt_id == prompt_id)).one()
        assert (item.text, item.asynchronous, item.board_id, item.author_id) == (
            "Un punto di ascolto aperto fino alle 22", True, world.meeting["plenary_board"],
            world.participant["person"])
    assert answer.headers["location"] == f"{page(world)}#item-{item.id}"
    text = client.get(answer.headers["location"]).text
    assert "Un punto di ascolto aperto fino alle 22" in text and "1 contributo" in text
    assert "tra un incontro e l’altro</span>" in text


def test_an_answer_with_htmx_swaps_its_question(client, world):
    prompt_id = open_question(client, world)
    as_participant(client, world)
    answer = post_form(client, f"/reflection/questions/{prompt_id}/answers", {"text": "Trasporti serali"},
                       page=page(world), htmx=True)
    assert answer.status_code == 200
    assert "<html" not in answer.text
    assert f'<article id="question-{prompt_id}"' in answer.text
    assert "Il tuo contributo è salvato" in answer.text and "Trasporti serali" in answer.text


def test_after_the_deadline_an_answer_is_refused_with_a_clear_message(client, world, engine):
    prompt_id = open_question(client, world)
    with Session(engine) as session:
        prompt = session.get(Prompt, prompt_id)
        prompt.deadline = utcnow() - timedelta(minutes=5)
        session.add(prompt)
        session.commit()
    as_participant(client, world)
    text = client.get(page(world)).text
    assert "La scadenza è passata il" in text
    assert 'action="/reflection/questions/%d/answers"' % prompt_id not in text
    answer = post_form(client, f"/reflection/questions/{prompt_id}/answers", {"text": "In ritardo"},
                       page=page(world))
    assert answer.status_code == 409
    assert "La scadenza di questa domanda è passata: le risposte restano leggibili" in answer.text
    with Session(engine) as session:
        assert session.exec(select(Item).where(Item.prompt_id == prompt_id)).all() == []


def test_comments_and_replies_on_a_note(client, world, engine):
    prompt_id = open_question(client, world)
    as_participant(client, world)
    post_form(client, f"/reflection/questions/{prompt_id}/answers", {"text": "Un dormitorio"}, page=page(world))
    notes = f"/meetings/{world.meeting['id']}/reflection"
    item_id = int(NOTE.search(client.get(notes).text).group(1))
    as_facilitator(client, world)
    first = post_form(client, f"/reflection/notes/{item_id}/comments", {"text": "Quanti posti?"},
                      page=notes, htmx=True)
    assert first.status_code == 200
    assert first.text.strip().startswith(f'<article id="item-{item_id}"')
    assert "Il tuo commento è salvato." in first.text
    with Session(engine) as session:
        comment = session.exec(select(Comment).where(Comment.item_id == item_id)).one()
        assert comment.asynchronous is True
    as_participant(client, world)
    reply = post_form(client, f"/reflection/notes/{item_id}/comments",
                      {"text": "Venti posti", "parent": str(comment.id)}, page=notes)
    assert reply.status_code == 303
    assert re.fullmatch(rf"{notes}#comment-\d+", reply.headers["location"])
    text = client.get(notes).text
    thread = text[text.index(f'id="comment-{comment.id}"'):]
    assert thread.index("Quanti posti?") < thread.index('class="reflection-replies"') < thread.index("Venti posti")
    empty = post_form(client, f"/reflection/notes/{item_id}/comments", {"text": "  "}, page=notes, htmx=True)
    assert empty.status_code == 422
    assert f'id="comment-{item_id}-text-error"' in empty.text


def test_what_changed_since_the_last_visit_on_both_pages(client, world, engine):
    as_participant(client, world).get(f"/processes/{world.process}")  # first visit
    with Session(engine) as session:
        person = session.get(Person, world.participant["person"])
        person.last_visit_at = utcnow() - timedelta(hours=3)
        session.add(person)
        session.commit()
    prompt_id = open_question(client, world)
    post_form(client, f"/reflection/questions/{prompt_id}/answers", {"text": "Dal facilitatore"},
              page=page(world))
    as_participant(client, world)
    summary = client.get(f"/processes/{world.process}").text
    assert 'id="between-meetings"' in summary
    assert "Dalla tua ultima visita del" in summary
    assert f'href="{page(world)}#changes-contributions">1 nuovo contributo</a>' in summary
    assert f'href="{page(world)}#changes-questions">1 domanda aperta</a>' in summary
    assert "1 domanda è aperta ai tuoi contributi." in summary
    text = client.get(page(world)).text
    changes = text[text.index('id="changes"'):text.index('id="questions"')]
    assert '<h3 id="changes-contributions"' in changes and "Dal facilitatore" in changes
    assert f'href="/meetings/{world.meeting["id"]}/reflection#item-' in changes
    assert f'href="{page(world)}#question-{prompt_id}"' in changes


def test_the_page_is_for_members_and_in_english_too(client, world):
    as_participant(client, world).cookies.set("tavolo_lang", "en")
    text = client.get(page(world)).text
    assert "What changed since your last visit" in text and "Open questions" in text
    client.cookies.clear()
    assert client.get(page(world), follow_redirects=False).status_code == 303  # to the login page


def test_a_facilitator_closes_a_question_and_its_answers_stay_readable(client, world, engine):
    prompt_id = open_question(client, world)
    post_form(client, f"/reflection/questions/{prompt_id}/answers", {"text": "Risposta prima della chiusura"},
              page=page(world))
    answer = post_form(client, f"/reflection/questions/{prompt_id}/close", {}, page=page(world), htmx=True)
    assert answer.status_code == 200
    assert answer.text.lstrip().startswith('<section id="questions"')
    assert "La domanda è chiusa: le risposte restano leggibili." in answer.text
    closed = answer.text[answer.text.index("Domande chiuse"):]
    assert "Chiusa: le risposte restano leggibili" in closed and "Risposta prima della chiusura" in closed
    with Session(engine) as session:
        assert session.get(Prompt, prompt_id).closed_at is not None


def test_a_question_of_the_room_without_deadline_is_not_answered_here(client, world, engine):
    with Session(engine) as session:
        prompt = Prompt(meeting_id=world.meeting["id"], text="Solo nella stanza")
        session.add(prompt)
        session.commit()
        prompt_id = prompt.id
    as_participant(client, world)
    assert "Solo nella stanza" not in client.get(page(world)).text
    answer = post_form(client, f"/reflection/questions/{prompt_id}/answers", {"text": "Qui?"},
                       page=page(world), htmx=True)
    assert answer.status_code == 422
    assert answer.headers["HX-Retarget"] == "#page-alerts"
    assert "Questa domanda non ha una scadenza: si risponde nella stanza dell’incontro" in answer.text


# --- marking a note publishable in open data ----------------------------------------------------

PUBLISHABLE = "Pubblicabile negli open data"


def a_note(client, world, text="Un presidio notturno in stazione") -> tuple[int, str]:
    """A participant's answer between meetings, and the meeting's notes page listing it."""
    prompt_id = open_question(client, world)
    as_participant(client, world)
    post_form(client, f"/reflection/questions/{prompt_id}/answers", {"text": text}, page=page(world))
    notes = f"/meetings/{world.meeting['id']}/reflection"
    return int(NOTE.search(client.get(notes).text).group(1)), notes


def note_html(text: str, item_id: int) -> str:
    start = text.index(f'<article id="item-{item_id}"')
    return text[start:text.index("</article>", start)]


def test_a_facilitator_marks_a_note_publishable_and_takes_the_mark_back(client, world, engine):
    item_id, notes = a_note(client, world)
    as_facilitator(client, world)
    before = note_html(client.get(notes).text, item_id)
    assert 'aria-pressed="false"' in before and 'name="publishable" value="true"' in before
    assert "tag-open-data" not in before
    marked = post_form(client, f"/reflection/notes/{item_id}/publishable", {"publishable": "true"}, page=notes)
    assert marked.status_code == 303 and marked.headers["location"] == f"{notes}#item-{item_id}"
    after = note_html(client.get(notes).text, item_id)
    assert f'<span class="badge tag-open-data">{PUBLISHABLE}</span>' in after
    assert 'aria-pressed="true"' in after and 'name="publishable" value="false"' in after
    with Session(engine) as session:
        assert session.get(Item, item_id).publishable is True
    # The participant sees the badge, never the control.
    participant = note_html(as_participant(client, world).get(notes).text, item_id)
    assert PUBLISHABLE in participant and "/publishable" not in participant
    as_facilitator(client, world)
    unmarked = post_form(client, f"/reflection/notes/{item_id}/publishable", {"publishable": "false"},
                         page=notes, htmx=True)
    assert unmarked.status_code == 200
    assert unmarked.text.strip().startswith(f'<article id="item-{item_id}"')
    assert "non sarà pubblicato negli open data" in unmarked.text
    assert "tag-open-data" not in unmarked.text and 'aria-pressed="false"' in unmarked.text
    with Session(engine) as session:
        assert session.get(Item, item_id).publishable is False
        entries = session.exec(select(AuditEntry).where(AuditEntry.process_id == world.process,
                                                        AuditEntry.target == f"item:{item_id}")
                               .order_by(AuditEntry.id)).all()
        assert [(e.action, e.detail["publishable"]) for e in entries] == [
            ("item.publishable", True), ("item.publishable", False)]


def test_a_participant_may_not_mark_a_note_publishable(client, world, engine):
    item_id, notes = a_note(client, world)
    refused = post_form(client, f"/reflection/notes/{item_id}/publishable", {"publishable": "true"}, page=notes)
    assert refused.status_code == 403
    assert "Solo lo staff di questo percorso può farlo" in refused.text
    with Session(engine) as session:
        assert session.get(Item, item_id).publishable is False
        assert session.exec(select(AuditEntry).where(AuditEntry.target == f"item:{item_id}",
                                                     AuditEntry.action == "item.publishable")).all() == []


def test_marking_publishable_needs_the_csrf_token_and_a_clear_value(client, world, engine):
    item_id, notes = a_note(client, world)
    as_facilitator(client, world)
    missing = client.post(f"/reflection/notes/{item_id}/publishable", data={"publishable": "true"},
                          follow_redirects=False)
    assert missing.status_code == 403 and "CSRF" in missing.text
    unclear = post_form(client, f"/reflection/notes/{item_id}/publishable", {"publishable": "sì"}, page=notes)
    assert unclear.status_code == 422
    with Session(engine) as session:
        assert session.get(Item, item_id).publishable is False


def test_the_publishable_control_in_english(client, world):
    item_id, notes = a_note(client, world)
    as_facilitator(client, world).cookies.set("tavolo_lang", "en")
    assert 'aria-pressed="false"' in note_html(client.get(notes).text, item_id)
    assert "Publishable in open data" in note_html(client.get(notes).text, item_id)
