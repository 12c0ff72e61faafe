"""The audit log page: staff only, newest first, in the reader's language."""

from __future__ import annotations


def test_staff_read_who_changed_what(facilitator_client, world):
    page = facilitator_client.get(f"/processes/{world.process}/audit")
    assert page.status_code == 200
    text = page.text
    assert "Registro delle operazioni" in text
    for label in ("Percorso creato", "Ente aggiunto", "Incontro programmato", "Invito creato",
                  "Accesso con invito"):
        assert label in text
    assert "Giulia Ferraro" in text  # who did it
    # Newest first: the joins came after the process was created.
    assert text.index("Accesso con invito") < text.index("Percorso creato")


def test_the_audit_log_in_english(facilitator_client, world):
    page = facilitator_client.get(f"/processes/{world.process}/audit",
                                  headers={"Accept-Language": "en"})
    assert "Process created" in page.text and "Audit log" in page.text


def test_participants_and_strangers_may_not_read_it(client, world):
    assert client.get(f"/processes/{world.process}/audit", follow_redirects=False).status_code == 303
    client.cookies.set("tavolo_session", world.observer["token"])
    assert client.get(f"/processes/{world.process}/audit").status_code == 403
