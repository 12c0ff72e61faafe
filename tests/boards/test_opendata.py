"""Open data on a process whose every contribution is known (tests/boards/known_process.py):
every cell of every file, suppression exactly at the threshold and against totals, no
person's name in any byte, the data dictionary, and who marks a text publishable."""

from __future__ import annotations

import io
import json
import zipfile
from decimal import Decimal

import pytest
from sqlmodel import select

from boards import opendata
from boards.errors import InvalidInput, NotAllowed, NotFound
from boards.models import AuditEntry, OrganizationKind
from boards.opendata import Cell, protect
from tests.boards import builders, known_process
from tests.boards.known_process import BODIES, PEOPLE


@pytest.fixture
def known(session):
    return known_process.build(session)


def export(session, known, threshold=3):
    return opendata.process_open_data(session, actor=known.facilitator, process_id=known.process.id,
                                      threshold=threshold)


def hidden(**dimensions) -> dict:
    return dimensions | {"suppressed": True}


def test_every_contribution_cell_at_threshold_three(session, known):
    data = export(session, known)
    pid, q = known.process.id, {key: prompt.id for key, prompt in known.questions.items()}
    # Q3 asks again what Q1 asked; each is a question of its own meeting here.
    q1 = q3 = "Quali bisogni vedete nel quartiere?"
    q2 = "Quali risorse potete mettere in campo?"
    # Zanetti, typed in question 4, is pseudonymised like every person.
    q4 = "Come misuriamo i risultati, come chiedeva Partecipante C?"

    def row(meeting, kind, ref, text, contributions=None, organizations=None):
        return {"process_id": pid, "meeting": meeting, "organization_kind": kind, "question_id": ref,
                "question": text, "contributions": contributions, "organizations": organizations,
                "suppressed": contributions is None}

    assert data.file("contributions_by_question").ordered_rows() == [
        # {P1, P2, P3} count 3, but P1 alone answered Q2: Q1 is suppressed too, or Q2 = total - Q1.
        row(1, "public", q["Q1"], q1), row(1, "public", q["Q2"], q2),
        # Two bodies (H1, H2): under the threshold.
        row(1, "health", q["Q1"], q1), row(1, "health", q["Q2"], q2),
        # Exactly three bodies: shown. The two suppressed cells count T1, T2, T4: enough.
        row(1, "third_sector", q["Q1"], q1, 3, 3), row(1, "third_sector", q["Q2"], q2),
        row(1, "third_sector", None, ""),
        row(1, "other", q["Q1"], q1),
        row(2, "public", q["Q3"], q3), row(2, "health", None, ""),
        # T1, T2, T3 shown alone would give away T1's note between meetings.
        row(2, "third_sector", q["Q3"], q3), row(2, "third_sector", None, ""),
        row(3, "public", q["Q4"], q4), row(3, "health", q["Q4"], q4), row(3, "third_sector", q["Q4"], q4),
        row(3, "third_sector", None, ""),
    ]
    lines = [(r["meeting"], r["organization_kind"], r["line_id"], r["contributions"], r["suppressed"])
             for r in data.file("contributions_by_line").rows]
    l1, l2 = known.lines["L1"].id, known.lines["L2"].id
    # Meeting 1, Third Sector: L1 counts T1, T2 (3 notes), L2 T1, none T2, T3, T4; the two
    # suppressed cells count only T1, T2, so the third goes too.
    assert lines == [
        (1, "public", l1, None, True), (1, "public", None, None, True),
        (1, "health", l1, None, True), (1, "health", None, None, True),
        (1, "third_sector", l1, None, True), (1, "third_sector", l2, None, True),
        (1, "third_sector", None, None, True), (1, "other", None, None, True),
        (2, "public", l2, None, True), (2, "health", None, None, True),
        (2, "third_sector", l2, None, True), (2, "third_sector", None, None, True),
        (3, "public", None, None, True), (3, "health", None, None, True), (3, "third_sector", None, None, True),
    ]
    assert {r["line"] for r in data.file("contributions_by_line").rows} == {"Casa e accoglienza",
                                                                            "Lavoro e formazione", ""}


