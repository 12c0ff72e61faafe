"""boards.access: who is a member, who is staff, and who is admitted to which meeting."""

from __future__ import annotations

import pytest

from boards import access, invites, processes
from boards.clock import utcnow
from boards.errors import NotAllowed
from boards.models import AccountRole, PersonRole
from tests.boards.builders import (
    invited,
    meeting,
    organization,
    person_actor,
    process,
    staff_actor,
)


@pytest.fixture
def place(session):
    """A process with two meetings, its staff, and an outsider of another process."""
    facilitator = staff_actor(session)
    percorso = process(session, facilitator)
    secretary = staff_actor(session, "secretary", "Marco Zanin")
    processes.add_staff(session, actor=facilitator, process_id=percorso.id,
                        email=secretary.account.email, role=AccountRole.secretary)
    ente = organization(session, facilitator, percorso.id)
    first, second = meeting(session, facilitator, percorso.id), meeting(session, facilitator,
                                                                         percorso.id)
    outsider = staff_actor(session)
    process(session, outsider)
    return percorso, facilitator, secretary, ente, first, second, outsider


def test_staff_accounts_have_a_person_in_their_processes_only(session, place):
    percorso, facilitator, secretary, _, _, _, outsider = place
    person = access.person_in_process(session, facilitator, percorso.id)
    assert person.role == PersonRole.facilitator and person.account_id == facilitator.account.id
    assert access.person_in_process(session, secretary, percorso.id).role == PersonRole.secretary
    assert access.person_in_process(session, outsider, percorso.id) is None
    with pytest.raises(NotAllowed):
        access.require_member(session, outsider, percorso.id)


def test_require_staff_and_the_facilitator_role(session, place):
    percorso, facilitator, secretary, ente, *_ = place
    assert access.require_staff(session, secretary, percorso.id).role == PersonRole.secretary
    with pytest.raises(NotAllowed, match="staff"):
        access.require_staff(session, secretary, percorso.id, roles={PersonRole.facilitator})
    _, participant = invited(session, facilitator, percorso.id, ente.id)
    assert access.require_member(session, participant, percorso.id) is participant.person
    with pytest.raises(NotAllowed):
        access.require_staff(session, participant, percorso.id)


def test_only_facilitator_accounts_create_processes(session, place):
    _, facilitator, secretary, ente, *_ = place
    assert access.require_facilitator_account(facilitator) is facilitator.account
    with pytest.raises(NotAllowed, match="facilitators"):
        access.require_facilitator_account(secretary)


def test_people_belong_to_one_process(session, place):
    percorso, facilitator, _, ente, first, _, outsider = place
    other = process(session, outsider)
    _, participant = invited(session, facilitator, percorso.id, ente.id)
    assert access.person_in_process(session, participant, other.id) is None
    participant.person.removed_at = utcnow()
    assert access.person_in_process(session, participant, percorso.id) is None
    assert not access.may_attend(session, participant, participant.person, first)


def test_an_unlimited_invite_admits_to_every_meeting_present_and_future(session, place):
    percorso, facilitator, _, ente, first, second, _ = place
    _, participant = invited(session, facilitator, percorso.id, ente.id)
    later = meeting(session, facilitator, percorso.id)
    for each in (first, second, later):
        assert access.require_meeting_member(session, participant, each) is participant.person


def test_a_limited_invite_admits_to_its_meetings_only(session, place):
    percorso, facilitator, _, ente, first, second, _ = place
    _, participant = invited(session, facilitator, percorso.id, ente.id, meetings=[second.id])
    assert access.may_attend(session, participant, participant.person, second)
    assert not access.may_attend(session, participant, participant.person, first)
    with pytest.raises(NotAllowed, match="meeting"):
        access.require_meeting_member(session, participant, first)


def test_a_revoked_invite_admits_to_nothing(session, place):
    percorso, facilitator, _, ente, first, _, _ = place
    new, participant = invited(session, facilitator, percorso.id, ente.id)
    invites.revoke_invite(session, actor=facilitator, invite_id=new.invite.id)
    assert not access.may_attend(session, participant, participant.person, first)


def test_a_code_token_admits_to_its_meeting_only(session, place):
    percorso, facilitator, _, ente, first, second, _ = place
    new, _ = invited(session, facilitator, percorso.id, ente.id)
    guest = person_actor(new.person, meeting_id=first.id)
    assert access.may_attend(session, guest, new.person, first)
    assert not access.may_attend(session, guest, new.person, second)


def test_staff_attend_every_meeting_of_their_process_only(session, place):
    percorso, facilitator, secretary, _, first, second, outsider = place
    for actor in (facilitator, secretary):
        for each in (first, second):
            assert access.require_meeting_member(session, actor, each).process_id == percorso.id
    with pytest.raises(NotAllowed):
        access.require_meeting_member(session, outsider, first)
