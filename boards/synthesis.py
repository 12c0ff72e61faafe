"""The synthesis document (documento istruttore di sintesi) of a process: its lines of work
across all meetings, under each the statements the staff write, every statement linked to
the contributions it came from (and from each contribution to its meeting, group and
organisation); the key readings of the insights dashboard (boards/insights.py) as tables
under a chart caption, which the HTML and PDF exports draw as charts (docs/exports.md,
"Charts"); the resource pledges with their totals and the public side's share; the
decisions of every meeting and the actions still open.

Statements are rows (`SynthesisStatement`, with `SynthesisSource` links to items) that the
staff edit in the browser; `generate` turns them and the record into Markdown, citing each
source as `[C12](#c12)` and listing every cited contribution in an annex that starts with
`**C12**` (see boards/exports/markdown.py). The document is versioned like the verbale
(boards/versions.py, kind `synthesis`, no meeting). See docs/api.md ("Synthesis document").
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, select

from boards import audit, pledges, versions
from boards.access import Actor, require_staff, require_whole_process
from boards.clock import as_utc, utcnow
from boards.errors import Conflict, InvalidInput, NotAllowed, NotFound
from boards.exports import Letterhead
from boards.ids import fetch
from boards.items import lock_stream
from boards.minutes import escape_line
from boards.models import (
    Action,
    ActionStatus,
    AuditEntry,
    Board,
    BreakoutGroup,
    Decision,
    DecisionMethod,
    DocumentKind,
    DocumentVersion,
    Item,
    ItemKind,
    LineOfWork,
    LineOfWorkItem,
    Meeting,
    Organization,
    PledgeKind,
    STAFF_ROLES,
    Process,
    SynthesisSource,
    SynthesisStatement,
)
from boards.processes import get_process
from boards.text import clean_text

KIND = DocumentKind.synthesis
# Meetings are dated in Italian time, where they take place.
TIMEZONE = ZoneInfo("Europe/Rome")
# A statement rests on a handful of contributions; a hundred would be a whole board.
SOURCES_LIMIT = 100
# Contributions offered at once in the editor's picker.
SUGGESTIONS_LIMIT = 200


def _t(lang: str, it: str, en: str) -> str:
    return en if lang == "en" else it


# --- contributions ---------------------------------------------------------------------


@dataclass(frozen=True)
class Contribution:
    """A note of a meeting of the process, with where it came from."""

    id: int
    text: str
    meeting_id: int
    meeting_number: int
    meeting_date: date
    board_id: int
    group: str | None
    organization: str | None
    asynchronous: bool
    line_ids: tuple[int, ...] = ()

    @property
    def label(self) -> str:
        return f"C{self.id}"

    def view(self) -> dict:
        return {"id": self.id, "label": self.label, "text": self.text, "meeting": self.meeting_id,
                "meeting_number": self.meeting_number, "meeting_date": self.meeting_date.isoformat(),
                "group": self.group, "organization": self.organization, "asynchronous": self.asynchronous,
                "lines": list(self.line_ids)}


def meeting_date(meeting: Meeting) -> date:
    return as_utc(meeting.started_at or meeting.starts_at).astimezone(TIMEZONE).date()


def contributions(session: Session, process_id: int, *, item_ids: list[int] | None = None,
                  include_hidden: bool = False) -> list[Contribution]:
    """The notes of the process's meetings (or those of `item_ids`), oldest first.

    Deleted notes and notes still hidden by private mode are left out unless
    `include_hidden` (the annex keeps what a statement cited, whatever happened later).
    """
    query = (
        select(Item, Board, Meeting)
        .join(Board, Board.id == Item.board_id)
        .join(Meeting, Meeting.id == Board.meeting_id)
        .where(Meeting.process_id == process_id, Item.kind == ItemKind.note)
    )
    if item_ids is not None:
        if not item_ids:
            return []
        query = query.where(Item.id.in_(item_ids))
    if not include_hidden:
        query = query.where(Item.deleted_at.is_(None), Item.private.is_(False))
    rows = session.exec(query.order_by(Meeting.number, Item.id)).all()
    group_ids = {board.group_id for _, board, _ in rows if board.group_id}
    groups = ({g.id: g.name for g in session.exec(select(BreakoutGroup).where(BreakoutGroup.id.in_(group_ids)))}
              if group_ids else {})
    organizations = {o.id: o.name for o in session.exec(
        select(Organization).where(Organization.process_id == process_id))}
    found = [item.id for item, _, _ in rows]
    lines: dict[int, list[int]] = {}
    if found:
        for link in session.exec(select(LineOfWorkItem).where(LineOfWorkItem.item_id.in_(found))):
            lines.setdefault(link.item_id, []).append(link.line_id)
    return [
        Contribution(id=item.id, text=item.text, meeting_id=meeting.id, meeting_number=meeting.number,
                     meeting_date=meeting_date(meeting), board_id=board.id, group=groups.get(board.group_id),
                     organization=organizations.get(item.organization_id), asynchronous=item.asynchronous,
                     line_ids=tuple(sorted(lines.get(item.id, []))))
        for item, board, meeting in rows
    ]


def suggest(session: Session, *, actor: Actor, process_id: int, line_id: int | None = None,
            query: str = "", limit: int = SUGGESTIONS_LIMIT) -> list[Contribution]:
    """Contributions a statement may cite: those of the line of work first, then the others;
    `query` keeps those whose text, group or organisation contains it (any case).
    Raises NotAllowed (not staff)."""
    require_staff(session, actor, process_id)
    needle = " ".join(query.split()).casefold()
    found = [c for c in contributions(session, process_id)
             if not needle or any(needle in (value or "").casefold() for value in (c.text, c.group, c.organization))]
    found.sort(key=lambda c: line_id not in c.line_ids)
    return found[:limit]


# --- lines of work and statements ------------------------------------------------------------


def lines_of_process(session: Session, process_id: int) -> list[LineOfWork]:
    """The lines of work of every meeting, in the order of the meetings."""
    return list(session.exec(
        select(LineOfWork).join(Meeting, Meeting.id == LineOfWork.meeting_id)
        .where(LineOfWork.process_id == process_id).order_by(Meeting.number, LineOfWork.id)
    ))


def _line(session: Session, process_id: int, line_id: int | None) -> LineOfWork | None:
    if line_id is None:
        return None
    line = fetch(session, LineOfWork, line_id)
    if line is None or line.process_id != process_id:
        raise InvalidInput("Line of work {id} is not part of this process", id=line_id)
    return line


def describe_line(session: Session, *, actor: Actor, line_id: int, description: str) -> LineOfWork:
    """Set the description of a line of work (staff). Raises NotFound, NotAllowed, InvalidInput."""
    line = fetch(session, LineOfWork, line_id)
    if line is None:
        raise NotFound("Line of work {id} does not exist", id=line_id)
    require_staff(session, actor, line.process_id)
    line.description = clean_text(description, field="description", required=False)
    session.add(line)
    session.flush()
    audit.record(session, actor=actor, action="line.describe", process_id=line.process_id,
                 target=f"line:{line.id}", description=line.description)
    return line


def statements_of(session: Session, process_id: int) -> list[SynthesisStatement]:
    """The statements in force, by line and position."""
    return list(session.exec(
        select(SynthesisStatement)
        .where(SynthesisStatement.process_id == process_id, SynthesisStatement.removed_at.is_(None))
        .order_by(SynthesisStatement.line_id, SynthesisStatement.position, SynthesisStatement.id)
    ))


def sources_of(session: Session, statement_ids: list[int]) -> dict[int, list[int]]:
    """The cited item ids of each statement, in the order of their labels."""
    found: dict[int, list[int]] = {statement_id: [] for statement_id in statement_ids}
    if statement_ids:
        for source in session.exec(select(SynthesisSource).where(SynthesisSource.statement_id.in_(statement_ids))
                                   .order_by(SynthesisSource.item_id)):
            found[source.statement_id].append(source.item_id)
    return found


def get_statement(session: Session, statement_id: int) -> SynthesisStatement:
    statement = fetch(session, SynthesisStatement, statement_id)
    if statement is None or statement.removed_at is not None:
        raise NotFound("Statement {id} does not exist", id=statement_id)
    return statement


def _sources(session: Session, process_id: int, item_ids: list[int]) -> list[int]:
    """The ids, checked to be contributions of this process. Raises InvalidInput."""
    if not isinstance(item_ids, list | tuple):
        raise InvalidInput("'sources' must be a list of contribution ids")
    wanted = list(dict.fromkeys(item_ids))
    if len(wanted) > SOURCES_LIMIT:
        raise InvalidInput("A statement cites at most {limit} contributions", limit=SOURCES_LIMIT)
    valid = [i for i in wanted if isinstance(i, int) and not isinstance(i, bool) and 1 <= i <= 2**31 - 1]
    known = {c.id for c in contributions(session, process_id, item_ids=valid)} if valid else set()
    for item_id in wanted:
        if item_id not in known:
            raise InvalidInput("Item {id} is not a contribution of this process", id=item_id)
    return sorted(wanted)


def _set_sources(session: Session, statement: SynthesisStatement, item_ids: list[int]) -> None:
    current = {s.item_id: s for s in session.exec(
        select(SynthesisSource).where(SynthesisSource.statement_id == statement.id))}
    for item_id, source in current.items():
        if item_id not in item_ids:
            session.delete(source)
    session.add_all([SynthesisSource(statement_id=statement.id, item_id=i) for i in item_ids if i not in current])
    session.flush()


def _lock(session: Session, process_id: int) -> None:
    """Statements of a process are numbered and versioned under one ordering lock."""
    lock_stream(session, f"synthesis:{process_id}")


def add_statement(session: Session, *, actor: Actor, process_id: int, text: str,
                  line_id: int | None = None, item_ids: list[int] | None = None) -> SynthesisStatement:
    """A statement at the end of a line of work (or of the general part when `line_id` is
    None), citing `item_ids`. Raises NotAllowed (not staff), InvalidInput."""
    person = require_staff(session, actor, process_id)
    get_process(session, process_id)
    line = _line(session, process_id, line_id)
    text = clean_text(text, field="text")
    cited = _sources(session, process_id, item_ids or [])
    _lock(session, process_id)
    last = session.exec(select(func.max(SynthesisStatement.position)).where(
        SynthesisStatement.process_id == process_id, SynthesisStatement.removed_at.is_(None),
        SynthesisStatement.line_id == line.id if line else SynthesisStatement.line_id.is_(None))).one()
    statement = SynthesisStatement(process_id=process_id, line_id=line.id if line else None,
                                   position=(last if last is not None else -1) + 1, text=text,
                                   created_by=person.id)
    session.add(statement)
    session.flush()
    _set_sources(session, statement, cited)
    audit.record(session, actor=actor, action="statement.add", process_id=process_id,
                 target=f"statement:{statement.id}", line=statement.line_id, sources=cited)
    return statement


def statement_sha256(text: str, item_ids: list[int]) -> str:
    """The digest of a statement as an editor read it, text and sources: the base a save
    names (`update_statement`)."""
    return versions.sha256_of(json.dumps([text, sorted(item_ids)]))


def update_statement(session: Session, *, actor: Actor, statement_id: int, text: str | None = None,
                     item_ids: list[int] | None = None, base_sha256: str | None = None) -> SynthesisStatement:
    """Change a statement's text and/or its sources (the whole list). `base_sha256` (when
    given) is the `statement_sha256` of what the editor read: if the statement changed since,
    the change would silently replace someone else's, unless it leaves it as it is now.
    Raises NotFound, NotAllowed, InvalidInput, Conflict (changed since `base_sha256`)."""
    statement = get_statement(session, statement_id)
    require_staff(session, actor, statement.process_id)
    if text is None and item_ids is None:
        raise InvalidInput("Change at least one of: {fields}", fields="text, sources")
    if text is not None:
        text = clean_text(text, field="text")
    cited = _sources(session, statement.process_id, item_ids) if item_ids is not None else None
    if base_sha256 is not None:
        # Two saves from the same base must not both pass the check: the second one waits
        # here for the first to commit, then reads what it stored.
        _lock(session, statement.process_id)
        session.refresh(statement)
        stored = sources_of(session, [statement.id])[statement.id]
        unchanged = (text in (None, statement.text)) and (cited in (None, stored))
        if base_sha256 != statement_sha256(statement.text, stored) and not unchanged:
            raise Conflict("The statement changed after you opened it: compare your text with the one saved, "
                           "then save again")
    changes: dict[str, object] = {}
    if text is not None:
        statement.text = text
        changes["text"] = True
    if cited is not None:
        _set_sources(session, statement, cited)
        changes["sources"] = cited
    statement.updated_at = utcnow()
    session.add(statement)
    session.flush()
    audit.record(session, actor=actor, action="statement.update", process_id=statement.process_id,
                 target=f"statement:{statement.id}", **changes)
    return statement


def last_change(session: Session, statement: SynthesisStatement) -> AuditEntry | None:
    """The audit entry of the statement's latest addition or update: who wrote what it says now."""
    return session.exec(
        select(AuditEntry)
        .where(AuditEntry.process_id == statement.process_id, AuditEntry.target == f"statement:{statement.id}",
               AuditEntry.action.in_(["statement.add", "statement.update"]))
        .order_by(AuditEntry.id.desc())
    ).first()