def test_contribution_cells_at_threshold_two(session, known):
    rows = export(session, known, threshold=2).file("contributions_by_question").rows
    shown = [(r["meeting"], r["organization_kind"], r["question_id"], r["contributions"], r["organizations"])
             for r in rows if not r["suppressed"]]
    q = {key: prompt.id for key, prompt in known.questions.items()}
    # Meeting 1, Third Sector: Q2 (T1) alone is suppressed; the smallest shown cell of its
    # group (no question: T4, T2) goes with it, and Q1 stays. Meetings 2 and 3 keep
    # the public cells of two bodies; every other group hides all.
    assert shown == [(1, "third_sector", q["Q1"], 3, 3), (2, "public", q["Q3"], 2, 2), (3, "public", q["Q4"], 2, 2)]
    assert len(rows) == 16


def test_participation_and_pledges_cells(session, known):
    data = export(session, known)
    pid = known.process.id
    assert data.file("participation").ordered_rows() == [
        {"process_id": pid, "meeting": 1, "organization_kind": "public", "organizations_present": 3,
         "suppressed": False},
        hidden(process_id=pid, meeting=1, organization_kind="health", organizations_present=None),
        {"process_id": pid, "meeting": 1, "organization_kind": "third_sector", "organizations_present": 4,
         "suppressed": False},
        hidden(process_id=pid, meeting=1, organization_kind="other", organizations_present=None),
        hidden(process_id=pid, meeting=2, organization_kind="public", organizations_present=None),
        hidden(process_id=pid, meeting=2, organization_kind="health", organizations_present=None),
        {"process_id": pid, "meeting": 2, "organization_kind": "third_sector", "organizations_present": 3,
         "suppressed": False},
        hidden(process_id=pid, meeting=3, organization_kind="public", organizations_present=None),
        hidden(process_id=pid, meeting=3, organization_kind="health", organizations_present=None),
        {"process_id": pid, "meeting": 3, "organization_kind": "third_sector", "organizations_present": 3,
         "suppressed": False},
    ]

    def pledge(kind, org_kind, pledges=None, value=None, organizations=None):
        return {"process_id": pid, "pledge_kind": kind, "organization_kind": org_kind, "pledges": pledges,
                "value_eur": value, "organizations": organizations, "suppressed": pledges is None}

    # Money: the public cell (P1, P2) is under the threshold, so the Third Sector's (T1, T2,
    # T3) goes too, or the money total would give it away. H1's unconfirmed pledge is not there.
    assert data.file("pledges").ordered_rows() == [
        pledge("money", "public"), pledge("money", "third_sector"),
        pledge("staff_hours", "third_sector", 3, Decimal("4400.35"), 3),
        pledge("spaces", "third_sector"), pledge("volunteers", "other"), pledge("goods", "third_sector"),
    ]
    at_two = {(r["pledge_kind"], r["organization_kind"]): r["value_eur"]
              for r in export(session, known, threshold=2).file("pledges").rows}
    assert at_two[("money", "public")] == Decimal("15000.50") and at_two[("money", "third_sector")] == Decimal("2000.25")


def test_meetings_processes_and_publishable_texts(session, known):
    data = export(session, known)
    pid = known.process.id
    assert data.file("processes").ordered_rows() == [
        {"process_id": pid, "title": "Percorso Polesine solidale", "administration": known.administration,
         "kind": "co-design"}]
    assert data.file("meetings").ordered_rows() == [
        {"process_id": pid, "meeting": 1, "date": "2026-10-05", "thematic_table": "Abitare", "mode": "hybrid",
         "held": True},
        {"process_id": pid, "meeting": 2, "date": "2026-10-19", "thematic_table": "Lavoro", "mode": "hybrid",
         "held": True},
        {"process_id": pid, "meeting": 3, "date": "2026-11-09", "thematic_table": "Abitare", "mode": "hybrid",
         "held": True},
        {"process_id": pid, "meeting": 4, "date": "2026-12-14", "thematic_table": "Abitare", "mode": "hybrid",
         "held": False},
    ]
    # Only the two notes marked publishable, names turned into a pseudonym or omissis (the
    # RUP), the body that wrote them left out.
    assert data.file("contributions_text").ordered_rows() == [
        {"process_id": pid, "meeting": 2, "question_id": None, "line_ids": "", "asynchronous": True,
         "text": "Propongo di coinvolgere Partecipante I della Cooperativa Il Faro nel laboratorio."},
        {"process_id": pid, "meeting": 3, "question_id": known.questions["Q4"].id, "line_ids": "",
         "asynchronous": False, "text": "Serve un confronto con il RUP omissis prima di dicembre."},
    ]


