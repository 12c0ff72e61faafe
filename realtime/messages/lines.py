"""Meeting op `line.promote`: a frame of notes becomes a line of work (`boards.lines`)."""

from __future__ import annotations

from boards import lines
from realtime.messages.spec import FACILITATORS, Applied, OpContext, OpSpec, ident, text


def read_promote(data: dict) -> dict:
    return {"board_id": ident(data, "board", required=True), "frame_id": ident(data, "frame", required=True),
            "title": text(data, "title", required=True)}


def promote(ctx: OpContext, data: dict) -> Applied:
    return Applied([lines.promote_line(session=ctx.session, meeting=ctx.meeting, actor_person=ctx.person,
                                       op_id=ctx.op_id, **data)])


PROMOTE = OpSpec(stream="meeting", read=read_promote, apply=promote, roles=FACILITATORS)