def _siblings(session: Session, statement: SynthesisStatement) -> list[SynthesisStatement]:
    return [s for s in statements_of(session, statement.process_id) if s.line_id == statement.line_id]


def move_statement(session: Session, *, actor: Actor, statement_id: int, position: int) -> SynthesisStatement:
    """Put a statement at `position` (0 is first) among those of its line; the others keep
    their order. Raises NotFound, NotAllowed, InvalidInput."""
    statement = get_statement(session, statement_id)
    require_staff(session, actor, statement.process_id)
    if isinstance(position, bool) or not isinstance(position, int) or position < 0:
        raise InvalidInput("'position' must be a whole number from 0")
    _lock(session, statement.process_id)
    others = [s for s in _siblings(session, statement) if s.id != statement.id]
    others.insert(min(position, len(others)), statement)
    for index, sibling in enumerate(others):
        if sibling.position != index:
            sibling.position = index
            session.add(sibling)
    session.flush()
    audit.record(session, actor=actor, action="statement.move", process_id=statement.process_id,
                 target=f"statement:{statement.id}", position=statement.position)
    return statement


def remove_statement(session: Session, *, actor: Actor, statement_id: int) -> None:
    """Take a statement out of the document (kept, marked removed, for the history).
    Raises NotFound, NotAllowed."""
    statement = get_statement(session, statement_id)
    require_staff(session, actor, statement.process_id)
    statement.removed_at = utcnow()
    session.add(statement)
    session.flush()
    audit.record(session, actor=actor, action="statement.remove", process_id=statement.process_id,
                 target=f"statement:{statement.id}", text=statement.text)


