"""Dot voting on a board's stream: `voting.start` / `voting.end` (facilitators) and
`vote.cast` / `vote.retract` (everyone who may write on the board) — `boards.voting`.
The secret ballot is `realtime.visibility`'s."""

from __future__ import annotations

from boards import voting
from realtime.messages.spec import FACILITATORS, Applied, OpContext, OpSpec, ident, integer


def read_start(data: dict) -> dict:
    return {"budget": integer(data, "budget", required=True)}


def start(ctx: OpContext, data: dict) -> Applied:
    return Applied([voting.start_voting(session=ctx.session, board=ctx.board, actor_person=ctx.person,
                                        op_id=ctx.op_id, **data)])


def read_nothing(data: dict) -> dict:
    return {}


def end(ctx: OpContext, data: dict) -> Applied:
    return Applied([voting.end_voting(session=ctx.session, board=ctx.board, actor_person=ctx.person,
                                      op_id=ctx.op_id)])


def read_vote(data: dict) -> dict:
    return {"item_id": ident(data, "item", required=True)}


def cast(ctx: OpContext, data: dict) -> Applied:
    return Applied([voting.cast_vote(session=ctx.session, board=ctx.board, actor_person=ctx.person,
                                     op_id=ctx.op_id, **data)])


def retract(ctx: OpContext, data: dict) -> Applied:
    return Applied([voting.retract_vote(session=ctx.session, board=ctx.board, actor_person=ctx.person,
                                        op_id=ctx.op_id, **data)])


START = OpSpec(stream="board", read=read_start, apply=start, roles=FACILITATORS)
END = OpSpec(stream="board", read=read_nothing, apply=end, roles=FACILITATORS)
CAST = OpSpec(stream="board", read=read_vote, apply=cast)
RETRACT = OpSpec(stream="board", read=read_vote, apply=retract)
