"""Every op × every role × own / other group, over real websockets on SQLite and PostgreSQL.

One connection per role; the participant belongs to the group of board `own` and not to the
group of board `other`. Each row of `MATRIX` sends one op per role and column and checks
the answer: `ack` or the error code. Rows run in order (votes need a running round, a
retraction a vote...); within a row the facilitator goes last, so that a change it makes
cannot decide the others' answers.
"""

from __future__ import annotations

from realtime.messages import OPS
from tests.realtime.support import Client

ROLES = ("observer", "participant", "secretary", "facilitator")

# op:variant               where    observer   participant secretary  facilitator
MATRIX = """
item.create                own      forbidden  ack         ack        ack
item.create                other    forbidden  forbidden   ack        ack
item.update                own      forbidden  ack         ack        ack
item.update                other    forbidden  forbidden   ack        ack
item.update:others         own      forbidden  forbidden   forbidden  ack
item.update:others         other    forbidden  forbidden   forbidden  ack
item.move                  own      forbidden  ack         ack        ack
item.move                  other    forbidden  forbidden   ack        ack
comment.add                own      forbidden  ack         ack        ack
comment.add                other    forbidden  forbidden   ack        ack
vote.cast:no-round         own      forbidden  locked      locked     locked
voting.start               own      forbidden  forbidden   forbidden  ack
voting.start               other    forbidden  forbidden   forbidden  ack
vote.cast                  own      forbidden  ack         ack        ack
vote.cast                  other    forbidden  forbidden   ack        ack
vote.retract               own      forbidden  ack         ack        ack
vote.retract               other    forbidden  forbidden   ack        ack
voting.end                 own      forbidden  forbidden   forbidden  ack
voting.end                 other    forbidden  forbidden   forbidden  ack
template.apply             own      forbidden  forbidden   forbidden  ack
template.apply             other    forbidden  forbidden   forbidden  ack
private.start              own      forbidden  forbidden   forbidden  ack
private.start              other    forbidden  forbidden   forbidden  ack
private.reveal             own      forbidden  forbidden   forbidden  ack
private.reveal             other    forbidden  forbidden   forbidden  ack
board.lock                 own      forbidden  forbidden   forbidden  ack
board.lock                 other    forbidden  forbidden   forbidden  ack
item.create:locked         own      forbidden  locked      locked     ack
board.unlock               own      forbidden  forbidden   forbidden  ack
board.unlock               other    forbidden  forbidden   forbidden  ack
item.delete                own      forbidden  ack         ack        ack
item.delete                other    forbidden  forbidden   ack        ack
item.delete:others         own      forbidden  forbidden   forbidden  ack
item.delete:others         other    forbidden  forbidden   forbidden  ack
meeting.start              -        forbidden  forbidden   forbidden  ack
prompt.open                -        forbidden  forbidden   forbidden  ack
prompt.close               -        forbidden  forbidden   forbidden  ack
timer.start                -        forbidden  forbidden   forbidden  ack
timer.stop                 -        forbidden  forbidden   forbidden  ack
summon                     -        forbidden  forbidden   forbidden  ack
message.broadcast          -        forbidden  forbidden   forbidden  ack
board.create               -        forbidden  forbidden   forbidden  ack
line.promote               -        forbidden  forbidden   forbidden  ack
decision.record            -        forbidden  forbidden   ack        ack
action.add                 -        forbidden  forbidden   ack        ack
action.update              -        forbidden  forbidden   ack        ack
groups.assign              -        forbidden  forbidden   forbidden  ack
groups.end                 -        forbidden  forbidden   forbidden  ack
groups.create              -        forbidden  forbidden   forbidden  ack
groups.start               -        forbidden  forbidden   forbidden  ack
participant.remove         -        forbidden  forbidden   forbidden  ack
meeting.end                -        forbidden  forbidden   forbidden  ack
item.create:after-end      plenary  forbidden  locked      locked     locked
item.move:after-end        plenary  forbidden  locked      locked     locked
comment.add:after-end      plenary  forbidden  ack         ack        ack
decision.record:after-end  -        forbidden  forbidden   ack        ack
action.update:after-end    -        forbidden  forbidden   ack        ack
"""


def rows() -> list[tuple[str, str, dict[str, str]]]:
    table = []
    for line in MATRIX.strip().splitlines():
        op, where, *answers = line.split()
        table.append((op, where, dict(zip(ROLES, answers, strict=True))))
    return table


