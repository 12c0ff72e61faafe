"""Meeting ops on breakout groups: `groups.create`, `groups.assign`, `groups.start`,
`groups.end` (`boards.groups`)."""

from __future__ import annotations

from boards import groups
from boards.errors import InvalidInput
from boards.items import is_id
from realtime.messages.spec import FACILITATORS, Applied, OpContext, OpSpec, choice, ident, integer, mapping


def read_create(data: dict) -> dict:
    strategy = choice(data, "strategy", groups.STRATEGIES)
    assignments = None
    raw = mapping(data, "assignments")
    if strategy == "manual":
        assignments = {}
        for key, index in (raw or {}).items():
            # JSON object keys are strings: person ids written in decimal.
            person = int(key) if isinstance(key, str) and key.isdigit() and len(key) <= 10 else None
            if person is None or not is_id(person):
                raise InvalidInput("The keys of '{field}' must be person ids", field="assignments")
            assignments[person] = integer({"assignments": index}, "assignments", required=True)
    elif raw is not None:
        raise InvalidInput("'assignments' goes with the strategy 'manual'")
    return {"strategy": strategy, "count": integer(data, "count", required=strategy != "manual"),
            "assignments": assignments}


def create(ctx: OpContext, data: dict) -> Applied:
    return Applied([groups.create_groups(session=ctx.session, meeting=ctx.meeting, actor_person=ctx.person,
                                         lang=ctx.lang, op_id=ctx.op_id, **data)])


def read_assign(data: dict) -> dict:
    return {"person_id": ident(data, "participant", required=True),
            "group_id": ident(data, "group", required=True)}


def assign(ctx: OpContext, data: dict) -> Applied:
    return Applied([groups.assign(session=ctx.session, meeting=ctx.meeting, actor_person=ctx.person,
                                  op_id=ctx.op_id, **data)])


def read_nothing(data: dict) -> dict:
    return {}


def start(ctx: OpContext, data: dict) -> Applied:
    return Applied([groups.start_groups(session=ctx.session, meeting=ctx.meeting, actor_person=ctx.person,
                                        op_id=ctx.op_id)])


def end(ctx: OpContext, data: dict) -> Applied:
    return Applied([groups.end_groups(session=ctx.session, meeting=ctx.meeting, actor_person=ctx.person,
                                      op_id=ctx.op_id)])


CREATE = OpSpec(stream="meeting", read=read_create, apply=create, roles=FACILITATORS)
ASSIGN = OpSpec(stream="meeting", read=read_assign, apply=assign, roles=FACILITATORS)
START = OpSpec(stream="meeting", read=read_nothing, apply=start, roles=FACILITATORS)
END = OpSpec(stream="meeting", read=read_nothing, apply=end, roles=FACILITATORS)
