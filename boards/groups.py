"""Breakout groups (gruppi di lavoro): made at random, balanced or by hand, each with its own
board; started, ended, and joined late.

`balanced` mixes organisation kinds (public, health, third sector) as evenly as the people
allow and spreads the members of one organisation across groups. Only participants are
placed (staff and observers are not): while the meeting is live, those present; before, every
participant admitted to it. Someone arriving while groups run goes to the smallest group.
Each function appends its events to the meeting stream in the caller's transaction.
See docs/protocol.md ("Breakout groups").
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass

from sqlmodel import Session, select

from boards.attendance import expected_people, present_ids
from boards.clock import utcnow
from boards.errors import InvalidInput
from boards.events import append, meeting_stream
from boards.guards import open_meeting_for_change
from boards.ids import fetch
from boards.models import (
    Board,
    BoardKind,
    BreakoutGroup,
    Event,
    GroupMember,
    Meeting,
    MeetingState,
    Organization,
    OrganizationKind,
    Person,
    PersonRole,
)

# More groups than this is not a workshop any more: a mistake in `count`.
GROUP_LIMIT = 50
STRATEGIES = ("random", "balanced", "manual")
# Group and group board names, in the language of the facilitator who makes them.
GROUP_NAME = {"it": "Gruppo {n}", "en": "Group {n}"}


@dataclass(frozen=True)
class Candidate:
    """Someone to place in a group, with their organisation and its kind."""

    person_id: int
    organization_id: int | None
    kind: OrganizationKind | None


# --- planning (no database) ----------------------------------------------------------------

def plan_random(candidates: list[Candidate], count: int, rng: random.Random) -> list[list[int]]:
    """Shuffle and deal: group sizes differ by one at most."""
    people = [c.person_id for c in candidates]
    rng.shuffle(people)
    return [people[index::count] for index in range(count)]


def plan_balanced(candidates: list[Candidate], count: int, rng: random.Random) -> list[list[int]]:
    """Groups whose sizes differ by one at most, mixing organisation kinds and spreading
    each organisation's members.

    People are placed one at a time, the most numerous kind first and, within a kind, the
    largest organisation first (so the common ones cover every group and the rarer ones
    fill in); each goes to the group that is smallest, then has the fewest of their
    organisation, then the fewest of their kind, then the fewest kinds; remaining ties are
    broken at random.
    """
    groups: list[list[int]] = [[] for _ in range(count)]
    per_org = [Counter() for _ in range(count)]
    per_kind = [Counter() for _ in range(count)]
    by_kind: dict[object, dict[object, list[int]]] = defaultdict(lambda: defaultdict(list))
    for candidate in candidates:
        # People without an organisation each count as an organisation of their own.
        org = candidate.organization_id if candidate.organization_id is not None else ("alone", candidate.person_id)
        by_kind[candidate.kind][org].append(candidate.person_id)
    kinds = list(by_kind)
    rng.shuffle(kinds)
    kinds.sort(key=lambda kind: -sum(len(members) for members in by_kind[kind].values()))
    for kind in kinds:
        orgs = list(by_kind[kind].items())
        rng.shuffle(orgs)
        orgs.sort(key=lambda pair: -len(pair[1]))
        for org, members in orgs:
            rng.shuffle(members)
            for person_id in members:
                tiebreak = list(range(count))
                rng.shuffle(tiebreak)
                best = min(range(count), key=lambda g: (len(groups[g]), per_org[g][org], per_kind[g][kind],
                                                        len(per_kind[g]), tiebreak[g]))
                groups[best].append(person_id)
                per_org[best][org] += 1
                per_kind[best][kind] += 1
    return groups


def plan_manual(assignments: dict[int, int], count: int | None) -> list[list[int]]:
    """Groups from `{person id: group index}` (indices from 0); `count` groups, or as many as
    the highest index needs. Raises InvalidInput."""
    needed = max(assignments.values(), default=-1) + 1
    count = needed if count is None else count
    if not 1 <= count <= GROUP_LIMIT:
        raise InvalidInput("The number of groups must be between 1 and {limit}", limit=GROUP_LIMIT)
    groups: list[list[int]] = [[] for _ in range(count)]
    for person_id, index in sorted(assignments.items()):
        if not 0 <= index < count:
            raise InvalidInput("Group index {index} is not between 0 and {last}", index=index, last=count - 1)
        groups[index].append(person_id)
    return groups


# --- queries ---------------------------------------------------------------------------------

def current_groups(session: Session, meeting_id: int) -> list[BreakoutGroup]:
    """The meeting's groups until the next `groups.create` replaces them, in order."""
    return list(session.exec(
        select(BreakoutGroup)
        .where(BreakoutGroup.meeting_id == meeting_id, BreakoutGroup.dissolved_at.is_(None))
        .order_by(BreakoutGroup.position)
    ))


