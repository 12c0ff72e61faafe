"""Board ops on items: `item.create`, `item.update`, `item.move`, `item.delete`.

Readers check the shape of `data`; `boards.items` checks the rules and records the event.
"""

from __future__ import annotations

from boards import items
from boards.models import ItemKind
from realtime.messages.spec import Applied, OpContext, OpSpec, choice, ident, number, text

KINDS = tuple(kind.value for kind in ItemKind)


def read_create(data: dict) -> dict:
    return {
        "kind": ItemKind(choice(data, "kind", KINDS)),
        "x": number(data, "x", required=True),
        "y": number(data, "y", required=True),
        "w": number(data, "w"),
        "h": number(data, "h"),
        "text": text(data, "text") or "",
        "color": text(data, "color"),
        "prompt_id": ident(data, "prompt"),
        "frame_id": ident(data, "frame"),
    }


def create(ctx: OpContext, data: dict) -> Applied:
    return Applied([items.create_item(session=ctx.session, board=ctx.board, actor_person=ctx.person,
                                      op_id=ctx.op_id, **data)])


def read_update(data: dict) -> dict:
    fields: dict[str, object] = {}
    if "text" in data:
        fields["text"] = text(data, "text", required=True)
    if "color" in data:
        fields["color"] = text(data, "color", required=True)
    for key in ("w", "h"):
        if key in data:
            fields[key] = number(data, key, required=True)
    if "frame" in data:
        fields["frame"] = ident(data, "frame")
    return {"item_id": ident(data, "item", required=True), "fields": fields}


def update(ctx: OpContext, data: dict) -> Applied:
    return Applied([items.update_item(session=ctx.session, board=ctx.board, actor_person=ctx.person,
                                      op_id=ctx.op_id, **data)])


def read_move(data: dict) -> dict:
    return {
        "item_id": ident(data, "item", required=True),
        "x": number(data, "x", required=True),
        "y": number(data, "y", required=True),
    }


def move(ctx: OpContext, data: dict) -> Applied:
    return Applied([items.move_item(session=ctx.session, board=ctx.board, actor_person=ctx.person,
                                    op_id=ctx.op_id, **data)])


def read_delete(data: dict) -> dict:
    return {"item_id": ident(data, "item", required=True)}


def delete(ctx: OpContext, data: dict) -> Applied:
    return Applied([items.delete_item(session=ctx.session, board=ctx.board, actor_person=ctx.person,
                                      op_id=ctx.op_id, **data)])


CREATE = OpSpec(stream="board", read=read_create, apply=create)
UPDATE = OpSpec(stream="board", read=read_update, apply=update)
MOVE = OpSpec(stream="board", read=read_move, apply=move)
DELETE = OpSpec(stream="board", read=read_delete, apply=delete)
