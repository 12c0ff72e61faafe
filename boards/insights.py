"""Insights (letture dei bisogni): aggregated readings of the contributions, participation,
pledges and actions of a process, or of every process of an administration, for the
dashboard and its charts. See docs/api.md ("Insights and open data").

Interface (plain data, no HTML; the charts in app/ render each reading as SVG with its table):

- `Filters(since, until, thematic_table, organization_kind)`; `parse_filters(params)` reads
  them from query parameters `since`, `until` (ISO dates), `table` (thematic table id) and
  `kind` (an `OrganizationKind` value), raising InvalidInput; `Filters.query()` gives them back
  as parameters, so that a reading can be linked.
- A reading is a `Series` (one bar per `Count(key, label, value)`), a `SeriesGroup` (several
  series over the same keys: one line per partner over the months) or a `Table` (`columns`,
  `rows`). Every reading has a stable `key`, a `title` in the requested language and a `unit`
  (`contributions`, `organisations`, `eur`, `actions`; tables: `table`). Values are `int`,
  or exact `Decimal` euro for `eur`.
- `Dashboard` holds the readings (`Dashboard.readings()` in display order, `Dashboard.view()`
  as JSON-ready dicts) with the filters and what was counted.
- `process_dashboard(session, *, actor, process_id, filters, lang="it", today=None)`: for the
  members of the whole process (staff, or invited to every meeting).
- `administration_dashboard(session, *, actor, administration, filters, lang="it", today=None)`:
  across every process whose `Process.administration` is `administration` and of which the
  actor's account is staff.

What is counted:

- A **contribution** is a note (`Item` of kind note) of a body: not deleted, not hidden by a
  private board, with an organisation. Staff's own notes (no organisation) are facilitation,
  not a body's contribution, and are left out of every reading.
- **Lines of work**: a note linked to several lines counts once in each; notes in none are
  "not yet in a line of work". **Guiding questions** with the same text (asked again in
  another meeting or group) are one bar; notes answering none are "no guiding question".
- **Over time**: each meeting held, and the periods between meetings. A note posted during a
  meeting counts for that meeting; an asynchronous one (`Item.asynchronous`) on the board of
  meeting N counts for "between meetings N and N+1" when it was posted after meeting N
  started, and for "between meetings N-1 and N" (or "before meeting N") when posted before.
- **Present**: a body is present at a meeting when one of its people has the attendance
  status present or proxy (a delega), or is represented there by someone holding their proxy.
  Only meetings held (live or ended) count.
- **Gone silent**: with K = `SILENT_AFTER_MEETINGS`, a body has gone silent when, among the
  selected contributions, it made at least one before the start of the K-th last meeting held
  of its process, and none from that moment on (in those meetings or between them). Its row
  says how many it made, when it last did, and whether it was present at the last meeting.
- **Pledges**: confirmed ones only, by the month of their confirmation (Italian time),
  cumulative per partner. Pledges belong to the process, not to a thematic table, so the
  table filter leaves them as they are.
- **Open actions**: status open, of the selected meetings; overdue when the due date is before
  `today` (Italian time).

Filters: the period selects contributions by the day they were posted, meetings (presence,
actions) by their day, pledges by the day they were confirmed, all in Italian time and both
ends included; the thematic table selects meetings and what was posted on their boards; the
kind selects bodies of that kind.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlmodel import Session, select

from boards.access import Actor, require_whole_process
from boards.clock import as_utc, utcnow
from boards.errors import InvalidInput, NotAllowed, NotFound
from boards.ids import MAX_ID, fetch
from boards.models import (
    Action,
    ActionStatus,
    Attendance,
    AttendanceStatus,
    Board,
    Item,
    ItemKind,
    LineOfWork,
    LineOfWorkItem,
    Meeting,
    MeetingState,
    Organization,
    OrganizationKind,
    Person,
    Process,
    ProcessStaff,
    Prompt,
    ResourcePledge,
    ThematicTable,
)
from boards.processes import get_process
from boards.synthesis import TIMEZONE, meeting_date

# A body that said nothing at the last meeting (and since) has gone quiet: one meeting is
# what a facilitator can still act on before the next, and what the issue asks to notice.
SILENT_AFTER_MEETINGS = 1
# "Due soon": the month a facilitator plans ahead in.
DUE_SOON = timedelta(days=30)
CENT = Decimal("0.01")
ZERO = Decimal("0.00")

KIND_ORDER = list(OrganizationKind)

_ITALIAN = {
    "Contributions by line of work": "Contributi per linea di lavoro",
    "Not yet in a line of work": "Non ancora in una linea di lavoro",
    "Contributions by guiding question": "Contributi per domanda guida",
    "No guiding question": "Senza domanda guida",
    "Contributions by kind of organisation": "Contributi per tipo di ente",
    "Contributions in meetings and between them": "Contributi negli incontri e tra un incontro e l'altro",
    "Meeting {number}": "Incontro {number}",
    "Between meetings {number} and {next}": "Tra l'incontro {number} e il {next}",
    "After meeting {number}": "Dopo l'incontro {number}",
    "Before meeting {number}": "Prima dell'incontro {number}",
    "{process}: {label}": "{process}: {label}",
    "Organisations present per meeting": "Enti presenti per incontro",
    "Participation by kind of organisation": "Partecipazione per tipo di ente",
    "Kind of organisation": "Tipo di ente",
    "Organisations": "Enti",
    "Present at least once": "Presenti almeno una volta",
    "Contributed": "Hanno contribuito",
    "Contributions": "Contributi",
    "Organisations gone silent": "Enti che non contribuiscono più",
    "Organisation": "Ente",
    "Contributions before": "Contributi precedenti",
    "Last contribution": "Ultimo contributo",
    "Present at the last meeting": "Presente all'ultimo incontro",
    "Confirmed pledges by partner": "Impegni confermati per ente",
    "Confirmed pledges over time, cumulative": "Impegni confermati nel tempo, cumulati",
    "Month": "Mese",
    "Total": "Totale",
    "Open actions by owner": "Azioni aperte per responsabile",
    "Open actions by due date": "Azioni aperte per scadenza",
    "Overdue": "Scadute",
    "Past due": "Scaduta",
    "Due within 30 days": "In scadenza entro 30 giorni",
    "Due later": "Scadenza successiva",
    "No due date": "Senza scadenza",
    "Open actions": "Azioni aperte",
    "Owner": "Responsabile",
    "Action": "Azione",
    "Due": "Scadenza",
    "Meeting": "Incontro",
    "yes": "sì",
    "no": "no",
    "Public administration": "Pubblica amministrazione",
    "Health authority": "Ente sanitario",
    "Third Sector": "Terzo settore",
    "Other": "Altro",
}
KIND_LABELS = {
    OrganizationKind.public: "Public administration",
    OrganizationKind.health: "Health authority",
    OrganizationKind.third_sector: "Third Sector",
    OrganizationKind.other: "Other",
}


def words(lang: str):
    """`say(msgid, **params)` in Italian (the default) or English."""
    def say(message: str, /, **params: object) -> str:
        if lang != "en":
            message = _ITALIAN[message]
        return message.format(**params) if params else message
    return say


def kind_label(kind: OrganizationKind, lang: str = "it") -> str:
    return words(lang)(KIND_LABELS[kind])


def local_day(moment: datetime) -> date:
    """The day of a moment in Italian time, where the process takes place."""
    return as_utc(moment).astimezone(TIMEZONE).date()


# --- filters ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """What a reading is restricted to; every field None means everything."""

    since: date | None = None
    until: date | None = None
    thematic_table: int | None = None
    organization_kind: OrganizationKind | None = None

    def query(self) -> dict[str, str]:
        """The filters as query parameters (those set), the inverse of `parse_filters`."""
        params = {"since": self.since.isoformat() if self.since else None,
                  "until": self.until.isoformat() if self.until else None,
                  "table": str(self.thematic_table) if self.thematic_table is not None else None,
                  "kind": self.organization_kind.value if self.organization_kind else None}
        return {name: value for name, value in params.items() if value is not None}

    def in_period(self, day: date) -> bool:
        return (self.since is None or day >= self.since) and (self.until is None or day <= self.until)


def _date_param(params: Mapping[str, str], name: str) -> date | None:
    value = (params.get(name) or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput("'{name}' must be a date written as YYYY-MM-DD, such as 2026-11-27",
                           name=name) from None


def parse_filters(params: Mapping[str, str]) -> Filters:
    """Filters from query parameters `since`, `until`, `table`, `kind`; empty ones are unset,
    others are ignored. Raises InvalidInput with the parameter at fault."""
    since, until = _date_param(params, "since"), _date_param(params, "until")
    if since and until and since > until:
        raise InvalidInput("'since' must not be after 'until'")
    table_value = (params.get("table") or "").strip()
    table = None
    if table_value:
        if not table_value.isdigit() or not 1 <= int(table_value) <= MAX_ID:
            raise InvalidInput("'table' must be the id of a thematic table")
        table = int(table_value)
    kind_value = (params.get("kind") or "").strip()
    kind = None
    if kind_value:
        try:
            kind = OrganizationKind(kind_value)
        except ValueError:
            raise InvalidInput("'kind' must be one of: {values}",
                               values=", ".join(k.value for k in OrganizationKind)) from None
    return Filters(since=since, until=until, thematic_table=table, organization_kind=kind)


# --- readings -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Count:
    """One bar, point or cell: `key` is stable (for links and tests), `label` is shown."""

    key: str
    label: str
    value: int | Decimal


@dataclass(frozen=True)
class Series:
    key: str
    title: str
    unit: str
    counts: list[Count]

    @property
    def total(self) -> int | Decimal:
        return sum((count.value for count in self.counts), ZERO if self.unit == "eur" else 0)

    def value(self, key: str) -> int | Decimal | None:
        return next((count.value for count in self.counts if count.key == key), None)


@dataclass(frozen=True)
class SeriesGroup:
    """Several series over the same keys, in the same order (one line per partner)."""

    key: str
    title: str
    unit: str
    series: list[Series]


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list[str | int | Decimal | None]]
    unit: str = "table"


Reading = Series | SeriesGroup | Table


@dataclass(frozen=True)
class Dashboard:
    """Every reading of a process, or of an administration's processes."""

    title: str
    process_ids: list[int]
    filters: Filters
    lang: str
    today: date
    # What the selection holds, for the page's summary line.
    meetings: int
    contributions: int
    by_line: Series
    by_question: Series
    by_kind: Series
    over_time: Series
    # The same periods, one series per kind of organisation (the page stacks them); not
    # among the readings of the open data, where `by_kind` and `over_time` already are.
    over_time_by_kind: SeriesGroup
    presence: Series
    participation: Table
    silent: Table
    pledges_by_partner: Series
    pledges_over_time: SeriesGroup
    pledges_table: Table
    actions_by_owner: Series
    actions_by_due: Series
    open_actions: Table

    def readings(self) -> list[Reading]:
        """The readings in the order the dashboard shows them."""
        return [self.by_line, self.by_question, self.by_kind, self.over_time, self.presence, self.participation,
                self.silent, self.pledges_by_partner, self.pledges_over_time, self.pledges_table,
                self.actions_by_owner, self.actions_by_due, self.open_actions]

    def view(self) -> dict:
        """JSON-ready: euro as decimal strings, dates as ISO strings."""
        return {
            "title": self.title, "processes": self.process_ids, "filters": self.filters.query(),
            "lang": self.lang, "today": self.today.isoformat(), "meetings": self.meetings,
            "contributions": self.contributions,
            "readings": [reading_view(reading) for reading in self.readings()],
        }


