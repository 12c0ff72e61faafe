"""The insights pages on a process whose every contribution is known
(tests/boards/known_process.py): the charts' tables show its figures exactly, the filters in
the query string change them, and who may see what."""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET

import html5lib
import pytest
from argon2 import PasswordHasher
from sqlmodel import Session

from app.security import SESSION_COOKIE
from boards import accounts
from boards.models import Account, Invite, Organization, Person
from tests.boards import known_process
from tests.conftest import PASSWORD
from tests.pages.conftest import sign_in

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def known(engine):
    """The known process, committed, its facilitator able to sign in with PASSWORD."""
    with Session(engine, expire_on_commit=False) as session:
        known = known_process.build(session)
        account = session.get(Account, known.facilitator.account.id)
        account.password_hash = PasswordHasher().hash(PASSWORD)
        session.add(account)
        session.commit()
    return known


@pytest.fixture
def staff_client(client, known):
    sign_in(client, known.facilitator.account.email)
    return client


def table(html: str, table_id: str) -> list[list[str]]:
    """The rows of the table with this id, as the text of their cells."""
    tree = html5lib.parse(html, namespaceHTMLElements=False)
    found = next((t for t in tree.iter("table") if t.get("id") == table_id), None)
    assert found is not None, f"no table {table_id!r}"
    return [[" ".join("".join(cell.itertext()).split()) for cell in row if cell.tag in ("th", "td")]
            for row in found.iter("tr")]


def chart(html: str, chart_id: str) -> ET.Element:
    """The inline SVG with this id, parsed as XML."""
    match = re.search(rf'<svg [^>]*id="{chart_id}".*?</svg>', html, flags=re.S)
    assert match, f"no chart {chart_id!r}"
    return ET.fromstring(match.group(0))


def test_the_process_dashboard_shows_every_figure(staff_client, known):
    page = staff_client.get(f"/processes/{known.process.id}/insights")
    assert page.status_code == 200, page.text
    html = page.text
    assert "Incontri svolti: 3. Contributi contati: 27." in html
    # The open data downloads, for staff, with the browser's session.
    links = re.findall(r'href="(/api/v1/processes/\d+/opendata\?[^"]*)"', html)
    assert links == [f"/api/v1/processes/{known.process.id}/opendata?format=csv",
                     f"/api/v1/processes/{known.process.id}/opendata?format=json",
                     f"/api/v1/processes/{known.process.id}/opendata?format=csv&amp;file=dictionary"]
    answer = staff_client.get(links[0])
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/zip"
    assert table(html, "by-kind-table") == [
        ["Tipo di ente", "Contributi"], ["Pubblica amministrazione", "8"], ["Ente sanitario", "5"],
        ["Terzo settore", "13"], ["Altro", "1"], ["Totale", "27"]]
    # The filter names the kinds as the charts do.
    assert re.findall(r'<option value="(\w+)"[^>]*>([^<]+)</option>', html.split('name="kind"')[1].split("</select>")[0]) == [
        ("public", "Pubblica amministrazione"), ("health", "Ente sanitario"), ("third_sector", "Terzo settore"),
        ("other", "Altro")]
    # A contribution in two lines counts in each: no total.
    assert table(html, "by-line-table") == [
        ["Linea di lavoro", "Contributi"], ["Casa e accoglienza", "6"], ["Lavoro e formazione", "5"],
        ["Non ancora in una linea di lavoro", "17"]]
    assert table(html, "by-question-table")[1:] == [
        ["Quali bisogni vedete nel quartiere?", "14"], ["Come misuriamo i risultati, come chiedeva Zanetti?", "5"],
        ["Quali risorse potete mettere in campo?", "3"], ["Senza domanda guida", "5"], ["Totale", "27"]]
    # Meetings and the periods between them, stacked by kind.
    assert table(html, "over-time-by-kind-table") == [
        ["Periodo", "Pubblica amministrazione", "Ente sanitario", "Terzo settore", "Altro", "Totale"],
        ["Incontro 1", "3", "3", "6", "1", "13"],
        ["Tra l'incontro 1 e il 2", "1", "0", "0", "0", "1"],
        ["Incontro 2", "2", "1", "3", "0", "6"],
        ["Tra l'incontro 2 e il 3", "0", "0", "2", "0", "2"],
        ["Incontro 3", "2", "1", "2", "0", "5"],
        ["Totale", "8", "5", "13", "1", "27"]]
    # Confirmed pledges in exact euro, cumulative by month, the largest partners first.
    assert table(html, "pledges-by-partner-table")[1] == ["Comune di Lusia", "10.000,00"]
    months = table(html, "pledges-over-time-table")
    assert [row[0] for row in months] == ["Mese", "10/2026", "11/2026", "12/2026"]
    # The charts carry the same figures and say them in their text alternative.
    by_kind = chart(html, "by-kind")
    assert by_kind.get("role") == "img"
    assert by_kind.find(f"{SVG}desc").text == (
        "Grafico a barre orizzontali. Contributi per tipo di ente. Pubblica amministrazione: 8; "
        "Ente sanitario: 5; Terzo settore: 13; Altro: 1. Totale: 27.")
    # No person is named by the readings (the page's header names who is signed in).
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    assert not [name for name in known_process.PEOPLE if name in main]
    assert "style=" not in main


