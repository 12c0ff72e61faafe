"""The verbale (meeting minutes) generated from what a meeting recorded.

`generate` writes it as Markdown, in Italian by default, with every element of a verbale
(see ../shared/domain.md, "What a verbale contains") that the meeting recorded, and an annex
with the full text of every contribution, labelled `**C<id>**` so that references
`[C12](#c12)` link to it in every export format (boards/exports). The output is
deterministic: everything is sorted, so two generations from the same record are equal and
`boards.versions` can offer only what is new.

Private-mode notes are included: the verbale is the record, and only staff see a draft.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from boards.attendance import meeting_rows
from boards.clock import as_utc
from boards.exports import Letterhead
from boards.meetings import get_meeting
from boards.models import (
    Action,
    AgendaItem,
    Board,
    BoardKind,
    BreakoutGroup,
    Decision,
    DocumentVersion,
    Item,
    ItemKind,
    LineOfWork,
    LineOfWorkItem,
    Meeting,
    MeetingDocument,
    MeetingState,
    Organization,
    Person,
    Process,
    Prompt,
    RecordingConsent,
    ThematicTable,
    VotingRound,
)
from boards.versions import minute_taker

# The administrations using Tavolo are Italian: the record is in their local time.
TIMEZONE = ZoneInfo("Europe/Rome")
# Contributions are summarised to this many characters; the annex has the full text.
SUMMARY_LENGTH = 200
# Items in a voting table are named by this much of their text (the label links the rest).
VOTE_LABEL_LENGTH = 90

# The document's words: English in code, Italian for the administrations.
_ITALIAN = {
    "Minutes of meeting no. {number}": "Verbale dell'incontro n. {number}",
    "Administration": "Amministrazione",
    "Procedure": "Procedimento",
    "Responsible official (RUP)": "Responsabile unico del procedimento (RUP)",
    "Process": "Percorso",
    "Thematic table": "Tavolo tematico",
    "Meeting": "Incontro",
    "Date": "Data",
    "Mode": "Modalità",
    "Place": "Luogo",
    "Link": "Collegamento",
    "Start": "Inizio",
    "End": "Fine",
    "Chair": "Presiede",
    "Minute-taker": "Verbalizzante",
    "not started": "non iniziato",
    "not ended": "non concluso",
    "not recorded": "non indicato",
    "online": "a distanza",
    "in person": "in presenza",
    "hybrid (in person and online)": "mista (in presenza e a distanza)",
    "co-design": "co-progettazione",
    "co-programming": "co-programmazione",
    "Attendance": "Presenze",
    "Body": "Ente",
    "Kind": "Tipo",
    "Attendance of the body": "Presenza dell'ente",
    "Representatives": "Rappresentanti",
    "public body": "ente pubblico",
    "health body": "ente sanitario",
    "third sector body": "ente del Terzo settore",
    "other": "altro",
    "present": "presente",
    "absent": "assente",
    "excused": "assente giustificato",
    "present in the room": "presente in sala",
    "holds the proxy of {name}": "con delega di {name}",
    "proxy given to {name}": "delega a {name}",
    "Without a body": "Senza ente",
    "Staff": "Per la conduzione",
    "facilitator": "facilitatore",
    "secretary": "verbalizzante",
    "participant": "partecipante",
    "observer": "osservatore",
    "Agenda": "Ordine del giorno",
    "No agenda was recorded.": "Non è stato indicato un ordine del giorno.",
    "Guiding questions": "Domande guida",
    "groups: {names}": "gruppi: {names}",
    "No guiding question was asked.": "Non sono state poste domande guida.",
    "Contributions": "Contributi",
    "Summary of the contributions, by group and guiding question; the full texts are in the annex.":
        "Sintesi dei contributi, per gruppo e domanda guida; i testi integrali sono in allegato.",
    "No contribution was recorded.": "Non sono stati registrati contributi.",
    "Plenary": "Plenaria",
    "Group: {name}": "Gruppo: {name}",
    "Question: {text}": "Domanda: {text}",
    "Other contributions": "Altri contributi",
    "asynchronous": "asincrono",
    "Votes": "Votazioni",
    "No vote was held.": "Non si sono tenute votazioni.",
    "{board}: dot voting, {budget} votes each": "{board}: votazione a punti, {budget} voti a testa",
    "Rank": "Posizione",
    "Contribution": "Contributo",
    "Votes cast": "Voti",
    "No votes were cast.": "Non sono stati espressi voti.",
    "Decisions": "Decisioni",
    "No decision was taken.": "Non sono state prese decisioni.",
    "by vote": "a votazione",
    "by consensus": "per consenso",
    "Method": "Modalità",
    "Outcome": "Esito",
    "for {for_} · against {against} · abstained {abstained}":
        "favorevoli {for_} · contrari {against} · astenuti {abstained}",
    "Based on": "Sulla base di",
    "Lines of work": "Linee di lavoro",
    "No line of work was promoted.": "Non sono state individuate linee di lavoro.",
    "Documents examined": "Documenti esaminati",
    "No document was examined.": "Non sono stati esaminati documenti.",
    "Recording": "Registrazione",
    "Consent to the recording": "Consenso alla registrazione",
    "gives consent": "acconsente",
    "does not give consent": "non acconsente",
    "The meeting was not recorded.": "L'incontro non è stato registrato.",
    "Actions": "Azioni",
    "No action was assigned.": "Non sono state assegnate azioni.",
    "Action": "Azione",
    "Owner": "Responsabile",
    "Due": "Scadenza",
    "Status": "Stato",
    "open": "aperta",
    "done": "completata",
    "dropped": "abbandonata",
    "Next meeting": "Prossimo incontro",
    "No next meeting is scheduled.": "Il prossimo incontro non è ancora stato fissato.",
    "no. {number}": "n. {number}",
    "{date} at {time}": "{date} alle {time}",
    "Annex: full text of the contributions": "Allegato: testo integrale dei contributi",
    "Draft, not approved": "Bozza non approvata",
    "Version {version} approved on {date}, SHA-256 {sha256}":
        "Versione {version} approvata il {date}, SHA-256 {sha256}",
    "Public text of version {version} approved on {date}: people are named by pseudonyms":
        "Testo pubblico della versione {version} approvata il {date}: le persone sono indicate con pseudonimi",
}


def _words(lang: str):
    def say(message: str, /, **params: object) -> str:
        if lang != "en":
            message = _ITALIAN[message]
        return message.format(**params) if params else message
    return say


# --- Markdown from people's text -------------------------------------------------------------

# Characters that would make a person's text into Markdown structure (emphasis, links,
# tables, entities, raw HTML, which the renderers escape anyway): shown as typed instead.
_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")
# What makes a line a heading, list item, or a heading's underline when it starts with it.
_ORDERED = re.compile(r"^(\d+)([.)])")


def _escape_one(line: str) -> str:
    line = _INLINE_SPECIAL.sub(r"\\\1", line.strip())
    ordered = _ORDERED.match(line)
    if ordered:
        return ordered.group(1) + "\\" + line[len(ordered.group(1)):]
    if line[:1] in ("#", "+", "=", "-"):
        return "\\" + line
    return line


def escape(text: str) -> str:
    """A person's text as Markdown that shows exactly what they typed; its lines are kept
    as hard line breaks."""
    lines = [_escape_one(line) for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\\\n".join(line for line in lines if line)


def escape_line(text: str) -> str:
    """A person's text on one line (table cells, list items)."""
    return escape(" ".join(text.split()))