def _json(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value.quantize(CENT))
    if isinstance(value, date):
        return value.isoformat()
    return value


def reading_view(reading: Reading) -> dict:
    view: dict = {"key": reading.key, "title": reading.title, "unit": reading.unit}
    if isinstance(reading, Series):
        view["type"] = "series"
        view["counts"] = [{"key": c.key, "label": c.label, "value": _json(c.value)} for c in reading.counts]
    elif isinstance(reading, SeriesGroup):
        view["type"] = "series_group"
        view["series"] = [reading_view(series) for series in reading.series]
    else:
        view["type"] = "table"
        view["columns"] = reading.columns
        view["rows"] = [[_json(value) for value in row] for row in reading.rows]
    return view


# --- what is selected ---------------------------------------------------------------------------


@dataclass
class _Note:
    item: Item
    meeting: Meeting
    kind: OrganizationKind
    day: date


@dataclass
class _Selection:
    processes: dict[int, Process]
    organizations: dict[int, Organization]
    # Every meeting of the processes, by process then number (periods need the neighbours).
    all_meetings: list[Meeting]
    meetings: list[Meeting]
    held: list[Meeting]
    notes: list[_Note]
    filters: Filters
    say: object
    labels_with_process: bool
    lines_of: dict[int, list[int]] = field(default_factory=dict)

    def kind_ok(self, organization_id: int | None) -> bool:
        organization = self.organizations.get(organization_id)
        if organization is None:
            return False
        return self.filters.organization_kind is None or organization.kind == self.filters.organization_kind


