"""GET /api/v1/boards/{id}: the board snapshot over HTTP, with the protocol's visibility rules.

Items are made with rows here: the real-time ops that make them are tested with the protocol.
"""

from __future__ import annotations

import pytest
from sqlmodel import Session

from boards import events
from boards.clock import utcnow
from boards.models import Board, BoardKind, BreakoutGroup, Comment, GroupMember, Item, ItemKind
from tests.api.support import assert_error, bearer


@pytest.fixture
def world(shared_world):
    """The tests of this module only add to the world, so they share one."""
    return shared_world

ITEM_KEYS = {"id", "kind", "x", "y", "w", "h", "text", "color", "author", "organization",
             "prompt", "frame", "version"}


def add_item(engine, board_id: int, author: int, **fields) -> int:
    with Session(engine) as session:
        item = Item(board_id=board_id, kind=fields.pop("kind", ItemKind.note), author_id=author,
                    **fields)
        session.add(item)
        session.commit()
        return item.id


def group_board(engine, meeting_id: int, members: list[int]) -> int:
    with Session(engine) as session:
        group = BreakoutGroup(meeting_id=meeting_id, name="Gruppo A", position=1)
        session.add(group)
        session.flush()
        board = Board(meeting_id=meeting_id, title="Gruppo A", kind=BoardKind.group,
                      group_id=group.id)
        session.add(board)
        session.flush()
        group.board_id = board.id
        for person in members:
            session.add(GroupMember(group_id=group.id, person_id=person))
        session.commit()
        return board.id


@pytest.fixture
def meeting(client, world) -> dict:
    """A new meeting, whose plenary board no other test writes on."""
    answer = client.post(f"/api/v1/processes/{world.process}/meetings",
                         headers=world.facilitator.auth,
                         json={"title": "Incontro", "starts_at": "2027-03-01T09:00:00Z",
                               "mode": "online", "agenda": []})
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_a_board_lists_its_items_as_the_protocol_does(client, world, meeting, engine):
    board = meeting["plenary_board"]
    author = world.participant["person"]
    frame = add_item(engine, board, author, kind=ItemKind.frame, x=0, y=0, w=800, h=600,
                     text="Bisogni", color="grey")
    note = add_item(engine, board, author, x=10.5, y=-20, text="Servizio docce",
                    organization_id=world.organizations["third_sector"], frame_id=frame)
    with Session(engine) as session:
        session.add(Comment(item_id=note, text="D'accordo", author_id=world.observer["person"]))
        session.commit()
    answer = client.get(f"/api/v1/boards/{board}", headers=bearer(world.observer["token"]))
    assert answer.status_code == 200
    body = answer.json()
    assert body["id"] == board and body["seq"] == 0
    assert [set(item) for item in body["items"]] == [ITEM_KEYS, ITEM_KEYS]
    assert body["items"][1] == {
        "id": note, "kind": "note", "x": 10.5, "y": -20, "w": 200, "h": 200,
        "text": "Servizio docce", "color": "yellow", "author": author,
        "organization": world.organizations["third_sector"], "prompt": None, "frame": frame,
        "version": 1,
    }
    assert body["items"][0]["kind"] == "frame" and body["items"][0]["frame"] is None
    assert [c["text"] for c in body["comments"]] == ["D'accordo"]
    assert body["voting"] is None and body["private"] is False and body["locked"] is False


def test_deleted_items_are_gone(client, world, meeting, engine):
    board = meeting["plenary_board"]
    kept = add_item(engine, board, world.participant["person"], text="Resta")
    add_item(engine, board, world.participant["person"], text="Tolto", deleted_at=utcnow())
    body = client.get(f"/api/v1/boards/{board}", headers=world.facilitator.auth).json()
    assert [item["id"] for item in body["items"]] == [kept]


def test_seq_is_the_head_of_the_board_stream(client, world, meeting, engine):
    board = meeting["plenary_board"]
    with Session(engine) as session:
        for _ in range(3):
            events.append(session, stream=events.board_stream(board), name="item.created",
                          data={}, actor=None)
        session.commit()
    assert client.get(f"/api/v1/boards/{board}", headers=world.facilitator.auth).json()["seq"] == 3


def test_private_items_are_redacted_for_other_participants(client, world, meeting, engine):
    board = meeting["plenary_board"]
    author = world.participant["person"]
    secret = add_item(engine, board, author, text="Idea ancora riservata", private=True)

    def seen_by(headers) -> dict:
        items = client.get(f"/api/v1/boards/{board}", headers=headers).json()["items"]
        return next(item for item in items if item["id"] == secret)

    assert seen_by(bearer(world.participant["token"]))["text"] == "Idea ancora riservata"
    assert seen_by(world.facilitator.auth)["text"] == "Idea ancora riservata"
    assert seen_by(world.secretary.auth)["text"] == "Idea ancora riservata"
    hidden = seen_by(bearer(world.observer["token"]))
    assert hidden["text"] is None and hidden["redacted"] is True
    assert hidden["author"] == author and hidden["x"] == 0


def test_a_group_board_is_for_its_members_and_the_staff(client, world, meeting, engine):
    board = group_board(engine, meeting["id"], [world.participant["person"]])
    add_item(engine, board, world.participant["person"], text="Nel gruppo")
    for headers in (bearer(world.participant["token"]), world.facilitator.auth,
                    world.secretary.auth):
        body = client.get(f"/api/v1/boards/{board}", headers=headers).json()
        assert [item["text"] for item in body["items"]] == ["Nel gruppo"]
    assert_error(client.get(f"/api/v1/boards/{board}", headers=bearer(world.observer["token"])),
                 403, "group")


