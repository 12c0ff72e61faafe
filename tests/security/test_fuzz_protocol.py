"""Malformed, oversize and out-of-order protocol frames, fuzzed with hypothesis.

Against the sans-I/O core (`realtime.protocol`, `realtime.frames`): whatever arrives, the
answer is one of the contract's actions — an `error` frame that encodes, a close with a
documented code before `hello` — never an exception, and an open connection stays open.
Then over a real socket: a connection fed garbage answers every frame with an error (or
nothing, for dropped presence), stays open, and the board does not change.
"""

from __future__ import annotations

import json
import secrets

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from websockets.sync.client import connect

from boards.models import PersonRole
from realtime import frames
from realtime.errors import Close
from realtime.identity import Identity
from realtime.messages import OPS
from realtime.protocol import (
    ApplyOp,
    Authenticate,
    CloseSocket,
    Protocol,
    RelayPresence,
    Send,
    State,
    Subscribe,
    Unsubscribe,
)
from realtime.ratelimit import TokenBucket
from tests.api.support import bearer, build_world, client_from

ORIGIN = "https://tavolo.example.org"
MEETING = 7
# The error codes an error frame may carry (docs/protocol.md).
CODES = {"bad_request", "unauthorized", "forbidden", "not_found", "locked", "budget_exhausted",
         "rate_limited", "too_large", "internal"}
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- strategies ------------------------------------------------------------------------

scalars = (st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
           | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=40))
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner, max_size=5),
    max_leaves=20,
)
frame_types = st.sampled_from(["op", "subscribe", "unsubscribe", "presence", "hello", "batch",
                               "ack", "error", "OP", ""]) | st.text(max_size=12)
streams = (st.sampled_from(["meeting", f"meeting:{MEETING}", "board:3", "board:0", "board:-1",
                            "board:99999999999999999999", "board:", "board:3:4", "meeting:8",
                            "process:1", "Board:3", "board: 3", "board:٣"])
           | st.text(max_size=20) | json_values)
op_names = st.sampled_from(sorted(OPS)) | st.text(max_size=20) | json_values


def _dicts_with(**fields):
    """Frames with the usual fields, each either right-typed or anything, plus extras."""
    return st.fixed_dictionaries(
        {},
        optional={**fields, "extra": json_values},
    )


framelike = _dicts_with(
    type=frame_types, id=st.text(max_size=110) | json_values, stream=streams, name=op_names,
    data=json_values, since=st.integers(min_value=-5, max_value=2**70) | json_values,
    cursor=json_values, selection=json_values, token=json_values, lang=json_values,
)
deep = st.integers(min_value=1, max_value=3000).map(lambda n: "[" * n + "]" * n)
texts = (
    framelike.map(json.dumps)
    | json_values.map(json.dumps)
    | st.text(max_size=200)
    | st.binary(max_size=200)
    | deep
    | st.integers(min_value=1, max_value=3000).map(
        lambda n: '{"type": "op", "id": "d", "stream": "board:3", "name": "item.create", "data": '
        + '{"a":' * n + "1" + "}" * n + "}")
)


# --- the sans-I/O core -------------------------------------------------------------------


def opened(role: PersonRole = PersonRole.facilitator) -> Protocol:
    protocol = Protocol(meeting_id=MEETING, server_origin=ORIGIN)
    [action] = protocol.receive(json.dumps({"type": "hello", "token": "secret"}))
    assert isinstance(action, Authenticate)
    # A bucket that never runs dry: the rate limit is tested apart, here it would hide bugs.
    protocol.authenticated(Identity(1, "Ada", 2, role, MEETING, "it"),
                           TokenBucket(rate=1e9, burst=1e9))
    return protocol