def statement_view(statement: SynthesisStatement, item_ids: list[int]) -> dict:
    return {"id": statement.id, "line": statement.line_id, "position": statement.position,
            "text": statement.text, "sources": item_ids, "sha256": statement_sha256(statement.text, item_ids)}


def line_view(line: LineOfWork) -> dict:
    return {"id": line.id, "title": line.title, "description": line.description, "meeting": line.meeting_id,
            "frame": line.frame_id}


def outline(session: Session, *, actor: Actor, process_id: int) -> dict:
    """The lines of work with their statements (and sources), and the statements outside
    any line, as the editor shows them (staff). Raises NotAllowed."""
    require_staff(session, actor, process_id)
    statements = statements_of(session, process_id)
    sources = sources_of(session, [s.id for s in statements])
    views = [statement_view(s, sources[s.id]) for s in statements]
    return {
        "lines": [{**line_view(line), "statements": [v for v in views if v["line"] == line.id]}
                  for line in lines_of_process(session, process_id)],
        "general": [v for v in views if v["line"] is None],
    }


# --- the Markdown ------------------------------------------------------------------------------

def md_date(day: date | datetime, lang: str) -> str:
    return day.strftime("%d/%m/%Y") if lang == "it" else day.isoformat()


def md_number(value: Decimal, lang: str) -> str:
    """Two decimals with the language's separators: 1.807.969,00 or 1,807,969.00."""
    text = f"{Decimal(value):,.2f}"
    if lang == "it":
        return text.replace(",", " ").replace(".", ",").replace(" ", ".")
    return text


