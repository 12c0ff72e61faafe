"""The processes list, creating a process, and the forms of the process page."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session, select

from boards.models import AuditEntry, Meeting, Organization, Process, SteeringMember
from tests.pages.conftest import post_form


def count(engine, model, **where) -> int:
    with Session(engine) as session:
        query = select(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return len(session.exec(query).all())


def test_the_list_shows_the_facilitators_processes(facilitator_client, world):
    answer = facilitator_client.get("/processes")
    assert answer.status_code == 200
    assert "Centro servizi grave marginalità" in answer.text
    assert f'href="/processes/{world.process}"' in answer.text
    assert "Nuovo percorso" in answer.text  # facilitators may create one


def test_creating_a_process_leads_to_its_page(facilitator_client, engine):
    answer = post_form(facilitator_client, "/processes", {
        "title": "Stazione di Posta", "kind": "co-design", "administration": "Comune di Padova",
        "procedure_ref": "Avviso PNRR 1.3.2", "rup_name": "dott.ssa Maria Pellegrini",
        "description": "Accoglienza a bassa soglia",
    }, page="/processes")
    assert answer.status_code == 303
    process_id = int(answer.headers["location"].rsplit("/", 1)[1])
    with Session(engine) as session:
        process = session.get(Process, process_id)
        assert (process.title, process.rup_name) == ("Stazione di Posta", "dott.ssa Maria Pellegrini")
    page = facilitator_client.get(answer.headers["location"])
    assert "Stazione di Posta" in page.text and "Avviso PNRR 1.3.2" in page.text


def test_a_form_without_csrf_token_is_refused_and_stores_nothing(facilitator_client, engine):
    before = count(engine, Process)
    answer = facilitator_client.post("/processes", data={"title": "Senza token", "kind": "co-design"},
                                     follow_redirects=False)
    assert answer.status_code == 403
    assert "CSRF" in answer.text
    wrong = facilitator_client.post("/processes", data={"title": "Token sbagliato", "kind": "co-design",
                                                        "csrf_token": "0" * 64})
    assert wrong.status_code == 403
    assert count(engine, Process) == before


def test_the_csrf_header_works_for_htmx(facilitator_client, world, engine):
    page = facilitator_client.get(f"/processes/{world.process}")
    token = page.text.split('"X-CSRF-Token": "', 1)[1].split('"', 1)[0]
    answer = facilitator_client.post(
        f"/processes/{world.process}/tables", data={"title": "Lavoro e autonomia"},
        headers={"HX-Request": "true", "X-CSRF-Token": token},
    )
    assert answer.status_code == 200
    assert count(engine, AuditEntry, action="table.add", process_id=world.process) == 1


def test_a_mistake_brings_the_form_back_with_the_message(facilitator_client):
    answer = post_form(facilitator_client, "/processes", {"title": "  ", "kind": "co-design"},
                       page="/processes", htmx=True)
    assert answer.status_code == 422
    assert "<html" not in answer.text  # only the form's block
    assert 'id="process-title"' in answer.text and 'aria-invalid="true"' in answer.text
    assert "Il campo «Titolo» non può essere vuoto" in answer.text
    full = post_form(facilitator_client, "/processes", {"title": "", "kind": "co-design"},
                     page="/processes")
    assert full.status_code == 422 and "<html" in full.text


def test_organisations_are_grouped_by_kind_with_lead_and_review_flags(facilitator_client, world, engine):
    answer = post_form(facilitator_client, f"/processes/{world.process}/organizations",
                       {"name": "Consorzio ATS Insieme", "kind": "third_sector", "ats_lead": "true"},
                       page=f"/processes/{world.process}", htmx=True)
    assert answer.status_code == 200
    assert "<html" not in answer.text and 'id="organizations"' in answer.text
    assert "Ente Consorzio ATS Insieme aggiunto." in answer.text
    with Session(engine) as session:
        session.add(Organization(process_id=world.process, name="Gruppo spontaneo",
                                 kind="other", needs_review=True))
        session.commit()
    page = facilitator_client.get(f"/processes/{world.process}").text
    for heading in ("Pubbliche amministrazioni", "Aziende sanitarie", "Enti del Terzo settore",
                    "Altri enti"):
        assert heading in page
    assert "Capofila ATS" in page and "Da verificare" in page
    assert page.index("Comune di Padova") < page.index("ULSS 6 Euganea") < page.index("Il Ponte")


def test_a_duplicate_organisation_is_refused_in_the_form(facilitator_client, world, engine):
    before = count(engine, Organization, process_id=world.process)
    answer = post_form(facilitator_client, f"/processes/{world.process}/organizations",
                       {"name": "comune di padova", "kind": "public"},
                       page=f"/processes/{world.process}", htmx=True)
    assert answer.status_code == 409
    assert "Esiste già un ente denominato" in answer.text
    assert count(engine, Organization, process_id=world.process) == before


def test_marking_an_organisation_as_checked(facilitator_client, world, engine):
    with Session(engine) as session:
        organization = Organization(process_id=world.process, name="Nuova APS", kind="other",
                                    needs_review=True)
        session.add(organization)
        session.commit()
        organization_id = organization.id
    answer = post_form(facilitator_client, f"/organizations/{organization_id}/review", {},
                       page=f"/processes/{world.process}")
    assert answer.status_code == 303
    with Session(engine) as session:
        assert not session.get(Organization, organization_id).needs_review


def test_steering_committee_member_with_dates(facilitator_client, world, engine):
    data = {"name": "Sara Greco", "position": "Componente (capofila ATS)",
            "organization": str(world.organizations["third_sector"]),
            "started_on": "2026-10-01", "ended_on": ""}
    answer = post_form(facilitator_client, f"/processes/{world.process}/steering", data,
                       page=f"/processes/{world.process}")
    assert answer.status_code == 303
    with Session(engine) as session:
        member = session.exec(select(SteeringMember).where(
            SteeringMember.process_id == world.process)).one()
        assert member.started_on.isoformat() == "2026-10-01" and member.ended_on is None
    page = facilitator_client.get(f"/processes/{world.process}").text
    assert "Sara Greco" in page and "1 ott 2026" in page
    wrong = post_form(facilitator_client, f"/processes/{world.process}/steering",
                      {**data, "started_on": "2026-10-01", "ended_on": "2026-09-01"},
                      page=f"/processes/{world.process}", htmx=True)
    assert wrong.status_code == 422
    assert "La data di fine è precedente alla data di inizio" in wrong.text


def test_adding_staff_by_email(facilitator_client, world, make_account):
    colleague = make_account("facilitator", name="Anna Verdi")
    answer = post_form(facilitator_client, f"/processes/{world.process}/staff",
                       {"email": colleague.email, "role": "facilitator"},
                       page=f"/processes/{world.process}", htmx=True)
    assert answer.status_code == 200 and "Anna Verdi" in answer.text
    unknown = post_form(facilitator_client, f"/processes/{world.process}/staff",
                        {"email": "nessuno@example.org", "role": "secretary"},
                        page=f"/processes/{world.process}", htmx=True)
    assert unknown.status_code == 422
    assert "Nessun account ha l’email nessuno@example.org" in unknown.text


def test_scheduling_a_meeting_in_italian_time(facilitator_client, world, engine):
    answer = post_form(facilitator_client, f"/processes/{world.process}/meetings", {
        "title": "Secondo incontro", "starts_at": "2026-12-15T15:30", "mode": "hybrid",
        "location": "Sala Paladin", "agenda": "Apertura\n\n  Linee di lavoro  \nVarie",
    }, page=f"/processes/{world.process}")
    assert answer.status_code == 303
    meeting_id = int(answer.headers["location"].split("/")[2])
    assert answer.headers["location"] == f"/meetings/{meeting_id}/setup"
    with Session(engine) as session:
        meeting = session.get(Meeting, meeting_id)
        assert meeting.number == 2
        # 15:30 in Rome in December is 14:30 UTC.
        starts = meeting.starts_at.replace(tzinfo=meeting.starts_at.tzinfo or UTC)
        assert starts == datetime(2026, 12, 15, 14, 30, tzinfo=UTC)
    setup = facilitator_client.get(answer.headers["location"]).text
    assert "Apertura\nLinee di lavoro\nVarie" in setup


def test_a_bad_meeting_time_is_a_form_error(facilitator_client, world):
    answer = post_form(facilitator_client, f"/processes/{world.process}/meetings",
                       {"title": "Incontro", "starts_at": "domani", "mode": "online"},
                       page=f"/processes/{world.process}", htmx=True)
    assert answer.status_code == 422
    assert 'id="meeting-starts_at-error"' in answer.text


def test_participants_see_their_meetings_and_cannot_use_staff_forms(client, world, engine):
    client.cookies.set("tavolo_session", world.participant["token"])
    page = client.get(f"/processes/{world.process}")
    assert page.status_code == 200
    assert "Primo incontro" in page.text and f"/meetings/{world.meeting['id']}/room" in page.text
    assert "/invites/" not in page.text and "Aggiungi un ente" not in page.text
    before = count(engine, Organization, process_id=world.process)
    answer = post_form(client, f"/processes/{world.process}/organizations",
                       {"name": "Infiltrato", "kind": "other"}, page=f"/processes/{world.process}")
    assert answer.status_code == 403
    assert count(engine, Organization, process_id=world.process) == before
    assert client.get(f"/processes/{world.process}/audit").status_code == 403


def test_someone_elses_process_is_forbidden(client, world, make_account):
    from tests.pages.conftest import sign_in

    stranger = make_account("facilitator", name="Estranea")
    sign_in(client, stranger.email)
    answer = client.get(f"/processes/{world.process}")
    assert answer.status_code == 403
    assert "Non fai parte di questo percorso" in answer.text
    assert client.get("/processes/999999").status_code == 404


def test_a_refusal_during_an_htmx_request_lands_in_the_alert_region(client, world):
    client.cookies.set("tavolo_session", world.participant["token"])
    answer = post_form(client, f"/processes/{world.process}/tables", {"title": "Tavolo"},
                       page=f"/processes/{world.process}", htmx=True)
    assert answer.status_code == 403
    assert answer.headers["hx-retarget"] == "#page-alerts"
    assert answer.headers["hx-reswap"] == "innerHTML"
    assert 'role="alert"' in answer.text and "<html" not in answer.text
    assert "Solo lo staff di questo percorso può farlo" in answer.text