def every_file(data) -> dict[str, bytes]:
    """Every byte the export can hand out: the zip and what is in it, every JSON."""
    files = {"all.zip": data.zip_bytes(), "all.json": data.json_bytes()}
    with zipfile.ZipFile(io.BytesIO(files["all.zip"])) as archive:
        files |= {name: archive.read(name) for name in archive.namelist()}
    files |= {f"{name}.json": data.json_bytes(name) for name in opendata.FILES}
    return files


def test_no_person_is_named_in_any_file(session, known):
    data = export(session, known, threshold=2)
    files = every_file(data)
    assert sorted(name for name in files if name.endswith(".csv")) == sorted(f"{n}.csv" for n in opendata.FILES)
    parts = {part for name in PEOPLE for part in [name, *name.split()]}
    for name, content in files.items():
        texts = [content.decode("utf-8-sig", errors="ignore")] if not name.endswith(".zip") else []
        for text in texts:
            for part in parts:
                assert part.casefold() not in text.casefold(), f"{part!r} in {name}"
    # Bodies are published by kind: no name, but where a facilitator let a text mention one.
    whole = b"".join(content for name, content in files.items() if not name.endswith(".zip")).decode(
        "utf-8", errors="ignore")
    for body, (organization, _, _) in BODIES.items():
        assert (organization in whole) == (body == "T1"), organization


def test_csv_is_excel_ready_and_formula_safe(session, known):
    known.notes[3].publishable = True
    known.notes[3].text = "=HYPERLINK(\"http://example.org\")"
    session.add(known.notes[3])
    session.flush()
    data = export(session, known)
    pledges = data.file("pledges").csv()
    assert pledges.startswith(b"\xef\xbb\xbf")
    lines = pledges.decode("utf-8-sig").split("\r\n")
    assert lines[0] == "process_id;pledge_kind;organization_kind;pledges;value_eur;organizations;suppressed"
    pid = known.process.id
    assert lines[1] == f"{pid};money;public;;;;sì"
    assert lines[3] == f"{pid};staff_hours;third_sector;3;4400,35;3;no"
    texts = data.file("contributions_text").csv().decode("utf-8-sig")
    assert "'=HYPERLINK" in texts
    # The JSON has nulls and exact euro as strings.
    rows = json.loads(data.json_bytes("pledges"))
    assert rows[0]["value_eur"] is None and rows[0]["suppressed"] is True
    assert rows[2]["value_eur"] == "4400.35"
    # The same data, the same zip.
    assert data.zip_bytes() == export(session, known).zip_bytes()


def test_dictionary_describes_every_column_in_both_languages(session, known):
    data = export(session, known, threshold=4)
    rows = data.file("dictionary").rows
    described = {(row["file"], row["column"]) for row in rows}
    for name in opendata.FILES:
        assert (name, "*") in described
        for column in data.file(name).columns:
            assert (name, column.name) in described
    assert all(row["meaning_it"] and row["meaning_en"] for row in rows)
    assert ("*", "*") in described
    rules = next(row for row in rows if row["file"] == "*")
    assert "meno di 4 enti distinti" in rules["meaning_it"] and "fewer than 4 distinct" in rules["meaning_en"]
    flag = next(row for row in rows if row["file"] == "pledges" and row["column"] == "suppressed")
    assert "4" in flag["meaning_en"] and "pledge kind" in flag["meaning_en"]
    whole = json.loads(data.json_bytes())
    assert whole["threshold"] == 4 and list(whole["files"]) == opendata.FILES
    assert whole["rules"]["en"] == rules["meaning_en"]


def cell(group, bodies, value=1):
    return Cell(group, {"id": len(bodies)}, {"value": value}, frozenset(bodies))


