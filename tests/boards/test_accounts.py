"""boards.accounts: staff accounts, password hashing (argon2id), sign-in and tokens."""

from __future__ import annotations

from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlmodel import Session, select

from boards import accounts
from boards.clock import utcnow
from boards.errors import Conflict, InvalidInput, NotAuthenticated
from boards.models import AccountRole, AuthToken, Person
from boards.secrets import digest
from tests.boards.builders import account, person_actor, process, staff_actor, unique

PASSWORD = "correct horse battery staple"


@pytest.fixture
def cheap_hashing(monkeypatch):
    """For tests that are not about the hash: argon2id at its lowest cost."""
    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(accounts, "_hasher", cheap)
    monkeypatch.setattr(accounts, "_DUMMY_HASH", cheap.hash("x"))


def create(session: Session, email: str | None = None, **fields):
    return accounts.create_account(
        session, email=email or f"{unique('giulia')}@example.org",
        name=fields.pop("name", "Giulia Ferraro"), role=fields.pop("role", AccountRole.facilitator),
        password=fields.pop("password", PASSWORD))


def test_passwords_are_hashed_with_argon2id_at_the_library_defaults(session):
    created = create(session)
    assert created.password_hash.startswith("$argon2id$")
    assert PASSWORD not in created.password_hash
    defaults = PasswordHasher()
    assert f"m={defaults.memory_cost},t={defaults.time_cost},p={defaults.parallelism}" in (
        created.password_hash)
    assert accounts.authenticate(session, email=created.email, password=PASSWORD) is created


def test_a_weaker_old_hash_is_upgraded_at_sign_in(session):
    created = create(session)
    created.password_hash = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    accounts.authenticate(session, email=created.email, password=PASSWORD)
    assert not PasswordHasher().check_needs_rehash(created.password_hash)


def test_wrong_password_unknown_email_and_disabled_account_fail_alike(session, cheap_hashing):
    created = create(session)
    failures = []
    for email, password in [(created.email, "wrong password"),
                            (f"{unique('nobody')}@example.org", PASSWORD),
                            ("not an address\x00", PASSWORD)]:
        with pytest.raises(NotAuthenticated) as error:
            accounts.authenticate(session, email=email, password=password)
        failures.append(str(error.value))
    created.disabled = True
    with pytest.raises(NotAuthenticated) as error:
        accounts.authenticate(session, email=created.email, password=PASSWORD)
    failures.append(str(error.value))
    assert set(failures) == {"Wrong email or password"}


def test_email_is_matched_without_case_or_spaces(session, cheap_hashing):
    created = create(session, email=f"  {unique('Giulia')}@Example.ORG ")
    assert created.email == created.email.strip().lower()
    found = accounts.authenticate(session, email=f" {created.email.upper()}", password=PASSWORD)
    assert found is created


def test_account_input_is_checked(session, cheap_hashing):
    with pytest.raises(InvalidInput, match="at least 10"):
        create(session, password="short")
    for email in ("giulia", "giulia@localhost", "giu lia@example.org", "@example.org",
                  "giulia\x00@example.org", f"{'g' * 250}@example.org"):
        with pytest.raises(InvalidInput, match="not a valid email"):
            create(session, email=email)
    with pytest.raises(InvalidInput, match="name"):
        create(session, name="   ")
    first = create(session)
    with pytest.raises(Conflict, match="already exists"):
        create(session, email=first.email.upper())


def test_tokens_are_random_stored_hashed_and_resolved(session):
    created = account(session)
    secret = accounts.issue_token(session, days=30, account=created)
    assert len(secret) >= 43  # 32 random bytes in URL-safe base64
    session.flush()
    stored = session.exec(select(AuthToken).where(AuthToken.account_id == created.id)).one()
    assert stored.token_hash == digest(secret) and secret not in stored.token_hash
    assert utcnow() + timedelta(days=29) < stored.expires_at <= utcnow() + timedelta(days=30)
    actor = accounts.resolve_token(session, secret)
    assert actor.account is created and actor.person is None


def test_expired_revoked_and_disabled_tokens_are_refused(session):
    created = account(session)
    expired = accounts.issue_token(session, days=-1, account=created)
    revoked = accounts.issue_token(session, days=1, account=created)
    accounts.revoke_token(session, revoked)
    session.flush()
    for secret in (expired, revoked, "never issued"):
        with pytest.raises(NotAuthenticated):
            accounts.resolve_token(session, secret)
    fine = accounts.issue_token(session, days=1, account=created)
    session.flush()
    created.disabled = True
    with pytest.raises(NotAuthenticated):
        accounts.resolve_token(session, fine)


def test_a_person_token_stops_when_the_person_is_removed(session):
    facilitator = staff_actor(session)
    percorso = process(session, facilitator)
    person = Person(process_id=percorso.id, name="Anna", role="participant")
    session.add(person)
    session.flush()
    secret = accounts.issue_token(session, days=1, person=person)
    session.flush()
    assert accounts.resolve_token(session, secret).person is person
    person.removed_at = utcnow()
    with pytest.raises(NotAuthenticated):
        accounts.resolve_token(session, secret)


def test_the_language_choice_is_remembered(session):
    actor = staff_actor(session)
    accounts.set_language(session, actor, "en")
    assert actor.account.lang == "en" and actor.lang == "en"
    person = Person(process_id=process(session, actor).id, name="Anna", role="participant")
    session.add(person)
    session.flush()
    accounts.set_language(session, person_actor(person), "it")
    assert person.lang == "it"