def _meeting_selected(meeting: Meeting, filters: Filters) -> bool:
    if filters.thematic_table is not None and meeting.thematic_table_id != filters.thematic_table:
        return False
    return filters.in_period(meeting_date(meeting))


def _select(session: Session, processes: list[Process], filters: Filters, lang: str) -> _Selection:
    ids = [process.id for process in processes]
    organizations = {o.id: o for o in session.exec(select(Organization).where(Organization.process_id.in_(ids)))}
    all_meetings = list(session.exec(select(Meeting).where(Meeting.process_id.in_(ids))
                                     .order_by(Meeting.process_id, Meeting.number)))
    meetings = [m for m in all_meetings if _meeting_selected(m, filters)]
    held = [m for m in meetings if m.state != MeetingState.scheduled]
    selection = _Selection(processes={p.id: p for p in processes}, organizations=organizations,
                           all_meetings=all_meetings, meetings=meetings, held=held, notes=[], filters=filters,
                           say=words(lang), labels_with_process=len(processes) > 1)
    rows = session.exec(
        select(Item, Meeting)
        .join(Board, Board.id == Item.board_id)
        .join(Meeting, Meeting.id == Board.meeting_id)
        .where(Meeting.process_id.in_(ids), Item.kind == ItemKind.note, Item.deleted_at.is_(None),
               Item.private.is_(False), Item.organization_id.is_not(None))
        .order_by(Item.created_at, Item.id)
    ).all()
    for item, meeting in rows:
        if filters.thematic_table is not None and meeting.thematic_table_id != filters.thematic_table:
            continue
        if not selection.kind_ok(item.organization_id):
            continue
        day = local_day(item.created_at)
        if not filters.in_period(day):
            continue
        selection.notes.append(_Note(item, meeting, organizations[item.organization_id].kind, day))
    item_ids = [note.item.id for note in selection.notes]
    if item_ids:
        for link in session.exec(select(LineOfWorkItem).where(LineOfWorkItem.item_id.in_(item_ids))):
            selection.lines_of.setdefault(link.item_id, []).append(link.line_id)
    return selection


