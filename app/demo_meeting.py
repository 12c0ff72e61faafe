"""The demo's first meeting, already held: what a facilitator, a secretary and the partners
leave behind after a morning of co-design, so that the verbale, the synthesis and the
readings across meetings have something real to show on a fresh install.

Everything goes through the same domain actions as the live room (events included); only the
clock is moved back afterwards, since a demo built now would otherwise say the meeting lasted
a second.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlmodel import Session, select

from boards import attendance, decisions, groups, items, lines, meetings_live, minutes_versions, prompts
from boards import synthesis, voting
from boards.access import Actor, person_in_process
from boards.clock import utcnow
from boards.events import board_stream, meeting_stream
from boards.models import (
    Action,
    Attendance,
    AttendanceStatus,
    Board,
    BreakoutGroup,
    Decision,
    DecisionMethod,
    Event,
    Item,
    ItemKind,
    LineOfWork,
    Meeting,
    Organization,
    Person,
    PersonRole,
    Prompt,
    VotingRound,
)

QUESTION = "Quali bisogni delle persone senza dimora non trovano oggi una risposta a Padova?"
# What each participant (by name) writes on their group's board, answering the question.
NOTES = {
    "Laura Bianchi": "Mancano posti letto a bassa soglia d'inverno: il dormitorio è sempre pieno da novembre.",
    "Paolo Conte": "Chi ha una dipendenza non arriva al SerD da solo: serve un aggancio in strada.",
    "Sara Greco": "Un luogo diurno dove lavarsi, lasciare i propri documenti e ricevere la posta.",
    "Davide Rinaldi": "Orari dei servizi incompatibili con chi lavora a giornata.",
    "Elena Moretti": "Accompagnamento alla residenza anagrafica: senza non si accede a nulla.",
    "don Andrea Fabbri": "La mensa serale è l'unico contatto per molti: usiamola per orientare.",
    "Chiara Lombardi": "Le unità di strada non si parlano tra loro: una mappa condivisa dei contatti.",
    "Roberto Gallo": "Donne senza dimora: servono spazi separati e sicuri.",
    "Anna Costa": "Percorsi di housing first per chi è in strada da più di due anni.",
    "Luca Mancini": "Tirocini brevi e pagati, con un tutor, per ripartire dal lavoro.",
}
# Absent, with a justification the secretary recorded.
EXCUSED = "Croce Rossa Italiana – Comitato locale"
LINE = "Un centro diurno come porta d'accesso unica"
STATEMENT = ("Il centro servizi offre in un solo luogo igiene, deposito documenti, residenza "
             "anagrafica e orientamento, con orari che tengono conto di chi lavora.")
DECISION = "Il centro diurno è la prima linea di lavoro da sviluppare nel secondo incontro."
ACTIONS = [
    ("Mappa condivisa dei contatti delle unità di strada", "Associazione Strada Amica ODV", 21),
    ("Scheda dei posti letto invernali disponibili", "Comune di Padova – Settore Servizi Sociali", 14),
]
HELD_DAYS_AGO = 7
# The times each table of the meeting records, moved together.
MEETING_TIMES = [
    (Attendance, ("joined_at", "left_at")),
    (Prompt, ("opened_at", "closed_at")),
    (BreakoutGroup, ("created_at", "started_at", "ended_at")),
    (Decision, ("created_at",)),
    (Action, ("created_at", "updated_at")),
    (LineOfWork, ("created_at",)),
]
# Local morning of a weekday, in UTC: 09:30–12:15 in Italy in winter.
STARTED = (8, 30)
DURATION = timedelta(hours=2, minutes=45)


def hold_first_meeting(session: Session, *, meeting: Meeting, facilitator: Actor, secretary: Actor) -> None:
    """Run the meeting from start to end, approve and sign its verbale, and cite it in the
    synthesis. Raises what the domain actions raise (the demo is built on an empty process)."""
    chair = person_in_process(session, facilitator, meeting.process_id)
    minute_taker = person_in_process(session, secretary, meeting.process_id)
    people = {p.name: p for p in session.exec(select(Person).where(Person.process_id == meeting.process_id))}
    organizations = {o.name: o for o in session.exec(
        select(Organization).where(Organization.process_id == meeting.process_id))}
    present = [p for p in people.values() if p.role == PersonRole.participant
               and p.organization_id != organizations[EXCUSED].id]
    plenary = session.get(Board, meeting.plenary_board_id)

    meetings_live.start_meeting(session=session, meeting=meeting, actor_person=chair,
                                connected=[chair.id, minute_taker.id] + [p.id for p in present])
    question = prompts.open_prompt(session=session, meeting=meeting, actor_person=chair, text=QUESTION)
    prompt_id = question.data["prompt"]["id"]
    made = groups.create_groups(session=session, meeting=meeting, actor_person=chair, strategy="balanced",
                                count=2, rng=random.Random(2026))
    groups.start_groups(session=session, meeting=meeting, actor_person=chair)
    notes = []
    for group in made.data["groups"]:
        board = session.get(Board, group["board"])
        for index, person_id in enumerate(group["members"]):
            person = session.get(Person, person_id)
            event = items.create_item(session=session, board=board, actor_person=person, kind=ItemKind.note,
                                      x=40 + 230 * (index % 3), y=40 + 230 * (index // 3),
                                      text=NOTES[person.name], prompt_id=prompt_id)
            notes.append(session.get(Item, event.data["item"]["id"]))
    groups.end_groups(session=session, meeting=meeting, actor_person=chair)

    # Back in the plenary: the notes about a day centre are gathered in a frame, voted on,
    # and the frame becomes a line of work.
    frame_event = items.create_item(session=session, board=plenary, actor_person=chair, kind=ItemKind.frame,
                                    x=0, y=0, w=720, h=300, text=LINE)
    frame_id = frame_event.data["item"]["id"]
    day_centre = [n for n in notes if n.author_id in {people["Sara Greco"].id, people["Elena Moretti"].id,
                                                       people["Davide Rinaldi"].id}]
    gathered = []
    for index, note in enumerate(day_centre):
        event = items.create_item(session=session, board=plenary, actor_person=session.get(Person, note.author_id),
                                  kind=ItemKind.note, x=20 + 230 * index, y=60, text=note.text,
                                  prompt_id=prompt_id, frame_id=frame_id)
        gathered.append(event.data["item"]["id"])
    voting.start_voting(session=session, board=plenary, actor_person=chair, budget=3)
    for index, person in enumerate(present):
        for item_id in gathered[: 1 + index % 3]:
            voting.cast_vote(session=session, board=plenary, actor_person=person, item_id=item_id)
    voting.end_voting(session=session, board=plenary, actor_person=chair)
    line = lines.promote_line(session=session, meeting=meeting, actor_person=chair, board_id=plenary.id,
                              frame_id=frame_id, title=LINE)
    decisions.record_decision(session=session, meeting=meeting, actor_person=chair, text=DECISION,
                              method=DecisionMethod.consensus, outcome="Approvata per consenso",
                              item_ids=gathered)
    for text, owner, days in ACTIONS:
        decisions.add_action(session=session, meeting=meeting, actor_person=chair, text=text,
                             owner_id=organizations[owner].id, due=(utcnow() + timedelta(days=days)).date())
    meetings_live.end_meeting(session=session, meeting=meeting, actor_person=chair)
    attendance.mark_organization(session, actor=secretary, meeting_id=meeting.id,
                                 organization_id=organizations[EXCUSED].id, status=AttendanceStatus.excused,
                                 note="Assenza comunicata per email il giorno prima")
    session.flush()
    _move_back_in_time(session, meeting, [plenary.id] + [g["board"] for g in made.data["groups"]])

    version = minutes_versions.approve(session, actor=secretary, meeting_id=meeting.id)
    minutes_versions.sign(session, actor=facilitator, meeting_id=meeting.id, version=version.version,
                          capacity="chair")
    minutes_versions.sign(session, actor=secretary, meeting_id=meeting.id, version=version.version,
                          capacity="minute_taker")
    synthesis.add_statement(session, actor=facilitator, process_id=meeting.process_id, text=STATEMENT,
                            line_id=line.data["line"]["id"], item_ids=gathered)


def _move_back_in_time(session: Session, meeting: Meeting, board_ids: list[int]) -> None:
    """Move everything the meeting recorded to a morning HELD_DAYS_AGO, keeping its order."""
    started = (utcnow() - timedelta(days=HELD_DAYS_AGO)).replace(
        hour=STARTED[0], minute=STARTED[1], second=0, microsecond=0)
    recorded_start, recorded_end = meeting.started_at, meeting.ended_at
    # Built in a second, spread over a morning: the record reads like a real meeting.
    stretch = DURATION / max(recorded_end - recorded_start, timedelta(milliseconds=1))

    def moved(moment: datetime | None) -> datetime | None:
        if moment is None:
            return None
        elapsed = min(max(moment - recorded_start, timedelta(0)) * stretch, DURATION)
        return started + elapsed

    meeting.starts_at, meeting.started_at, meeting.ended_at = started, started, started + DURATION
    for model, fields in MEETING_TIMES:
        for row in session.exec(select(model).where(model.meeting_id == meeting.id)):
            for name in fields:
                setattr(row, name, moved(getattr(row, name)))
    for row in session.exec(select(VotingRound).where(VotingRound.board_id.in_(board_ids))):
        row.started_at, row.ended_at = moved(row.started_at), moved(row.ended_at)
    for item in session.exec(select(Item).where(Item.board_id.in_(board_ids))):
        item.created_at, item.updated_at = moved(item.created_at), moved(item.updated_at)
    streams = [meeting_stream(meeting.id)] + [board_stream(board_id) for board_id in board_ids]
    for event in session.exec(select(Event).where(Event.stream.in_(streams))):
        event.at = moved(event.at)
    session.flush()
