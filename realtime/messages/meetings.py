"""Meeting ops of a meeting's life: `meeting.start`, `meeting.end`, `participant.remove`.

`boards.meetings_live` checks the rules and records the events.
"""

from __future__ import annotations

from boards import meetings_live
from realtime.messages.spec import FACILITATORS, Applied, OpContext, OpSpec, ident


def read_nothing(data: dict) -> dict:
    return {}


def start(ctx: OpContext, data: dict) -> Applied:
    events = meetings_live.start_meeting(session=ctx.session, meeting=ctx.meeting, actor_person=ctx.person,
                                         connected=ctx.connected, op_id=ctx.op_id)
    # Acknowledged with the seq of its last event (someone's `participant.joined`), and the
    # data of `meeting.started` as the result.
    return Applied(events, result=dict(events[0].data))


def end(ctx: OpContext, data: dict) -> Applied:
    return Applied(meetings_live.end_meeting(session=ctx.session, meeting=ctx.meeting, actor_person=ctx.person,
                                             op_id=ctx.op_id))


def read_remove(data: dict) -> dict:
    return {"person_id": ident(data, "participant", required=True)}


def remove(ctx: OpContext, data: dict) -> Applied:
    event = meetings_live.remove_participant(session=ctx.session, meeting=ctx.meeting, actor_person=ctx.person,
                                             op_id=ctx.op_id, **data)
    return Applied([event], close=(data["person_id"],))


START = OpSpec(stream="meeting", read=read_nothing, apply=start, roles=FACILITATORS)
END = OpSpec(stream="meeting", read=read_nothing, apply=end, roles=FACILITATORS)
REMOVE = OpSpec(stream="meeting", read=read_remove, apply=remove, roles=FACILITATORS)
