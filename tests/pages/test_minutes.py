"""The verbale's pages: the secretary's draft keeps its edits when the meeting records more
(new material is offered, not forced), the live preview, approval with its confirmation and
digest, signatures by the right person only, participants never see the draft, and the public
page carries no person's name."""

from __future__ import annotations

import hashlib
import html
import re

import pytest
from sqlmodel import Session

from app.exports import minutes_source
from boards import decisions, meetings, meetings_live, minutes_versions, versions
from boards.access import person_in_process
from boards.accounts import resolve_token
from boards.exports.store import ExportStore
from boards.models import DecisionMethod, DocumentKind
from tests.pages.conftest import csrf_of, sign_in

TEXTAREA = re.compile(r'<textarea[^>]*id="editor-markdown"[^>]*>(.*?)</textarea>', re.S)
EDIT = "Nota della segretaria: la seduta si è svolta in un clima collaborativo."
DECISION = "Aprire il dormitorio anche di giorno nei mesi invernali"
NAMES = ("Persona participant", "Persona observer", "Giulia Ferraro", "Marco Zanin")


def path(world, tail: str = "") -> str:
    return f"/meetings/{world.meeting['id']}/minutes{tail}"


def draft_text(page: str) -> str:
    match = TEXTAREA.search(page)
    assert match, "the page has no editor"
    return html.unescape(match.group(1))


def post(client, url: str, data: dict, *, page: str, **kwargs):
    token = csrf_of(client.get(page).text)
    return client.post(url, data={**data, "csrf_token": token}, follow_redirects=False, **kwargs)


@pytest.fixture
def secretary_client(client, world):
    """Signed in as the world's secretary, who takes the minutes; the participant is marked
    present, so that the verbale names them."""
    answer = client.patch(f"/api/v1/meetings/{world.meeting['id']}/attendance",
                          headers=world.facilitator.auth,
                          json={"participant": world.participant["person"], "status": "present"})
    assert answer.status_code == 200, answer.text
    sign_in(client, world.secretary.email)
    return client


def record_decision(engine, world, text: str = DECISION) -> None:
    """A decision the meeting records after the draft was made (through the domain)."""
    with Session(engine) as session:
        actor = resolve_token(session, world.facilitator.token)
        person = person_in_process(session, actor, world.process)
        meeting = meetings.get_meeting(session, world.meeting["id"])
        decisions.record_decision(session=session, meeting=meeting, actor_person=person, text=text,
                                  method=DecisionMethod.consensus, outcome="Approvata all’unanimità")
        session.commit()


def approve(client, world, note: str = "") -> str:
    """Through the confirmation step; returns the page after approval."""
    answer = post(client, path(world), {"markdown": draft_text(client.get(path(world)).text),
                                        "action": "approve"}, page=path(world))
    assert answer.status_code == 303 and answer.headers["location"] == path(world, "/approve")
    confirm = client.get(path(world, "/approve")).text
    digest = re.search(r'name="sha256" value="([0-9a-f]{64})"', confirm).group(1)
    answer = post(client, path(world, "/approve"), {"sha256": digest, "note": note},
                  page=path(world, "/approve"))
    assert answer.status_code == 303, answer.text
    page = client.get(answer.headers["location"])
    assert page.status_code == 200
    return page.text


def test_the_secretarys_edits_survive_new_material_which_is_offered(secretary_client, world, engine):
    client = secretary_client
    page = client.get(path(world))
    assert page.status_code == 200
    assert 'id="minutes-preview"' in page.text and "Nuovo materiale" in page.text
    generated = draft_text(page.text)
    assert "Primo incontro" in generated

    edited = f"{generated.rstrip()}\n\n{EDIT}\n"
    answer = post(client, path(world), {"markdown": edited, "action": "save"}, page=path(world))
    assert answer.status_code == 303
    saved = client.get(answer.headers["location"]).text
    assert "Bozza salvata." in saved and EDIT in draft_text(saved)

    record_decision(engine, world)
    page = client.get(path(world)).text
    assert EDIT in draft_text(page)                      # the edit is kept...
    assert DECISION not in draft_text(page)              # ...nothing is forced in...
    offers = re.findall(r'<button type="submit" name="insert" value="([^"]*)"', page)
    offered = [html.unescape(value) for value in offers if DECISION in html.unescape(value)]
    assert offered, "the new decision is offered"          # ...and the news is offered.

    answer = post(client, path(world), {"markdown": draft_text(page), "insert": offered[0]},
                  page=path(world))
    assert answer.status_code == 303
    page = client.get(answer.headers["location"]).text
    text = draft_text(page)
    assert EDIT in text and text.rstrip().endswith(offered[0].strip())
    assert f'value="{html.escape(offered[0], quote=True)}"' not in page

    # Marking as seen keeps the draft and empties the panel.
    answer = post(client, path(world), {"markdown": text, "action": "seen",
                                        "generated_sha": re.search(r'name="generated_sha" value="([0-9a-f]+)"', page).group(1)},
                  page=path(world))
    page = client.get(answer.headers["location"]).text
    assert draft_text(page) == text
    assert 'name="insert"' not in page and "Niente di nuovo" in page