def md_quantity(value: Decimal, lang: str) -> str:
    """A quantity without needless decimals: 120 ore, 12,5 m²."""
    value = Decimal(value)
    if value == value.to_integral_value():
        text = f"{int(value):,}"
        return text.replace(",", ".") if lang == "it" else text
    return md_number(value, lang)


def md_share(value: Decimal | None, lang: str) -> str:
    if value is None:
        return "—"
    return f"{md_number(value, lang)} %" if lang == "it" else f"{md_number(value, lang)}%"


def _row(*cells: str) -> str:
    return "| " + " | ".join(cells) + " |"


def _table(header: list[str], rows: list[list[str]], right: set[int] = frozenset()) -> list[str]:
    align = ["---:" if i in right else "---" for i in range(len(header))]
    return [_row(*header), _row(*align), *(_row(*row) for row in rows)]


PLEDGE_KINDS = {
    PledgeKind.money: ("Risorse economiche", "Money"),
    PledgeKind.staff_hours: ("Ore di personale", "Staff hours"),
    PledgeKind.spaces: ("Spazi", "Spaces"),
    PledgeKind.volunteers: ("Volontari", "Volunteers"),
    PledgeKind.goods: ("Beni e attrezzature", "Goods"),
}


def pledge_kind_label(kind: PledgeKind, lang: str) -> str:
    it, en = PLEDGE_KINDS[PledgeKind(kind)]
    return _t(lang, it, en)


def _note(lang: str, it: str, en: str) -> str:
    """A remark of the document itself, in italics."""
    return f"*{_t(lang, it, en)}*"


def _cite(item_ids: list[int]) -> str:
    return ", ".join(f"[C{i}](#c{i})" for i in item_ids)