def check_answer(protocol: Protocol, actions: list) -> None:
    """Every action is one the contract allows, and an error frame is well formed."""
    assert protocol.state == State.OPEN
    for action in actions:
        assert isinstance(action, Send | Subscribe | Unsubscribe | ApplyOp | RelayPresence), action
        if isinstance(action, Send):
            frame = action.frame
            assert frame["type"] == "error" and frame["code"] in CODES, frame
            assert isinstance(frame["message"], str) and frame["message"]
            assert frame["id"] is None or isinstance(frame["id"], str)
            json.loads(frames.encode(frame))


@FUZZ
@given(first=texts)
def test_before_hello_anything_is_an_authentication_or_a_documented_close(first):
    protocol = Protocol(meeting_id=MEETING, server_origin=ORIGIN, cookie_token="cookie",
                        origin="https://evil.example.com")
    actions = protocol.receive(first)
    [action] = actions
    if isinstance(action, Authenticate):
        assert isinstance(action.token, str) and action.token
        assert protocol.state == State.AUTHENTICATING
    else:
        assert isinstance(action, CloseSocket) and action.code in (Close.UNAUTHORIZED, Close.FORBIDDEN)
        assert protocol.state == State.CLOSED
        assert protocol.receive(first) == []


@FUZZ
@given(sequence=st.lists(texts, min_size=1, max_size=6))
def test_after_welcome_any_frame_gets_an_allowed_action_and_the_connection_stays_open(sequence):
    protocol = opened()
    for text in sequence:
        check_answer(protocol, protocol.receive(text))


@FUZZ
@given(role=st.sampled_from(list(PersonRole)), name=st.sampled_from(sorted(OPS)), data=json_values,
       stream=st.sampled_from(["meeting", "board:3"]))
def test_every_op_reader_refuses_bad_data_with_bad_request_and_the_op_id(role, name, data, stream):
    """Each op's data reader meets wrong types, huge numbers, nesting: it refuses cleanly."""
    protocol = opened(role)
    frame = {"type": "op", "id": "fuzz-1", "stream": stream, "name": name, "data": data}
    actions = protocol.receive(json.dumps(frame))
    check_answer(protocol, actions)
    [action] = actions
    if isinstance(action, Send):
        assert action.frame["id"] == "fuzz-1"
        assert action.frame["code"] in ("bad_request", "forbidden")
    else:
        assert isinstance(action, ApplyOp) and action.op.name == name
        assert action.stream.kind == OPS[name].stream and role in OPS[name].roles


@FUZZ
@given(data=st.dictionaries(st.sampled_from(["kind", "x", "y", "w", "h", "text", "color", "prompt",
                                             "frame", "item", "budget", "seconds", "label",
                                             "participant", "group", "groups", "count", "strategy",
                                             "assignments", "votes", "items", "due", "owner",
                                             "status", "action", "board", "zoom", "template"]),
                            st.integers(min_value=-(2**64), max_value=2**64)
                            | st.floats() | st.booleans() | st.none() | st.text(max_size=5)
                            | st.lists(st.integers(min_value=-(2**64), max_value=2**64), max_size=3)),
       name=st.sampled_from(sorted(OPS)))
def test_op_readers_called_directly_raise_only_invalid_input(data, name):
    """Below the wire too (NaN, infinities, integers beyond 64 bits): only InvalidInput."""
    from boards.errors import InvalidInput

    try:
        OPS[name].read(data)
    except InvalidInput:
        pass


def test_out_of_order_frames_get_errors_not_crashes():
    protocol = opened()
    for text in [
        json.dumps({"type": "unsubscribe", "stream": "board:3"}),  # never subscribed
        json.dumps({"type": "subscribe", "stream": "board:3", "since": 2**62}),  # from the future
        json.dumps({"type": "hello", "token": "again"}),
        json.dumps({"type": "welcome"}),
        json.dumps({"type": "ack", "id": "o1"}),
    ]:
        check_answer(protocol, protocol.receive(text))
    before = Protocol(meeting_id=MEETING, server_origin=ORIGIN)
    [close] = before.receive(json.dumps({"type": "op", "id": "o", "stream": "board:3",
                                         "name": "item.create", "data": {}}))
    assert close.code == Close.UNAUTHORIZED


