"""Message families of protocol v1, one module each, and the flat dispatch table of ops.

`hello` (authentication and welcome), `subscriptions` (snapshots and replays), `presence`
(ephemeral cursors), and the ops: on a board's stream `items`, `comments`, `voting` and the
facilitator's `boards` controls; on the meeting stream `meetings` (start, end, removal),
`prompts`, `groups`, `facilitation` (timer, summon, broadcast), `lines` and `decisions`.
"""

from __future__ import annotations

from realtime.messages import (
    boards,
    comments,
    decisions,
    facilitation,
    groups,
    items,
    lines,
    meetings,
    prompts,
    voting,
)
from realtime.messages.spec import OpSpec

OPS: dict[str, OpSpec] = {
    # board ops
    "item.create": items.CREATE,
    "item.update": items.UPDATE,
    "item.move": items.MOVE,
    "item.delete": items.DELETE,
    "comment.add": comments.ADD,
    "vote.cast": voting.CAST,
    "vote.retract": voting.RETRACT,
    "template.apply": boards.TEMPLATE,
    "voting.start": voting.START,
    "voting.end": voting.END,
    "private.start": boards.PRIVATE_START,
    "private.reveal": boards.PRIVATE_REVEAL,
    "board.lock": boards.LOCK,
    "board.unlock": boards.UNLOCK,
    # meeting ops
    "meeting.start": meetings.START,
    "meeting.end": meetings.END,
    "prompt.open": prompts.OPEN,
    "prompt.close": prompts.CLOSE,
    "groups.create": groups.CREATE,
    "groups.assign": groups.ASSIGN,
    "groups.start": groups.START,
    "groups.end": groups.END,
    "timer.start": facilitation.TIMER_START,
    "timer.stop": facilitation.TIMER_STOP,
    "summon": facilitation.SUMMON,
    "message.broadcast": facilitation.BROADCAST,
    "board.create": boards.CREATE,
    "line.promote": lines.PROMOTE,
    "participant.remove": meetings.REMOVE,
    "decision.record": decisions.RECORD,
    "action.add": decisions.ACTION_ADD,
    "action.update": decisions.ACTION_UPDATE,
}