def _meta(contribution: Contribution, lang: str) -> str:
    parts = [_t(lang, f"incontro n. {contribution.meeting_number} del {md_date(contribution.meeting_date, lang)}",
                f"meeting no. {contribution.meeting_number} of {md_date(contribution.meeting_date, lang)}")]
    parts.append(escape_line(contribution.group) if contribution.group else _t(lang, "plenaria", "plenary"))
    if contribution.organization:
        parts.append(escape_line(contribution.organization))
    if contribution.asynchronous:
        parts.append(_t(lang, "tra un incontro e l'altro", "between meetings"))
    return " · ".join(parts)


def _heading(process: Process, meetings: list[Meeting], lang: str) -> list[str]:
    out = [f"# {_t(lang, 'Documento istruttore di sintesi', 'Synthesis document')}", "",
           f"## {escape_line(process.title)}", ""]
    facts = [
        (_t(lang, "Amministrazione procedente", "Administration in charge"), process.administration),
        (_t(lang, "Riferimento della procedura", "Procedure reference"), process.procedure_ref),
        (_t(lang, "Responsabile del procedimento (RUP)", "Responsible official (RUP)"), process.rup_name),
    ]
    out += [f"- **{name}:** {escape_line(value)}" for name, value in facts if value]
    if meetings:
        listed = "; ".join(_t(lang, f"n. {m.number} del {md_date(meeting_date(m), lang)}",
                              f"no. {m.number} of {md_date(meeting_date(m), lang)}") for m in meetings)
        out.append(f"- **{_t(lang, 'Incontri', 'Meetings')}:** {listed}")
    if out[-1]:
        out.append("")
    return out


def _lines_part(session: Session, process_id: int, meetings: dict[int, Meeting], lang: str,
                cited: set[int]) -> list[str]:
    lines = lines_of_process(session, process_id)
    statements = statements_of(session, process_id)
    sources = sources_of(session, [s.id for s in statements])
    by_line: dict[int | None, list[SynthesisStatement]] = {}
    for statement in statements:
        by_line.setdefault(statement.line_id, []).append(statement)

    def bullets(group: list[SynthesisStatement]) -> list[str]:
        out = []
        for statement in group:
            cited.update(sources[statement.id])
            citation = f" ({_cite(sources[statement.id])})" if sources[statement.id] else ""
            out.append(f"- {escape_line(statement.text)}{citation}")
        return out

    out = [f"## {_t(lang, 'Linee di lavoro', 'Lines of work')}", ""]
    if not lines:
        out += [_note(lang, "Nessuna linea di lavoro è stata ancora definita.",
                      "No line of work has been defined yet."), ""]
    for number, line in enumerate(lines, start=1):
        meeting = meetings[line.meeting_id]
        out += [f"### {number}. {escape_line(line.title)}", ""]
        day = md_date(meeting_date(meeting), lang)
        out += [_note(lang, f"Dall’incontro n. {meeting.number} del {day}",
                      f"From meeting no. {meeting.number} of {day}"), ""]
        if line.description:
            out += [escape_line(line.description), ""]
        if by_line.get(line.id):
            out += [*bullets(by_line[line.id]), ""]
        else:
            out += [_note(lang, "Nessuna affermazione ancora.", "No statement yet."), ""]
    if by_line.get(None):
        out += [f"### {_t(lang, 'Considerazioni generali', 'General remarks')}", "", *bullets(by_line[None]), ""]
    return out


def _count(value: int, lang: str) -> str:
    return md_quantity(Decimal(value), lang)


