"""Anonymised open data (dati aperti) of a process, or of an administration's processes:
aggregate tables as CSV and JSON with a data dictionary in Italian and English, and the text
of the contributions a facilitator marked publishable. See docs/api.md ("Insights and open data").

What is published, and what is not:

- **No person is named.** People appear nowhere: no author, no attendance list, no pledge's
  author. Every free text that is published (process title, thematic tables, guiding
  questions, lines of work, publishable contributions) goes through
  `boards.pseudonyms.pseudonymise` first, so a name typed in it becomes a pseudonym
  ("Partecipante B") or "omissis".
- **Organisations are published by kind, not by name** (public, health, third sector,
  other): with a handful of bodies per kind, a name would single one out in every small cell,
  and the verbale already names them where the law wants it. Only a contribution's text may
  mention a body, when a facilitator has judged it publishable.
- **A contribution's text** is published only when a facilitator marked it publishable
  (`mark_publishable`), without its organisation or kind (the text must not be traced back to
  a small body through the aggregate tables).
- **Suppression.** Every aggregate cell counting fewer distinct organisations than the
  threshold (default `DEFAULT_THRESHOLD`, at least `MIN_THRESHOLD`) is suppressed: its values
  are null in JSON, empty in CSV, and its `suppressed` flag is true. Combinations with nothing
  to count are not listed at all (they count zero, which singles out no body).
- **Complementary disclosure.** A suppressed cell could be recovered by subtracting the
  cells shown from a total a reader knows. The totals a reader can compute from these files,
  or commonly finds published, are those of a *group*: for contributions, a meeting and
  organisation kind (both contribution files add up to it); for participation, a meeting;
  for pledges, a pledge kind. Rule applied in every group: the suppressed cells are either
  none, or at least two that together count at least `threshold` distinct organisations;
  until that holds, the shown cell of the group counting the fewest organisations (then the
  smallest value, then the first in order) is suppressed too. When every cell of a group is
  suppressed, so is the group's total in every file. No file publishes totals.
  The threat this protects against is a reader of these files: the approved verbali name the
  bodies and what they said, by law, and are not open data.

Files (`FILES`): processes, meetings, contributions_by_question, contributions_by_line,
participation, pledges, contributions_text, and the dictionary. CSV through
`boards.exports.tables.to_csv` (UTF-8 with BOM, `;`, decimal comma, formula-safe); the whole
set as a zip, or one file.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from sqlmodel import Session, select

from boards import audit
from boards.access import Actor, require_staff
from boards.errors import InvalidInput, NotFound
from boards.exports.tables import to_csv
from boards.ids import fetch
from boards.insights import administration_processes
from boards.models import (
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
    PersonRole,
    PledgeKind,
    Process,
    Prompt,
    ResourcePledge,
    ThematicTable,
)
from boards.processes import get_process
from boards.pseudonyms import pseudonymise
from boards.synthesis import meeting_date

# Three bodies is the usual minimum frequency of statistical offices (ISTAT, Eurostat) for
# business data: two could each subtract their own share and learn the other's.
DEFAULT_THRESHOLD = 3
MIN_THRESHOLD = 2
# Higher than any table's bodies per kind: past this everything would be suppressed.
MAX_THRESHOLD = 100
CENT = Decimal("0.01")
# Separates the texts of a process sent to `pseudonymise` in one pass; never typed by people
# (boards.text drops control characters).
_SEPARATOR = "\n\x1e\n"


# --- suppression ----------------------------------------------------------------------------------


@dataclass
class Cell:
    """An aggregate cell: its dimensions, its values (hidden together), the bodies it counts."""

    group: tuple
    dimensions: dict
    values: dict
    organizations: frozenset[int]
    suppressed: bool = False

    @property
    def size(self) -> tuple:
        return (len(self.organizations), *(v for v in self.values.values() if v is not None))

    def row(self) -> dict:
        values = dict.fromkeys(self.values) if self.suppressed else self.values
        return {**self.dimensions, **values, "suppressed": self.suppressed}


def protect(cells: list[Cell], threshold: int) -> None:
    """Suppress every cell under `threshold` distinct organisations, then more cells of the
    same group until its suppressed cells are none, or at least two counting `threshold`
    organisations together (see the module's docstring). Cells keep their order."""
    groups: dict[tuple, list[Cell]] = defaultdict(list)
    for cell in cells:
        cell.suppressed = len(cell.organizations) < threshold
        groups[cell.group].append(cell)
    for members in groups.values():
        while True:
            hidden = [cell for cell in members if cell.suppressed]
            if not hidden:
                break
            counted = frozenset().union(*(cell.organizations for cell in hidden))
            if len(hidden) >= 2 and len(counted) >= threshold:
                break
            shown = [(cell.size, index) for index, cell in enumerate(members) if not cell.suppressed]
            if not shown:
                break
            members[min(shown)[1]].suppressed = True


# --- files and their dictionary -----------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    it: str
    en: str


@dataclass
class DataFile:
    name: str
    it: str
    en: str
    columns: list[Column]
    rows: list[dict] = field(default_factory=list)

    def ordered_rows(self) -> list[dict]:
        """The rows with their keys in the order of the columns."""
        return [{column.name: row.get(column.name) for column in self.columns} for row in self.rows]

    def csv(self) -> bytes:
        return to_csv([(column.name, column.name) for column in self.columns], self.rows)


_PROCESS = Column("process_id", "integer", "Identificativo del percorso (vedi processes)",
                  "Process identifier (see processes)")
_MEETING = Column("meeting", "integer", "Numero dell'incontro nel percorso (vedi meetings)",
                  "Number of the meeting in the process (see meetings)")
_KIND = Column("organization_kind", "string",
               "Tipo di ente: public (pubblica amministrazione), health (ente sanitario), third_sector (Terzo "
               "settore), other (altro)",
               "Kind of organisation: public (public administration), health (health authority), third_sector "
               "(Third Sector), other")
_ORGANIZATIONS = Column("organizations", "integer", "Numero di enti distinti contati nella cella; vuoto se soppressa",
                        "Number of distinct organisations counted in the cell; empty when suppressed")


def _suppressed(threshold: int) -> Column:
    return Column(
        "suppressed", "boolean (sì/no in CSV, true/false in JSON)",
        f"sì quando la cella conta meno di {threshold} enti distinti, o è stata soppressa perché non si possa "
        f"ricavare una cella soppressa dal totale del suo gruppo (incontro e tipo di ente per i contributi, "
        f"incontro per la partecipazione, tipo di impegno per gli impegni): allora i suoi valori sono vuoti "
        f"(null in JSON)",
        f"yes when the cell counts fewer than {threshold} distinct organisations, or was suppressed so that a "
        f"suppressed cell cannot be recovered from the total of its group (meeting and organisation kind for "
        f"contributions, meeting for participation, pledge kind for pledges): its values are then empty (null "
        f"in JSON)")


def _files(threshold: int) -> dict[str, DataFile]:
    suppressed = _suppressed(threshold)
    contributions = Column("contributions", "integer",
                           "Numero di contributi (note) degli enti del tipo indicato; vuoto se soppressa",
                           "Number of contributions (notes) by organisations of that kind; empty when suppressed")
    return {file.name: file for file in [
        DataFile("processes", "Percorsi di co-progettazione o co-programmazione",
                 "Co-design or co-programming processes", [
                     _PROCESS,
                     Column("title", "string", "Titolo del percorso", "Title of the process"),
                     Column("administration", "string", "Amministrazione titolare", "Administration in charge"),
                     Column("kind", "string", "co-design (co-progettazione) o co-programming (co-programmazione)",
                            "co-design or co-programming"),
                 ]),
        DataFile("meetings", "Incontri del percorso", "Meetings of the process", [
            _PROCESS, _MEETING,
            Column("date", "date (YYYY-MM-DD)", "Giorno dell'incontro (ora italiana)", "Day of the meeting (Italian time)"),
            Column("thematic_table", "string", "Tavolo tematico; vuoto se l'incontro è di tutto il percorso",
                   "Thematic table; empty when the meeting is of the whole process"),
            Column("mode", "string", "online, in_person (in presenza) o hybrid (misto)", "online, in_person or hybrid"),
            Column("held", "boolean (sì/no in CSV, true/false in JSON)", "sì se l'incontro si è tenuto",
                   "yes when the meeting has been held"),
        ]),
        DataFile("contributions_by_question", "Contributi per incontro, tipo di ente e domanda guida",
                 "Contributions by meeting, organisation kind and guiding question", [
                     _PROCESS, _MEETING, _KIND,
                     Column("question_id", "integer",
                            "Identificativo della domanda guida; vuoto per i contributi senza domanda",
                            "Guiding question identifier; empty for contributions answering no question"),
                     Column("question", "string", "Testo della domanda guida", "Text of the guiding question"),
                     contributions, _ORGANIZATIONS, suppressed,
                 ]),
        DataFile("contributions_by_line", "Contributi per incontro, tipo di ente e linea di lavoro",
                 "Contributions by meeting, organisation kind and line of work", [
                     _PROCESS, _MEETING, _KIND,
                     Column("line_id", "integer",
                            "Identificativo della linea di lavoro; vuoto per i contributi non ancora in una linea "
                            "(un contributo in più linee conta in ciascuna)",
                            "Line of work identifier; empty for contributions not yet in a line (a contribution "
                            "in several lines counts in each)"),
                     Column("line", "string", "Titolo della linea di lavoro", "Title of the line of work"),
                     contributions, _ORGANIZATIONS, suppressed,
                 ]),
        DataFile("participation", "Enti presenti per incontro e tipo di ente",
                 "Organisations present by meeting and organisation kind", [
                     _PROCESS, _MEETING, _KIND,
                     Column("organizations_present", "integer",
                            "Enti del tipo indicato presenti all'incontro (di persona, collegati o per delega); "
                            "vuoto se soppressa",
                            "Organisations of that kind present at the meeting (in the room, online or by "
                            "proxy); empty when suppressed"),
                     suppressed,
                 ]),
        DataFile("pledges", "Impegni di risorse confermati per tipo di risorsa e tipo di ente",
                 "Confirmed resource pledges by kind of resource and organisation kind", [
                     _PROCESS,
                     Column("pledge_kind", "string",
                            "Tipo di risorsa: money (denaro), staff_hours (ore di personale), spaces (spazi), "
                            "volunteers (volontari), goods (beni)",
                            "Kind of resource: money, staff_hours, spaces, volunteers, goods"),
                     _KIND,
                     Column("pledges", "integer", "Numero di impegni confermati; vuoto se soppressa",
                            "Number of confirmed pledges; empty when suppressed"),
                     Column("value_eur", "decimal (virgola decimale in CSV, stringa in JSON)",
                            "Valore in euro degli impegni, al centesimo; vuoto se soppressa",
                            "Value of the pledges in euro, to the cent; empty when suppressed"),
                     _ORGANIZATIONS, suppressed,
                 ]),
        DataFile("contributions_text", "Testo dei contributi resi pubblicabili da un facilitatore",
                 "Text of the contributions a facilitator marked publishable", [
                     _PROCESS, _MEETING,
                     Column("question_id", "integer", "Domanda guida a cui risponde (vedi contributions_by_question)",
                            "Guiding question it answers (see contributions_by_question)"),
                     Column("line_ids", "string", "Linee di lavoro in cui è stato raccolto, separate da spazi",
                            "Lines of work it was gathered in, separated by spaces"),
                     Column("asynchronous", "boolean (sì/no in CSV, true/false in JSON)",
                            "sì se scritto tra un incontro e l'altro", "yes when written between meetings"),
                     Column("text", "string",
                            "Testo del contributo, con i nomi delle persone sostituiti da pseudonimi; l'ente che "
                            "lo ha scritto non è indicato",
                            "Text of the contribution, people's names replaced by pseudonyms; the organisation "
                            "that wrote it is not given"),
                 ]),
    ]}


_DICTIONARY = DataFile("dictionary", "Dizionario dei dati", "Data dictionary", [
    Column("file", "string", "Nome del file (senza estensione)", "File name (without extension)"),
    Column("column", "string", "Nome della colonna; * descrive il file", "Column name; * describes the file"),
    Column("type", "string", "Tipo del valore", "Type of the value"),
    Column("meaning_it", "string", "Significato, in italiano", "Meaning, in Italian"),
    Column("meaning_en", "string", "Significato, in inglese", "Meaning, in English"),
])

FILES = ["processes", "meetings", "contributions_by_question", "contributions_by_line", "participation", "pledges",
         "contributions_text", "dictionary"]


def _rules(threshold: int) -> tuple[str, str]:
    return (
        f"Dati anonimi: nessuna persona è nominata e gli enti sono indicati per tipo. Ogni cella che conta meno "
        f"di {threshold} enti distinti è soppressa (valori vuoti, suppressed = sì); in ogni gruppo (incontro e "
        f"tipo di ente per i contributi, incontro per la partecipazione, tipo di risorsa per gli impegni) le "
        f"celle soppresse sono nessuna oppure almeno due che insieme contano almeno {threshold} enti, così che "
        f"nessuna si possa ricavare per differenza da un totale. Le combinazioni senza nulla da contare non sono "
        f"elencate. I file non contengono totali.",
        f"Anonymous data: no person is named and organisations are given by kind. Every cell counting fewer "
        f"than {threshold} distinct organisations is suppressed (empty values, suppressed = yes); in every group "
        f"(meeting and organisation kind for contributions, meeting for participation, kind of resource for "
        f"pledges) the suppressed cells are none or at least two that together count at least {threshold} "
        f"organisations, so that none can be recovered by subtraction from a total. Combinations with nothing to "
        f"count are not listed. The files hold no totals.",
    )


def dictionary(threshold: int, files: Iterable[DataFile]) -> DataFile:
    """The data dictionary: a row describing each file (column `*`), then one per column."""
    rules_it, rules_en = _rules(threshold)
    rows = [{"file": "*", "column": "*", "type": "", "meaning_it": rules_it, "meaning_en": rules_en}]
    for data_file in files:
        rows.append({"file": data_file.name, "column": "*", "type": "file", "meaning_it": data_file.it,
                     "meaning_en": data_file.en})
        rows.extend({"file": data_file.name, "column": column.name, "type": column.type, "meaning_it": column.it,
                     "meaning_en": column.en} for column in data_file.columns)
    return DataFile(_DICTIONARY.name, _DICTIONARY.it, _DICTIONARY.en, _DICTIONARY.columns, rows)


@dataclass
class OpenData:
    threshold: int
    files: dict[str, DataFile]

    def file(self, name: str) -> DataFile:
        if name not in self.files:
            raise InvalidInput("'file' must be one of: {values}", values=", ".join(FILES))
        return self.files[name]

    def json_bytes(self, name: str | None = None) -> bytes:
        """One file's rows as a JSON array, or everything: the threshold, the rules, every
        file's rows and the dictionary."""
        if name is not None:
            payload: object = self.file(name).ordered_rows()
        else:
            rules_it, rules_en = _rules(self.threshold)
            payload = {"threshold": self.threshold, "rules": {"it": rules_it, "en": rules_en},
                       "files": {n: {"title": {"it": self.files[n].it, "en": self.files[n].en},
                                     "rows": self.files[n].ordered_rows()} for n in FILES}}
        return json.dumps(payload, ensure_ascii=False, indent=1, default=_json_default).encode()

    def zip_bytes(self) -> bytes:
        """Every file as CSV in one zip, with fixed dates so that the same data gives the same bytes."""
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for name in FILES:
                info = zipfile.ZipInfo(f"{name}.csv", date_time=(2000, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, self.files[name].csv())
        return out.getvalue()


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value.quantize(CENT))
    raise TypeError(f"{type(value).__name__} is not JSON")


# --- building the tables ----------------------------------------------------------------------------


def check_threshold(threshold: object) -> int:
    """Raises InvalidInput unless an integer from MIN_THRESHOLD to MAX_THRESHOLD."""
    if isinstance(threshold, bool) or not isinstance(threshold, int) or not MIN_THRESHOLD <= threshold <= MAX_THRESHOLD:
        raise InvalidInput("'threshold' must be a whole number from {low} to {high}",
                           low=MIN_THRESHOLD, high=MAX_THRESHOLD)
    return threshold


class _Texts:
    """Free texts of one process, pseudonymised together in one pass."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def add(self, text: str) -> None:
        self.texts.append(text)

    def resolve(self, session: Session, process_id: int) -> list[str]:
        if not self.texts:
            return []
        joined = pseudonymise(session, process_id=process_id, markdown=_SEPARATOR.join(self.texts))
        return joined.split(_SEPARATOR)


def _process_tables(session: Session, process: Process, threshold: int, files: dict[str, DataFile]) -> None:
    texts = _Texts()
    # (row, column) whose pseudonymised text is filled in at the end, in one pass.
    pending: list[tuple[dict, str]] = []

    def later(row: dict, column: str, text: str) -> None:
        texts.add(text)
        pending.append((row, column))

    process_row = {"process_id": process.id, "administration": process.administration, "kind": process.kind.value}
    later(process_row, "title", process.title)
    files["processes"].rows.append(process_row)

    meetings = list(session.exec(select(Meeting).where(Meeting.process_id == process.id).order_by(Meeting.number)))
    number = {m.id: m.number for m in meetings}
    tables = {t.id: t.title for t in session.exec(select(ThematicTable).where(ThematicTable.process_id == process.id))}
    for meeting in meetings:
        row = {"process_id": process.id, "meeting": meeting.number, "date": meeting_date(meeting).isoformat(),
               "mode": meeting.mode.value, "held": meeting.state != MeetingState.scheduled}
        later(row, "thematic_table", tables.get(meeting.thematic_table_id, ""))
        files["meetings"].rows.append(row)

    kinds = {o.id: o.kind for o in session.exec(select(Organization).where(Organization.process_id == process.id))}
    notes = session.exec(
        select(Item, Board.meeting_id).join(Board, Board.id == Item.board_id)
        .where(Board.meeting_id.in_(list(number) or [0]), Item.kind == ItemKind.note, Item.deleted_at.is_(None),
               Item.private.is_(False), Item.organization_id.is_not(None))
        .order_by(Item.id)).all()
    item_ids = [item.id for item, _ in notes]
    lines_of: dict[int, list[int]] = defaultdict(list)
    if item_ids:
        for link in session.exec(select(LineOfWorkItem).where(LineOfWorkItem.item_id.in_(item_ids))
                                 .order_by(LineOfWorkItem.line_id)):
            lines_of[link.item_id].append(link.line_id)
    prompts = {p.id: p.text for p in session.exec(
        select(Prompt).where(Prompt.meeting_id.in_(list(number) or [0])))}
    lines = {line.id: line.title for line in session.exec(select(LineOfWork).where(LineOfWork.process_id == process.id))}

    by_question: dict[tuple, list[int]] = defaultdict(list)
    by_line: dict[tuple, list[int]] = defaultdict(list)
    for item, meeting_id in notes:
        kind = kinds[item.organization_id]
        by_question[(number[meeting_id], kind, item.prompt_id)].append(item.organization_id)
        for line_id in lines_of.get(item.id) or [None]:
            by_line[(number[meeting_id], kind, line_id)].append(item.organization_id)
        if item.publishable:
            row = {"process_id": process.id, "meeting": number[meeting_id], "question_id": item.prompt_id,
                   "line_ids": " ".join(str(line) for line in lines_of.get(item.id, [])),
                   "asynchronous": item.asynchronous}
            later(row, "text", item.text)
            files["contributions_text"].rows.append(row)

    def contribution_cells(counts: dict[tuple, list[int]], id_column: str, text_column: str,
                           titles: dict[int, str]) -> list[Cell]:
        cells = []
        for (meeting, kind, ref) in sorted(counts, key=_order):
            bodies = counts[(meeting, kind, ref)]
            dimensions = {"process_id": process.id, "meeting": meeting, "organization_kind": kind.value,
                          id_column: ref}
            if ref is None:
                dimensions[text_column] = ""
            else:
                later(dimensions, text_column, titles.get(ref, ""))
            cells.append(Cell((process.id, meeting, kind), dimensions,
                              {"contributions": len(bodies), "organizations": len(set(bodies))}, frozenset(bodies)))
        return cells

    tables: dict[str, list[Cell]] = {
        "contributions_by_question": contribution_cells(by_question, "question_id", "question", prompts),
        "contributions_by_line": contribution_cells(by_line, "line_id", "line", lines),
        "participation": _participation(session, process, meetings, kinds),
        "pledges": _pledges(session, process, kinds),
    }
    for (row, column), text in zip(pending, texts.resolve(session, process.id), strict=True):
        row[column] = text
    for name, cells in tables.items():
        protect(cells, threshold)
        files[name].rows.extend(cell.row() for cell in cells)


def _order(key: tuple) -> tuple:
    meeting, kind, ref = key
    return (meeting, list(OrganizationKind).index(kind), ref is None, ref or 0)


def _participation(session: Session, process: Process, meetings: list[Meeting],
                   kinds: dict[int, OrganizationKind]) -> list[Cell]:
    held = [m for m in meetings if m.state != MeetingState.scheduled]
    if not held:
        return []
    records = session.exec(select(Attendance).where(
        Attendance.meeting_id.in_([m.id for m in held]),
        Attendance.status.in_([AttendanceStatus.present, AttendanceStatus.proxy]))).all()
    body_of = dict(session.exec(select(Person.id, Person.organization_id).where(Person.process_id == process.id)).all())
    present: dict[int, set[int]] = defaultdict(set)
    for record in records:
        for person_id in (record.person_id, record.proxy_for if record.status == AttendanceStatus.proxy else None):
            if body_of.get(person_id) in kinds:
                present[record.meeting_id].add(body_of[person_id])
    cells = []
    for meeting in held:
        for kind in OrganizationKind:
            bodies = frozenset(o for o in present[meeting.id] if kinds[o] == kind)
            if bodies:
                cells.append(Cell((process.id, meeting.number),
                                  {"process_id": process.id, "meeting": meeting.number, "organization_kind": kind.value},
                                  {"organizations_present": len(bodies)}, bodies))
    return cells


def _pledges(session: Session, process: Process, kinds: dict[int, OrganizationKind]) -> list[Cell]:
    sums: dict[tuple, list[ResourcePledge]] = defaultdict(list)
    for pledge in session.exec(select(ResourcePledge).where(ResourcePledge.process_id == process.id,
                                                            ResourcePledge.confirmed_at.is_not(None))):
        sums[(pledge.kind, kinds[pledge.organization_id])].append(pledge)
    cells = []
    for pledge_kind in PledgeKind:
        for kind in OrganizationKind:
            rows = sums.get((pledge_kind, kind))
            if not rows:
                continue
            bodies = frozenset(p.organization_id for p in rows)
            value = sum((Decimal(p.value_eur).quantize(CENT) for p in rows), Decimal("0.00"))
            cells.append(Cell((process.id, pledge_kind),
                              {"process_id": process.id, "pledge_kind": pledge_kind.value,
                               "organization_kind": kind.value},
                              {"pledges": len(rows), "value_eur": value, "organizations": len(bodies)}, bodies))
    return cells


def build(session: Session, processes: list[Process], threshold: int = DEFAULT_THRESHOLD) -> OpenData:
    """The open data of these processes, without a permission check (callers check)."""
    threshold = check_threshold(threshold)
    files = _files(threshold)
    for process in processes:
        _process_tables(session, process, threshold, files)
    files["dictionary"] = dictionary(threshold, [*files.values(), _DICTIONARY])
    return OpenData(threshold, files)


def process_open_data(session: Session, *, actor: Actor, process_id: int,
                      threshold: int = DEFAULT_THRESHOLD) -> OpenData:
    """The open data of a process, for its staff (who decide what to publish).

    Raises NotFound, NotAllowed (not staff), InvalidInput (threshold).
    """
    process = get_process(session, process_id)
    require_staff(session, actor, process.id)
    return build(session, [process], check_threshold(threshold))


def administration_open_data(session: Session, *, actor: Actor, administration: str,
                             threshold: int = DEFAULT_THRESHOLD) -> OpenData:
    """The open data of every process of an administration the actor's account is staff of.

    Raises NotAllowed, NotFound, InvalidInput (see `insights.administration_processes`).
    """
    check_threshold(threshold)
    return build(session, administration_processes(session, actor=actor, administration=administration), threshold)


# --- what may be published ------------------------------------------------------------------------


def mark_publishable(session: Session, *, actor: Actor, item_id: int, publishable: bool) -> Item:
    """A facilitator of the process marks a contribution's text publishable in open data, or
    takes the mark back; audited when it changes.

    Raises NotFound (no such note, or deleted), NotAllowed (not a facilitator of the process),
    InvalidInput (not a note).
    """
    item = fetch(session, Item, item_id)
    if item is None or item.deleted_at is not None:
        raise NotFound("Item {id} does not exist", id=item_id)
    meeting = session.get(Meeting, session.get(Board, item.board_id).meeting_id)
    require_staff(session, actor, meeting.process_id, roles={PersonRole.facilitator})
    if item.kind != ItemKind.note:
        raise InvalidInput("Only a contribution (a note) can be published")
    if not isinstance(publishable, bool):
        raise InvalidInput("'publishable' must be true or false")
    if item.publishable != publishable:
        item.publishable = publishable
        session.add(item)
        session.flush()
        audit.record(session, actor=actor, action="item.publishable", process_id=meeting.process_id,
                     target=f"item:{item.id}", publishable=publishable)
    return item


def item_publishable_view(item: Item) -> dict:
    return {"id": item.id, "publishable": item.publishable}

