"""Resource pledges in the domain: who enters, edits, withdraws and confirms them, and
exact totals and shares (Crema's 78% / 22%)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlmodel import select

from boards import pledges, processes
from boards.errors import Conflict, InvalidInput, NotAllowed
from boards.models import AccountRole, AuditEntry, OrganizationKind, PersonRole, PledgeKind
from tests.boards import builders


@pytest.fixture
def partnership(session):
    facilitator = builders.staff_actor(session)
    process = builders.process(session, facilitator)
    comune = builders.organization(session, facilitator, process.id, kind=OrganizationKind.public,
                                   name="Comune di Crema")
    ulss = builders.organization(session, facilitator, process.id, kind=OrganizationKind.health, name="ASST")
    coop = builders.organization(session, facilitator, process.id, name="Cooperativa Il Ponte")
    other = builders.organization(session, facilitator, process.id, kind=OrganizationKind.other,
                                  name="Fondazione")
    _, partner = builders.invited(session, facilitator, process.id, coop.id)
    _, observer = builders.invited(session, facilitator, process.id, coop.id, role=PersonRole.observer)
    return {"facilitator": facilitator, "process": process, "comune": comune, "ulss": ulss, "coop": coop,
            "other": other, "partner": partner, "observer": observer}


def pledge(session, world, who="facilitator", org="coop", **fields):
    values = {"kind": PledgeKind.staff_hours, "description": "Educatori per il servizio notturno",
              "quantity": "120", "unit": "ore", "value_eur": "2400.00", **fields}
    return pledges.create_pledge(session, actor=world[who], process_id=world["process"].id,
                                 organization_id=world[org].id, **values)


def audit_of(world, made, *columns):
    """The audit entries about a pledge of this process: a pledge's id alone may repeat in a
    database other tests share (SQLite reuses the id of a deleted row), its process's does not."""
    return select(*(columns or (AuditEntry,))).where(AuditEntry.process_id == world["process"].id,
                                                     AuditEntry.target == f"pledge:{made.id}")


def test_a_partner_pledges_for_their_own_organisation_only(session, partnership):
    made = pledge(session, partnership, who="partner", quantity="120.5", value_eur="2410,50")
    assert made.quantity == Decimal("120.50") and made.value_eur == Decimal("2410.50")
    assert made.confirmed_at is None and made.entered_by == partnership["partner"].person.id
    with pytest.raises(NotAllowed, match="own organisation"):
        pledge(session, partnership, who="partner", org="comune")
    with pytest.raises(NotAllowed, match="own organisation"):
        pledge(session, partnership, who="observer")
    # Staff enter pledges for any body.
    assert pledge(session, partnership, org="comune").organization_id == partnership["comune"].id
    entry = session.exec(audit_of(partnership, made)).one()
    assert entry.action == "pledge.create" and entry.detail["value_eur"] == "2410.50"


@pytest.mark.parametrize(("field", "value", "message"), [
    ("value_eur", "-1", "must not be negative"),
    ("value_eur", "12.345", "more than two decimals"),
    ("value_eur", "100000000.01", "must not exceed"),
    ("value_eur", 12.5, "decimal number written as text"),
    ("value_eur", "NaN", "must be a number"),
    ("value_eur", "dodici", "must be a number"),
    ("quantity", "1000000000.01", "must not exceed"),
    ("unit", " ", "must not be empty"),
    ("unit", "x" * 41, "longer than 40"),
    ("description", "", "must not be empty"),
    ("kind", "time", "'kind' must be one of"),
])
def test_bad_amounts_and_texts_are_refused(session, partnership, field, value, message):
    with pytest.raises(InvalidInput, match=message):
        pledge(session, partnership, **{field: value})
    assert pledges.pledges_of(session, partnership["process"].id) == []