def _readings_part(session: Session, process: Process, lang: str) -> list[str]:
    """The key readings of the dashboard (boards/insights.py) as captioned tables, which the
    HTML and PDF exports draw as charts: contributions by kind of organisation, over time and
    by line of work, organisations present per meeting, confirmed pledges over time."""
    # Imported here: boards/insights.py takes the meetings' dates from this module.
    from boards import insights

    # The draft is written for staff, who may read every reading: no actor to check here.
    board = insights.dashboard_of(session, title=process.title, processes=[process], filters=insights.Filters(),
                                lang=lang, today=None)
    bar = _t(lang, "Grafico a barre", "Bar chart")
    total = _t(lang, "Totale", "Total")
    out = [f"## {_t(lang, 'Letture di sintesi', 'Key readings')}", "",
           _note(lang, "Contano i contributi degli enti, non le note della facilitazione.",
                 "Contributions of organisations count, not the facilitators' own notes."), ""]
    if not board.contributions:
        return [*out, _note(lang, "Nessun contributo è stato ancora raccolto.", "No contribution yet."), ""]

    def bars(reading, header: str, unit: str, *, with_total: bool) -> list[str]:
        rows = [[escape_line(c.label), _count(c.value, lang)] for c in reading.counts]
        if with_total:
            rows.append([f"**{total}**", f"**{_count(reading.total, lang)}**"])
        return [f"*{bar}: {escape_line(reading.title)}*", "", *_table([header, unit], rows, right={1}), ""]

    contributions = _t(lang, "Contributi", "Contributions")
    out += bars(board.by_kind, _t(lang, "Tipo di ente", "Kind of organisation"), contributions, with_total=True)
    out += bars(board.over_time, _t(lang, "Periodo", "Period"), contributions, with_total=True)
    if board.by_line.counts:
        out += bars(board.by_line, _t(lang, "Linea di lavoro", "Line of work"), contributions, with_total=False)
        out += [_note(lang, "Un contributo legato a più linee di lavoro conta in ciascuna.",
                      "A contribution linked to several lines of work counts in each."), ""]
    if board.presence.counts:
        out += bars(board.presence, _t(lang, "Incontro", "Meeting"), _t(lang, "Enti presenti", "Organisations present"),
                    with_total=False)
    lines = board.pledges_over_time.series
    if lines:
        step = _t(lang, "Grafico a gradini", "Step chart")
        months = [c.key for c in lines[0].counts]
        rows = [[month if lang == "en" else f"{month[5:]}/{month[:4]}",
                 md_number(sum((line.counts[i].value for line in lines), Decimal("0.00")), lang)]
                for i, month in enumerate(months)]
        out += [f"*{step}: {escape_line(board.pledges_over_time.title)} (€)*", "",
                *_table([_t(lang, "Mese", "Month"), _t(lang, "Totale (€)", "Total (€)")], rows, right={1}), ""]
    return out


def _pledges_part(session: Session, process_id: int, lang: str) -> list[str]:
    totals = pledges.totals(session, process_id)
    organizations = {o.id: o for o in session.exec(select(Organization).where(Organization.process_id == process_id))}
    all_pledges = pledges.pledges_of(session, process_id)
    confirmed = [p for p in all_pledges if p.confirmed_at is not None]
    header = [_t(lang, "Ente", "Organisation"), _t(lang, "Risorsa", "Resource"),
              _t(lang, "Descrizione", "Description"), _t(lang, "Quantità", "Quantity"),
              _t(lang, "Valore (€)", "Value (€)")]

    def rows(chosen):
        return [[escape_line(organizations[p.organization_id].name), pledge_kind_label(p.kind, lang),
                 escape_line(p.description), f"{md_quantity(p.quantity, lang)} {escape_line(p.unit)}",
                 md_number(p.value_eur, lang)] for p in chosen]

    out = [f"## {_t(lang, 'Impegni di risorse', 'Resource pledges')}", ""]
    if confirmed:
        out += [*_table(header, rows(confirmed), right={3, 4}), ""]
    else:
        out += [_note(lang, "Nessun impegno di risorse è stato ancora confermato.",
                      "No resource pledge has been confirmed yet."), ""]
    if totals.total:
        out += [f"### {_t(lang, 'Totali per tipo di risorsa', 'Totals by kind of resource')}", ""]
        out += [*_table([_t(lang, "Risorsa", "Resource"), _t(lang, "Valore (€)", "Value (€)")],
                        [[pledge_kind_label(k, lang), md_number(v, lang)] for k, v in totals.by_kind.items() if v]
                        + [[f"**{_t(lang, 'Totale', 'Total')}**", f"**{md_number(totals.total, lang)}**"]],
                        right={1}), ""]
        out += [f"### {_t(lang, 'Totali per ente', 'Totals by organisation')}", ""]
        out += [*_table([_t(lang, "Ente", "Organisation"), _t(lang, "Valore (€)", "Value (€)")],
                        [[escape_line(o.name), md_number(v, lang)] for o, v in totals.by_organization]
                        + [[f"**{_t(lang, 'Totale', 'Total')}**", f"**{md_number(totals.total, lang)}**"]],
                        right={1}), ""]
        out += [f"### {_t(lang, 'Quota pubblica e quota dei partner', 'Public share and partners’ share')}", ""]
        out += [*_table([_t(lang, "Parte", "Side"), _t(lang, "Valore (€)", "Value (€)"), _t(lang, "Quota", "Share")], [
            [_t(lang, "Parte pubblica (enti pubblici e sanitari)", "Public side (public and health bodies)"),
             md_number(totals.public, lang), md_share(totals.public_share, lang)],
            [_t(lang, "Partner (Terzo settore e altri enti)", "Partners (Third Sector and other bodies)"),
             md_number(totals.partners, lang), md_share(totals.partners_share, lang)],
            [f"**{_t(lang, 'Totale', 'Total')}**", f"**{md_number(totals.total, lang)}**",
             f"**{md_share(Decimal('100.00'), lang)}**"],
        ], right={1, 2}), ""]
        out += [_t(lang, "Le quote sono arrotondate al centesimo di punto (metà al pari); la quota dei partner è "
                         "il complemento a 100 della quota pubblica.",
                   "Shares are rounded to the hundredth of a point (half to even); the partners’ share is 100 "
                   "minus the public share."), ""]
    if totals.pending:
        title = _t(lang, "Impegni in attesa di conferma (esclusi dai totali)",
                   "Pledges awaiting confirmation (not in the totals)")
        out += [f"### {title}", ""]
        out += [*_table(header, rows(totals.pending), right={3, 4}), ""]
    return out