def require_current_groups(session: Session, meeting_id: int, group_ids: list[int]) -> list[int]:
    """The ids, sorted, when each names a current group of the meeting. Raises InvalidInput."""
    if not group_ids:
        raise InvalidInput("Name at least one group, or leave 'groups' out for everyone")
    group_ids = sorted(set(group_ids))
    unknown = sorted(set(group_ids) - {group.id for group in current_groups(session, meeting_id)})
    if unknown:
        raise InvalidInput("Group {id} is not one of this meeting's groups", id=unknown[0])
    return group_ids


def members_of(session: Session, groups: list[BreakoutGroup]) -> dict[int, list[int]]:
    members: dict[int, list[int]] = {group.id: [] for group in groups}
    if members:
        for row in session.exec(
            select(GroupMember).where(GroupMember.group_id.in_(list(members))).order_by(GroupMember.id)
        ):
            members[row.group_id].append(row.person_id)
    return members


def group_view(group: BreakoutGroup, members: list[int]) -> dict:
    return {"id": group.id, "name": group.name, "board": group.board_id, "members": members}


def candidates(session: Session, meeting: Meeting) -> list[Candidate]:
    """Participants to place: those present while live, else everyone admitted."""
    people = [p for p in expected_people(session, meeting) if p.role == PersonRole.participant]
    if meeting.state == MeetingState.live:
        present = set(present_ids(session, meeting))
        people = [p for p in people if p.id in present]
    kinds = _kinds(session, meeting.process_id)
    return [Candidate(p.id, p.organization_id, kinds.get(p.organization_id)) for p in people]


def _kinds(session: Session, process_id: int) -> dict[int, OrganizationKind]:
    rows = session.exec(select(Organization.id, Organization.kind).where(Organization.process_id == process_id))
    return dict(rows.all())


def _placeable(session: Session, meeting: Meeting, person_id: int, admitted: set[int]) -> Person:
    """A participant admitted to the meeting (`admitted`: who is). Raises InvalidInput."""
    person = fetch(session, Person, person_id)
    if person is None or person.process_id != meeting.process_id or person.removed_at is not None:
        raise InvalidInput("Person {id} is not part of this process", id=person_id)
    if person.role != PersonRole.participant:
        raise InvalidInput("Only participants are placed in groups")
    if person.id not in admitted:
        raise InvalidInput("Person {id} is not invited to this meeting", id=person_id)
    return person


def _admitted(session: Session, meeting: Meeting) -> set[int]:
    return {person.id for person in expected_people(session, meeting)}


# --- ops -------------------------------------------------------------------------------------

def create_groups(*, session: Session, meeting: Meeting, actor_person: Person, strategy: str,
                  count: int | None = None, assignments: dict[int, int] | None = None,
                  lang: str = "it", rng: random.Random | None = None,
                  op_id: str | None = None) -> Event:
    """Replace the meeting's groups with new ones, each with its own board.

    `random` and `balanced` need `count`; `manual` takes `assignments` `{person id: group
    index}` (and optionally `count`). Returns `groups.created`. Raises NotAllowed, Locked
    (ended meeting), InvalidInput (running groups, bad strategy, count or people).
    """
    open_meeting_for_change(session, meeting=meeting, actor_person=actor_person)
    if strategy not in STRATEGIES:
        raise InvalidInput("The field '{field}' must be one of: {allowed}", field="strategy",
                           allowed=", ".join(STRATEGIES))
    old = current_groups(session, meeting.id)
    if any(group.running for group in old):
        raise InvalidInput("End the running groups before making new ones")
    if strategy == "manual":
        admitted = _admitted(session, meeting)
        for person_id in assignments or {}:
            _placeable(session, meeting, person_id, admitted)
        plan = plan_manual(assignments or {}, count)
    else:
        if count is None or not 1 <= count <= GROUP_LIMIT:
            raise InvalidInput("The number of groups must be between 1 and {limit}", limit=GROUP_LIMIT)
        planner = plan_balanced if strategy == "balanced" else plan_random
        plan = planner(candidates(session, meeting), count, rng or random.SystemRandom())
    now = utcnow()
    for group in old:
        group.dissolved_at = now
        session.add(group)
    name = GROUP_NAME.get(lang, GROUP_NAME["it"])
    views = []
    for position, members in enumerate(plan, start=1):
        group = BreakoutGroup(meeting_id=meeting.id, name=name.format(n=position), position=position)
        session.add(group)
        session.flush()
        board = Board(meeting_id=meeting.id, title=group.name, kind=BoardKind.group, group_id=group.id)
        session.add(board)
        session.flush()
        group.board_id = board.id
        session.add(group)
        session.add_all([GroupMember(group_id=group.id, person_id=person_id) for person_id in members])
        views.append(group_view(group, list(members)))
    return append(session, stream=meeting_stream(meeting.id), name="groups.created",
                  data={"groups": views}, actor=actor_person, op_id=op_id)