def shorten(text: str, length: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def label(item_id: int) -> str:
    """The reference to a contribution of the annex."""
    return f"[C{item_id}](#c{item_id})"


def _link(url: str) -> str:
    if re.match(r"https?://", url):
        target = url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
        return f"[{escape_line(url)}]({target})"
    return escape_line(url)


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell or " " for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def local(moment: datetime | None) -> datetime | None:
    return as_utc(moment).astimezone(TIMEZONE) if moment else None


def day(moment: datetime) -> str:
    return local(moment).strftime("%d/%m/%Y")


def hour(moment: datetime) -> str:
    return local(moment).strftime("%H:%M")


# --- the record of a meeting ----------------------------------------------------------------


class _Record:
    """What the verbale needs, loaded once with a query per table."""

    def __init__(self, session: Session, meeting: Meeting) -> None:
        self.session = session
        self.meeting = meeting
        self.process = session.get(Process, meeting.process_id)
        self.organizations = {
            org.id: org for org in session.exec(
                select(Organization).where(Organization.process_id == meeting.process_id).order_by(Organization.id))
        }
        self.people = {
            person.id: person for person in session.exec(
                select(Person).where(Person.process_id == meeting.process_id).order_by(Person.id))
        }
        self.boards = list(session.exec(select(Board).where(Board.meeting_id == meeting.id).order_by(Board.id)))
        self.groups = {
            group.id: group for group in session.exec(
                select(BreakoutGroup).where(BreakoutGroup.meeting_id == meeting.id).order_by(BreakoutGroup.id))
        }
        board_ids = [board.id for board in self.boards]
        self.notes = list(session.exec(
            select(Item).where(Item.board_id.in_(board_ids), Item.kind == ItemKind.note,
                               Item.deleted_at.is_(None)).order_by(Item.id)
        )) if board_ids else []
        self.prompts = list(session.exec(
            select(Prompt).where(Prompt.meeting_id == meeting.id).order_by(Prompt.opened_at, Prompt.id)))

    def person_name(self, person_id: int | None) -> str:
        person = self.people.get(person_id)
        return person.name if person else ""

    def organization_of(self, item: Item) -> Organization | None:
        organization_id = item.organization_id
        if organization_id is None and item.author_id in self.people:
            organization_id = self.people[item.author_id].organization_id
        return self.organizations.get(organization_id)

    def board_name(self, board: Board, say) -> str:
        if board.kind == BoardKind.plenary:
            return say("Plenary")
        group = self.groups.get(board.group_id)
        if group is not None:
            return say("Group: {name}", name=escape_line(group.name))
        return escape_line(board.title)

    def ordered_boards(self) -> list[Board]:
        """Plenary first, then the group boards in the groups' order, then the others."""
        def key(board: Board) -> tuple:
            group = self.groups.get(board.group_id)
            rank = {BoardKind.plenary: 0, BoardKind.group: 1}.get(board.kind, 2)
            return (rank, group.position if group else 0, board.id)
        return sorted(self.boards, key=key)

    def author(self, item: Item) -> str:
        """"**Body** (Person)" for a contribution."""
        organization = self.organization_of(item)
        name = escape_line(self.person_name(item.author_id))
        if organization is None:
            return name
        return f"**{escape_line(organization.name)}** ({name})"


def _header(record: _Record, say) -> list[str]:
    meeting, process = record.meeting, record.process
    title = say("Minutes of meeting no. {number}", number=meeting.number)
    fields: list[tuple[str, str]] = []
    if process.administration:
        fields.append((say("Administration"), escape_line(process.administration)))
    if process.procedure_ref:
        fields.append((say("Procedure"), escape_line(process.procedure_ref)))
    if process.rup_name:
        fields.append((say("Responsible official (RUP)"), escape_line(process.rup_name)))
    fields.append((say("Process"), f"{escape_line(process.title)} ({say(process.kind.value)})"))
    if meeting.thematic_table_id is not None:
        table = record.session.get(ThematicTable, meeting.thematic_table_id)
        if table is not None:
            fields.append((say("Thematic table"), escape_line(table.title)))
    number = say("no. {number}", number=meeting.number)
    fields.append((say("Meeting"), f"{number}, {escape_line(meeting.title)}"))
    fields.append((say("Date"), day(meeting.started_at or meeting.starts_at)))
    modes = {"online": "online", "in_person": "in person", "hybrid": "hybrid (in person and online)"}
    fields.append((say("Mode"), say(modes[meeting.mode.value])))
    if meeting.location:
        where = say("Link") if meeting.mode.value == "online" else say("Place")
        fields.append((where, _link(meeting.location)))
    fields.append((say("Start"), hour(meeting.started_at) if meeting.started_at else say("not started")))
    if meeting.ended_at:
        fields.append((say("End"), hour(meeting.ended_at)))
    elif meeting.state != MeetingState.scheduled:
        fields.append((say("End"), say("not ended")))
    fields.append((say("Chair"), escape_line(record.person_name(meeting.chair_id)) or say("not recorded")))
    secretary = minute_taker(record.session, meeting)
    fields.append((say("Minute-taker"), escape_line(secretary.name) if secretary else say("not recorded")))
    return [f"# {title}: {escape_line(meeting.title)}",
            "\n".join(f"- **{name}:** {value}" for name, value in fields)]


def _attendance(record: _Record, say) -> list[str]:
    rows = meeting_rows(record.session, record.meeting)
    names = {row["participant"]: row["name"] for row in rows}

    def state(row: dict) -> str:
        return "present" if row["status"] in ("present", "proxy") else row["status"]

    def describe(row: dict) -> str:
        role = row["title"] or ("" if row["role"] == "participant" else say(row["role"]))
        text = escape_line(row["name"]) + (f" ({escape_line(role)})" if role else "")
        detail = say("present in the room") if state(row) == "present" and row["in_person"] else say(state(row))
        if row["status"] == "proxy" and row["proxy_for"] in names:
            detail += ", " + say("holds the proxy of {name}", name=escape_line(names[row["proxy_for"]]))
        elif state(row) != "present" and row["represented_by"]:
            holders = ", ".join(escape_line(names.get(holder, "")) for holder in row["represented_by"])
            detail += ", " + say("proxy given to {name}", name=holders)
        return f"{text}: {detail}"

    by_body: dict[int | None, list[dict]] = defaultdict(list)
    staff = []
    for row in rows:
        if row["organization"] is None and row["role"] in ("facilitator", "secretary"):
            staff.append(row)
        else:
            by_body[row["organization"]].append(row)
    kinds = {"public": "public body", "health": "health body", "third_sector": "third sector body", "other": "other"}
    # Public bodies first, as the attendance page lists them.
    order = list(kinds)
    table = []
    for organization in sorted(record.organizations.values(),
                               key=lambda org: (order.index(org.kind.value), org.name.casefold(), org.id)):
        people = by_body.get(organization.id, [])
        states = {state(row) for row in people}
        body = "present" if "present" in states else "excused" if "excused" in states else "absent"
        table.append([escape_line(organization.name), say(kinds[organization.kind.value]), say(body),
                      "; ".join(describe(row) for row in people)])
    if by_body.get(None):
        people = by_body[None]
        body = "present" if any(state(row) == "present" for row in people) else "absent"
        table.append([say("Without a body"), "", say(body), "; ".join(describe(row) for row in people)])
    blocks = ["## " + say("Attendance"),
              _table([say("Body"), say("Kind"), say("Attendance of the body"), say("Representatives")], table)]
    if staff:
        blocks.append(f"**{say('Staff')}:** " + "; ".join(describe(row) for row in staff))
    return blocks


def _agenda(record: _Record, say) -> list[str]:
    points = record.session.exec(
        select(AgendaItem).where(AgendaItem.meeting_id == record.meeting.id).order_by(AgendaItem.position)).all()
    body = "\n".join(f"{n}. {escape_line(point.text)}" for n, point in enumerate(points, start=1))
    return ["## " + say("Agenda"), body or say("No agenda was recorded.")]


def _questions(record: _Record, say) -> list[str]:
    lines = []
    for n, prompt in enumerate(record.prompts, start=1):
        line = f"{n}. {escape_line(prompt.text)}"
        if prompt.group_ids:
            names = ", ".join(escape_line(record.groups[g].name) for g in prompt.group_ids if g in record.groups)
            line += " (" + say("groups: {names}", names=names) + ")"
        lines.append(line)
    return ["## " + say("Guiding questions"), "\n".join(lines) or say("No guiding question was asked.")]


def _contribution_line(record: _Record, item: Item, say) -> str:
    line = f"- {label(item.id)} {record.author(item)}: {escape_line(shorten(item.text, SUMMARY_LENGTH))}"
    if item.asynchronous:
        line += f" *({say('asynchronous')})*"
    return line


def _contributions(record: _Record, say) -> list[str]:
    blocks = ["## " + say("Contributions")]
    if not record.notes:
        return blocks + [say("No contribution was recorded.")]
    blocks.append(say("Summary of the contributions, by group and guiding question; "
                      "the full texts are in the annex."))
    prompts = {prompt.id: n for n, prompt in enumerate(record.prompts, start=1)}
    for board in record.ordered_boards():
        notes = [item for item in record.notes if item.board_id == board.id]
        if not notes:
            continue
        blocks.append("### " + record.board_name(board, say))
        by_prompt: dict[int | None, list[Item]] = defaultdict(list)
        for item in notes:
            by_prompt[item.prompt_id if item.prompt_id in prompts else None].append(item)
        for prompt in record.prompts:
            if prompt.id in by_prompt:
                blocks.append("#### " + say("Question: {text}", text=escape_line(prompt.text)))
                blocks.append("\n".join(_contribution_line(record, item, say) for item in by_prompt[prompt.id]))
        if None in by_prompt:
            if len(by_prompt) > 1:
                blocks.append("#### " + say("Other contributions"))
            blocks.append("\n".join(_contribution_line(record, item, say) for item in by_prompt[None]))
    return blocks


def _votes(record: _Record, say) -> list[str]:
    boards = {board.id: board for board in record.boards}
    rounds = record.session.exec(
        select(VotingRound).where(VotingRound.board_id.in_(list(boards)), VotingRound.ended_at.is_not(None))
        .order_by(VotingRound.started_at, VotingRound.id)).all() if boards else []
    blocks = ["## " + say("Votes")]
    if not rounds:
        return blocks + [say("No vote was held.")]
    texts = {item.id: item.text for item in record.notes}
    for voting in rounds:
        board = boards[voting.board_id]
        blocks.append("### " + say("{board}: dot voting, {budget} votes each",
                                   board=record.board_name(board, say), budget=voting.budget))
        results = sorted(voting.results or [], key=lambda row: (row["rank"], row["item"]))
        if not results:
            blocks.append(say("No votes were cast."))
            continue
        rows = [[str(row["rank"]), label(row["item"]) + " " + escape_line(shorten(texts.get(row["item"], ""),
                                                                                  VOTE_LABEL_LENGTH)),
                 str(row["votes"])] for row in results]
        blocks.append(_table([say("Rank"), say("Contribution"), say("Votes cast")], rows))
    return blocks


def _decisions(record: _Record, say) -> list[str]:
    decisions = record.session.exec(
        select(Decision).where(Decision.meeting_id == record.meeting.id).order_by(Decision.id)).all()
    blocks = ["## " + say("Decisions")]
    if not decisions:
        return blocks + [say("No decision was taken.")]
    lines = []
    for n, decision in enumerate(decisions, start=1):
        method = say("by vote") if decision.method.value == "vote" else say("by consensus")
        if decision.votes_for is not None or decision.votes_against is not None:
            method += " (" + say("for {for_} · against {against} · abstained {abstained}",
                                 for_=decision.votes_for or 0, against=decision.votes_against or 0,
                                 abstained=decision.votes_abstained or 0) + ")"
        line = (f"{n}. **{escape_line(decision.text)}**{_full_stop(decision.text)} {say('Method')}: {method}. "
                f"{say('Outcome')}: {escape_line(decision.outcome)}{_full_stop(decision.outcome)}")
        if decision.item_ids:
            line += f" {say('Based on')}: " + ", ".join(label(item_id) for item_id in sorted(decision.item_ids)) + "."
        lines.append(line)
    return blocks + ["\n".join(lines)]


def _full_stop(text: str) -> str:
    """The full stop a sentence still needs: none after one that ends with its own."""
    return "" if text.rstrip().endswith((".", "!", "?", "…")) else "."


def _lines_of_work(record: _Record, say) -> list[str]:
    session = record.session
    lines = session.exec(
        select(LineOfWork).where(LineOfWork.meeting_id == record.meeting.id).order_by(LineOfWork.id)).all()
    blocks = ["## " + say("Lines of work")]
    if not lines:
        return blocks + [say("No line of work was promoted.")]
    rendered = []
    for n, line in enumerate(lines, start=1):
        items = session.exec(select(LineOfWorkItem.item_id).where(LineOfWorkItem.line_id == line.id)
                             .order_by(LineOfWorkItem.item_id)).all()
        text = f"{n}. **{escape_line(line.title)}**"
        if line.description:
            text += f": {escape_line(line.description)}"
        if items:
            text += f" ({', '.join(label(item_id) for item_id in items)})"
        rendered.append(text)
    return blocks + ["\n".join(rendered)]


def _documents(record: _Record, say) -> list[str]:
    documents = record.session.exec(
        select(MeetingDocument).where(MeetingDocument.meeting_id == record.meeting.id,
                                      MeetingDocument.removed_at.is_(None)).order_by(MeetingDocument.id)).all()
    lines = [f"- {escape_line(doc.title)} ({escape_line(doc.filename)})" for doc in documents]
    return ["## " + say("Documents examined"), "\n".join(lines) or say("No document was examined.")]


def _recording(record: _Record, say) -> list[str]:
    consents = record.session.exec(
        select(RecordingConsent).where(RecordingConsent.meeting_id == record.meeting.id)
        .order_by(RecordingConsent.person_id)).all()
    url = record.meeting.recording_url
    if not url and not consents:
        return ["## " + say("Recording"), say("The meeting was not recorded.")]
    blocks = ["## " + say("Recording")]
    if url:
        blocks.append(f"{say('Link')}: {_link(url)}")
    if consents:
        blocks.append(f"**{say('Consent to the recording')}:**")
        lines = []
        for consent in consents:
            person = record.people.get(consent.person_id)
            organization = record.organizations.get(person.organization_id) if person else None
            who = escape_line(person.name if person else "")
            if organization is not None:
                who += f" ({escape_line(organization.name)})"
            answer = say("gives consent") if consent.consent else say("does not give consent")
            lines.append(f"- {who}: {answer}, {day(consent.at)} {hour(consent.at)}")
        blocks.append("\n".join(lines))
    return blocks


def _actions(record: _Record, say) -> list[str]:
    actions = record.session.exec(
        select(Action).where(Action.meeting_id == record.meeting.id).order_by(Action.id)).all()
    blocks = ["## " + say("Actions")]
    if not actions:
        return blocks + [say("No action was assigned.")]
    rows = []
    for action in actions:
        owner = record.organizations.get(action.owner_id)
        rows.append([escape_line(action.text), escape_line(owner.name) if owner else " ",
                     action.due.strftime("%d/%m/%Y") if action.due else " ", say(action.status.value)])
    return blocks + [_table([say("Action"), say("Owner"), say("Due"), say("Status")], rows)]


def _next_meeting(record: _Record, say) -> list[str]:
    meeting = record.meeting
    following = record.session.exec(
        select(Meeting).where(Meeting.process_id == meeting.process_id, Meeting.number > meeting.number,
                              Meeting.state == MeetingState.scheduled)
        .order_by(Meeting.number)).first()
    blocks = ["## " + say("Next meeting")]
    if following is None:
        return blocks + [say("No next meeting is scheduled.")]
    when = say("{date} at {time}", date=day(following.starts_at), time=hour(following.starts_at))
    number = say("no. {number}", number=following.number)
    text = f"{number}, {escape_line(following.title)}: {when}"
    if following.location:
        text += f", {_link(following.location)}"
    return blocks + [text]


def _annex(record: _Record, say) -> list[str]:
    if not record.notes:
        return []
    boards = {board.id: board for board in record.boards}
    prompts = {prompt.id: prompt for prompt in record.prompts}
    lines = []
    for item in record.notes:
        where = [record.board_name(boards[item.board_id], say)]
        if item.prompt_id in prompts:
            where.append(say("Question: {text}", text=escape_line(shorten(prompts[item.prompt_id].text, 80))))
        if item.asynchronous:
            where.append(say("asynchronous"))
        text = escape(item.text).replace("\n", "\n  ")
        place = "; ".join(where)
        lines.append(f"- **C{item.id}** {record.author(item)}, *{place}*: {text}")
    return ["## " + say("Annex: full text of the contributions"), "\n".join(lines)]


SECTIONS = (_header, _attendance, _agenda, _questions, _contributions, _votes, _decisions, _lines_of_work,
            _documents, _recording, _actions, _next_meeting, _annex)


def generate(session: Session, *, meeting_id: int, lang: str = "it") -> str:
    """The verbale of a meeting as Markdown (Italian, or English when `lang` is "en").
    Raises NotFound."""
    meeting = get_meeting(session, meeting_id)
    record = _Record(session, meeting)
    say = _words(lang)
    blocks = []
    for section in SECTIONS:
        blocks += section(record, say)
    return "\n\n".join(block.strip("\n") for block in blocks) + "\n"


def title(meeting: Meeting, lang: str = "it") -> str:
    heading = _words(lang)("Minutes of meeting no. {number}", number=meeting.number)
    return f"{heading}: {meeting.title}"


def status_line(document: DocumentVersion, lang: str = "it", *, public: bool = False) -> str:
    """The footer of an export: a draft says so; a version its number, date and digest
    (the public text has no digest of its own: it is not the approved text)."""
    say = _words(lang)
    if document.version == 0 or document.approved_at is None:
        return say("Draft, not approved")
    if public:
        return say("Public text of version {version} approved on {date}: people are named by pseudonyms",
                   version=document.version, date=day(document.approved_at))
    return say("Version {version} approved on {date}, SHA-256 {sha256}", version=document.version,
               date=day(document.approved_at), sha256=document.sha256)


def letterhead(session: Session, *, document: DocumentVersion, lang: str = "it",
               public: bool = False) -> Letterhead:
    """What heads every page of an export of this verbale version (`public`: of its
    published, pseudonymised text)."""
    meeting = get_meeting(session, document.meeting_id)
    process = session.get(Process, meeting.process_id)
    return Letterhead(administration=process.administration or process.title,
                      title=title(meeting, lang),
                      status=status_line(document, lang, public=public), lang="en" if lang == "en" else "it")


def filename(meeting: Meeting, extension: str) -> str:
    """`verbale-3-2026-11-27.pdf`: the meeting's number and day."""
    moment = local(meeting.started_at or meeting.starts_at)
    return f"verbale-{meeting.number}-{moment.strftime('%Y-%m-%d')}.{extension}"
