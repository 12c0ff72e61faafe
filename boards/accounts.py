"""Staff accounts (facilitators, secretaries), passwords and authentication tokens."""

from __future__ import annotations

from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, select

from boards.access import Actor
from boards.clock import utcnow
from boards.errors import Conflict, InvalidInput, NotAuthenticated
from boards.models import Account, AccountRole, AuthToken, Invite, Person
from boards.secrets import digest, new_token

_hasher = PasswordHasher()
# A hash of a random password, checked when the email is unknown so that a failed login
# takes the same time whether or not the account exists.
_DUMMY_HASH = _hasher.hash(new_token())
# Short passwords are the first thing guessed; a passphrase is easy to reach.
MIN_PASSWORD_LENGTH = 10


def normalise_email(email: str) -> str:
    email = email.strip().lower()
    local, _, domain = email.partition("@")
    # Control characters (NUL above all, which PostgreSQL refuses) never belong in an address.
    invalid = not email.isprintable() or " " in email or len(email) > 254
    if not local or "." not in domain or invalid:
        raise InvalidInput("'{email}' is not a valid email address", email=email)
    return email


def create_account(
    session: Session, *, email: str, name: str, role: AccountRole, password: str
) -> Account:
    """Raises InvalidInput for a bad email, name or password, Conflict if the email exists."""
    email = normalise_email(email)
    name = name.strip()
    if not name:
        raise InvalidInput("A name is required")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            "The password must be at least {count} characters long", count=MIN_PASSWORD_LENGTH
        )
    if session.exec(select(Account).where(Account.email == email)).first():
        raise Conflict("An account with email {email} already exists", email=email)
    account = Account(email=email, name=name, role=role, password_hash=_hasher.hash(password))
    session.add(account)
    session.flush()
    return account


def authenticate(session: Session, *, email: str, password: str) -> Account:
    """Raises NotAuthenticated for an unknown email, a wrong password or a disabled account."""
    try:
        email = normalise_email(email)
    except InvalidInput:
        email = None  # not an address: no account can match, but the hash is still checked
    account = (
        session.exec(select(Account).where(Account.email == email)).first() if email else None
    )
    try:
        _hasher.verify(account.password_hash if account else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        raise NotAuthenticated("Wrong email or password") from None
    if account is None or account.disabled:
        raise NotAuthenticated("Wrong email or password")
    if _hasher.check_needs_rehash(account.password_hash):
        account.password_hash = _hasher.hash(password)
        session.add(account)
    return account


def issue_token(
    session: Session,
    *,
    days: int,
    account: Account | None = None,
    person: Person | None = None,
    invite: Invite | None = None,
    meeting_id: int | None = None,
    browser: bool = False,
) -> str:
    """Create a token for an account or a person; returns the secret, stored only hashed."""
    secret = new_token()
    session.add(
        AuthToken(
            token_hash=digest(secret),
            account_id=account.id if account else None,
            person_id=person.id if person else None,
            invite_id=invite.id if invite else None,
            meeting_id=meeting_id,
            browser=browser,
            expires_at=utcnow() + timedelta(days=days),
        )
    )
    return secret


def resolve_token(session: Session, secret: str) -> Actor:
    """The actor behind a token. Raises NotAuthenticated if unknown, expired or revoked."""
    token = session.exec(select(AuthToken).where(AuthToken.token_hash == digest(secret))).first()
    if token is None or token.revoked_at is not None or token.expires_at < utcnow():
        raise NotAuthenticated("Your session has expired or is not valid: please sign in again")
    if token.account_id is not None:
        account = session.get(Account, token.account_id)
        if account is None or account.disabled:
            raise NotAuthenticated("Your session has expired or is not valid: please sign in again")
        return Actor(token=token, account=account)
    person = session.get(Person, token.person_id)
    if person is None or person.removed_at is not None:
        raise NotAuthenticated("Your session has expired or is not valid: please sign in again")
    return Actor(token=token, person=person)


def revoke_token(session: Session, secret: str) -> None:
    token = session.exec(select(AuthToken).where(AuthToken.token_hash == digest(secret))).first()
    if token is not None and token.revoked_at is None:
        token.revoked_at = utcnow()
        session.add(token)


def set_language(session: Session, actor: Actor, lang: str) -> None:
    """Remember the actor's language choice on their account or person."""
    holder = actor.account or actor.person
    if holder is not None:
        holder.lang = lang
        session.add(holder)