def _votes(decision: Decision, lang: str) -> str:
    if decision.method == DecisionMethod.consensus:
        return _t(lang, "per consenso", "by consensus")
    counts = [(decision.votes_for, _t(lang, "favorevoli", "for")),
              (decision.votes_against, _t(lang, "contrari", "against")),
              (decision.votes_abstained, _t(lang, "astenuti", "abstained"))]
    given = ", ".join(f"{n} {word}" for n, word in counts if n is not None)
    return _t(lang, "a votazione", "by vote") + (f" ({given})" if given else "")


def _decisions_part(session: Session, process_id: int, meetings: list[Meeting], lang: str,
                    cited: set[int]) -> list[str]:
    ids = [m.id for m in meetings]
    decisions = (session.exec(select(Decision).where(Decision.meeting_id.in_(ids)).order_by(Decision.id)).all()
                 if ids else [])
    number = {m.id: m.number for m in meetings}
    out = [f"## {_t(lang, 'Decisioni', 'Decisions')}", ""]
    if not decisions:
        return [*out, _note(lang, "Nessuna decisione è stata registrata.", "No decision has been recorded."), ""]
    for decision in sorted(decisions, key=lambda d: (number[d.meeting_id], d.id)):
        where = _t(lang, f"Incontro n. {number[decision.meeting_id]}", f"Meeting no. {number[decision.meeting_id]}")
        # A decision may rest on frames or texts too; only notes are contributions.
        items = [c.id for c in contributions(session, process_id, item_ids=decision.item_ids or [],
                                             include_hidden=True)]
        cited.update(items)
        citation = f" ({_cite(sorted(items))})" if items else ""
        out.append(f"- **{where}:** {escape_line(decision.text)} — {escape_line(decision.outcome)}, "
                   f"{_votes(decision, lang)}{citation}")
    return [*out, ""]


def _actions_part(session: Session, meetings: list[Meeting], lang: str) -> list[str]:
    ids = [m.id for m in meetings]
    actions = session.exec(select(Action).where(Action.meeting_id.in_(ids), Action.status == ActionStatus.open)
                           .order_by(Action.due, Action.id)).all() if ids else []
    number = {m.id: m.number for m in meetings}
    organizations = {o.id: o.name for o in session.exec(select(Organization).where(
        Organization.id.in_({a.owner_id for a in actions})))} if actions else {}
    out = [f"## {_t(lang, 'Azioni aperte', 'Open actions')}", ""]
    if not actions:
        return [*out, _note(lang, "Nessuna azione aperta.", "No open action."), ""]
    rows = [[escape_line(a.text), escape_line(organizations.get(a.owner_id, "")),
             md_date(a.due, lang) if a.due else "—",
             str(number[a.meeting_id])] for a in actions]
    return [*out, *_table([_t(lang, "Azione", "Action"), _t(lang, "Responsabile", "Owner"),
                           _t(lang, "Scadenza", "Due"), _t(lang, "Incontro n.", "Meeting no.")], rows), ""]


def _annex(session: Session, process_id: int, cited: set[int], lang: str) -> list[str]:
    out = [f"## {_t(lang, 'Allegato: contributi citati', 'Annex: contributions cited')}", ""]
    found = sorted(contributions(session, process_id, item_ids=sorted(cited), include_hidden=True),
                   key=lambda c: c.id)
    if not found:
        return [*out, _note(lang, "Nessun contributo è citato.", "No contribution is cited."), ""]
    out += [f"- **{c.label}** {escape_line(c.text)} — *{_meta(c, lang)}*" for c in found]
    return [*out, ""]


def generate(session: Session, *, process_id: int, lang: str = "it") -> str:
    """The synthesis document of the process as Markdown (what the draft follows).

    Raises NotFound.
    """
    process = get_process(session, process_id)
    meetings = list(session.exec(select(Meeting).where(Meeting.process_id == process_id).order_by(Meeting.number)))
    cited: set[int] = set()
    out = _heading(process, meetings, lang)
    out += _lines_part(session, process_id, {m.id: m for m in meetings}, lang, cited)
    out += _readings_part(session, process, lang)
    out += _pledges_part(session, process_id, lang)
    out += _decisions_part(session, process_id, meetings, lang, cited)
    out += _actions_part(session, meetings, lang)
    out += _annex(session, process_id, cited, lang)
    return "\n".join(out).rstrip("\n") + "\n"


