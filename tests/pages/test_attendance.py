"""The attendance page: the table by organisation and the three corrections, by form."""

from __future__ import annotations

from sqlmodel import Session, select

from boards.models import Attendance, AttendanceStatus, Organization, Person, Representation
from tests.pages.conftest import post_form, sign_in


def page_path(world) -> str:
    return f"/meetings/{world.meeting['id']}/attendance"


def record(engine, world, person_id) -> Attendance | None:
    with Session(engine) as session:
        return session.exec(select(Attendance).where(
            Attendance.meeting_id == world.meeting["id"], Attendance.person_id == person_id)).first()


def test_the_page_lists_people_by_organisation_for_staff(facilitator_client, client, world):
    page = facilitator_client.get(page_path(world))
    assert page.status_code == 200
    text = page.text
    assert "<h1>" in text and "Presenze" in text
    # Bodies in order: the public administration first, then the Third Sector, then staff.
    assert text.index("Comune di Padova") < text.index("Cooperativa Il Ponte") < text.index("Marco Zanin")
    assert "Persona participant" in text and "Persona observer" in text
    assert "Assente" in text
    assert 'action="/meetings/%s/attendance/organization"' % world.meeting["id"] in text
    assert 'name="csrf_token"' in text
    # The set-up page links to it.
    assert page_path(world) in facilitator_client.get(f"/meetings/{world.meeting['id']}/setup").text
    client.cookies.clear()
    client.cookies.set("tavolo_session", world.participant["token"])
    assert client.get(page_path(world)).status_code == 403


def test_the_page_in_english(facilitator_client, world):
    page = facilitator_client.get(page_path(world), headers={"Accept-Language": "en"})
    assert '<html lang="en">' in page.text
    assert "Correct the attendance" in page.text and "Someone present in the room" in page.text


def test_correcting_one_person_by_htmx(facilitator_client, world, engine):
    answer = post_form(facilitator_client, page_path(world), {
        "participant": str(world.participant["person"]), "status": "excused",
        "proxy_for": "", "note": "Malattia"}, page=page_path(world), htmx=True)
    assert answer.status_code == 200, answer.text
    assert "<html" not in answer.text and 'id="attendance"' in answer.text
    assert "Presenza di Persona participant salvata." in answer.text
    assert "Malattia" in answer.text
    saved = record(engine, world, world.participant["person"])
    assert saved.status == AttendanceStatus.excused and saved.note == "Malattia"


def test_a_proxy_for_someone_of_another_organisation(facilitator_client, world, engine):
    answer = post_form(facilitator_client, page_path(world), {
        "participant": str(world.participant["person"]), "status": "proxy",
        "proxy_for": str(world.observer["person"]), "note": "Delega scritta"},
        page=page_path(world), htmx=True)
    assert answer.status_code == 200, answer.text
    assert "Per Persona observer" in answer.text
    assert "Rappresentato da Persona participant" in answer.text
    saved = record(engine, world, world.participant["person"])
    assert (saved.status, saved.proxy_for) == (AttendanceStatus.proxy, world.observer["person"])


def test_a_wrong_correction_comes_back_with_the_message(facilitator_client, world, engine):
    answer = post_form(facilitator_client, page_path(world), {
        "participant": str(world.participant["person"]), "status": "proxy", "proxy_for": "",
        "note": ""}, page=page_path(world), htmx=True)
    assert answer.status_code == 422
    assert 'role="alert"' in answer.text and "proxy_for" in answer.text
    assert record(engine, world, world.participant["person"]) is None
    answer = post_form(facilitator_client, page_path(world), {
        "participant": "", "status": "absent"}, page=page_path(world), htmx=True)
    assert answer.status_code == 422 and "Scegli la persona" in answer.text


def test_a_whole_organisation_excused(facilitator_client, world, engine):
    answer = post_form(facilitator_client, f"{page_path(world)}/organization", {
        "organization": str(world.organizations["third_sector"]), "status": "excused",
        "note": "Comunicato per email"}, page=page_path(world), htmx=True)
    assert answer.status_code == 200, answer.text
    assert "Presenza di tutte le persone di Cooperativa Il Ponte salvata." in answer.text
    assert record(engine, world, world.participant["person"]).status == AttendanceStatus.excused
    # Without JavaScript: back to the page.
    plain = post_form(facilitator_client, f"{page_path(world)}/organization", {
        "organization": str(world.organizations["public"]), "status": "absent"},
        page=page_path(world))
    assert plain.status_code == 303 and plain.headers["location"] == page_path(world)
    assert record(engine, world, world.observer["person"]).status == AttendanceStatus.absent


def test_someone_present_in_the_room_with_a_new_organisation(facilitator_client, world, engine):
    answer = post_form(facilitator_client, f"{page_path(world)}/in-room", {
        "name": "Rosa Neri", "organization": "", "organization_name": "Associazione Auser",
        "title": "Presidente", "joined_at": "2026-12-01T15:10", "note": ""},
        page=page_path(world), htmx=True)
    assert answer.status_code == 200, answer.text
    assert "Rosa Neri risulta presente in sala." in answer.text
    assert "Associazione Auser" in answer.text and "Da verificare" in answer.text
    with Session(engine) as session:
        person = session.exec(select(Person).where(Person.name == "Rosa Neri",
                                                   Person.process_id == world.process)).one()
        organization = session.get(Organization, person.organization_id)
        assert organization.kind == "other" and organization.needs_review
        title = session.exec(select(Representation.title).where(
            Representation.person_id == person.id)).one()
        assert title == "Presidente"
    saved = record(engine, world, person.id)
    assert saved.in_person and saved.status == AttendanceStatus.present
    # 15:10 in Rome in December is 14:10 UTC.
    assert (saved.joined_at.hour, saved.joined_at.minute) == (14, 10)


def test_someone_in_the_room_needs_a_name_and_an_organisation(facilitator_client, world):
    answer = post_form(facilitator_client, f"{page_path(world)}/in-room", {
        "name": "", "organization": str(world.organizations["public"])},
        page=page_path(world), htmx=True)
    assert answer.status_code == 422 and 'aria-invalid="true"' in answer.text
    answer = post_form(facilitator_client, f"{page_path(world)}/in-room", {
        "name": "Rosa Neri"}, page=page_path(world), htmx=True)
    assert answer.status_code == 422 and "organizzazione" in answer.text


def test_the_secretary_may_correct_too(client, world, engine):
    sign_in(client, world.secretary.email)
    answer = post_form(client, page_path(world), {
        "participant": str(world.observer["person"]), "status": "present"},
        page=page_path(world), htmx=True)
    assert answer.status_code == 200
    assert record(engine, world, world.observer["person"]).corrected_by == world.secretary.id