class Bench:
    """The people, boards and ids that the rows' data refer to."""

    def __init__(self, room, boards, groups, anchors, victims, frame, extra):
        self.room, self.boards, self.groups = room, boards, groups
        # Items of the facilitator on each board, that stay; items of participants that
        # the facilitator changes and deletes (`:others`).
        self.anchors, self.victims = anchors, victims
        self.frame, self.extra = frame, extra
        self.own_items: dict[tuple[str, str], int] = {}
        self.last: dict[str, dict] = {}  # the facilitator's (or secretary's) last ack per op

    def person(self, role: str) -> int:
        return getattr(self.room, role).id

    def own_item(self, role: str, where: str) -> int:
        return self.own_items.get((role, where), self.anchors[where])

    def others_item(self, role: str, where: str) -> int:
        """An item of someone else on that board: a participant's for the facilitator, the
        facilitator's for the others."""
        return self.victims[where] if role == "facilitator" else self.anchors[where]

    def data(self, op: str, role: str, where: str) -> tuple[str, dict]:
        name, _, variant = op.partition(":")
        anchor = self.anchors.get(where)
        last = self.last
        if name == "item.create":
            return name, {"kind": "note", "x": 1, "y": 1, "text": f"{role} {where}"}
        if name in ("item.update", "item.delete"):
            item = self.others_item(role, where) if variant == "others" else self.own_item(role, where)
            return name, {"item": item, "text": "cambiata"} if name == "item.update" else {"item": item}
        if name == "item.move":
            return name, {"item": anchor, "x": 5, "y": 5}
        if name == "comment.add":
            return name, {"item": anchor, "text": f"commento di {role}"}
        if name in ("vote.cast", "vote.retract"):
            return name, {"item": anchor}
        if name == "voting.start":
            return name, {"budget": 5}
        if name == "template.apply":
            return name, {"template": "co-design-table"}
        return name, {
            "prompt.open": {"text": "Che cosa manca?"},
            "prompt.close": {"prompt": last.get("prompt.open", {}).get("prompt", {}).get("id", 1)},
            "timer.start": {"seconds": 300, "label": "Lavoro"},
            "summon": {"board": self.room.plenary, "x": 0, "y": 0, "zoom": 1},
            "message.broadcast": {"text": "Cinque minuti", "groups": [self.groups["own"]]},
            "board.create": {"title": f"Lavagna di {role}"},
            "line.promote": {"board": int(self.boards["own"].removeprefix("board:")), "frame": self.frame,
                             "title": "Accoglienza"},
            "decision.record": {"text": "Apertura serale", "method": "vote", "outcome": "approvata",
                                "votes": {"for": 5, "against": 1, "abstained": 0}, "items": [self.anchors["own"]]},
            "action.add": {"text": "Mappare gli spazi", "owner": self.room.world.organizations["public"],
                           "due": "2026-12-15"},
            "action.update": {"action": last.get("action.add", {}).get("action", {}).get("id", 1), "status": "done"},
            "groups.assign": {"participant": self.person("participant"), "group": self.groups["other"]},
            "groups.create": {"strategy": "random", "count": 2},
            "participant.remove": {"participant": self.extra},
        }.get(name, {})


async def test_every_op_for_every_role_on_own_and_other_group(live_server, room):
    other_member = room.invite("Altro gruppo")
    extra = room.invite("Da rimuovere")
    url = live_server.ws_url
    clients = {role: await Client.open(url, room.meeting, getattr(room, role).token) for role in ROLES}
    staff = clients["facilitator"]
    made = await staff.op("meeting", "groups.create", {
        "strategy": "manual", "assignments": {str(room.participant.id): 0, str(other_member.id): 1}})
    assert made["type"] == "ack", made
    own, other = made["result"]["groups"]
    assert (await staff.op("meeting", "groups.start", {}))["type"] == "ack"
    boards = {"own": f"board:{own['board']}", "other": f"board:{other['board']}", "plenary": room.board}

    async def note(client: Client, stream: str, **fields) -> int:
        answer = await client.op(stream, "item.create", {"kind": "note", "x": 0, "y": 0, **fields})
        return answer["result"]["item"]["id"]

    anchors = {where: await note(staff, stream, text="àncora") for where, stream in boards.items()}
    member = await Client.open(url, room.meeting, other_member.token)
    victims = {"own": await note(clients["participant"], boards["own"]), "other": await note(member, boards["other"])}
    await member.close()
    frame = await note(staff, boards["own"], kind="frame")
    await note(staff, boards["own"], frame=frame)
    bench = Bench(room, boards, {"own": own["id"], "other": other["id"]}, anchors, victims, frame, extra.id)

    checked = 0
    failures = []
    for op, where, expected in rows():
        stream = boards.get(where, "meeting")
        for role in ROLES:
            name, data = bench.data(op, role, where)
            answer = await clients[role].op(stream, name, data)
            got = "ack" if answer["type"] == "ack" else answer["code"]
            checked += 1
            if got != expected[role]:
                failures.append(f"{op} {where} {role}: expected {expected[role]}, got {got} {answer}")
            if answer["type"] == "ack":
                bench.last[name] = answer["result"]
                if name == "item.create" and where != "-":
                    bench.own_items[(role, where)] = answer["result"]["item"]["id"]
    assert not failures, "\n".join(failures)
    assert checked == len(rows()) * len(ROLES)
    for client in clients.values():
        await client.close()


def test_the_matrix_covers_every_op_and_only_ops():
    assert {op.partition(":")[0] for op, _where, _answers in rows()} == set(OPS)
