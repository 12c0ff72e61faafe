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