def test_marking_as_seen_what_was_not_read_keeps_the_offer(secretary_client, world, engine):
    client = secretary_client
    page = client.get(path(world)).text
    seen_sha = re.search(r'name="generated_sha" value="([0-9a-f]+)"', page).group(1)
    draft = f"{draft_text(page).rstrip()}\n\n{EDIT}\n"
    assert post(client, path(world), {"markdown": draft}, page=path(world)).status_code == 303
    record_decision(engine, world)
    answer = post(client, path(world), {"markdown": draft, "action": "seen", "generated_sha": seen_sha},
                  page=path(world))
    assert answer.status_code == 200
    assert "è arrivato nuovo materiale" in answer.text
    assert DECISION in answer.text and 'name="insert"' in answer.text
    assert EDIT in draft_text(answer.text)


def test_the_preview_renders_what_is_typed_safely(secretary_client, world):
    answer = post(secretary_client, path(world, "/preview"),
                  {"markdown": "# Verbale\n\nTesto **importante** <script>alert(1)</script>"},
                  page=path(world), headers={"HX-Request": "true"})
    assert answer.status_code == 200
    assert "<html" not in answer.text
    assert "<strong>importante</strong>" in answer.text
    assert "<script>" not in answer.text and "&lt;script&gt;" in answer.text
    assert '<hx-partial hx-target="#minutes-preview-status">Anteprima aggiornata.</hx-partial>' in answer.text


def test_approval_freezes_a_version_with_its_digest_and_a_correction_makes_the_next(
        secretary_client, world, engine):
    client = secretary_client
    page = client.get(path(world)).text
    assert "Nessuna versione è ancora approvata" in page
    draft = f"{draft_text(page).rstrip()}\n\n{EDIT}\n"
    post(client, path(world), {"markdown": draft}, page=path(world))

    approved = approve(client, world)
    digest = hashlib.sha256(draft.encode("utf-8")).hexdigest()
    assert "La versione 1 è approvata e non può più cambiare." in approved
    assert approved.count(digest) >= 2                   # in the notice and in the history
    assert 'id="version-1"' in approved and "Marco Zanin" in approved
    # The minute-taker signs as minute-taker; nobody here chairs the meeting (it never started).
    assert "Firma la versione 1 come verbalizzante" in approved
    assert "come presidente" not in approved

    # A correction: edit, approve again with a note; version 1 stays as it was.
    corrected = draft.replace("collaborativo", "collaborativo e costruttivo")
    post(client, path(world), {"markdown": corrected}, page=path(world))
    confirm = client.get(path(world, "/approve")).text
    assert "Approva la versione 2" in confirm and "Nota di correzione" in confirm
    approved = approve(client, world, note="Precisato il clima della seduta")
    assert 'id="version-2"' in approved and 'id="version-1"' in approved
    assert "Precisato il clima della seduta" in approved
    assert digest in approved
    assert hashlib.sha256(corrected.encode("utf-8")).hexdigest() in approved


def test_approval_refuses_a_draft_changed_after_the_confirmation(secretary_client, world):
    client = secretary_client
    client.get(path(world))
    confirm = client.get(path(world, "/approve")).text
    digest = re.search(r'name="sha256" value="([0-9a-f]{64})"', confirm).group(1)
    post(client, path(world), {"markdown": f"{EDIT}\n"}, page=path(world))
    answer = post(client, path(world, "/approve"), {"sha256": digest}, page=path(world, "/approve"))
    assert answer.status_code == 409
    assert "La bozza è cambiata" in answer.text
    assert "Nessuna versione è ancora approvata" in client.get(path(world)).text


def test_only_the_minute_taker_signs_as_minute_taker(secretary_client, client, world):
    approve(secretary_client, world)
    answer = post(client, path(world, "/versions/1/sign"), {"capacity": "minute_taker"},
                  page=path(world))
    assert answer.status_code == 303
    page = client.get(path(world)).text
    assert re.search(r"Marco Zanin, come verbalizzante, il \d", page)
    assert "Firma la versione 1" not in page
    # The facilitator neither sees the button nor may sign in the minute-taker's place.
    client.cookies.clear()
    sign_in(client, world.facilitator.email)
    assert "Firma la versione 1" not in client.get(path(world)).text
    answer = post(client, path(world, "/versions/1/sign"), {"capacity": "chair"}, page=path(world))
    assert answer.status_code == 403
    assert "come presidente" not in client.get(path(world)).text


