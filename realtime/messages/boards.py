"""The facilitator's board controls: `board.create` (a meeting op), and on a board's stream
`template.apply`, `board.lock` / `board.unlock`, `private.start` / `private.reveal`
(`boards.board_controls`, `boards.templates`)."""

from __future__ import annotations

from boards import board_controls, templates
from realtime.messages.spec import FACILITATORS, Applied, OpContext, OpSpec, choice, text


def read_create(data: dict) -> dict:
    template = choice(data, "template", templates.TEMPLATES) if data.get("template") is not None else None
    return {"title": text(data, "title", required=True), "template": template}


def create(ctx: OpContext, data: dict) -> Applied:
    return Applied(board_controls.create_board(session=ctx.session, meeting=ctx.meeting, actor_person=ctx.person,
                                               lang=ctx.lang, op_id=ctx.op_id, **data))


def read_template(data: dict) -> dict:
    return {"template": choice(data, "template", templates.TEMPLATES)}


def apply_template(ctx: OpContext, data: dict) -> Applied:
    events = templates.apply_template(session=ctx.session, board=ctx.board, actor_person=ctx.person,
                                      lang=ctx.lang, op_id=ctx.op_id, **data)
    return Applied(events, result=templates.template_result(events))


def read_nothing(data: dict) -> dict:
    return {}


def _control(function):
    def apply(ctx: OpContext, data: dict) -> Applied:
        return Applied([function(session=ctx.session, board=ctx.board, actor_person=ctx.person, op_id=ctx.op_id)])

    return OpSpec(stream="board", read=read_nothing, apply=apply, roles=FACILITATORS)


CREATE = OpSpec(stream="meeting", read=read_create, apply=create, roles=FACILITATORS)
TEMPLATE = OpSpec(stream="board", read=read_template, apply=apply_template, roles=FACILITATORS)
LOCK = _control(board_controls.lock_board)
UNLOCK = _control(board_controls.unlock_board)
PRIVATE_START = _control(board_controls.start_private)
PRIVATE_REVEAL = _control(board_controls.reveal_private)
