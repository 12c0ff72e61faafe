"""Pages in Italian by default, English by Accept-Language or by the remembered switch."""

from __future__ import annotations

from sqlmodel import Session

from boards.models import Account
from tests.pages.conftest import sign_in, token_for


def test_italian_when_nothing_matches(client):
    for accept in (None, "de-DE,de;q=0.9", "fr"):
        headers = {"Accept-Language": accept} if accept else {}
        page = client.get("/login", headers=headers)
        assert '<html lang="it">' in page.text and ">Accedi<" in page.text


def test_english_from_accept_language(client):
    page = client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9,it;q=0.5"})
    assert '<html lang="en">' in page.text
    assert "Skip to content" in page.text and ">Sign in<" in page.text


def test_the_switch_is_remembered(client):
    token = token_for(client, "/code")
    answer = client.post("/language", data={"lang": "en", "next": "/code", "csrf_token": token},
                         follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/code"
    cookie = next(h for h in answer.headers.get_list("set-cookie") if h.startswith("tavolo_lang="))
    assert "tavolo_lang=en" in cookie and "Max-Age" in cookie
    # The choice beats the browser's Accept-Language from now on.
    page = client.get("/code", headers={"Accept-Language": "it"})
    assert '<html lang="en">' in page.text and "Join a meeting with a code" in page.text
    # The switch offers the other language, named in that language.
    assert '<button type="submit" name="lang" value="it" lang="it"' in page.text


def test_the_switch_needs_csrf_and_a_known_language(client):
    client.get("/login")
    assert client.post("/language", data={"lang": "en"}).status_code == 403
    token = token_for(client)
    bad = client.post("/language", data={"lang": "xx", "csrf_token": token})
    assert bad.status_code == 422
    evil = client.post("/language", data={"lang": "en", "next": "https://evil.example/",
                                          "csrf_token": token}, follow_redirects=False)
    assert evil.headers["location"] == "/"


def test_the_choice_is_saved_on_the_account_and_restored_at_sign_in(client, make_account, engine):
    staff = make_account()
    sign_in(client, staff.email)
    token = token_for(client, "/processes")
    client.post("/language", data={"lang": "en", "next": "/processes", "csrf_token": token})
    with Session(engine) as session:
        assert session.get(Account, staff.id).lang == "en"
    # Another browser: no language cookie, but signing in brings the account's choice.
    client.cookies.clear()
    answer = sign_in(client, staff.email)
    assert "tavolo_lang=en" in ";".join(answer.headers.get_list("set-cookie"))
    assert '<html lang="en">' in client.get("/processes").text


def test_the_choice_is_saved_on_a_participant(client, world, engine):
    from boards.models import Person

    client.cookies.set("tavolo_session", world.participant["token"])
    token = token_for(client, f"/processes/{world.process}")
    client.post("/language", data={"lang": "en", "csrf_token": token})
    with Session(engine) as session:
        assert session.get(Person, world.participant["person"]).lang == "en"


def test_the_switch_comes_back_to_the_same_address(client):
    page = client.get("/login", params={"next": "/processes"})
    assert 'name="next" value="/login?next=/processes"' in page.text.replace("%2F", "/")