# --- over a real socket ------------------------------------------------------------------


class Wire:
    """One facilitator connection to a live meeting, driven synchronously."""

    def __init__(self, ws, world, client):
        self.ws, self.world, self.client = ws, world, client
        self.meeting = world.meeting["id"]
        self.board = world.meeting["plenary_board"]
        self.ws.send(json.dumps({"type": "hello", "token": world.facilitator.token, "lang": "en"}))
        assert json.loads(self.ws.recv(timeout=10))["type"] == "welcome"
        for stream in ("meeting", f"board:{self.board}"):
            self.ws.send(json.dumps({"type": "subscribe", "stream": stream}))
            self.until(lambda f, stream=stream: f["type"] == "synced" and f["stream"] == stream)
        self.sentinels = 0

    def frames(self):
        message = self.ws.recv(timeout=10)
        frame = json.loads(message)
        return frame["frames"] if frame["type"] == "batch" else [frame]

    def until(self, predicate) -> list[dict]:
        got = []
        while True:
            for frame in self.frames():
                got.append(frame)
                if predicate(frame):
                    return got

    def answers_to(self, message: str | bytes) -> list[dict]:
        """What the server sent back for `message`, up to the error of a sentinel op after it."""
        self.ws.send(message)
        self.sentinels += 1
        sentinel = f"sentinel-{self.sentinels}"
        self.ws.send(json.dumps({"type": "op", "id": sentinel, "stream": "meeting",
                                 "name": "no.such.op", "data": {}}))
        got = self.until(lambda f: f.get("id") == sentinel)
        assert got[-1]["type"] == "error" and got[-1]["code"] == "bad_request"
        return got[:-1]


@pytest.fixture(scope="module")
def wire(app, engine, live_server):
    client = client_from(app, f"10.253.{secrets.randbelow(250)}.{secrets.randbelow(250)}")
    world = build_world(client, engine)
    with connect(f"{live_server.ws_url}/ws/meetings/{world.meeting['id']}", max_size=16 * 2**20,
                 open_timeout=10) as ws:
        yield Wire(ws, world, client)


def board_state(wire) -> dict:
    answer = wire.client.get(f"/api/v1/boards/{wire.board}", headers=bearer(wire.world.facilitator.token))
    assert answer.status_code == 200, answer.text
    meeting = wire.client.get(f"/api/v1/meetings/{wire.meeting}", headers=bearer(wire.world.facilitator.token))
    return {"board": answer.json(), "meeting": meeting.json()}


# Frames that must each get an error over the socket, whatever hypothesis adds.
HOSTILE = [
    "not json", b"\xff\xfe\x00binary", "[]", "null", "1e400", '{"type": 5}', '{"type": "dance"}',
    "[" * 5000 + "]" * 5000,
    json.dumps({"type": "op", "id": "o", "stream": "board:999999999", "name": "item.create",
                "data": {"kind": "note", "x": 1, "y": 1}}),
    json.dumps({"type": "op", "id": "o", "stream": "meeting", "name": "item.create", "data": {}}),
    json.dumps({"type": "op", "id": "x" * 101, "stream": "meeting", "name": "timer.stop"}),
    json.dumps({"type": "op", "id": "o", "stream": "BOARD", "name": "item.create",
                "data": {"kind": "note", "x": 1e308, "y": -1e308, "w": 10**30}}),
    json.dumps({"type": "op", "id": "big", "stream": "meeting", "name": "prompt.open",
                "data": {"text": "x" * (frames.MAX_CLIENT_FRAME + 1)}}),
    json.dumps({"type": "subscribe", "stream": "board:999999999"}),
    json.dumps({"type": "subscribe", "stream": "meeting:999999999"}),
    json.dumps({"type": "subscribe", "stream": "meeting", "since": -1}),
    json.dumps({"type": "hello", "token": "again"}),
    json.dumps({"type": "presence", "stream": "board:1", "cursor": {"x": "a"}}),
]


