"""Board op `comment.add`: a comment on an item, or an answer to one (`parent`)."""

from __future__ import annotations

from boards import comments
from realtime.messages.spec import Applied, OpContext, OpSpec, ident, text


def read_add(data: dict) -> dict:
    return {
        "item_id": ident(data, "item", required=True),
        "text": text(data, "text", required=True),
        "parent_id": ident(data, "parent"),
    }


def add(ctx: OpContext, data: dict) -> Applied:
    return Applied([comments.add_comment(session=ctx.session, board=ctx.board, actor_person=ctx.person,
                                         op_id=ctx.op_id, **data)])


ADD = OpSpec(stream="board", read=read_add, apply=add)
