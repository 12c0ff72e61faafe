"""Helpers of the API tests: what the database holds, to prove a refused request stored nothing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, or_, select
from sqlmodel import Session, SQLModel

from boards import accounts
from boards.models import AuthToken, Board, Meeting, Person, ProcessStaff
from boards.secrets import digest, new_token

# Tables the HTTP API can change in place; every other table is only ever appended to,
# which the row counts catch.
MUTABLE = [
    "process", "account", "authtoken", "organization", "person", "processstaff", "invite",
    "joincode", "meeting", "agendaitem", "attendance", "thematictable", "steeringmember",
    "board", "resourcepledge", "synthesisstatement", "lineofwork", "documentversion",
]


# A live test server records a departure a few seconds after a connection closes
# (realtime.hub.DEPARTURE_GRACE), possibly while a later test runs: attendance events come
# from connections, never from a request, so they are not counted.
CONNECTION_EVENTS = ("participant.joined", "participant.left")


def _count(table):
    query = select(func.count()).select_from(table)
    if table.name == "event":
        query = query.where(table.c.name.not_in(CONNECTION_EVENTS))
    return query.scalar_subquery().label(table.name)


def _counts(connection) -> dict[str, int]:
    query = select(*[_count(table) for table in SQLModel.metadata.sorted_tables])
    return dict(connection.execute(query).mappings().one())


def _rows(connection, process_id: int) -> dict[str, list[tuple]]:
    meetings = select(Meeting.id).where(Meeting.process_id == process_id)
    people = select(Person.id).where(Person.process_id == process_id)
    staff = select(ProcessStaff.account_id).where(ProcessStaff.process_id == process_id)
    boards = select(Board.id).where(Board.meeting_id.in_(meetings))
    rows = {}
    for name in MUTABLE:
        table = SQLModel.metadata.tables[name]
        c = table.c
        scope = {
            "process": c.id == process_id if name == "process" else None,
            "account": c.id.in_(staff) if name == "account" else None,
            "process_id": c.process_id == process_id if "process_id" in c else None,
            "meeting_id": c.meeting_id.in_(meetings) if "meeting_id" in c else None,
            "person_id": c.person_id.in_(people) if "person_id" in c else None,
            "account_id": c.account_id.in_(staff) if "account_id" in c else None,
            "board_id": c.board_id.in_(boards) if "board_id" in c else None,
        }
        condition = or_(*[where for where in scope.values() if where is not None])
        query = select(table).where(condition).order_by(*table.primary_key.columns)
        rows[name] = [tuple(row) for row in connection.execute(query)]
    return rows


def snapshot(engine: Engine, *process_ids: int) -> dict:
    """Row counts of every table, and every row of these processes that the API could change."""
    with engine.connect() as connection:
        return {
            "counts": _counts(connection),
            **{f"process {p}": _rows(connection, p) for p in process_ids},
        }


@contextmanager
def nothing_stored(engine: Engine, *process_ids: int) -> Iterator[None]:
    """Asserts that the block changed nothing in the database."""
    before = snapshot(engine, *process_ids)
    yield
    after = snapshot(engine, *process_ids)
    changed = {
        key: (before["counts"][key], count)
        for key, count in after["counts"].items()
        if before["counts"][key] != count
    }
    assert not changed, f"rows were added or removed: {changed}"
    for key in before:
        if key != "counts":
            for table, rows in before[key].items():
                assert after[key][table] == rows, f"{key}: table {table} changed"


def assert_not_stored(engine: Engine, secret: str) -> None:
    """No value in any column of any table contains `secret` (only its hash may be kept)."""
    with engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            for row in connection.execute(select(table)):
                for column, value in zip(table.columns, row, strict=True):
                    assert secret not in str(value), f"{table.name}.{column.name} holds it"


def assert_error(answer, status: int, *words: str) -> str:
    """The contract's error shape: the status, and a `detail` string saying what went wrong."""
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/json")
    body = answer.json()
    assert isinstance(body["detail"], str) and body["detail"].strip(), body
    for word in words:
        assert word.lower() in body["detail"].lower(), body["detail"]
    return body["detail"]


def bearer(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


def mint_token(engine: Engine, token: str) -> str:
    """Another token with exactly the same reach as `token` (same account, invite or code)."""
    with Session(engine) as session:
        row = session.scalars(select(AuthToken).where(AuthToken.token_hash == digest(token))).one()
        secret = new_token()
        session.add(
            AuthToken(token_hash=digest(secret), account_id=row.account_id,
                      person_id=row.person_id, invite_id=row.invite_id,
                      meeting_id=row.meeting_id, expires_at=row.expires_at)
        )
        session.commit()
    return secret


def staff_account(
    engine: Engine, role: str, email: str, name: str, password: str
) -> tuple[int, str]:
    """An account made in the database and a bearer token for it (no HTTP sign-in)."""
    from boards.models import AccountRole

    with Session(engine) as session:
        account = accounts.create_account(session, email=email, name=name,
                                          role=AccountRole(role), password=password)
        token = accounts.issue_token(session, days=1, account=account)
        session.commit()
        return account.id, token


def client_from(app, address: str) -> TestClient:
    """A client whose requests come from `address` (rate limits count per address).

    It asks for English, like the `client` of the API tests.
    """
    return TestClient(app, client=(address, 50000), headers={"Accept-Language": "en"})


def build_world(client: TestClient, engine: Engine):
    """The same world as the `world` fixture, for a whole module (see `shared_world`)."""
    from tests.conftest import PASSWORD, Staff, World, unique

    staff = {}
    for role, name in [("facilitator", "Giulia Ferraro"), ("secretary", "Marco Zanin")]:
        email = f"{unique(role)}@example.org"
        account_id, token = staff_account(engine, role, email, name, PASSWORD)
        staff[role] = Staff(id=account_id, email=email, token=token)
    auth = staff["facilitator"].auth

    def post(url: str, body: dict | None = None, headers: dict | None = auth) -> dict:
        answer = client.post(url, headers=headers, json=body)
        assert answer.status_code in (200, 201), answer.text
        return answer.json()

    process = post("/api/v1/processes",
                   {"title": "Centro servizi grave marginalità", "kind": "co-design"})["id"]
    post(f"/api/v1/processes/{process}/staff",
         {"email": staff["secretary"].email, "role": "secretary"})
    organizations = {
        kind: post(f"/api/v1/processes/{process}/organizations", {"name": name, "kind": kind})["id"]
        for name, kind in [("Comune di Padova", "public"), ("ULSS 6 Euganea", "health"),
                           ("Cooperativa Il Ponte", "third_sector")]
    }
    meeting = post(f"/api/v1/processes/{process}/meetings", {
        "title": "Primo incontro", "starts_at": "2026-12-01T14:00:00Z", "mode": "online",
        "location": "https://meet.example.org/tavolo", "agenda": ["Apertura", "Bisogni"]})
    people = {}
    for role, organization in [("participant", "third_sector"), ("observer", "public")]:
        invite = post(f"/api/v1/processes/{process}/invites", {
            "name": f"Persona {role}", "organization": organizations[organization], "role": role})
        joined = post("/api/v1/join", {"invite": invite["invite"]}, headers=None)
        people[role] = {**invite, "token": joined["token"], "person": joined["participant"]["id"]}
    return World(staff["facilitator"], staff["secretary"], process, organizations, meeting,
                 people["participant"], people["observer"])

