"""A workshop for the facilitation tests: a meeting with its plenary board, staff, an
observer and twelve invited participants from six organisations of three kinds.

Built straight from the models in the test's session (rolled back at the end).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlmodel import Session

from boards.clock import utcnow
from boards.events import append, meeting_stream
from boards.models import (
    Account,
    AccountRole,
    Attendance,
    Board,
    BoardKind,
    Invite,
    Meeting,
    MeetingMode,
    MeetingState,
    Organization,
    OrganizationKind,
    Person,
    PersonRole,
    Process,
    ProcessKind,
)

ORGANIZATIONS = [
    ("Comune di Padova", OrganizationKind.public), ("Comune di Abano", OrganizationKind.public),
    ("ULSS 6 Euganea", OrganizationKind.health), ("Consultorio", OrganizationKind.health),
    ("Cooperativa Il Ponte", OrganizationKind.third_sector),
    ("Associazione Porte Aperte", OrganizationKind.third_sector),
]


@dataclass
class Workshop:
    meeting: Meeting
    plenary: Board
    facilitator: Person
    secretary: Person
    observer: Person
    participants: list[Person]
    organizations: list[Organization]
    kinds: dict[int, OrganizationKind] = field(default_factory=dict)

    def kind_of(self, person_id: int) -> OrganizationKind:
        person = next(p for p in self.participants if p.id == person_id)
        return self.kinds[person.organization_id]


def build_workshop(session: Session, *, per_organization: int = 2) -> Workshop:
    account = Account(email=f"f-{uuid.uuid4().hex[:8]}@example.org", name="Giulia", role=AccountRole.facilitator,
                      password_hash="-")
    session.add(account)
    session.flush()
    process = Process(title="Percorso", kind=ProcessKind.co_design, created_by=account.id)
    session.add(process)
    session.flush()
    organizations = [Organization(process_id=process.id, name=name, kind=kind) for name, kind in ORGANIZATIONS]
    session.add_all(organizations)
    session.flush()
    facilitator = Person(process_id=process.id, name="Giulia", role=PersonRole.facilitator, account_id=account.id)
    secretary = Person(process_id=process.id, name="Marco", role=PersonRole.secretary)
    observer = Person(process_id=process.id, name="Osservatrice", role=PersonRole.observer,
                      organization_id=organizations[0].id)
    participants = [Person(process_id=process.id, name=f"{org.name} {n}", role=PersonRole.participant,
                           organization_id=org.id)
                    for org in organizations for n in range(1, per_organization + 1)]
    session.add_all([facilitator, secretary, observer, *participants])
    session.flush()
    for person in [observer, *participants]:
        session.add(Invite(process_id=process.id, person_id=person.id, secret_hash=uuid.uuid4().hex,
                           created_by=account.id))
    meeting = Meeting(process_id=process.id, number=1, title="Primo", starts_at=utcnow(), mode=MeetingMode.online)
    session.add(meeting)
    session.flush()
    plenary = Board(meeting_id=meeting.id, title="Plenaria", kind=BoardKind.plenary)
    session.add(plenary)
    session.flush()
    meeting.plenary_board_id = plenary.id
    session.add(meeting)
    session.commit()
    return Workshop(meeting, plenary, facilitator, secretary, observer, participants, organizations,
                    {org.id: org.kind for org in organizations})


def go_live(session: Session, workshop: Workshop, present: list[Person]) -> None:
    """The meeting is live with `present` joined (as the hub records arrivals)."""
    meeting = workshop.meeting
    meeting.state = MeetingState.live
    meeting.started_at = utcnow()
    session.add(meeting)
    for person in present:
        session.add(Attendance(meeting_id=meeting.id, person_id=person.id, joined_at=utcnow()))
        append(session, stream=meeting_stream(meeting.id), name="participant.joined",
               data={"participant": person.id}, actor=person)
    session.commit()
