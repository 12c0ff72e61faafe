"""The accessibility statement: AgID's sections, the contact the administration set (or what
to do while it has set none), in both languages, linked from the footer of every page."""

from __future__ import annotations

import pytest


def test_the_statement_says_partially_compliant_how_it_was_assessed_and_where_to_turn(client):
    page = client.get("/accessibilita", headers={"Accept-Language": "it"})
    assert page.status_code == 200
    text = page.text
    assert "<h1>Dichiarazione di accessibilità</h1>" in text
    assert "parzialmente conforme" in text
    for heading in ("Stato di conformità", "Contenuti non accessibili", "Redazione della dichiarazione",
                    "Feedback e recapiti", "Procedura di attuazione"):
        assert f">{heading}</h2>" in text, heading
    assert "axe-core" in text and "sola tastiera" in text
    assert "Difensore civico per il digitale" in text and 'href="https://www.agid.gov.it/"' in text
    assert "27 novembre 2026" in text
    # No contact configured: the page says so and sends people to the facilitators.
    assert "mailto:" not in text and "non ha ancora indicato un recapito" in text


def test_the_contact_set_by_the_administration_is_shown(client, monkeypatch):
    monkeypatch.setattr(client.app.state.services.settings, "accessibility_contact",
                        "accessibilita@comune.padova.it")
    page = client.get("/accessibilita")
    assert 'href="mailto:accessibilita@comune.padova.it"' in page.text


def test_in_english_and_at_its_english_address(client):
    moved = client.get("/accessibility", follow_redirects=False)
    assert moved.status_code == 308 and moved.headers["location"] == "/accessibilita"
    page = client.get("/accessibility", headers={"Accept-Language": "en"})
    assert "<h1>Accessibility statement</h1>" in page.text and "partially compliant" in page.text
    assert 'lang="en"' in page.text


@pytest.mark.parametrize("path", ["/login", "/code", "/accessibilita"])
def test_every_page_links_to_it_from_the_footer(client, path):
    page = client.get(path)
    footer = page.text[page.text.index("<footer"):]
    assert 'href="/accessibilita"' in footer