def test_the_author_edits_and_withdraws_until_a_facilitator_confirms(session, partnership):
    made = pledge(session, partnership, who="partner")
    with pytest.raises(NotAllowed, match="Only the person who entered"):
        pledges.update_pledge(session, actor=partnership["facilitator"], pledge_id=made.id, unit="giorni")
    pledges.update_pledge(session, actor=partnership["partner"], pledge_id=made.id, value_eur="2500",
                          description="Due educatori")
    assert made.value_eur == Decimal("2500.00") and made.description == "Due educatori"
    with pytest.raises(NotAllowed, match="Only facilitators|staff"):
        pledges.confirm_pledge(session, actor=partnership["partner"], pledge_id=made.id)
    pledges.confirm_pledge(session, actor=partnership["facilitator"], pledge_id=made.id)
    assert made.confirmed_at is not None
    with pytest.raises(Conflict, match="confirmed"):
        pledges.update_pledge(session, actor=partnership["partner"], pledge_id=made.id, unit="giorni")
    with pytest.raises(Conflict, match="confirmed"):
        pledges.withdraw_pledge(session, actor=partnership["partner"], pledge_id=made.id)
    with pytest.raises(Conflict, match="already confirmed"):
        pledges.confirm_pledge(session, actor=partnership["facilitator"], pledge_id=made.id)
    # Reopened, the author can withdraw it; the audit log keeps the story.
    pledges.confirm_pledge(session, actor=partnership["facilitator"], pledge_id=made.id, confirmed=False)
    pledges.withdraw_pledge(session, actor=partnership["partner"], pledge_id=made.id)
    assert pledges.pledges_of(session, partnership["process"].id) == []
    actions = session.exec(audit_of(partnership, made, AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["pledge.create", "pledge.update", "pledge.confirm", "pledge.reopen", "pledge.withdraw"]


def test_a_secretary_cannot_confirm(session, partnership):
    made = pledge(session, partnership)
    secretary = builders.staff_actor(session, "secretary", "Marco Zanin")
    processes.add_staff(session, actor=partnership["facilitator"], process_id=partnership["process"].id,
                        email=secretary.account.email, role=AccountRole.secretary)
    with pytest.raises(NotAllowed):
        pledges.confirm_pledge(session, actor=secretary, pledge_id=made.id)


def test_an_outsider_sees_and_pledges_nothing(session, partnership):
    outsider = builders.staff_actor(session)
    builders.process(session, outsider)
    with pytest.raises(NotAllowed):
        pledges.list_pledges(session, actor=outsider, process_id=partnership["process"].id)
    with pytest.raises(NotAllowed):
        pledge(session, {**partnership, "facilitator": outsider})


def test_totals_reproduce_cremas_78_and_22_percent(session, partnership):
    """Crema's 2019 budget: 1,807,969 EUR, 78% public and 22% pledged by the partners."""
    confirmed = [
        pledge(session, partnership, org="comune", kind=PledgeKind.money, value_eur="1200000.00"),
        pledge(session, partnership, org="ulss", kind=PledgeKind.staff_hours, value_eur="210215.82"),
        pledge(session, partnership, org="coop", kind=PledgeKind.staff_hours, value_eur="300000.00"),
        pledge(session, partnership, org="coop", kind=PledgeKind.spaces, value_eur="47753.18"),
        pledge(session, partnership, org="other", kind=PledgeKind.volunteers, value_eur="50000.00"),
    ]
    for made in confirmed:
        pledges.confirm_pledge(session, actor=partnership["facilitator"], pledge_id=made.id)
    waiting = pledge(session, partnership, who="partner", kind=PledgeKind.goods, value_eur="999.99")

    totals = pledges.totals(session, partnership["process"].id)
    assert totals.total == Decimal("1807969.00")
    assert totals.public == Decimal("1410215.82") and totals.partners == Decimal("397753.18")
    assert (totals.public_share, totals.partners_share) == (Decimal("78.00"), Decimal("22.00"))
    assert totals.by_kind == {PledgeKind.money: Decimal("1200000.00"), PledgeKind.staff_hours: Decimal("510215.82"),
                              PledgeKind.spaces: Decimal("47753.18"), PledgeKind.volunteers: Decimal("50000.00"),
                              PledgeKind.goods: Decimal("0.00")}
    by_name = {o.name: v for o, v in totals.by_organization}
    assert by_name == {"ASST": Decimal("210215.82"), "Comune di Crema": Decimal("1200000.00"),
                       "Cooperativa Il Ponte": Decimal("347753.18"), "Fondazione": Decimal("50000.00")}
    assert [p.id for p in totals.pending] == [waiting.id]
    assert totals.view()["public_share"] == "78.00"


def test_shares_round_half_even_and_always_sum_to_100(session, partnership):
    # 1/3 public: 33.333...% rounds to 33.33, the partners get the remaining 66.67.
    for org, value in [("comune", "100.00"), ("coop", "200.00")]:
        made = pledge(session, partnership, org=org, value_eur=value)
        pledges.confirm_pledge(session, actor=partnership["facilitator"], pledge_id=made.id)
    totals = pledges.totals(session, partnership["process"].id)
    assert (totals.public_share, totals.partners_share) == (Decimal("33.33"), Decimal("66.67"))
    assert totals.public_share + totals.partners_share == Decimal("100.00")
    assert pledges.share(Decimal("1"), Decimal("8")) == Decimal("12.50")
    assert pledges.share(Decimal("1"), Decimal("1600")) == Decimal("0.06")  # 0.0625 → 0.06


def test_no_confirmed_pledge_means_no_share(session, partnership):
    pledge(session, partnership)
    totals = pledges.totals(session, partnership["process"].id)
    assert totals.total == Decimal("0.00") and totals.public_share is None and totals.partners_share is None
    assert len(totals.pending) == 1


def test_people_of_some_meetings_only_neither_see_nor_enter_pledges(session, partnership):
    facilitator, process = partnership["facilitator"], partnership["process"]
    meeting = builders.meeting(session, facilitator, process.id)
    _, limited = builders.invited(session, facilitator, process.id, partnership["coop"].id, meetings=[meeting.id])
    # A meeting code admits its holder to that meeting alone.
    by_code = builders.person_actor(partnership["partner"].person, meeting_id=meeting.id)
    for actor in (limited, by_code):
        with pytest.raises(NotAllowed, match="some meetings only"):
            pledges.list_pledges(session, actor=actor, process_id=process.id)
        with pytest.raises(NotAllowed, match="some meetings only"):
            pledge(session, {**partnership, "someone": actor}, who="someone")
    assert pledges.list_pledges(session, actor=partnership["partner"], process_id=process.id) == []
