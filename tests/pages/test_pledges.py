"""The pledges page: a partner's representative enters their organisation's pledge in Italian
figures, a facilitator confirms it, the totals and shares show as tables."""

from __future__ import annotations

import re
import secrets

import html5lib
import pytest
from fastapi.testclient import TestClient

from tests.pages.conftest import csrf_of, post_form


@pytest.fixture
def partner_client(app, client, world):
    """A second browser: the world's participant (Cooperativa Il Ponte), entered by their link."""
    address = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}"
    with TestClient(app, client=(address, 50000)) as browser:
        page = browser.get(f"/join/{world.participant['invite']}")
        answer = browser.post(f"/join/{world.participant['invite']}", data={"csrf_token": csrf_of(page.text)},
                              follow_redirects=False)
        assert answer.status_code == 303, answer.text
        yield browser


def cells(html: str, caption: str) -> list[list[str]]:
    """The rows of the table with this caption, as the text of their cells."""
    tree = html5lib.parse(html, namespaceHTMLElements=False)
    for table in tree.iter("table"):
        found = table.find("caption")
        if found is not None and "".join(found.itertext()).strip() == caption:
            return [[" ".join("".join(cell.itertext()).split()) for cell in row if cell.tag in ("th", "td")]
                    for row in table.iter("tr")]
    raise AssertionError(f"no table {caption!r}")


def test_a_partner_enters_a_pledge_and_a_facilitator_confirms_it(partner_client, facilitator_client, world):
    path = f"/processes/{world.process}/pledges"
    page = partner_client.get(path)
    assert page.status_code == 200 and "Per la tua organizzazione: <strong>Cooperativa Il Ponte</strong>" in page.text
    assert "Nessun impegno è ancora confermato" in page.text
    answer = post_form(partner_client, path, {"kind": "staff_hours", "description": "Educatori notturni",
                                              "quantity": "1.500", "unit": "ore", "value_eur": "397.753,18",
                                              "organization": str(world.organizations["third_sector"])}, page=path)
    assert answer.status_code == 303 and answer.headers["location"].endswith("?done=added#pledge-form")
    page = partner_client.get(path)
    pending = cells(page.text, "In attesa di conferma (esclusi dai totali)")
    assert pending[1][:5] == ["Cooperativa Il Ponte", "Ore di personale", "Educatori notturni", "1.500 ore",
                              "397.753,18"]
    # The partner cannot confirm: no button, and the domain refuses the request.
    assert "Conferma<" not in page.text
    pledge_id = page.text.split('<tr id="pledge-')[1].split('"')[0]
    refused = post_form(partner_client, f"/pledges/{pledge_id}/confirm", {}, page=path)
    assert refused.status_code == 403

    post_form(facilitator_client, path, {"kind": "money", "description": "Fondi PNRR", "quantity": "1",
                                         "unit": "anno", "value_eur": "1410215,82",
                                         "organization": str(world.organizations["public"])}, page=path)
    staff_page = facilitator_client.get(path).text
    pending = re.findall(r'<tr id="pledge-(\d+)"', staff_page)
    assert pledge_id in pending and len(pending) == 2
    for confirm in pending:
        answer = post_form(facilitator_client, f"/pledges/{confirm}/confirm", {"confirmed": "1"}, page=path)
        assert answer.status_code == 303, answer.text
    page = partner_client.get(path).text
    assert cells(page, "Parte pubblica e partner (impegni confermati)") == [
        ["Parte", "Valore (€)", "Quota"],
        ["Parte pubblica (enti pubblici e sanitari)", "1.410.215,82", "78,00 %"],
        ["Partner (Terzo settore e altri enti)", "397.753,18", "22,00 %"],
        ["Totale", "1.807.969,00", "100,00 %"],
    ]
    # Confirmed, the partner's pledge can no longer be changed.
    assert f'href="/pledges/{pledge_id}/edit' not in page
    changed = post_form(partner_client, f"/pledges/{pledge_id}", {"kind": "money", "description": "x",
                                                                  "quantity": "1", "unit": "x", "value_eur": "1"},
                        page=path)
    assert changed.status_code == 409 and "confermato" in changed.text


def test_the_author_corrects_and_withdraws_an_unconfirmed_pledge(partner_client, world):
    path = f"/processes/{world.process}/pledges"
    post_form(partner_client, path, {"kind": "spaces", "description": "Sala riunioni", "quantity": "40",
                                     "unit": "m²", "value_eur": "1200",
                                     "organization": str(world.organizations["third_sector"])}, page=path)
    pledge_id = partner_client.get(path).text.split('<tr id="pledge-')[1].split('"')[0]
    edit = partner_client.get(f"/pledges/{pledge_id}/edit")
    assert 'value="1.200,00"' in edit.text and "<h2 id=\"pledge-form-title\">Modifica l'impegno</h2>" in edit.text
    wrong = post_form(partner_client, f"/pledges/{pledge_id}", {"kind": "spaces", "description": "Sala",
                                                                "quantity": "40", "unit": "m²", "value_eur": "-3"},
                      page=f"/pledges/{pledge_id}/edit")
    assert wrong.status_code == 422 and "non deve essere negativo" in wrong.text and 'aria-invalid="true"' in wrong.text
    saved = post_form(partner_client, f"/pledges/{pledge_id}", {"kind": "spaces", "description": "Sala grande",
                                                                "quantity": "80", "unit": "m²", "value_eur": "2.400"},
                      page=f"/pledges/{pledge_id}/edit")
    assert saved.status_code == 303
    row = cells(partner_client.get(path).text, "In attesa di conferma (esclusi dai totali)")[1]
    assert row[2:5] == ["Sala grande", "80 m²", "2.400,00"]
    withdrawn = post_form(partner_client, f"/pledges/{pledge_id}/withdraw", {}, page=path)
    assert withdrawn.status_code == 303
    assert "Nessun impegno è stato ancora inserito." in partner_client.get(path).text


def test_an_observer_sees_the_pledges_but_enters_none(app, world):
    with TestClient(app, client=("10.9.9.9", 50000), headers={"Accept-Language": "en"}) as browser:
        page = browser.get(f"/join/{world.observer['invite']}")
        browser.post(f"/join/{world.observer['invite']}", data={"csrf_token": csrf_of(page.text)})
        page = browser.get(f"/processes/{world.process}/pledges")
        assert page.status_code == 200 and "<h1>Resource pledges</h1>" in page.text
        assert 'id="pledge-form"' not in page.text
