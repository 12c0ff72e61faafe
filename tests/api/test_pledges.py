"""Resource pledges over HTTP: a partner enters theirs, a facilitator confirms, the totals and
shares come back exact (decimal strings, cents)."""

from __future__ import annotations

from tests.api.support import assert_error

P = "/api/v1/processes"


def pledge(client, world, headers, organization, value, kind="money", **fields):
    body = {"organization": organization, "kind": kind, "description": "Contributo", "quantity": "1",
            "unit": "anno", "value_eur": value, **fields}
    return client.post(f"{P}/{world.process}/pledges", headers=headers, json=body)


def test_a_partner_pledges_a_facilitator_confirms_and_the_totals_are_exact(client, world):
    partner = world.bearer(world.participant["token"])
    coop, comune = world.organizations["third_sector"], world.organizations["public"]
    answer = pledge(client, world, partner, coop, "397753.18", kind="staff_hours", quantity="15000.5", unit="ore")
    assert answer.status_code == 201, answer.text
    mine = answer.json()
    assert mine == {"id": mine["id"], "organization": coop, "kind": "staff_hours", "description": "Contributo",
                    "quantity": "15000.50", "unit": "ore", "value_eur": "397753.18",
                    "entered_by": world.participant["person"], "confirmed": False, "confirmed_by": None}
    assert_error(pledge(client, world, partner, comune, "10"), 403, "own organisation")
    assert_error(pledge(client, world, world.bearer(world.observer["token"]), comune, "10"), 403)
    public = pledge(client, world, world.facilitator.auth, comune, "1410215.82").json()

    listed = client.get(f"{P}/{world.process}/pledges", headers=partner).json()
    assert listed["totals"]["total"] == "0.00" and listed["totals"]["pending"] == 2
    assert listed["totals"]["public_share"] is None
    assert_error(client.post(f"/api/v1/pledges/{mine['id']}/confirm", headers=partner), 403)
    assert_error(client.post(f"/api/v1/pledges/{mine['id']}/confirm", headers=world.secretary.auth), 403)
    for made in (mine, public):
        confirmed = client.post(f"/api/v1/pledges/{made['id']}/confirm", headers=world.facilitator.auth)
        assert confirmed.status_code == 200 and confirmed.json()["confirmed"] is True

    totals = client.get(f"{P}/{world.process}/pledges", headers=world.bearer(world.observer["token"])).json()["totals"]
    assert totals == {
        "by_kind": {"money": "1410215.82", "staff_hours": "397753.18", "spaces": "0.00", "volunteers": "0.00",
                    "goods": "0.00"},
        "by_organization": [
            {"organization": comune, "name": "Comune di Padova", "kind": "public", "value_eur": "1410215.82"},
            {"organization": coop, "name": "Cooperativa Il Ponte", "kind": "third_sector", "value_eur": "397753.18"},
        ],
        "total": "1807969.00", "public": "1410215.82", "partners": "397753.18",
        "public_share": "78.00", "partners_share": "22.00", "pending": 0,
    }
    assert_error(client.patch(f"/api/v1/pledges/{mine['id']}", headers=partner, json={"unit": "giorni"}), 409,
                 "confirmed")
    reopened = client.delete(f"/api/v1/pledges/{mine['id']}/confirm", headers=world.facilitator.auth)
    assert reopened.json()["confirmed"] is False
    changed = client.patch(f"/api/v1/pledges/{mine['id']}", headers=partner, json={"value_eur": 400000})
    assert changed.json()["value_eur"] == "400000.00"
    assert client.delete(f"/api/v1/pledges/{mine['id']}", headers=partner).status_code == 204
    assert [p["id"] for p in client.get(f"{P}/{world.process}/pledges", headers=partner).json()["pledges"]] == [
        public["id"]]


def test_bad_amounts_are_refused_with_their_reason(client, world):
    auth, coop = world.facilitator.auth, world.organizations["third_sector"]
    assert_error(pledge(client, world, auth, coop, "-5"), 422, "negative")
    assert_error(pledge(client, world, auth, coop, "10.001"), 422, "two decimals")
    assert_error(pledge(client, world, auth, coop, "1e12"), 422, "exceed")
    assert_error(pledge(client, world, auth, coop, "tanti"), 422, "number")
    assert_error(pledge(client, world, auth, coop, "10", kind="time"), 422)
    assert_error(pledge(client, world, auth, 2**31, "10"), 422, "not part of this process")
    # A JSON number is read as the decimal it is written as.
    assert pledge(client, world, auth, coop, 0.1).json()["value_eur"] == "0.10"
    assert pledge(client, world, auth, coop, "1.234,50".replace(".", "")).json()["value_eur"] == "1234.50"
    assert_error(client.patch("/api/v1/pledges/999999", headers=auth, json={"unit": "ore"}), 404)
