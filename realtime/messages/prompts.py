"""Meeting ops on guiding questions: `prompt.open`, `prompt.close` (`boards.prompts`)."""

from __future__ import annotations

from boards import prompts
from realtime.messages.spec import FACILITATORS, Applied, OpContext, OpSpec, id_list, ident, moment, text


def read_open(data: dict) -> dict:
    return {
        "text": text(data, "text", required=True),
        "group_ids": id_list(data, "groups"),
        "deadline": moment(data, "deadline"),
    }


def open_(ctx: OpContext, data: dict) -> Applied:
    return Applied([prompts.open_prompt(session=ctx.session, meeting=ctx.meeting, actor_person=ctx.person,
                                        op_id=ctx.op_id, **data)])


def read_close(data: dict) -> dict:
    return {"prompt_id": ident(data, "prompt", required=True)}


def close(ctx: OpContext, data: dict) -> Applied:
    return Applied([prompts.close_prompt(session=ctx.session, meeting=ctx.meeting, actor_person=ctx.person,
                                         op_id=ctx.op_id, **data)])


OPEN = OpSpec(stream="meeting", read=read_open, apply=open_, roles=FACILITATORS)
CLOSE = OpSpec(stream="meeting", read=read_close, apply=close, roles=FACILITATORS)
