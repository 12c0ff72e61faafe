"""What the meeting room shows of its boards: the board it opens on, its items as a list for
browsers without JavaScript, and the names and words the live board (static/board.js) needs.

The live board itself speaks the real-time protocol (docs/protocol.md); this is only the
page it starts from.
"""

from __future__ import annotations

from sqlmodel import Session, select

from app.i18n import gettext as _
from boards import items, meetings, processes
from boards.attendance import expected_people
from boards.decisions import action_view, actions_of, citable_notes, decision_view, decisions_of
from boards.lines import lines_of
from boards.models import Board, BoardKind, Meeting, Person, PersonRole


def board_colors() -> dict[str, str]:
    """The palette of the live board (static/board.css), by the name items store."""
    return {"yellow": _("yellow"), "orange": _("orange"), "pink": _("pink"), "green": _("green"),
            "blue": _("light blue"), "violet": _("violet"), "grey": _("grey"), "white": _("white")}


def list_groups(board_items: list[dict]) -> list[dict]:
    """Items grouped by the frame whose area holds their centre (the smallest, if frames
    nest), frames in reading order, then the items outside every frame: the list view's
    order, the same as static/board-list.js (`groupByFrame`)."""
    def reading(item: dict) -> tuple:
        return (item["y"], item["x"], item["id"])

    def inside(item: dict, frame: dict) -> bool:
        cx, cy = item["x"] + item["w"] / 2, item["y"] + item["h"] / 2
        return frame["x"] <= cx <= frame["x"] + frame["w"] and frame["y"] <= cy <= frame["y"] + frame["h"]

    frames = sorted((i for i in board_items if i["kind"] == "frame"), key=reading)
    groups = {frame["id"]: {"frame": frame, "items": []} for frame in frames}
    loose = {"frame": None, "items": []}
    for item in board_items:
        if item["kind"] == "frame":
            continue
        holders = [frame for frame in frames if inside(item, frame)]
        best = min(holders, key=lambda frame: frame["w"] * frame["h"], default=None)
        (groups[best["id"]] if best else loose)["items"].append(item)
    result = list(groups.values()) + ([loose] if loose["items"] or not frames else [])
    for group in result:
        group["items"].sort(key=reading)
    return result


def room_board(session: Session, meeting: Meeting, person: Person, wanted: int | None) -> dict:
    """The board the room shows (`wanted` if this person may read it, else their group's
    board while their group works, else the plenary), its items as this person may see
    them, the boards they may read, the names of people and organisations that the live
    board shows, the participants a facilitator may place in groups, and the meeting's
    record (decisions, actions, lines of work) as the meeting snapshot has it, with the notes
    its decisions cite as this person may read them."""
    view = meetings.meeting_view(session, meeting)
    groups = {g["board"]: g for g in view["groups"]}
    readable = [b for b in session.exec(select(Board).where(Board.meeting_id == meeting.id).order_by(Board.id))
                if items.may_read_board(session, person, b)]
    own_group = [b for b in readable if b.kind == BoardKind.group and b.id in groups
                 and groups[b.id]["running"] and person.id in groups[b.id]["members"]]
    chosen = [b for b in readable if b.id == wanted] or own_group
    board = chosen[0] if chosen else items.get_board(session, meeting.plenary_board_id)
    titles = {b.id: _("Plenary") if b.kind == BoardKind.plenary
              else groups[b.id]["name"] if b.id in groups else b.title for b in readable}
    board_items = items.board_state(session, board, person)["items"]
    process = processes.process_view(session, processes.get_process(session, meeting.process_id))
    decisions = [decision_view(d) for d in decisions_of(session, meeting.id)]
    cited = [item for decision in decisions for item in decision["items"]]
    cited_notes = [note for board_notes in citable_notes(session, meeting, person, cited)
                   for note in board_notes["notes"]]
    return {
        "board": board, "board_title": titles[board.id], "board_titles": titles,
        "board_items": board_items, "board_groups": list_groups(board_items),
        "board_colors": board_colors(),
        "people": {p["id"]: [p["name"], p["organization"]] for p in process["people"]},
        "organizations": {o["id"]: o["name"] for o in process["organizations"]},
        "placeable": [p.id for p in expected_people(session, meeting) if p.role == PersonRole.participant],
        "record": {
            "decisions": decisions,
            "cited": {note["id"]: note for note in cited_notes},
            "actions": [action_view(a) for a in actions_of(session, meeting.id)],
            "lines": lines_of(session, meeting.id),
        },
    }
