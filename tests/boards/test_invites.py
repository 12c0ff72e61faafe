"""boards.invites: personal invites, meeting join codes, and joining with either."""

from __future__ import annotations

import pytest
from sqlmodel import select

from boards import access, accounts, invites
from boards.clock import utcnow
from boards.errors import InvalidInput, NotAllowed, NotFound
from boards.models import AuthToken, JoinCode, MeetingState, OrganizationKind, PersonRole
from boards.secrets import CODE_ALPHABET, CODE_LENGTH, digest
from tests.boards.builders import invited, meeting, organization, process, staff_actor


@pytest.fixture
def place(session):
    facilitator = staff_actor(session)
    percorso = process(session, facilitator)
    ente = organization(session, facilitator, percorso.id, name="Cooperativa Il Ponte")
    return facilitator, percorso, ente, meeting(session, facilitator, percorso.id)


def test_an_invite_makes_a_person_and_keeps_only_the_hash_of_its_secret(session, place):
    facilitator, percorso, ente, first = place
    new = invites.create_invite(session, actor=facilitator, process_id=percorso.id,
                                name="  Sara  Greco ", organization_id=ente.id,
                                role=PersonRole.observer, email="Sara@Example.org",
                                meetings=[first.id, first.id])
    assert new.person.name == "Sara Greco" and new.person.role == PersonRole.observer
    assert new.person.organization_id == ente.id and new.person.email == "sara@example.org"
    assert new.invite.meetings == [first.id]
    assert new.invite.secret_hash == digest(new.secret) and len(new.secret) >= 43


def test_invite_input_is_checked(session, place):
    facilitator, percorso, ente, first = place
    other_facilitator = staff_actor(session)
    other = process(session, other_facilitator)
    foreign = organization(session, other_facilitator, other.id)
    foreign_meeting = meeting(session, other_facilitator, other.id)

    def attempt(**fields):
        base = {"name": "Anna", "organization_id": ente.id, "role": PersonRole.participant}
        return invites.create_invite(session, actor=facilitator, process_id=percorso.id,
                                     **{**base, **fields})

    for fields, message in [
        ({"role": PersonRole.facilitator}, "participant or an observer"),
        ({"role": PersonRole.secretary}, "participant or an observer"),
        ({"organization_id": foreign.id}, "not part of this process"),
        ({"meetings": [foreign_meeting.id]}, "not part of this process"),
        ({"meetings": []}, "at least one meeting"),
        ({"email": "anna"}, "email"),
        ({"name": "\u202e"}, "name"),
    ]:
        with pytest.raises(InvalidInput, match=message):
            attempt(**fields)


def test_only_staff_invite(session, place):
    facilitator, percorso, ente, _ = place
    _, participant = invited(session, facilitator, percorso.id, ente.id)
    with pytest.raises(NotAllowed):
        invites.create_invite(session, actor=participant, process_id=percorso.id, name="Anna",
                              organization_id=ente.id, role=PersonRole.participant)


def test_joining_with_an_invite(session, place):
    facilitator, percorso, ente, _ = place
    new, _ = invited(session, facilitator, percorso.id, ente.id)
    joined = invites.join_with_invite(session, secret=new.secret, days=1)
    assert joined.person is new.person and joined.meeting_id is None
    session.flush()
    actor = accounts.resolve_token(session, joined.token)
    assert actor.person is new.person and actor.token.invite_id == new.invite.id
    with pytest.raises(NotFound):
        invites.join_with_invite(session, secret="not a secret", days=1)


def test_revoking_ends_the_invite_and_every_token_it_gave(session, place):
    facilitator, percorso, ente, _ = place
    new, _ = invited(session, facilitator, percorso.id, ente.id)
    tokens = [invites.join_with_invite(session, secret=new.secret, days=1).token for _ in range(2)]
    session.flush()
    invites.revoke_invite(session, actor=facilitator, invite_id=new.invite.id)
    session.flush()
    with pytest.raises(NotFound, match="revoked"):
        invites.join_with_invite(session, secret=new.secret, days=1)
    rows = session.exec(select(AuthToken).where(AuthToken.invite_id == new.invite.id)).all()
    assert len(rows) == 2 and all(row.revoked_at is not None for row in rows)
    assert {row.token_hash for row in rows} == {digest(t) for t in tokens}