def test_board_errors(client, world, meeting, make_account):
    assert_error(client.get("/api/v1/boards/999999999", headers=world.facilitator.auth), 404,
                 "board")
    assert_error(client.get(f"/api/v1/boards/{2**50}", headers=world.facilitator.auth), 404)
    assert_error(client.get("/api/v1/boards/uno", headers=world.facilitator.auth), 422)
    assert_error(client.get(f"/api/v1/boards/{meeting['plenary_board']}",
                            headers=make_account().auth), 403)
    assert_error(client.get(f"/api/v1/boards/{meeting['plenary_board']}"), 401)


# --- GET /api/v1/meetings/{id}/notes: the notes a decision may cite, from every board ------


def other_participant(client, world) -> dict:
    """A second participant of the process, with their bearer headers."""
    invite = client.post(f"/api/v1/processes/{world.process}/invites", headers=world.facilitator.auth,
                         json={"name": "Persona di un altro gruppo", "role": "participant",
                               "organization": world.organizations["public"]}).json()
    joined = client.post("/api/v1/join", json={"invite": invite["invite"]}).json()
    return {"person": joined["participant"]["id"], "auth": bearer(joined["token"])}


def notes_seen(client, meeting: dict, headers: dict, **params) -> dict[int, list]:
    answer = client.get(f"/api/v1/meetings/{meeting['id']}/notes", headers=headers, params=params)
    assert answer.status_code == 200, answer.text
    return {board["id"]: [(note["id"], note["text"]) for note in board["notes"]] for board in answer.json()["boards"]}


def test_the_notes_of_every_board_the_caller_may_read(client, world, meeting, engine):
    plenary = meeting["plenary_board"]
    member, outsider = world.participant, other_participant(client, world)
    group = group_board(engine, meeting["id"], [member["person"]])
    in_plenary = add_item(engine, plenary, outsider["person"], text="In plenaria")
    add_item(engine, plenary, outsider["person"], kind=ItemKind.frame, text="Una cornice")
    add_item(engine, plenary, outsider["person"], text="Cancellata", deleted_at=utcnow())
    in_group = add_item(engine, group, member["person"], text="Nel gruppo")

    body = client.get(f"/api/v1/meetings/{meeting['id']}/notes", headers=world.facilitator.auth).json()
    assert [(b["id"], b["kind"], b["title"]) for b in body["boards"]] == [
        (plenary, "plenary", "Plenaria"), (group, "group", "Gruppo A")]
    assert set(body["boards"][1]["notes"][0]) == ITEM_KEYS
    expected = {plenary: [(in_plenary, "In plenaria")], group: [(in_group, "Nel gruppo")]}
    for headers in (world.facilitator.auth, world.secretary.auth, bearer(member["token"])):
        assert notes_seen(client, meeting, headers) == expected
    # A participant of another group, and an observer, get the plenary only: not even the
    # group board's title.
    for headers in (outsider["auth"], bearer(world.observer["token"])):
        assert notes_seen(client, meeting, headers) == {plenary: [(in_plenary, "In plenaria")]}
        assert notes_seen(client, meeting, headers, items=[in_group]) == {}


def test_a_group_board_is_for_everyone_once_its_group_has_ended(client, world, meeting, engine):
    group = group_board(engine, meeting["id"], [world.participant["person"]])
    note = add_item(engine, group, world.participant["person"], text="Riportato in plenaria")
    with Session(engine) as session:
        board = session.get(Board, group)
        session.get(BreakoutGroup, board.group_id).ended_at = utcnow()
        session.commit()
    assert notes_seen(client, meeting, bearer(world.observer["token"]))[group] == [(note, "Riportato in plenaria")]


def test_a_private_note_keeps_its_text_hidden(client, world, meeting, engine):
    board = meeting["plenary_board"]
    secret = add_item(engine, board, world.participant["person"], text="Idea ancora riservata", private=True)
    for headers in (bearer(world.participant["token"]), world.facilitator.auth):
        assert notes_seen(client, meeting, headers, items=[secret]) == {board: [(secret, "Idea ancora riservata")]}
    hidden = client.get(f"/api/v1/meetings/{meeting['id']}/notes", headers=bearer(world.observer["token"]),
                        params={"items": [secret]}).json()["boards"][0]["notes"][0]
    assert hidden["text"] is None and hidden["redacted"] is True


def test_only_the_notes_named(client, world, meeting, engine):
    board = meeting["plenary_board"]
    author = world.participant["person"]
    first, _, third = (add_item(engine, board, author, text=text) for text in ("Uno", "Due", "Tre"))
    assert notes_seen(client, meeting, world.facilitator.auth, items=[third, first, 2**40]) == {
        board: [(first, "Uno"), (third, "Tre")]}
    # A note of another meeting is not named, nor is its board.
    other = client.post(f"/api/v1/processes/{world.process}/meetings", headers=world.facilitator.auth,
                        json={"title": "Altro", "starts_at": "2027-04-01T09:00:00Z", "mode": "online",
                              "agenda": []}).json()
    elsewhere = add_item(engine, other["plenary_board"], author, text="Altrove")
    assert notes_seen(client, meeting, world.facilitator.auth, items=[elsewhere]) == {}


def test_meeting_notes_errors(client, world, meeting, make_account):
    url = f"/api/v1/meetings/{meeting['id']}/notes"
    assert_error(client.get(url, headers=world.facilitator.auth, params={"items": list(range(1, 202))}),
                 422, "200")
    assert_error(client.get(url, headers=world.facilitator.auth, params={"items": "uno"}), 422)
    assert_error(client.get("/api/v1/meetings/999999999/notes", headers=world.facilitator.auth), 404, "meeting")
    assert_error(client.get(url, headers=make_account().auth), 403)
    assert_error(client.get(url), 401)
