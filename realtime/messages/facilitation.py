"""Meeting ops that signal the room: `timer.start`, `timer.stop`, `summon`,
`message.broadcast` (`boards.facilitation`)."""

from __future__ import annotations

from boards import facilitation
from realtime.messages.spec import FACILITATORS, Applied, OpContext, OpSpec, id_list, ident, number, text


def read_timer(data: dict) -> dict:
    return {"seconds": number(data, "seconds", required=True), "label": text(data, "label")}


def start_timer(ctx: OpContext, data: dict) -> Applied:
    return Applied([facilitation.start_timer(session=ctx.session, meeting=ctx.meeting, actor_person=ctx.person,
                                             op_id=ctx.op_id, **data)])


def read_nothing(data: dict) -> dict:
    return {}


def stop_timer(ctx: OpContext, data: dict) -> Applied:
    return Applied([facilitation.stop_timer(session=ctx.session, meeting=ctx.meeting, actor_person=ctx.person,
                                            op_id=ctx.op_id)])


def read_summon(data: dict) -> dict:
    zoom = number(data, "zoom")
    return {"board_id": ident(data, "board", required=True), "x": number(data, "x", required=True),
            "y": number(data, "y", required=True), "zoom": 1.0 if zoom is None else zoom}


def summon(ctx: OpContext, data: dict) -> Applied:
    return Applied([facilitation.summon(session=ctx.session, meeting=ctx.meeting, actor_person=ctx.person,
                                        op_id=ctx.op_id, **data)])


def read_broadcast(data: dict) -> dict:
    return {"text": text(data, "text", required=True), "group_ids": id_list(data, "groups")}


def broadcast(ctx: OpContext, data: dict) -> Applied:
    return Applied([facilitation.broadcast(session=ctx.session, meeting=ctx.meeting, actor_person=ctx.person,
                                           op_id=ctx.op_id, **data)])


TIMER_START = OpSpec(stream="meeting", read=read_timer, apply=start_timer, roles=FACILITATORS)
TIMER_STOP = OpSpec(stream="meeting", read=read_nothing, apply=stop_timer, roles=FACILITATORS)
SUMMON = OpSpec(stream="meeting", read=read_summon, apply=summon, roles=FACILITATORS)
BROADCAST = OpSpec(stream="meeting", read=read_broadcast, apply=broadcast, roles=FACILITATORS)