# --- contributions ------------------------------------------------------------------------------


def _by_line(session: Session, selection: _Selection) -> Series:
    say = selection.say
    counts: dict[int, int] = defaultdict(int)
    outside = 0
    for note in selection.notes:
        lines = selection.lines_of.get(note.item.id, [])
        for line_id in lines:
            counts[line_id] += 1
        if not lines:
            outside += 1
    lines = ({line.id: line for line in session.exec(select(LineOfWork).where(LineOfWork.id.in_(list(counts))))}
             if counts else {})
    ordered = sorted(counts, key=lambda line_id: (-counts[line_id], lines[line_id].title.casefold(), line_id))
    bars = [Count(f"line:{line_id}", _with_process(selection, lines[line_id].process_id, lines[line_id].title),
                  counts[line_id]) for line_id in ordered]
    if outside:
        bars.append(Count("line:none", say("Not yet in a line of work"), outside))
    return Series("by_line", say("Contributions by line of work"), "contributions", bars)


def _by_question(session: Session, selection: _Selection) -> Series:
    say = selection.say
    prompt_ids = {note.item.prompt_id for note in selection.notes if note.item.prompt_id is not None}
    prompts = ({p.id: p for p in session.exec(select(Prompt).where(Prompt.id.in_(prompt_ids)))}
               if prompt_ids else {})
    # The same question asked again (another meeting, another group) is one bar.
    first_of: dict[tuple[int, str], int] = {}
    for prompt_id in sorted(prompts):
        prompt = prompts[prompt_id]
        process_id = next(m.process_id for m in selection.all_meetings if m.id == prompt.meeting_id)
        first_of.setdefault((process_id, " ".join(prompt.text.split()).casefold()), prompt_id)
    counts: dict[int, int] = defaultdict(int)
    outside = 0
    for note in selection.notes:
        prompt = prompts.get(note.item.prompt_id)
        if prompt is None:
            outside += 1
            continue
        counts[first_of[(note.meeting.process_id, " ".join(prompt.text.split()).casefold())]] += 1
    ordered = sorted(counts, key=lambda prompt_id: (-counts[prompt_id], prompt_id))
    process_of = {m.id: m.process_id for m in selection.all_meetings}
    bars = [Count(f"question:{prompt_id}",
                  _with_process(selection, process_of[prompts[prompt_id].meeting_id],
                                " ".join(prompts[prompt_id].text.split())),
                  counts[prompt_id]) for prompt_id in ordered]
    if outside:
        bars.append(Count("question:none", say("No guiding question"), outside))
    return Series("by_question", say("Contributions by guiding question"), "contributions", bars)