# --- versions --------------------------------------------------------------------------------


def draft(session: Session, *, actor: Actor, process_id: int) -> DocumentVersion:
    """The draft, brought up to date with the record (staff). Raises NotFound, NotAllowed."""
    require_staff(session, actor, process_id)
    return versions.draft_for(session, kind=KIND, process_id=process_id, meeting_id=None,
                              generated=generate(session, process_id=process_id))


def document(session: Session, *, actor: Actor, process_id: int, version: int | None = None) -> DocumentVersion:
    """What the actor may read: staff the draft (or any approved `version`); members of the
    whole process an approved version, the latest by default.

    Raises NotFound, NotAllowed (not a member, or of some meetings only; a member while
    nothing is approved).
    """
    get_process(session, process_id)
    person = require_whole_process(session, actor, process_id)
    if version is not None:
        return versions.get_version(session, kind=KIND, process_id=process_id, meeting_id=None, version=version)
    if person.role in STAFF_ROLES:
        return draft(session, actor=actor, process_id=process_id)
    latest = versions.latest_approved(session, kind=KIND, process_id=process_id, meeting_id=None)
    if latest is None:
        raise NotAllowed("The synthesis document has no approved version yet")
    return latest


def approve(session: Session, *, actor: Actor, process_id: int, note: str = "") -> DocumentVersion:
    """Freeze the current draft as the next version (staff).

    Raises NotFound, NotAllowed, Conflict (nothing changed since the latest version).
    """
    current = draft(session, actor=actor, process_id=process_id)
    latest = versions.latest_approved(session, kind=KIND, process_id=process_id, meeting_id=None)
    if latest is not None and latest.markdown == current.markdown:
        raise Conflict("Nothing has changed since version {version}", version=latest.version)
    return versions.approve(session, actor=actor, draft=current, note=note)


def history(session: Session, *, actor: Actor, process_id: int) -> list[DocumentVersion]:
    """The approved versions, oldest first (members of the whole process). Raises NotFound,
    NotAllowed."""
    get_process(session, process_id)
    require_whole_process(session, actor, process_id)
    return versions.approved_versions(session, kind=KIND, process_id=process_id, meeting_id=None)


def publish(session: Session, *, actor: Actor, process_id: int, version: int | None = None) -> DocumentVersion:
    """Publish an approved version (the latest by default) in its pseudonymised form: people
    replaced by pseudonyms, organisations named (staff).

    Raises NotFound, NotAllowed, Conflict (nothing approved, or already published).
    """
    from boards.pseudonyms import pseudonymise

    get_process(session, process_id)
    require_staff(session, actor, process_id)
    if version is None:
        chosen = versions.latest_approved(session, kind=KIND, process_id=process_id, meeting_id=None)
        if chosen is None:
            raise Conflict("Approve the synthesis document before publishing it")
    else:
        chosen = versions.get_version(session, kind=KIND, process_id=process_id, meeting_id=None, version=version)
    public = pseudonymise(session, process_id=process_id, markdown=chosen.markdown)
    return versions.publish(session, actor=actor, document=chosen, public_markdown=public)


def published(session: Session, *, process_id: int) -> DocumentVersion:
    """The latest published version, for anyone. Raises NotFound."""
    get_process(session, process_id)
    found = versions.latest_published(session, kind=KIND, process_id=process_id, meeting_id=None)
    if found is None:
        raise NotFound("The synthesis document of this process has not been published")
    return found


def letterhead(process: Process, document: DocumentVersion | None, *, lang: str = "it",
               public: bool = False) -> Letterhead:
    """The administration, title and status line of an export."""
    title = _t(lang, "Documento istruttore di sintesi", "Synthesis document") + f" — {process.title}"
    if document is None or document.version == 0:
        status = _t(lang, "Bozza non approvata", "Draft, not approved")
    else:
        day = md_date(as_utc(document.approved_at).astimezone(TIMEZONE).date(), lang)
        status = _t(lang, f"Versione {document.version} approvata il {day} — SHA-256 {document.sha256}",
                    f"Version {document.version} approved on {day} — SHA-256 {document.sha256}")
        if public:
            status = _t(lang,
                        f"Versione pubblica (pseudonimizzata) della versione {document.version} approvata il {day}",
                        f"Public (pseudonymised) text of version {document.version} approved on {day}")
    return Letterhead(administration=process.administration or process.title, title=title, status=status, lang=lang)