def test_filters_in_the_query_change_the_figures_and_make_the_link(staff_client, known):
    base = f"/processes/{known.process.id}/insights"
    page = staff_client.get(f"{base}?kind=third_sector&since=2026-10-06")
    html = page.text
    assert page.status_code == 200
    # Third Sector bodies from 6 October: notes 17, 18, 19 at meeting 2; 21 (on meeting 2's
    # board, after it) and 22 (on meeting 3's, before it) between them; 25 and 27 at meeting 3.
    assert table(html, "by-kind-table")[1:] == [["Terzo settore", "7"], ["Totale", "7"]]
    # One kind: the periods are plain bars, not stacked.
    assert table(html, "over-time-table")[1:] == [
        ["Incontro 2", "3"], ["Tra l'incontro 2 e il 3", "2"], ["Incontro 3", "2"], ["Totale", "7"]]
    # The form keeps the values and the page gives its own address back.
    assert 'value="2026-10-06"' in html and '<option value="third_sector" selected>' in html
    assert f'href="{base}?since=2026-10-06&amp;kind=third_sector"' in html
    assert "Incontri svolti: 2. Contributi contati: 7." in html
    # The thematic table B holds meeting 2 only, whose board has notes 15 to 21.
    page = staff_client.get(f"{base}?table={known.tables['B'].id}")
    assert "Incontri svolti: 1. Contributi contati: 7." in page.text
    # Present: P1, P2, T1, T2, T3, and H1 holding H2's proxy.
    assert table(page.text, "presence-table")[1:] == [["Incontro 2", "7"]]


def test_a_wrong_filter_is_explained_in_the_form(staff_client, known):
    page = staff_client.get(f"/processes/{known.process.id}/insights?since=27/11/2026")
    assert page.status_code == 422
    assert "AAAA-MM-GG" in page.text or "YYYY-MM-DD" in page.text
    assert 'value="27/11/2026"' in page.text and 'role="img"' not in page.text


def test_english(staff_client, known):
    page = staff_client.get(f"/processes/{known.process.id}/insights", headers={"Accept-Language": "en"})
    assert '<html lang="en">' in page.text
    assert table(page.text, "by-kind-table") == [
        ["Kind of organisation", "Contributions"], ["Public administration", "8"], ["Health authority", "5"],
        ["Third Sector", "13"], ["Other", "1"], ["Total", "27"]]
    assert table(page.text, "pledges-by-partner-table")[1] == ["Comune di Lusia", "10,000.00"]
    assert "Horizontal bar chart. Contributions by kind of organisation." in page.text


def person_token(engine, known, body: str, meetings: list[int] | None) -> str:
    """A browser session of the body's representative, invited to `meetings` (None: all)."""
    with Session(engine) as session:
        person = session.get(Person, known.people[body].id)
        invite = Invite(process_id=known.process.id, person_id=person.id, secret_hash=uuid.uuid4().hex,
                        created_by=known.facilitator.account.id, meetings=meetings)
        session.add(invite)
        session.flush()
        secret = accounts.issue_token(session, days=1, person=person, invite=invite, browser=True)
        session.commit()
    return secret


def test_a_partner_of_the_whole_process_reads_it_without_the_downloads(client, known, engine):
    client.cookies.set(SESSION_COOKIE, person_token(engine, known, "T1", None))
    page = client.get(f"/processes/{known.process.id}/insights")
    assert page.status_code == 200, page.text
    assert table(page.text, "by-kind-table")[-1] == ["Totale", "27"]
    assert "/opendata" not in page.text and "Lo staff del percorso li scarica e li pubblica." in page.text
    # The process page links to the dashboard.
    assert f'href="/processes/{known.process.id}/insights"' in client.get(f"/processes/{known.process.id}").text


def test_members_of_some_meetings_only_and_strangers_are_refused(client, known, engine):
    answer = client.get(f"/processes/{known.process.id}/insights", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
    client.cookies.set(SESSION_COOKIE, person_token(engine, known, "T2", [known.meetings[1].id]))
    answer = client.get(f"/processes/{known.process.id}/insights")
    assert answer.status_code == 403 and "Contributi" not in answer.text
    # Across an administration: staff accounts only.
    assert client.get("/insights", params={"administration": known.administration}).status_code == 403


def test_the_administration_dashboard(staff_client, known):
    page = staff_client.get("/insights")
    assert known.administration in page.text
    page = staff_client.get("/insights", params={"administration": known.administration, "kind": "health"})
    assert page.status_code == 200, page.text
    assert table(page.text, "by-kind-table")[1:] == [["Ente sanitario", "5"], ["Totale", "5"]]
    assert f'href="/processes/{known.process.id}/insights"' in page.text
    download = re.search(r'href="(/api/v1/administrations/opendata\?[^"]*format=json)"', page.text).group(1)
    answer = staff_client.get(download.replace("&amp;", "&"))
    assert answer.status_code == 200 and answer.json()["threshold"] == 3
    refused = staff_client.get("/insights", params={"administration": "Comune di Nessuno"})
    assert refused.status_code == 404


def test_hostile_names_stay_text_in_charts_and_tables(staff_client, known, engine):
    hostile = '<script>alert(1)</script> & "Coop" </svg>'
    with Session(engine) as session:
        body = session.get(Organization, known.bodies["P1"].id)
        body.name = hostile
        session.add(body)
        session.commit()
    html = staff_client.get(f"/processes/{known.process.id}/insights").text
    assert "<script>alert" not in html and "</svg> &" not in html
    assert table(html, "pledges-by-partner-table")[1] == [hostile, "10.000,00"]
    # The chart parses as XML and says the name in its text alternative.
    assert hostile in chart(html, "pledges-by-partner").find(f"{SVG}desc").text