def as_member(client, token: str) -> None:
    client.cookies.clear()
    client.cookies.set("tavolo_session", token)


def test_participants_see_the_approved_version_and_never_the_draft(secretary_client, world):
    client = secretary_client
    page = client.get(path(world)).text
    draft = f"{draft_text(page).rstrip()}\n\n{EDIT}\n"
    post(client, path(world), {"markdown": draft}, page=path(world))
    secretary_cookies = dict(client.cookies)

    as_member(client, world.participant["token"])
    page = client.get(path(world))
    assert page.status_code == 200
    assert "Nessuna versione del verbale è ancora approvata" in page.text
    assert EDIT not in page.text and "<textarea" not in page.text
    # The server refuses the draft's routes, whatever the page shows.
    token = csrf_of(page.text)
    for url, data in [(path(world, "/preview"), {"markdown": "x"}),
                      (path(world), {"markdown": "x"}),
                      (path(world, "/approve"), {"sha256": "0" * 64})]:
        answer = client.post(url, data={**data, "csrf_token": token}, follow_redirects=False)
        assert answer.status_code == 403, url
    assert client.get(path(world, "/approve")).status_code == 403

    client.cookies.clear()
    for name, value in secretary_cookies.items():
        client.cookies.set(name, value)
    approve(client, world)
    post(client, path(world), {"markdown": f"{draft.rstrip()}\n\nBozza successiva, non approvata.\n"},
         page=path(world))

    as_member(client, world.observer["token"])
    page = client.get(path(world)).text
    assert EDIT in page and "Bozza successiva" not in page
    assert "<textarea" not in page
    assert f"/api/v1/meetings/{world.meeting['id']}/minutes?format=pdf&amp;version=1" in page


def test_the_public_page_shows_the_published_version_without_names(secretary_client, world, engine):
    client = secretary_client
    public = f"/public/meetings/{world.meeting['id']}/minutes"
    page = client.get(path(world)).text
    draft = f"{draft_text(page).rstrip()}\n\n{EDIT}\n"
    post(client, path(world), {"markdown": draft}, page=path(world))
    approve(client, world)
    assert client.get(public).status_code == 404            # approved is not published
    with Session(engine) as session:
        private = versions.get_version(session, kind=DocumentKind.minutes, process_id=world.process,
                                       meeting_id=world.meeting["id"], version=1).markdown
    assert "Persona participant" in private                  # the verbale names people...

    answer = post(client, path(world, "/versions/1/publish"), {}, page=path(world))
    assert answer.status_code == 303
    assert "Pubblicata il" in client.get(path(world)).text

    client.cookies.clear()                                   # the public page needs no sign-in
    page = client.get(public)
    assert page.status_code == 200
    assert "Primo incontro" in page.text and EDIT in page.text
    assert "Cooperativa Il Ponte" in page.text               # ...organisations stay named...
    for name in NAMES:                                       # ...people do not.
        assert name not in page.text, name
    download = client.get(f"{public}/1?format=md")
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/markdown")
    for name in NAMES:
        assert name not in download.text, name
    assert client.get(f"{public}/2?format=md").status_code == 404
    assert client.get(f"{public}/1?format=exe").status_code == 422


def test_links_to_the_verbale(secretary_client, world):
    client = secretary_client
    link = f'href="/meetings/{world.meeting["id"]}/minutes"'
    assert link in client.get(f"/meetings/{world.meeting['id']}/setup").text
    assert link in client.get(f"/meetings/{world.meeting['id']}/room").text
    assert link in client.get(f"/processes/{world.process}").text
    as_member(client, world.participant["token"])
    assert link in client.get(f"/processes/{world.process}").text


def test_the_page_is_in_english_too(secretary_client, world):
    page = secretary_client.get(path(world), headers={"Accept-Language": "en"}).text
    assert "New material" in page and "Save the draft" in page



def test_the_chair_signs_as_chair(secretary_client, client, world, engine):
    with Session(engine) as session:
        actor = resolve_token(session, world.facilitator.token)
        meeting = meetings.get_meeting(session, world.meeting["id"])
        meetings_live.start_meeting(session=session, meeting=meeting,
                                    actor_person=person_in_process(session, actor, world.process))
        session.commit()
    approve(secretary_client, world)
    assert "Firma la versione 1 come presidente" not in client.get(path(world)).text
    client.cookies.clear()
    sign_in(client, world.facilitator.email)
    page = client.get(path(world)).text
    assert "Firma la versione 1 come presidente" in page
    assert "come verbalizzante" not in page
    answer = post(client, path(world, "/versions/1/sign"), {"capacity": "chair"}, page=path(world))
    assert answer.status_code == 303
    page = client.get(path(world)).text
    assert re.search(r"Giulia Ferraro, come presidente, il \d", page)
    assert "Firma la versione 1 come presidente" not in page
    # Once per capacity.
    answer = post(client, path(world, "/versions/1/sign"), {"capacity": "chair"}, page=path(world))
    assert answer.status_code == 409