@pytest.mark.parametrize("message", HOSTILE, ids=[f"hostile-{i}" for i in range(len(HOSTILE))])
def test_a_hostile_frame_gets_an_error_and_changes_nothing(wire, message):
    before = board_state(wire)
    answers = wire.answers_to(message.replace("BOARD", f"board:{wire.board}")
                              if isinstance(message, str) else message)
    assert [a["type"] for a in answers] == ["error"], answers
    assert answers[0]["code"] in CODES
    assert board_state(wire) == before


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(message=texts)
def test_fuzzed_frames_over_a_socket_leave_it_open_and_the_board_unchanged(wire, message):
    # A frame the core would pass on as an op may be a good one (`meeting.end` needs no
    # data): those are the permission and op tests' business, not this one's.
    core = opened()
    core.meeting_id = wire.meeting
    assume(not any(isinstance(action, ApplyOp) for action in core.receive(message)))
    before = board_state(wire)
    answers = wire.answers_to(message)
    # Presence is relayed or dropped silently; a subscription to a valid stream resyncs it.
    for answer in answers:
        assert answer["type"] in ("error", "snapshot", "synced", "presence"), answer
        if answer["type"] == "error":
            assert answer["code"] in CODES
    assert board_state(wire) == before


# --- the HTTP API: any JSON body is an answer, never a crash ----------------------------

BODY_KEYS = ["title", "kind", "name", "organization", "role", "meetings", "starts_at", "mode", "agenda",
             "location", "participant", "status", "note", "text", "sources", "description", "quantity",
             "unit", "value_eur", "markdown", "email", "password", "invite", "code", "organization_name",
             "consent", "capacity", "publishable", "reason"]
bodies = json_values | st.dictionaries(st.sampled_from(BODY_KEYS), json_values | scalars, max_size=8)
WRITES = [
    ("POST", "/api/v1/processes"), ("POST", "/api/v1/processes/{process}/organizations"),
    ("POST", "/api/v1/processes/{process}/invites"), ("POST", "/api/v1/processes/{process}/meetings"),
    ("PATCH", "/api/v1/meetings/{meeting}"), ("PATCH", "/api/v1/meetings/{meeting}/attendance"),
    ("POST", "/api/v1/meetings/{meeting}/attendance"), ("PUT", "/api/v1/meetings/{meeting}/consent"),
    ("POST", "/api/v1/processes/{process}/synthesis/statements"), ("POST", "/api/v1/processes/{process}/pledges"),
    ("PUT", "/api/v1/meetings/{meeting}/minutes/draft"), ("POST", "/api/v1/join"), ("POST", "/api/v1/session"),
    ("POST", "/api/v1/processes/{process}/steering"), ("POST", "/api/v1/processes/{process}/tables"),
]


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(write=st.sampled_from(WRITES), body=bodies)
def test_any_json_body_gets_an_answer_never_a_crash(wire, write, body):
    method, url = write
    url = url.format(process=wire.world.process, meeting=wire.meeting)
    answer = wire.client.request(method, url, json=body, headers=bearer(wire.world.facilitator.token))
    assert answer.status_code < 500, answer.text[:300]
    if answer.status_code >= 400:
        assert isinstance(answer.json()["detail"], str) and answer.json()["detail"]


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(write=st.sampled_from(WRITES), raw=st.binary(max_size=100) | st.text(max_size=100).map(str.encode))
def test_a_body_that_is_not_json_gets_an_answer_never_a_crash(wire, write, raw):
    method, url = write
    url = url.format(process=wire.world.process, meeting=wire.meeting)
    answer = wire.client.request(method, url, content=raw, headers={
        **bearer(wire.world.facilitator.token), "Content-Type": "application/json"})
    assert answer.status_code < 500, answer.text[:300]
