"""Insights and open data over HTTP, on the process of tests/boards/known_process.py: the
dashboard as JSON with its filters from the query, the administration's, the open-data zip,
JSON and single files, the publishable mark, and clear errors for bad parameters."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

import pytest
from sqlmodel import Session, select

from boards import accounts
from boards.models import AuditEntry, Invite
from boards.opendata import FILES
from tests.api.support import assert_error, bearer
from tests.boards import known_process
from tests.boards.known_process import PEOPLE


@dataclass
class World:
    known: known_process.Known
    facilitator: dict
    partner: dict


@pytest.fixture
def world(engine) -> World:
    with Session(engine, expire_on_commit=False) as session:
        known = known_process.build(session)
        facilitator = accounts.issue_token(session, days=1, account=known.facilitator.account)
        partner = known.people["T1"]
        invite = session.exec(select(Invite).where(Invite.person_id == partner.id)).one()
        partner_token = accounts.issue_token(session, days=1, person=partner, invite=invite)
        session.commit()
    return World(known, bearer(facilitator), bearer(partner_token))


def test_the_dashboard_as_json_with_filters_from_the_query(client, world):
    process = world.known.process.id
    answer = client.get(f"/api/v1/processes/{process}/insights", headers=world.partner)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["contributions"] == 27 and body["meetings"] == 3 and body["filters"] == {}
    readings = {reading["key"]: reading for reading in body["readings"]}
    assert [(c["label"], c["value"]) for c in readings["by_kind"]["counts"]] == [
        ("Pubblica amministrazione", 8), ("Ente sanitario", 5), ("Terzo settore", 13), ("Altro", 1)]
    assert readings["pledges_by_partner"]["counts"][0] == {
        "key": f"organization:{world.known.body('P1')}", "label": "Comune di Lusia", "value": "10000.00"}
    table = world.known.tables["A"].id
    answer = client.get(f"/api/v1/processes/{process}/insights?since=2026-10-01&until=2026-11-30&table={table}"
                        "&kind=third_sector&lang=en", headers=world.partner)
    body = answer.json()
    assert body["filters"] == {"since": "2026-10-01", "until": "2026-11-30", "table": str(table),
                               "kind": "third_sector"}
    readings = {reading["key"]: reading for reading in body["readings"]}
    # Table A, Third Sector: meeting 1 (6), meeting 3 and the note before it (3).
    assert body["contributions"] == 9
    assert readings["by_kind"]["title"] == "Contributions by kind of organisation"
    assert [(c["label"], c["value"]) for c in readings["over_time"]["counts"]] == [
        ("Meeting 1", 6), ("Between meetings 2 and 3", 1), ("Meeting 3", 2)]


@pytest.mark.parametrize(("query", "words"), [
    ("since=ieri", ("'since' must be a date",)),
    ("since=2026-11-01&until=2026-10-01", ("must not be after",)),
    ("table=abc", ("'table' must be the id",)),
    ("kind=ngo", ("'kind' must be one of",)),
    ("table=2147483647", ("not part of this process",)),
])
def test_bad_filters_are_explained(client, world, query, words):
    answer = client.get(f"/api/v1/processes/{world.known.process.id}/insights?{query}", headers=world.facilitator)
    assert_error(answer, 422, *words)


def test_the_administration_dashboard(client, world):
    answer = client.get("/api/v1/administrations/insights", params={"administration": world.known.administration},
                        headers=world.facilitator)
    assert answer.status_code == 200, answer.text
    assert answer.json()["processes"] == [world.known.process.id] and answer.json()["contributions"] == 27
    assert_error(client.get("/api/v1/administrations/insights", params={"administration": "Comune di Nessuno"},
                            headers=world.facilitator), 404, "staff of no process")
    assert_error(client.get("/api/v1/administrations/insights", headers=world.facilitator), 422,
                 "must name an administration")
    assert_error(client.get("/api/v1/administrations/insights", params={"administration": world.known.administration},
                            headers=world.partner), 403, "staff accounts")


def test_open_data_as_a_zip_of_csv_files_without_names(client, world):
    answer = client.get(f"/api/v1/processes/{world.known.process.id}/opendata", headers=world.facilitator)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/zip"
    assert answer.headers["content-disposition"] == f'attachment; filename="dati-aperti-{world.known.process.id}.zip"'
    assert answer.headers["cache-control"] == "no-store"
    with zipfile.ZipFile(io.BytesIO(answer.content)) as archive:
        assert archive.namelist() == [f"{name}.csv" for name in FILES]
        files = {name: archive.read(name).decode("utf-8-sig") for name in archive.namelist()}
    assert files["pledges.csv"].split("\r\n")[3] == f"{world.known.process.id};staff_hours;third_sector;3;4400,35;3;no"
    for name, text in files.items():
        for person in PEOPLE:
            for part in [person, *person.split()]:
                assert part.casefold() not in text.casefold(), (part, name)


def test_open_data_as_json_and_one_file_at_a_threshold(client, world):
    url = f"/api/v1/processes/{world.known.process.id}/opendata"
    whole = client.get(url, params={"format": "json", "threshold": "2"}, headers=world.facilitator)
    assert whole.status_code == 200 and whole.headers["content-type"] == "application/json"
    body = whole.json()
    assert body["threshold"] == 2 and list(body["files"]) == FILES
    pledges = client.get(url, params={"format": "json", "file": "pledges", "threshold": "2"},
                         headers=world.facilitator).json()
    assert [(row["pledge_kind"], row["organization_kind"], row["value_eur"]) for row in pledges[:2]] == [
        ("money", "public", "15000.50"), ("money", "third_sector", "2000.25")]
    one = client.get(url, params={"format": "csv", "file": "participation"}, headers=world.facilitator)
    assert one.headers["content-type"] == "text/csv; charset=utf-8"
    assert one.content.decode("utf-8-sig").split("\r\n")[0] == \
        "process_id;meeting;organization_kind;organizations_present;suppressed"
    assert_error(client.get(url, params={"threshold": "1"}, headers=world.facilitator), 422, "from 2 to 100")
    assert_error(client.get(url, params={"threshold": "tre"}, headers=world.facilitator), 422, "whole number")
    assert_error(client.get(url, params={"format": "xml"}, headers=world.facilitator), 422, "csv or json")
    assert_error(client.get(url, params={"file": "people"}, headers=world.facilitator), 422, "'file' must be one of")
    assert_error(client.get(url, headers=world.partner), 403)


def test_marking_a_contribution_publishable(client, world, engine):
    note = world.known.notes[1]
    url = f"/api/v1/items/{note.id}/publishable"
    answer = client.put(url, json={"publishable": True}, headers=world.facilitator)
    assert answer.status_code == 200 and answer.json() == {"id": note.id, "publishable": True}
    texts = client.get(f"/api/v1/processes/{world.known.process.id}/opendata",
                       params={"format": "json", "file": "contributions_text"}, headers=world.facilitator).json()
    assert "Contributo 1" in [row["text"] for row in texts]
    assert_error(client.put(url, json={"publishable": "yes"}, headers=world.facilitator), 422)
    assert_error(client.put(url, json={"publishable": True}, headers=world.partner), 403)
    assert_error(client.put(f"/api/v1/items/{world.known.excluded[0].id}/publishable", json={"publishable": True},
                            headers=world.facilitator), 404)
    assert client.put(url, json={"publishable": False}, headers=world.facilitator).json()["publishable"] is False
    with Session(engine) as session:
        entries = session.exec(select(AuditEntry).where(AuditEntry.target == f"item:{note.id}")
                               .order_by(AuditEntry.id)).all()
    assert [entry.detail for entry in entries] == [{"publishable": True}, {"publishable": False}]
