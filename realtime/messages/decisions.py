"""Meeting ops of the record, for facilitators and secretaries: `decision.record`,
`action.add`, `action.update` (`boards.decisions`)."""

from __future__ import annotations

from boards import decisions
from boards.models import ActionStatus, DecisionMethod
from realtime.messages.spec import STAFF, Applied, OpContext, OpSpec, choice, day, id_list, ident, mapping, text

METHODS = tuple(method.value for method in DecisionMethod)
STATUSES = tuple(status.value for status in ActionStatus)


def read_decision(data: dict) -> dict:
    return {
        "text": text(data, "text", required=True),
        "method": DecisionMethod(choice(data, "method", METHODS)),
        "outcome": text(data, "outcome", required=True),
        "votes": mapping(data, "votes"),
        "item_ids": id_list(data, "items"),
    }


def record(ctx: OpContext, data: dict) -> Applied:
    return Applied([decisions.record_decision(session=ctx.session, meeting=ctx.meeting, actor_person=ctx.person,
                                              op_id=ctx.op_id, **data)])


def read_add(data: dict) -> dict:
    return {"text": text(data, "text", required=True), "owner_id": ident(data, "owner", required=True),
            "due": day(data, "due")}


def add(ctx: OpContext, data: dict) -> Applied:
    return Applied([decisions.add_action(session=ctx.session, meeting=ctx.meeting, actor_person=ctx.person,
                                         op_id=ctx.op_id, **data)])


def read_update(data: dict) -> dict:
    return {
        "action_id": ident(data, "action", required=True),
        "status": ActionStatus(choice(data, "status", STATUSES)) if "status" in data else None,
        "text": text(data, "text"),
        "owner_id": ident(data, "owner"),
        "due": day(data, "due"),
        # `"due": null` takes the due date away.
        "clear_due": "due" in data and data["due"] is None,
    }


def update(ctx: OpContext, data: dict) -> Applied:
    return Applied([decisions.update_action(session=ctx.session, meeting=ctx.meeting, actor_person=ctx.person,
                                            op_id=ctx.op_id, **data)])


RECORD = OpSpec(stream="meeting", read=read_decision, apply=record, roles=STAFF)
ACTION_ADD = OpSpec(stream="meeting", read=read_add, apply=add, roles=STAFF)
ACTION_UPDATE = OpSpec(stream="meeting", read=read_update, apply=update, roles=STAFF)