def _kinds(selection: _Selection) -> list[OrganizationKind]:
    kind = selection.filters.organization_kind
    return [kind] if kind is not None else KIND_ORDER


def _by_kind(selection: _Selection, lang: str) -> Series:
    counts = {kind: 0 for kind in _kinds(selection)}
    for note in selection.notes:
        counts[note.kind] += 1
    return Series("by_kind", selection.say("Contributions by kind of organisation"), "contributions",
                  [Count(f"kind:{kind.value}", kind_label(kind, lang), value) for kind, value in counts.items()])


def _with_process(selection: _Selection, process_id: int, label: str) -> str:
    if not selection.labels_with_process:
        return label
    return selection.say("{process}: {label}", process=selection.processes[process_id].title, label=label)


def _meeting_label(selection: _Selection, meeting: Meeting) -> str:
    return _with_process(selection, meeting.process_id, selection.say("Meeting {number}", number=meeting.number))


def _neighbours(selection: _Selection, meeting: Meeting) -> tuple[Meeting | None, Meeting | None]:
    same = [m for m in selection.all_meetings if m.process_id == meeting.process_id]
    index = same.index(meeting)
    return (same[index - 1] if index else None), (same[index + 1] if index + 1 < len(same) else None)


def _period_of(selection: _Selection, note: _Note) -> tuple[str, Meeting]:
    """("meeting" | "after" | "before", the meeting it is anchored to) for one note."""
    meeting = note.meeting
    if not note.item.asynchronous:
        return "meeting", meeting
    started = meeting.started_at
    if started is not None and as_utc(note.item.created_at) >= as_utc(started):
        return "after", meeting
    previous, _ = _neighbours(selection, meeting)
    return ("after", previous) if previous is not None else ("before", meeting)


def _period_label(selection: _Selection, kind: str, meeting: Meeting) -> str:
    say = selection.say
    if kind == "meeting":
        return _meeting_label(selection, meeting)
    if kind == "before":
        label = say("Before meeting {number}", number=meeting.number)
    else:
        _, following = _neighbours(selection, meeting)
        label = (say("Between meetings {number} and {next}", number=meeting.number, next=following.number)
                 if following is not None else say("After meeting {number}", number=meeting.number))
    return _with_process(selection, meeting.process_id, label)


def _over_time(selection: _Selection) -> Series:
    """Every selected meeting held (even without contributions) and every period between
    meetings that has some, in the order they happened."""
    counts: dict[tuple[str, int], int] = defaultdict(int)
    anchors: dict[int, Meeting] = {}
    for note in selection.notes:
        kind, meeting = _period_of(selection, note)
        counts[(kind, meeting.id)] += 1
        anchors[meeting.id] = meeting
    for meeting in selection.held:
        counts.setdefault(("meeting", meeting.id), 0)
        anchors[meeting.id] = meeting
    position = {m.id: index for index, m in enumerate(selection.all_meetings)}
    step = {"before": 0, "meeting": 1, "after": 2}
    ordered = sorted(counts, key=lambda period: (position[period[1]], step[period[0]]))
    return Series("over_time", selection.say("Contributions in meetings and between them"), "contributions",
                  [Count(f"{kind}:{meeting_id}", _period_label(selection, kind, anchors[meeting_id]),
                         counts[(kind, meeting_id)]) for kind, meeting_id in ordered])