def _current_group(session: Session, meeting: Meeting, group_id: int) -> BreakoutGroup:
    group = fetch(session, BreakoutGroup, group_id)
    if group is None or group.meeting_id != meeting.id or group.dissolved_at is not None:
        raise InvalidInput("Group {id} is not one of this meeting's groups", id=group_id)
    return group


def _move(session: Session, meeting: Meeting, person_id: int, group: BreakoutGroup) -> None:
    """Make `person_id` a member of `group` and of no other current group."""
    others = [g.id for g in current_groups(session, meeting.id) if g.id != group.id]
    if others:
        for row in session.exec(
            select(GroupMember).where(GroupMember.person_id == person_id, GroupMember.group_id.in_(others))
        ):
            session.delete(row)
    session.add(GroupMember(group_id=group.id, person_id=person_id))


def assign(*, session: Session, meeting: Meeting, actor_person: Person, person_id: int, group_id: int,
           op_id: str | None = None) -> Event:
    """Move a participant to one of the current groups (out of any other); returns
    `groups.assigned`. Raises NotAllowed, Locked, InvalidInput."""
    open_meeting_for_change(session, meeting=meeting, actor_person=actor_person)
    group = _current_group(session, meeting, group_id)
    person = _placeable(session, meeting, person_id, _admitted(session, meeting))
    if person.id in members_of(session, [group])[group.id]:
        raise InvalidInput("This participant is already in that group")
    _move(session, meeting, person.id, group)
    return append(session, stream=meeting_stream(meeting.id), name="groups.assigned",
                  data={"participant": person.id, "group": group.id}, actor=actor_person, op_id=op_id)


def start_groups(*, session: Session, meeting: Meeting, actor_person: Person,
                 op_id: str | None = None) -> Event:
    """Send everyone to their group board; returns `groups.started`.

    Raises NotAllowed, Locked, InvalidInput (no groups, or already running).
    """
    open_meeting_for_change(session, meeting=meeting, actor_person=actor_person)
    groups = current_groups(session, meeting.id)
    if not groups:
        raise InvalidInput("There are no groups to start: make them first")
    if any(group.running for group in groups):
        raise InvalidInput("The groups are already running")
    now = utcnow()
    for group in groups:
        group.running = True
        group.started_at = now
        group.ended_at = None
        session.add(group)
    return append(session, stream=meeting_stream(meeting.id), name="groups.started", data={},
                  actor=actor_person, op_id=op_id)


def end_groups(*, session: Session, meeting: Meeting, actor_person: Person,
               op_id: str | None = None) -> Event:
    """Bring everyone back to the plenary; the groups' boards stay readable by the whole
    meeting for reporting back. Returns `groups.ended`. Raises NotAllowed, Locked,
    InvalidInput (no running groups)."""
    open_meeting_for_change(session, meeting=meeting, actor_person=actor_person)
    event = stop_running_groups(session, meeting, actor_person=actor_person, op_id=op_id)
    if event is None:
        raise InvalidInput("No groups are running")
    return event


def stop_running_groups(session: Session, meeting: Meeting, *, actor_person: Person | None,
                        op_id: str | None = None) -> Event | None:
    """`groups.ended` if groups were running (also when the meeting ends), else None.
    The caller holds the meeting stream's lock."""
    running = [group for group in current_groups(session, meeting.id) if group.running]
    if not running:
        return None
    now = utcnow()
    for group in running:
        group.running = False
        group.ended_at = now
        session.add(group)
    return append(session, stream=meeting_stream(meeting.id), name="groups.ended", data={},
                  actor=actor_person, op_id=op_id)


def place_late_joiner(session: Session, meeting: Meeting, person: Person) -> Event | None:
    """While groups run, a participant in none of them joins the smallest (the first of
    equals); returns `groups.assigned` (no actor: the server placed them), else None.
    The caller holds the meeting stream's lock."""
    if person.role != PersonRole.participant or person.removed_at is not None:
        return None
    groups = current_groups(session, meeting.id)
    if not any(group.running for group in groups):
        return None
    members = members_of(session, groups)
    if any(person.id in people for people in members.values()):
        return None
    smallest = min(groups, key=lambda group: (len(members[group.id]), group.position))
    session.add(GroupMember(group_id=smallest.id, person_id=person.id))
    return append(session, stream=meeting_stream(meeting.id), name="groups.assigned",
                  data={"participant": person.id, "group": smallest.id}, actor=None)