def test_an_empty_draft_is_refused_next_to_the_field(secretary_client, world):
    client = secretary_client
    before = draft_text(client.get(path(world)).text)
    token = csrf_of(client.get(path(world)).text)
    answer = client.post(path(world), data={"markdown": "  \n", "csrf_token": token},
                         headers={"HX-Request": "true"})
    assert answer.status_code == 422
    assert "<html" not in answer.text and 'id="editor-markdown-error"' in answer.text
    assert 'aria-invalid="true"' in answer.text and "Testo del verbale" in answer.text
    assert draft_text(client.get(path(world)).text) == before


BASE = re.compile(r'name="base_sha" value="([0-9a-f]{64})"')
CONFLICT = re.compile(r'<pre id="conflict-text"[^>]*>(.*?)</pre>', re.S)


def saved_by_the_chair(engine, world, text: str) -> None:
    """The facilitator saves the draft from another editor (through the domain)."""
    with Session(engine) as session:
        actor = resolve_token(session, world.facilitator.token)
        minutes_versions.save_draft(session, actor=actor, meeting_id=world.meeting["id"], markdown=text)
        session.commit()


@pytest.mark.parametrize("htmx", [False, True])
def test_a_save_after_someone_elses_keeps_both_texts_and_says_who(secretary_client, world, engine, htmx):
    client = secretary_client
    page = client.get(path(world)).text
    read = draft_text(page)
    base = BASE.search(page).group(1)
    assert base == hashlib.sha256(read.encode("utf-8")).hexdigest()
    chair = f"{read.rstrip()}\n\nNota della presidente: si riprende a marzo.\n"
    saved_by_the_chair(engine, world, chair)

    mine = f"{read.rstrip()}\n\n{EDIT}"
    headers = {"HX-Request": "true"} if htmx else {}
    answer = post(client, path(world), {"markdown": mine, "base_sha": base, "action": "save"},
                  page=path(world), headers=headers)
    assert answer.status_code == 409
    assert ("<html" in answer.text) is not htmx
    alert = re.search(r'<div class="alert alert-danger" role="alert" tabindex="-1" autofocus>(.*?)</div>',
                      answer.text, re.S)
    assert alert and "Giulia Ferraro ha salvato la bozza il" in alert.group(1)
    assert "Il tuo testo è ancora nell’editor" in alert.group(1)
    assert draft_text(answer.text) == mine                      # nothing typed is lost...
    assert html.unescape(CONFLICT.search(answer.text).group(1)) == chair   # ...the chair's text is shown...
    assert "Il testo salvato nel frattempo" in answer.text
    new_base = BASE.search(answer.text).group(1)                 # ...and the form starts from it now.
    assert new_base == hashlib.sha256(chair.encode("utf-8")).hexdigest()
    assert draft_text(client.get(path(world)).text) == chair

    answer = post(client, path(world), {"markdown": mine, "base_sha": new_base}, page=path(world))
    assert answer.status_code == 303
    page = client.get(answer.headers["location"]).text
    assert draft_text(page) == f"{mine}\n" and "conflict-text" not in page


def test_saving_the_text_already_saved_is_no_conflict(secretary_client, world, engine):
    client = secretary_client
    page = client.get(path(world)).text
    base = BASE.search(page).group(1)
    chair = f"{draft_text(page).rstrip()}\n\n{EDIT}\n"
    saved_by_the_chair(engine, world, chair)
    answer = post(client, path(world), {"markdown": chair, "base_sha": base}, page=path(world))
    assert answer.status_code == 303
    assert draft_text(client.get(answer.headers["location"]).text) == chair


def test_approval_and_publication_on_the_page_store_the_files(secretary_client, world, engine, settings):
    client = secretary_client
    store = ExportStore(settings.data_dir / "exports")
    approve(client, world)

    def stored(public: bool) -> list[str]:
        with Session(engine) as session:
            document = versions.get_version(session, kind=DocumentKind.minutes, process_id=world.process,
                                            meeting_id=world.meeting["id"], version=1)
            markdown, head = minutes_source(session, document, public=public)
        return [fmt for fmt in ("pdf", "docx", "odt") if store.path(markdown, fmt, head).exists()]

    assert stored(public=False) == ["pdf", "docx", "odt"] and stored(public=True) == []
    assert post(client, path(world, "/versions/1/publish"), {}, page=path(world)).status_code == 303
    assert stored(public=True) == ["pdf", "docx", "odt"]