def _over_time_by_kind(selection: _Selection, over_time: Series, lang: str) -> SeriesGroup:
    counts: dict[tuple[OrganizationKind, str], int] = defaultdict(int)
    for note in selection.notes:
        kind, meeting = _period_of(selection, note)
        counts[(note.kind, f"{kind}:{meeting.id}")] += 1
    return SeriesGroup("over_time_by_kind", over_time.title, over_time.unit, [
        Series(f"kind:{kind.value}", kind_label(kind, lang), over_time.unit,
               [Count(count.key, count.label, counts[(kind, count.key)]) for count in over_time.counts])
        for kind in _kinds(selection)])


# --- participation ------------------------------------------------------------------------------


def _present(session: Session, selection: _Selection) -> dict[int, set[int]]:
    """Meeting id → the selected bodies present at it, for the meetings held."""
    meeting_ids = [m.id for m in selection.held]
    present: dict[int, set[int]] = {meeting_id: set() for meeting_id in meeting_ids}
    if not meeting_ids:
        return present
    records = session.exec(select(Attendance).where(
        Attendance.meeting_id.in_(meeting_ids),
        Attendance.status.in_([AttendanceStatus.present, AttendanceStatus.proxy]))).all()
    person_ids = {r.person_id for r in records} | {r.proxy_for for r in records if r.proxy_for is not None}
    body_of = (dict(session.exec(select(Person.id, Person.organization_id).where(Person.id.in_(person_ids))).all())
               if person_ids else {})
    for record in records:
        people = [record.person_id]
        if record.status == AttendanceStatus.proxy and record.proxy_for is not None:
            people.append(record.proxy_for)
        for person_id in people:
            organization_id = body_of.get(person_id)
            if selection.kind_ok(organization_id):
                present[record.meeting_id].add(organization_id)
    return present


def _presence(selection: _Selection, present: dict[int, set[int]]) -> Series:
    return Series("presence", selection.say("Organisations present per meeting"), "organisations",
                  [Count(f"meeting:{m.id}", _meeting_label(selection, m), len(present[m.id]))
                   for m in selection.held])


def _participation(selection: _Selection, present: dict[int, set[int]], lang: str) -> Table:
    say = selection.say
    ever_present = set().union(*present.values()) if present else set()
    contributing: dict[int, int] = defaultdict(int)
    for note in selection.notes:
        contributing[note.item.organization_id] += 1
    rows = []
    for kind in _kinds(selection):
        bodies = {o.id for o in selection.organizations.values() if o.kind == kind}
        rows.append([kind_label(kind, lang), len(bodies), len(bodies & ever_present),
                     len(bodies & set(contributing)), sum(contributing[o] for o in bodies)])
    return Table("participation", say("Participation by kind of organisation"),
                 [say("Kind of organisation"), say("Organisations"), say("Present at least once"),
                  say("Contributed"), say("Contributions")], rows)


def _meeting_start(meeting: Meeting) -> datetime:
    return as_utc(meeting.started_at or meeting.starts_at)


def _silent(selection: _Selection, present: dict[int, set[int]], lang: str) -> Table:
    say = selection.say
    rows = []
    for process_id in selection.processes:
        held = sorted((m for m in selection.held if m.process_id == process_id), key=_meeting_start)
        if not held:
            continue
        window = _meeting_start(held[-min(SILENT_AFTER_MEETINGS, len(held))])
        last_meeting = held[-1]
        before: dict[int, list[_Note]] = defaultdict(list)
        recent: set[int] = set()
        for note in selection.notes:
            if note.meeting.process_id != process_id:
                continue
            if as_utc(note.item.created_at) < window:
                before[note.item.organization_id].append(note)
            else:
                recent.add(note.item.organization_id)
        for organization_id, notes in before.items():
            if organization_id in recent:
                continue
            organization = selection.organizations[organization_id]
            rows.append((KIND_ORDER.index(organization.kind), organization.name.casefold(), organization_id, [
                _with_process(selection, process_id, organization.name), kind_label(organization.kind, lang),
                len(notes), max(note.day for note in notes).isoformat(),
                say("yes") if organization_id in present.get(last_meeting.id, set()) else say("no"),
            ]))
    rows.sort(key=lambda row: row[:3])
    return Table("silent", say("Organisations gone silent"),
                 [say("Organisation"), say("Kind of organisation"), say("Contributions before"),
                  say("Last contribution"), say("Present at the last meeting")], [row[3] for row in rows])