def test_protect_at_the_threshold_and_against_a_known_total():
    two, three = cell("a", {1, 2}), cell("b", {1, 2, 3})
    protect([two, three], 3)
    assert two.suppressed and not three.suppressed
    # One suppressed cell in a group: the smallest shown cell goes too.
    small, medium, large = cell("g", {1}), cell("g", {2, 3, 4}, 5), cell("g", {5, 6, 7, 8})
    protect([small, medium, large], 3)
    assert (small.suppressed, medium.suppressed, large.suppressed) == (True, True, False)
    # Two suppressed cells counting two bodies together are not enough.
    one, other, rest = cell("g", {1}), cell("g", {1, 2}), cell("g", {3, 4, 5})
    protect([one, other, rest], 3)
    assert rest.suppressed
    # Two counting three bodies together are.
    one, other, rest = cell("g", {1}), cell("g", {2, 3}), cell("g", {3, 4, 5})
    protect([one, other, rest], 3)
    assert (one.suppressed, other.suppressed, rest.suppressed) == (True, True, False)
    assert one.row() == {"id": 1, "value": None, "suppressed": True}
    assert rest.row() == {"id": 3, "value": 1, "suppressed": False}


def test_threshold_is_checked(session, known):
    for threshold in (1, 0, 101, True, "3", 2.5):
        with pytest.raises(InvalidInput, match="'threshold' must be a whole number from 2 to 100"):
            export(session, known, threshold=threshold)
    with pytest.raises(InvalidInput, match="'file' must be one of"):
        export(session, known).file("people")


def test_who_may_export(session, known):
    assert opendata.process_open_data(session, actor=known.secretary, process_id=known.process.id).threshold == 3
    with pytest.raises(NotAllowed):
        opendata.process_open_data(session, actor=builders.person_actor(known.people["T1"]),
                                   process_id=known.process.id)
    with pytest.raises(NotFound):
        opendata.process_open_data(session, actor=known.facilitator, process_id=2**31 - 1)


def test_administration_export_has_a_row_per_process(session, known):
    second = builders.process(session, known.facilitator, administration=known.administration)
    builders.organization(session, known.facilitator, second.id, kind=OrganizationKind.other)
    data = opendata.administration_open_data(session, actor=known.facilitator, administration=known.administration)
    assert [row["process_id"] for row in data.file("processes").rows] == [known.process.id, second.id]
    assert {row["process_id"] for row in data.file("participation").rows} == {known.process.id}


def test_mark_publishable_by_facilitators_only_audited_on_change(session, known):
    note = known.notes[1]
    item = opendata.mark_publishable(session, actor=known.facilitator, item_id=note.id, publishable=True)
    assert item.publishable is True
    opendata.mark_publishable(session, actor=known.facilitator, item_id=note.id, publishable=True)
    entries = session.exec(select(AuditEntry).where(AuditEntry.target == f"item:{note.id}")).all()
    assert [(e.action, e.detail) for e in entries] == [("item.publishable", {"publishable": True})]
    assert "Contributo 1" in [row["text"] for row in export(session, known).file("contributions_text").rows]
    opendata.mark_publishable(session, actor=known.facilitator, item_id=note.id, publishable=False)
    assert "Contributo 1" not in [row["text"] for row in export(session, known).file("contributions_text").rows]
    with pytest.raises(NotAllowed, match="staff"):
        opendata.mark_publishable(session, actor=known.secretary, item_id=note.id, publishable=True)
    with pytest.raises(NotAllowed):
        opendata.mark_publishable(session, actor=builders.person_actor(known.people["P1"]), item_id=note.id,
                                  publishable=True)
    deleted, _, _, frame = known.excluded
    with pytest.raises(NotFound):
        opendata.mark_publishable(session, actor=known.facilitator, item_id=deleted.id, publishable=True)
    with pytest.raises(InvalidInput, match="Only a contribution"):
        opendata.mark_publishable(session, actor=known.facilitator, item_id=frame.id, publishable=True)
    with pytest.raises(NotFound):
        opendata.mark_publishable(session, actor=known.facilitator, item_id=2**31, publishable=True)
    with pytest.raises(InvalidInput, match="true or false"):
        opendata.mark_publishable(session, actor=known.facilitator, item_id=note.id, publishable="yes")
