"""A process whose every contribution, attendance, pledge and action is known, for the tests
of the insights dashboard and the open data: each figure they check is worked out by hand
from the tables below.

Ten bodies of every kind (P public, H health, T Third Sector, O other), one person each;
four meetings (three held, on two thematic tables, the fourth scheduled); four guiding
questions (Q3 asks again what Q1 asked); two lines of work; 27 counted contributions, three
of them asynchronous, and four notes that must not count (deleted, private, staff's, a frame).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlmodel import Session

from boards import processes
from boards.access import Actor, person_in_process
from boards.models import (
    AccountRole,
    Action,
    ActionStatus,
    Attendance,
    AttendanceStatus,
    Board,
    BoardKind,
    Invite,
    Item,
    ItemKind,
    LineOfWork,
    LineOfWorkItem,
    Meeting,
    MeetingMode,
    MeetingState,
    Organization,
    OrganizationKind,
    Person,
    PersonRole,
    PledgeKind,
    Process,
    ProcessKind,
    Prompt,
    ResourcePledge,
    ThematicTable,
)
from tests.boards import builders

BODIES = {
    "P1": ("Comune di Lusia", OrganizationKind.public, "Ottavio Zanetti"),
    "P2": ("Comune di Villadose", OrganizationKind.public, "Filiberta Quagliotti"),
    "P3": ("Provincia di Rovigo", OrganizationKind.public, "Ermenegildo Scarpazza"),
    "H1": ("ULSS 5 Polesana", OrganizationKind.health, "Ildegarda Pozzoli"),
    "H2": ("Consultorio Familiare", OrganizationKind.health, "Gaudenzio Trombetti"),
    "T1": ("Cooperativa Il Faro", OrganizationKind.third_sector, "Bonifacio Zampieri"),
    "T2": ("Associazione Aurora", OrganizationKind.third_sector, "Genoveffa Tarquini"),
    "T3": ("Fondazione Ponte", OrganizationKind.third_sector, "Rosalinda Spadoni"),
    "T4": ("Cooperativa Girasole", OrganizationKind.third_sector, "Clotilde Bevilacqua"),
    "O1": ("Parrocchia San Rocco", OrganizationKind.other, "Eusebio Marangoni"),
}
FACILITATOR = "Teodolinda Ferraresi"
SECRETARY = "Amedeo Colombari"
RUP = "Ludovico Baccarini"
# Every name of a person the open data must not contain.
PEOPLE = [name for _, _, name in BODIES.values()] + [FACILITATOR, SECRETARY, RUP]

QUESTIONS = {
    "Q1": (1, "Quali bisogni vedete nel quartiere?"),
    "Q2": (1, "Quali risorse potete mettere in campo?"),
    "Q3": (2, "Quali bisogni vedete nel quartiere?"),
    "Q4": (3, "Come misuriamo i risultati, come chiedeva Zanetti?"),
}
LINES = {"L1": (1, "Casa e accoglienza"), "L2": (2, "Lavoro e formazione")}


def at(day: str, time: str = "14:10") -> datetime:
    return datetime.fromisoformat(f"{day}T{time}:00").replace(tzinfo=UTC)


MEETINGS = {  # number: (table, started, state)
    1: ("A", at("2026-10-05", "14:00"), MeetingState.ended),
    2: ("B", at("2026-10-19", "14:00"), MeetingState.ended),
    3: ("A", at("2026-11-09", "14:00"), MeetingState.ended),
    4: ("A", at("2026-12-14", "14:00"), MeetingState.scheduled),
}
TEXT_21 = "Propongo di coinvolgere Genoveffa Tarquini della Cooperativa Il Faro nel laboratorio."
TEXT_25 = "Serve un confronto con il RUP Ludovico Baccarini prima di dicembre."
# (number, body, meeting of the board, question, lines, asynchronous, posted at, publishable text)
NOTES = [
    (1, "P1", 1, "Q1", ["L1"], False, at("2026-10-05"), None),
    (2, "P2", 1, "Q1", ["L1"], False, at("2026-10-05"), None),
    (3, "P3", 1, "Q1", [], False, at("2026-10-05"), None),
    (4, "H1", 1, "Q1", ["L1"], False, at("2026-10-05"), None),
    (5, "H2", 1, "Q1", [], False, at("2026-10-05"), None),
    (6, "H1", 1, "Q2", [], False, at("2026-10-05"), None),
    (7, "T1", 1, "Q1", ["L1"], False, at("2026-10-05"), None),
    (8, "T2", 1, "Q1", ["L1"], False, at("2026-10-05"), None),
    (9, "T3", 1, "Q1", [], False, at("2026-10-05"), None),
    (10, "T1", 1, "Q2", ["L1", "L2"], False, at("2026-10-05"), None),
    (11, "T4", 1, None, [], False, at("2026-10-05"), None),
    (12, "T2", 1, None, [], False, at("2026-10-05"), None),
    (13, "O1", 1, "Q1", [], False, at("2026-10-05"), None),
    (14, "P1", 1, "Q2", [], True, at("2026-10-10"), None),
    (15, "P1", 2, "Q3", ["L2"], False, at("2026-10-19"), None),
    (16, "P2", 2, "Q3", ["L2"], False, at("2026-10-19"), None),
    (17, "T1", 2, "Q3", ["L2"], False, at("2026-10-19"), None),
    (18, "T2", 2, "Q3", [], False, at("2026-10-19"), None),
    (19, "T3", 2, "Q3", ["L2"], False, at("2026-10-19"), None),
    (20, "H1", 2, None, [], False, at("2026-10-19"), None),
    (21, "T1", 2, None, [], True, at("2026-10-25"), TEXT_21),
    # On meeting 3's board before it started: between meetings 2 and 3.
    (22, "T3", 3, "Q4", [], True, at("2026-11-05"), None),
    (23, "P1", 3, "Q4", [], False, at("2026-11-09"), None),
    (24, "P3", 3, "Q4", [], False, at("2026-11-09"), None),
    (25, "T1", 3, "Q4", [], False, at("2026-11-09"), TEXT_25),
    (26, "H1", 3, "Q4", [], False, at("2026-11-09"), None),
    (27, "T3", 3, None, [], False, at("2026-11-09"), None),
]
# meeting: {body: status}; H1 holds H2's proxy at meeting 2.
ATTENDANCE = {
    1: {body: AttendanceStatus.present for body in BODIES},
    2: {"P1": AttendanceStatus.present, "P2": AttendanceStatus.present, "P3": AttendanceStatus.absent,
        "H1": AttendanceStatus.proxy, "T1": AttendanceStatus.present, "T2": AttendanceStatus.present,
        "T3": AttendanceStatus.present, "T4": AttendanceStatus.excused, "O1": AttendanceStatus.absent},
    3: {"P1": AttendanceStatus.present, "P2": AttendanceStatus.absent, "P3": AttendanceStatus.present,
        "H1": AttendanceStatus.present, "T1": AttendanceStatus.present, "T2": AttendanceStatus.present,
        "T3": AttendanceStatus.present},
}
# (body, kind, value, confirmed at or None)
PLEDGES = [
    ("P1", PledgeKind.money, "10000.00", at("2026-10-06", "10:00")),
    ("P2", PledgeKind.money, "5000.50", at("2026-10-20", "10:00")),
    ("T1", PledgeKind.money, "1000.00", at("2026-10-20", "10:00")),
    ("T2", PledgeKind.money, "750.00", at("2026-11-10", "10:00")),
    ("T3", PledgeKind.money, "250.25", at("2026-11-10", "10:00")),
    ("T1", PledgeKind.staff_hours, "2400.25", at("2026-10-20", "10:00")),
    ("T2", PledgeKind.staff_hours, "1200.00", at("2026-11-10", "10:00")),
    ("T3", PledgeKind.staff_hours, "800.10", at("2026-11-12", "10:00")),
    ("T4", PledgeKind.spaces, "3000.00", at("2026-11-12", "10:00")),
    ("O1", PledgeKind.volunteers, "500.00", at("2026-11-25", "10:00")),
    ("H1", PledgeKind.money, "7000.00", None),
    # 23:30 UTC on 30 November is 00:30 on 1 December in Rome: a December pledge.
    ("T1", PledgeKind.goods, "999.99", at("2026-11-30", "23:30")),
]
# (meeting, owner, text, due, status)
ACTIONS = [
    (1, "P1", "Mappare gli alloggi sfitti", date(2026, 11, 1), ActionStatus.open),
    (2, "T1", "Bozza del piano formativo", date(2026, 12, 10), ActionStatus.open),
    (3, "T1", "Calendario dei laboratori", date(2027, 2, 1), ActionStatus.open),
    (3, "H1", "Dati sugli accessi", None, ActionStatus.open),
    (1, "P2", "Elenco dei referenti", date(2026, 10, 30), ActionStatus.done),
    (2, "P1", "Sopralluogo", date(2026, 10, 30), ActionStatus.dropped),
]
TODAY = date(2026, 11, 20)


@dataclass
class Known:
    process: Process
    facilitator: Actor
    secretary: Actor
    bodies: dict[str, Organization]
    people: dict[str, Person]
    meetings: dict[int, Meeting]
    tables: dict[str, ThematicTable]
    questions: dict[str, Prompt]
    lines: dict[str, LineOfWork]
    notes: dict[int, Item]
    excluded: list[Item]
    administration: str

    def body(self, key: str) -> int:
        return self.bodies[key].id


def build(session: Session) -> Known:
    facilitator = builders.staff_actor(session, name=FACILITATOR)
    administration = f"Comune di Rovigo {uuid.uuid4().hex[:6]}"
    process = processes.create_process(session, actor=facilitator, title="Percorso Polesine solidale",
                                       kind=ProcessKind.co_design, administration=administration, rup_name=RUP)
    secretary = builders.staff_actor(session, role="secretary", name=SECRETARY)
    processes.add_staff(session, actor=facilitator, process_id=process.id, email=secretary.account.email,
                        role=AccountRole.secretary)
    tables = {key: ThematicTable(process_id=process.id, title=title)
              for key, title in (("A", "Abitare"), ("B", "Lavoro"))}
    session.add_all(tables.values())
    bodies = {key: Organization(process_id=process.id, name=name, kind=kind) for key, (name, kind, _) in BODIES.items()}
    session.add_all(bodies.values())
    session.flush()
    people = {key: Person(process_id=process.id, name=person, role=PersonRole.participant,
                          organization_id=bodies[key].id) for key, (_, _, person) in BODIES.items()}
    session.add_all(people.values())
    session.flush()
    for person in people.values():
        session.add(Invite(process_id=process.id, person_id=person.id, secret_hash=uuid.uuid4().hex,
                           created_by=facilitator.account.id))
    meetings = {}
    for number, (table, started, state) in MEETINGS.items():
        meeting = Meeting(process_id=process.id, thematic_table_id=tables[table].id, number=number,
                          title=f"Incontro con {FACILITATOR}", starts_at=started, mode=MeetingMode.hybrid,
                          state=state, started_at=started if state != MeetingState.scheduled else None,
                          ended_at=started.replace(hour=17) if state == MeetingState.ended else None)
        session.add(meeting)
        meetings[number] = meeting
    session.flush()
    boards = {}
    for number, meeting in meetings.items():
        board = Board(meeting_id=meeting.id, title="Plenaria", kind=BoardKind.plenary)
        session.add(board)
        boards[number] = board
    session.flush()
    questions = {key: Prompt(meeting_id=meetings[number].id, text=text, opened_at=meetings[number].starts_at)
                 for key, (number, text) in QUESTIONS.items()}
    lines = {key: LineOfWork(process_id=process.id, meeting_id=meetings[number].id, title=title)
             for key, (number, title) in LINES.items()}
    session.add_all([*questions.values(), *lines.values()])
    session.flush()
    notes = {}
    for number, body, meeting, question, in_lines, asynchronous, posted, text in NOTES:
        item = Item(board_id=boards[meeting].id, kind=ItemKind.note, text=text or f"Contributo {number}",
                    author_id=people[body].id, organization_id=bodies[body].id,
                    prompt_id=questions[question].id if question else None, asynchronous=asynchronous,
                    publishable=text is not None, created_at=posted, updated_at=posted)
        session.add(item)
        notes[number] = item
    staff_person = people["P2"]
    facilitator_person = person_in_process(session, facilitator, process.id)
    excluded = [
        Item(board_id=boards[3].id, kind=ItemKind.note, text="Cancellato", author_id=staff_person.id,
             organization_id=bodies["P2"].id, prompt_id=None, created_at=at("2026-11-09"),
             deleted_at=at("2026-11-09", "15:00")),
        Item(board_id=boards[3].id, kind=ItemKind.note, text="Privato", author_id=staff_person.id,
             organization_id=bodies["P2"].id, private=True, created_at=at("2026-11-09")),
        Item(board_id=boards[3].id, kind=ItemKind.note, text="Della facilitazione", author_id=facilitator_person.id,
             organization_id=None, created_at=at("2026-11-09")),
        Item(board_id=boards[1].id, kind=ItemKind.frame, text="Cornice", author_id=facilitator_person.id,
             organization_id=bodies["P1"].id, created_at=at("2026-10-05")),
    ]
    session.add_all(excluded)
    session.flush()
    for number, _, _, _, in_lines, _, _, _ in NOTES:
        session.add_all([LineOfWorkItem(line_id=lines[line].id, item_id=notes[number].id) for line in in_lines])
    for number, statuses in ATTENDANCE.items():
        for body, status in statuses.items():
            session.add(Attendance(meeting_id=meetings[number].id, person_id=people[body].id, status=status,
                                   proxy_for=people["H2"].id if status == AttendanceStatus.proxy else None))
    for body, kind, value, confirmed in PLEDGES:
        session.add(ResourcePledge(process_id=process.id, organization_id=bodies[body].id, kind=kind,
                                   description="Impegno", quantity=Decimal("1.00"), unit="unità",
                                   value_eur=Decimal(value), entered_by=people[body].id,
                                   confirmed_by=facilitator_person.id if confirmed else None, confirmed_at=confirmed))
    for number, owner, text, due, status in ACTIONS:
        session.add(Action(meeting_id=meetings[number].id, text=text, owner_id=bodies[owner].id, due=due,
                           status=status, created_by=facilitator_person.id))
    session.flush()
    return Known(process, facilitator, secretary, bodies, people, meetings, tables, questions, lines, notes,
                 excluded, administration)