# --- pledges ------------------------------------------------------------------------------------


def _month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _months(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:])
    months = []
    while True:
        key = f"{year:04d}-{month:02d}"
        months.append(key)
        if key >= last:
            return months
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _pledges(session: Session, selection: _Selection) -> tuple[Series, SeriesGroup, Table]:
    say = selection.say
    rows = session.exec(select(ResourcePledge).where(
        ResourcePledge.process_id.in_(list(selection.processes)), ResourcePledge.confirmed_at.is_not(None))
        .order_by(ResourcePledge.confirmed_at, ResourcePledge.id)).all()
    by_month: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    totals: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for pledge in rows:
        day = local_day(pledge.confirmed_at)
        if not selection.kind_ok(pledge.organization_id) or not selection.filters.in_period(day):
            continue
        value = Decimal(pledge.value_eur).quantize(CENT)
        by_month[pledge.organization_id][_month(day)] += value
        totals[pledge.organization_id] += value
    organizations = selection.organizations
    partners = sorted(totals, key=lambda o: (-totals[o], organizations[o].name.casefold(), o))

    def name(organization_id: int) -> str:
        return _with_process(selection, organizations[organization_id].process_id, organizations[organization_id].name)

    by_partner = Series("pledges_by_partner", say("Confirmed pledges by partner"), "eur",
                        [Count(f"organization:{o}", name(o), totals[o]) for o in partners])
    all_months = sorted({month for months in by_month.values() for month in months})
    months = _months(all_months[0], all_months[-1]) if all_months else []
    lines = []
    for organization_id in partners:
        running, points = ZERO, []
        for month in months:
            running += by_month[organization_id].get(month, ZERO)
            points.append(Count(month, month, running))
        lines.append(Series(f"organization:{organization_id}", name(organization_id), "eur", points))
    over_time = SeriesGroup("pledges_over_time", say("Confirmed pledges over time, cumulative"), "eur", lines)
    table_rows = []
    for index, month in enumerate(months):
        values = [line.counts[index].value for line in lines]
        table_rows.append([month, *values, sum(values, ZERO)])
    table = Table("pledges_table", say("Confirmed pledges over time, cumulative"),
                  [say("Month"), *[name(o) for o in partners], say("Total")], table_rows)
    return by_partner, over_time, table


# --- actions ------------------------------------------------------------------------------------


def _actions(session: Session, selection: _Selection, today: date, lang: str) -> tuple[Series, Series, Table]:
    say = selection.say
    meetings = {m.id: m for m in selection.meetings}
    rows = [action for action in session.exec(
        select(Action).where(Action.meeting_id.in_(list(meetings) or [0]), Action.status == ActionStatus.open)
        .order_by(Action.id)) if selection.kind_ok(action.owner_id)]
    organizations = selection.organizations
    rows.sort(key=lambda a: (a.due is None, a.due or date.max, organizations[a.owner_id].name.casefold(), a.id))
    per_owner: dict[int, int] = defaultdict(int)
    buckets = {"overdue": 0, "soon": 0, "later": 0, "none": 0}
    table_rows = []
    for action in rows:
        per_owner[action.owner_id] += 1
        if action.due is None:
            buckets["none"] += 1
        elif action.due < today:
            buckets["overdue"] += 1
        elif action.due <= today + DUE_SOON:
            buckets["soon"] += 1
        else:
            buckets["later"] += 1
        owner = organizations[action.owner_id]
        table_rows.append([_with_process(selection, owner.process_id, owner.name), kind_label(owner.kind, lang),
                           action.text, action.due.isoformat() if action.due else "",
                           say("yes") if action.due is not None and action.due < today else say("no"),
                           _meeting_label(selection, meetings[action.meeting_id])])
    owners = sorted(per_owner, key=lambda o: (-per_owner[o], organizations[o].name.casefold(), o))
    by_owner = Series("actions_by_owner", say("Open actions by owner"), "actions",
                      [Count(f"organization:{o}",
                             _with_process(selection, organizations[o].process_id, organizations[o].name),
                             per_owner[o]) for o in owners])
    labels = {"overdue": "Overdue", "soon": "Due within 30 days", "later": "Due later", "none": "No due date"}
    by_due = Series("actions_by_due", say("Open actions by due date"), "actions",
                    [Count(f"due:{key}", say(labels[key]), value) for key, value in buckets.items()])
    table = Table("open_actions", say("Open actions"),
                  [say("Owner"), say("Kind of organisation"), say("Action"), say("Due"), say("Past due"),
                   say("Meeting")], table_rows)
    return by_owner, by_due, table


