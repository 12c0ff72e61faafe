"""Every op × every role × own / other group, over real websockets on SQLite and PostgreSQL.

One connection per role; the participant belongs to the group of board `own` and not to the
group of board `other`; `code` (joined with the meeting's code) and `limited` (an invite
limited to this meeting) belong to no group. People outside the meeting — nobody signed in,
another process's participant or facilitator, a code or invite for another meeting — cannot
even connect, so no op of theirs is ever read (the last test). Each row of `MATRIX` sends one op per role and column and checks
the answer: `ack` or the error code. Rows run in order (votes need a running round, a
retraction a vote...); within a row the facilitator goes last, so that a change it makes
cannot decide the others' answers.
"""

from __future__ import annotations

from realtime.messages import OPS
from tests.api.support import bearer, staff_account
from tests.conftest import PASSWORD, unique
from tests.realtime.support import Client

ROLES = ("observer", "participant", "code", "limited", "secretary", "facilitator")

# op:variant               where    observer   participant code       limited    secretary  facilitator
MATRIX = """
item.create                own      forbidden  ack         forbidden  forbidden  ack        ack
item.create                other    forbidden  forbidden   forbidden  forbidden  ack        ack
item.update                own      forbidden  ack         forbidden  forbidden  ack        ack
item.update                other    forbidden  forbidden   forbidden  forbidden  ack        ack
item.update:others         own      forbidden  forbidden   forbidden  forbidden  forbidden  ack
item.update:others         other    forbidden  forbidden   forbidden  forbidden  forbidden  ack
item.move                  own      forbidden  ack         forbidden  forbidden  ack        ack
item.move                  other    forbidden  forbidden   forbidden  forbidden  ack        ack
comment.add                own      forbidden  ack         forbidden  forbidden  ack        ack
comment.add                other    forbidden  forbidden   forbidden  forbidden  ack        ack
vote.cast:no-round         own      forbidden  locked      forbidden  forbidden  locked     locked
voting.start               own      forbidden  forbidden   forbidden  forbidden  forbidden  ack
voting.start               other    forbidden  forbidden   forbidden  forbidden  forbidden  ack
vote.cast                  own      forbidden  ack         forbidden  forbidden  ack        ack
vote.cast                  other    forbidden  forbidden   forbidden  forbidden  ack        ack
vote.retract               own      forbidden  ack         forbidden  forbidden  ack        ack
vote.retract               other    forbidden  forbidden   forbidden  forbidden  ack        ack
voting.end                 own      forbidden  forbidden   forbidden  forbidden  forbidden  ack
voting.end                 other    forbidden  forbidden   forbidden  forbidden  forbidden  ack
template.apply             own      forbidden  forbidden   forbidden  forbidden  forbidden  ack
template.apply             other    forbidden  forbidden   forbidden  forbidden  forbidden  ack
private.start              own      forbidden  forbidden   forbidden  forbidden  forbidden  ack
private.start              other    forbidden  forbidden   forbidden  forbidden  forbidden  ack
private.reveal             own      forbidden  forbidden   forbidden  forbidden  forbidden  ack
private.reveal             other    forbidden  forbidden   forbidden  forbidden  forbidden  ack
board.lock                 own      forbidden  forbidden   forbidden  forbidden  forbidden  ack
board.lock                 other    forbidden  forbidden   forbidden  forbidden  forbidden  ack
item.create:locked         own      forbidden  locked      forbidden  forbidden  locked     ack
board.unlock               own      forbidden  forbidden   forbidden  forbidden  forbidden  ack
board.unlock               other    forbidden  forbidden   forbidden  forbidden  forbidden  ack
item.delete                own      forbidden  ack         forbidden  forbidden  ack        ack
item.delete                other    forbidden  forbidden   forbidden  forbidden  ack        ack
item.delete:others         own      forbidden  forbidden   forbidden  forbidden  forbidden  ack
item.delete:others         other    forbidden  forbidden   forbidden  forbidden  forbidden  ack
meeting.start              -        forbidden  forbidden   forbidden  forbidden  forbidden  ack
prompt.open                -        forbidden  forbidden   forbidden  forbidden  forbidden  ack
prompt.close               -        forbidden  forbidden   forbidden  forbidden  forbidden  ack
timer.start                -        forbidden  forbidden   forbidden  forbidden  forbidden  ack
timer.stop                 -        forbidden  forbidden   forbidden  forbidden  forbidden  ack
summon                     -        forbidden  forbidden   forbidden  forbidden  forbidden  ack
message.broadcast          -        forbidden  forbidden   forbidden  forbidden  forbidden  ack
board.create               -        forbidden  forbidden   forbidden  forbidden  forbidden  ack
line.promote               -        forbidden  forbidden   forbidden  forbidden  forbidden  ack
decision.record            -        forbidden  forbidden   forbidden  forbidden  ack        ack
action.add                 -        forbidden  forbidden   forbidden  forbidden  ack        ack
action.update              -        forbidden  forbidden   forbidden  forbidden  ack        ack
groups.assign              -        forbidden  forbidden   forbidden  forbidden  forbidden  ack
groups.end                 -        forbidden  forbidden   forbidden  forbidden  forbidden  ack
groups.create              -        forbidden  forbidden   forbidden  forbidden  forbidden  ack
groups.start               -        forbidden  forbidden   forbidden  forbidden  forbidden  ack
participant.remove         -        forbidden  forbidden   forbidden  forbidden  forbidden  ack
meeting.end                -        forbidden  forbidden   forbidden  forbidden  forbidden  ack
item.create:after-end      plenary  forbidden  locked      locked     locked     locked     locked
item.move:after-end        plenary  forbidden  locked      locked     locked     locked     locked
comment.add:after-end      plenary  forbidden  ack         ack        ack        ack        ack
decision.record:after-end  -        forbidden  forbidden   forbidden  forbidden  ack        ack
action.update:after-end    -        forbidden  forbidden   forbidden  forbidden  ack        ack
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
    tokens = {role: getattr(room, role).token for role in ("observer", "participant", "secretary", "facilitator")}
    tokens["code"] = _join_by_code(room, room.meeting)
    tokens["limited"] = _invited(room, meetings=[room.meeting])
    clients = {role: await Client.open(url, room.meeting, tokens[role]) for role in ROLES}
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


def _join_by_code(room, meeting_id: int) -> str:
    auth = room.world.facilitator.auth
    code = room.client.post(f"/api/v1/meetings/{meeting_id}/code", headers=auth).json()["code"]
    joined = room.client.post("/api/v1/join", json={"code": code, "name": unique("Ospite"),
                                                    "organization_name": unique("Ente ospite")})
    assert joined.status_code == 200, joined.text
    return joined.json()["token"]


def _invited(room, *, meetings: list[int] | None = None, process: int | None = None,
             auth: dict | None = None, organization: int | None = None) -> str:
    body = {"name": unique("Invitata"), "role": "participant",
            "organization": organization or room.world.organizations["health"]}
    if meetings:
        body["meetings"] = meetings
    invite = room.client.post(f"/api/v1/processes/{process or room.process}/invites",
                              headers=auth or room.world.facilitator.auth, json=body)
    assert invite.status_code == 201, invite.text
    return room.client.post("/api/v1/join", json={"invite": invite.json()["invite"]}).json()["token"]


async def test_people_outside_the_meeting_cannot_connect_nor_send_an_op(live_server, room, engine):
    """A hello with an op right behind it: the connection closes, the op is never applied."""
    client = room.client
    auth = room.world.facilitator.auth
    other_meeting = client.post(f"/api/v1/processes/{room.process}/meetings", headers=auth, json={
        "title": "Altro incontro", "starts_at": "2026-12-03T14:00:00Z", "mode": "online",
        "agenda": ["Uno"]}).json()["id"]
    _account, outside_facilitator = staff_account(engine, "facilitator", f"{unique('q')}@example.org",
                                                  "Facilitatrice Q", PASSWORD)
    other_process = client.post("/api/v1/processes", headers=bearer(outside_facilitator),
                                json={"title": "Percorso Q", "kind": "co-design"}).json()["id"]
    other_org = client.post(f"/api/v1/processes/{other_process}/organizations",
                            headers=bearer(outside_facilitator), json={"name": "Ente Q", "kind": "public"}).json()["id"]
    outsiders = {
        "anonymous": (None, 4401),
        "a forged token": ("not-a-token", 4401),
        "another process's participant": (
            _invited(room, process=other_process, auth=bearer(outside_facilitator), organization=other_org), 4403),
        "another process's facilitator": (outside_facilitator, 4403),
        "an invite limited to another meeting": (_invited(room, meetings=[other_meeting]), 4403),
        "the code of another meeting": (_join_by_code(room, other_meeting), 4403),
    }
    before = client.get(f"/api/v1/boards/{room.plenary}", headers=auth).json()
    failures = []
    for who, (token, code) in outsiders.items():
        connection = await Client.open(live_server.ws_url, room.meeting, hello=False)
        hello = {"type": "hello", "client": "tests/1"}
        if token:
            hello["token"] = token
        await connection.send(hello)
        await connection.send({"type": "op", "id": unique("op"), "stream": room.board, "name": "item.create",
                               "data": {"kind": "note", "x": 1, "y": 1, "text": who}})
        closed = await connection.closed()
        if closed.code != code:
            failures.append(f"{who}: closed {closed.code}, expected {code}")
        if [f["type"] for f in connection.frames if f["type"] in ("welcome", "ack", "snapshot", "event")]:
            failures.append(f"{who}: got {connection.frames}")
    assert not failures, "\n".join(failures)
    assert client.get(f"/api/v1/boards/{room.plenary}", headers=auth).json() == before


def test_the_matrix_covers_every_op_and_only_ops():
    assert {op.partition(":")[0] for op, _where, _answers in rows()} == set(OPS)