def test_renewing_changes_the_secret_and_ends_old_tokens(session, place):
    facilitator, percorso, ente, _ = place
    new, _ = invited(session, facilitator, percorso.id, ente.id)
    old_token = invites.join_with_invite(session, secret=new.secret, days=1).token
    session.flush()
    renewed = invites.renew_invite(session, actor=facilitator, invite_id=new.invite.id)
    session.flush()
    assert renewed.secret != new.secret and renewed.person is new.person
    with pytest.raises(NotFound):
        invites.join_with_invite(session, secret=new.secret, days=1)
    assert invites.join_with_invite(session, secret=renewed.secret, days=1).person is new.person
    revoked = session.exec(select(AuthToken).where(AuthToken.token_hash == digest(old_token))).one()
    assert revoked.revoked_at is not None


def test_a_removed_person_cannot_join(session, place):
    facilitator, percorso, ente, _ = place
    new, _ = invited(session, facilitator, percorso.id, ente.id)
    new.person.removed_at = utcnow()
    with pytest.raises(NotFound):
        invites.join_with_invite(session, secret=new.secret, days=1)


# --- join codes ------------------------------------------------------------------------------


def test_a_join_code_is_read_aloud_easily(session, place):
    facilitator, _, _, first = place
    code = invites.set_join_code(session, actor=facilitator, meeting_id=first.id)
    assert len(code) == CODE_LENGTH >= 8
    assert set(code) <= set(CODE_ALPHABET)
    session.flush()
    stored = session.exec(select(JoinCode).where(JoinCode.meeting_id == first.id)).one()
    assert stored.code_hash == digest(code)
    assert invites.has_join_code(session, first.id)


def test_a_new_code_replaces_the_old_and_disabling_ends_it(session, place):
    facilitator, _, _, first = place
    old = invites.set_join_code(session, actor=facilitator, meeting_id=first.id)
    session.flush()
    new = invites.set_join_code(session, actor=facilitator, meeting_id=first.id)
    session.flush()
    with pytest.raises(NotFound):
        invites.meeting_for_code(session, old)
    assert invites.meeting_for_code(session, f"{new[:3].lower()} {new[3:]}") is first
    invites.disable_join_code(session, actor=facilitator, meeting_id=first.id)
    session.flush()
    assert not invites.has_join_code(session, first.id)
    with pytest.raises(NotFound):
        invites.meeting_for_code(session, new)


def test_the_code_of_an_ended_meeting_admits_nobody(session, place):
    facilitator, _, _, first = place
    code = invites.set_join_code(session, actor=facilitator, meeting_id=first.id)
    session.flush()
    first.state = MeetingState.ended
    with pytest.raises(NotFound):
        invites.meeting_for_code(session, code)


def test_joining_with_a_code_and_a_new_organisation(session, place):
    facilitator, percorso, ente, first = place
    code = invites.set_join_code(session, actor=facilitator, meeting_id=first.id)
    session.flush()
    joined = invites.join_with_code(session, code=code, name="Chiara", days=1,
                                    organization_name="Associazione Strada Amica")
    made = session.get(type(ente), joined.person.organization_id)
    assert made.kind == OrganizationKind.other and made.needs_review is True
    assert made.process_id == percorso.id
    assert joined.person.role == PersonRole.participant and joined.meeting_id == first.id
    session.flush()
    actor = accounts.resolve_token(session, joined.token)
    assert actor.token.meeting_id == first.id
    later = meeting(session, facilitator, percorso.id)
    assert not access.may_attend(session, actor, actor.person, later)
    again = invites.join_with_code(session, code=code, name="Roberto", days=1,
                                   organization_name="associazione  strada amica")
    assert again.person.organization_id == made.id
    known = invites.join_with_code(session, code=code, name="Laura", days=1,
                                   organization_name="COOPERATIVA IL PONTE")
    assert known.person.organization_id == ente.id


def test_code_join_input_is_checked(session, place):
    facilitator, _, ente, first = place
    code = invites.set_join_code(session, actor=facilitator, meeting_id=first.id)
    session.flush()
    with pytest.raises(InvalidInput, match="organisation"):
        invites.join_with_code(session, code=code, name="Anna", days=1)
    with pytest.raises(InvalidInput, match="name"):
        invites.join_with_code(session, code=code, name=" ", days=1, organization_id=ente.id)
    with pytest.raises(NotFound):
        invites.join_with_code(session, code="BBBBBBBBBB", name="Anna", days=1,
                               organization_id=ente.id)


def test_only_staff_manage_codes(session, place):
    facilitator, percorso, ente, first = place
    _, participant = invited(session, facilitator, percorso.id, ente.id)
    with pytest.raises(NotAllowed):
        invites.set_join_code(session, actor=participant, meeting_id=first.id)
    with pytest.raises(NotAllowed):
        invites.disable_join_code(session, actor=participant, meeting_id=first.id)
    with pytest.raises(NotFound):
        invites.set_join_code(session, actor=facilitator, meeting_id=2**40)