# --- dashboards ---------------------------------------------------------------------------------


def dashboard_of(session: Session, *, title: str, processes: list[Process], filters: Filters, lang: str,
                 today: date | None) -> Dashboard:
    """Every reading of `processes`, with no access check: the caller has decided who reads
    it (the two dashboards below, the synthesis document of a process)."""
    lang = "en" if lang == "en" else "it"
    today = today or local_day(utcnow())
    selection = _select(session, processes, filters, lang)
    present = _present(session, selection)
    by_partner, pledges_over_time, pledges_table = _pledges(session, selection)
    by_owner, by_due, open_actions = _actions(session, selection, today, lang)
    over_time = _over_time(selection)
    return Dashboard(
        title=title, process_ids=[p.id for p in processes], filters=filters, lang=lang, today=today,
        meetings=len(selection.held), contributions=len(selection.notes),
        by_line=_by_line(session, selection), by_question=_by_question(session, selection),
        by_kind=_by_kind(selection, lang), over_time=over_time,
        over_time_by_kind=_over_time_by_kind(selection, over_time, lang),
        presence=_presence(selection, present), participation=_participation(selection, present, lang),
        silent=_silent(selection, present, lang),
        pledges_by_partner=by_partner, pledges_over_time=pledges_over_time, pledges_table=pledges_table,
        actions_by_owner=by_owner, actions_by_due=by_due, open_actions=open_actions,
    )


def check_table(session: Session, process_ids: list[int], filters: Filters) -> None:
    """Raises InvalidInput when the filter's thematic table belongs to none of the processes."""
    if filters.thematic_table is None:
        return
    table = fetch(session, ThematicTable, filters.thematic_table)
    if table is None or table.process_id not in process_ids:
        raise InvalidInput("Thematic table {id} is not part of this process", id=filters.thematic_table)


def process_dashboard(session: Session, *, actor: Actor, process_id: int, filters: Filters = Filters(),
                      lang: str = "it", today: date | None = None) -> Dashboard:
    """The readings of one process, for those who take part in all of it.

    Raises NotFound (no such process), NotAllowed (not a member of the whole process),
    InvalidInput (a thematic table of another process).
    """
    process = get_process(session, process_id)
    require_whole_process(session, actor, process.id)
    check_table(session, [process.id], filters)
    return dashboard_of(session, title=process.title, processes=[process], filters=filters, lang=lang, today=today)


def administration_processes(session: Session, *, actor: Actor, administration: str) -> list[Process]:
    """The processes of `administration` (compared without case or extra spaces) of which the
    actor's account is staff, oldest first.

    Raises NotAllowed (not a staff account), InvalidInput (no name), NotFound (none).
    """
    if actor.account is None:
        raise NotAllowed("Only staff accounts may read across an administration's processes")
    wanted = " ".join(administration.split()).casefold()
    if not wanted:
        raise InvalidInput("'administration' must name an administration")
    processes = [process for process in session.exec(
        select(Process).join(ProcessStaff, ProcessStaff.process_id == Process.id)
        .where(ProcessStaff.account_id == actor.account.id).order_by(Process.id))
        if " ".join(process.administration.split()).casefold() == wanted]
    if not processes:
        raise NotFound("You are staff of no process of the administration {name}", name=administration)
    return processes


def administration_dashboard(session: Session, *, actor: Actor, administration: str,
                             filters: Filters = Filters(), lang: str = "it",
                             today: date | None = None) -> Dashboard:
    """The readings across every process of an administration the actor is staff of; labels
    of meetings, lines, questions and bodies start with their process's title when there are
    several. Raises NotAllowed, NotFound, InvalidInput (see `administration_processes`)."""
    processes = administration_processes(session, actor=actor, administration=administration)
    check_table(session, [p.id for p in processes], filters)
    return dashboard_of(session, title=" ".join(administration.split()), processes=processes, filters=filters,
                      lang=lang, today=today)

