"""A person's data over HTTP: erasure by a facilitator, which keeps approved versions byte
for byte and says why (GDPR art. 17(3)(b)), and the export of one person's data as a file."""

from __future__ import annotations

import hashlib

import pytest
from sqlmodel import Session, select

from boards.models import Board, Item, ItemKind, Person
from tests.api.support import assert_error

NAME = "Elena Moretti"


def minutes_url(world, suffix: str = "") -> str:
    return f"/api/v1/meetings/{world.meeting['id']}/minutes{suffix}"


@pytest.fixture
def elena(client, engine, world) -> dict:
    """A participant named in her own note and in another's, and in an approved verbale."""
    invite = client.post(f"/api/v1/processes/{world.process}/invites", headers=world.facilitator.auth,
                         json={"name": NAME, "organization": world.organizations["third_sector"],
                               "role": "participant", "email": "elena.moretti@example.org"}).json()
    joined = client.post("/api/v1/join", json={"invite": invite["invite"]}).json()
    with Session(engine) as session:
        board = session.exec(select(Board).where(Board.meeting_id == world.meeting["id"])).first()
        for author, text in [(invite["person"], "Uno sportello legale in stazione"),
                             (world.participant["person"], "Come propone Elena Moretti, uno sportello")]:
            session.add(Item(board_id=board.id, kind=ItemKind.note, text=text, author_id=author))
        session.commit()
    approved = client.post(minutes_url(world, "/approve"), headers=world.facilitator.auth).json()
    return {"person": invite["person"], "token": joined["token"], "approved": approved}


def test_a_facilitator_erases_a_participant_and_the_approved_verbale_stays(client, world, elena):
    staff = world.facilitator.auth
    first = client.get(minutes_url(world), params={"version": 1, "format": "md"}, headers=staff).content
    assert NAME.encode() in first and hashlib.sha256(first).hexdigest() == elena["approved"]["sha256"]

    answer = client.post(f"/api/v1/people/{elena['person']}/erase", headers=staff,
                         json={"reason": "Richiesta via PEC del 20 novembre"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["pseudonym"].startswith("Partecipante ") and body["already_erased"] is False
    assert body["changed"]["contributions"] == 1 and body["changed"]["drafts"] == 1
    assert body["retained"] == [{"kind": "minutes", "meeting": world.meeting["id"], "version": 1,
                                 "sha256": elena["approved"]["sha256"], "approved_at": body["retained"][0]["approved_at"]}]
    assert "GDPR art. 17(3)(b)" in body["retained_because"]

    # The approved version: the same bytes, the same digest; the draft and new exports: no name.
    again = client.get(minutes_url(world), params={"version": 1, "format": "md"}, headers=staff).content
    assert again == first
    draft = client.get(minutes_url(world, "/draft"), headers=staff).json()
    assert NAME not in draft["markdown"] and NAME not in draft["generated"]
    assert f"Come propone {body['pseudonym']}, uno sportello" in draft["markdown"]
    html = client.get(minutes_url(world), params={"format": "html"}, headers=staff)
    assert html.status_code == 200 and NAME not in html.text and body["pseudonym"] in html.text
    # Her sessions end with the erasure.
    assert_error(client.get(f"/api/v1/processes/{world.process}", headers=world.bearer(elena["token"])), 401)
    audit = client.get(f"/api/v1/processes/{world.process}/audit", headers=staff).json()
    entry = next(e for e in audit if e["action"] == "person.erase")
    assert "17(3)(b)" in entry["detail"]["retained_because"]
    assert NAME not in str(audit)

    exported = client.get(f"/api/v1/people/{elena['person']}/export", headers=staff)
    assert NAME not in exported.text and "elena.moretti@" not in exported.text

    twice = client.post(f"/api/v1/people/{elena['person']}/erase", headers=staff, json={"reason": "Di nuovo"})
    assert twice.status_code == 200 and twice.json()["already_erased"] is True
    assert twice.json()["retained"] == body["retained"]


def test_erasure_refuses_what_it_must(client, engine, world, elena):
    staff = world.facilitator.auth
    url = f"/api/v1/people/{elena['person']}/erase"
    assert_error(client.post(url, headers=staff, json={"reason": " "}), 422, "reason")
    assert_error(client.post(url, headers=world.secretary.auth, json={"reason": "Richiesta"}), 403)
    assert_error(client.post(url, headers=world.bearer(elena["token"]), json={"reason": "Richiesta"}), 403)
    assert_error(client.post("/api/v1/people/999999999/erase", headers=staff, json={"reason": "Richiesta"}), 404)
    with Session(engine) as session:
        facilitator = session.exec(select(Person).where(Person.process_id == world.process,
                                                        Person.account_id == world.facilitator.id)).one()
    assert_error(client.post(f"/api/v1/people/{facilitator.id}/erase", headers=staff, json={"reason": "Richiesta"}),
                 422, "staff")
    with Session(engine) as session:
        assert session.get(Person, elena["person"]).name == NAME


def test_a_person_downloads_their_own_data(client, world, elena):
    answer = client.get(f"/api/v1/people/{elena['person']}/export", headers=world.bearer(elena["token"]))
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/json"
    assert answer.headers["content-disposition"] == f'attachment; filename="tavolo-person-{elena["person"]}.json"'
    assert answer.headers["cache-control"] == "no-store"
    data = answer.json()
    assert data["person"]["name"] == NAME and data["person"]["email"] == "elena.moretti@example.org"
    assert [c["text"] for c in data["contributions"]] == ["Uno sportello legale in stazione"]
    assert "Come propone" not in answer.text  # another person's note
    assert any("Other people" in entry["what"] for entry in data["not_included"])
    italian = client.get(f"/api/v1/people/{elena['person']}/export",
                         headers={**world.bearer(elena["token"]), "Accept-Language": "it"}).json()
    assert any("altre persone" in entry["what"] for entry in italian["not_included"])
    assert_error(client.get(f"/api/v1/people/{elena['person']}/export",
                            headers=world.bearer(world.observer["token"])), 403)
