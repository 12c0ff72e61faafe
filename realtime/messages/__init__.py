"""Message families of protocol v1, one module each, and the flat dispatch table of ops.

`hello` (authentication and welcome), `subscriptions` (snapshots and replays), `presence`
(ephemeral cursors), and the ops: `items`, `comments`. The meeting ops come with the
facilitation issue, as more entries of `OPS` from modules of their own.
"""

from __future__ import annotations

from realtime.messages import comments, items
from realtime.messages.spec import OpSpec

OPS: dict[str, OpSpec] = {
    "item.create": items.CREATE,
    "item.update": items.UPDATE,
    "item.move": items.MOVE,
    "item.delete": items.DELETE,
    "comment.add": comments.ADD,
}
