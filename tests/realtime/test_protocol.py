"""The sans-I/O protocol of one connection: frames in, actions out; no socket, no database."""

from __future__ import annotations

import json

import pytest

from boards.models import PersonRole
from realtime.errors import Close
from realtime.frames import MAX_CLIENT_FRAME
from realtime.identity import Identity
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
from realtime.ratelimit import OPS_BURST, TokenBucket, ops_bucket

ORIGIN = "https://tavolo.example.org"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def frame(**fields) -> str:
    return json.dumps(fields, ensure_ascii=False)


def op(name="item.create", stream="board:3", op_id="o1", **data) -> str:
    data = data or {"kind": "note", "x": 1, "y": 2}
    return frame(type="op", id=op_id, stream=stream, name=name, data=data)


def opened(role=PersonRole.participant, *, lang="it", clock=None) -> Protocol:
    clock = clock or Clock()
    protocol = Protocol(meeting_id=7, server_origin=ORIGIN, clock=clock)
    [action] = protocol.receive(frame(type="hello", token="secret"))
    assert isinstance(action, Authenticate)
    protocol.authenticated(Identity(1, "Ada", 2, role, 7, lang), ops_bucket(clock))
    return protocol


def error_of(actions) -> dict:
    [action] = actions
    assert isinstance(action, Send) and action.frame["type"] == "error", action
    return action.frame


# --- hello -------------------------------------------------------------------------------


def test_hello_with_a_token_asks_for_authentication():
    protocol = Protocol(meeting_id=7, server_origin=ORIGIN)
    actions = protocol.receive(frame(type="hello", token="secret", client="bot/1", lang="en"))
    assert actions == [Authenticate(token="secret", lang="en", client="bot/1")]
    assert protocol.state == State.AUTHENTICATING
    assert protocol.lang == "en"


@pytest.mark.parametrize("first", [
    frame(type="subscribe", stream="meeting"),
    op(),
    "not json",
    json.dumps([1, 2]),
    frame(type="hello"),  # no token and no cookie
    frame(type="hello", token=12),
])
def test_anything_but_a_hello_with_credentials_closes_4401(first):
    protocol = Protocol(meeting_id=7, server_origin=ORIGIN)
    assert protocol.receive(first) == [CloseSocket(Close.UNAUTHORIZED, protocol_reason(first))]
    assert protocol.state == State.CLOSED
    assert protocol.receive(frame(type="hello", token="late")) == []


def protocol_reason(first: str) -> str:
    value = json.loads(first) if first.startswith(("{", "[")) else None
    if isinstance(value, dict) and value.get("type") == "hello":
        return "no token"
    return "the first frame must be hello"


def test_an_oversize_first_frame_closes_4401():
    protocol = Protocol(meeting_id=7, server_origin=ORIGIN)
    [action] = protocol.receive(frame(type="hello", token="x" * MAX_CLIENT_FRAME))
    assert action.code == Close.UNAUTHORIZED


def test_cookie_connections_must_come_from_our_origin():
    ours = Protocol(meeting_id=7, server_origin=ORIGIN, cookie_token="cookie", origin=ORIGIN)
    assert ours.receive(frame(type="hello")) == [Authenticate(token="cookie", lang=None, client=None)]
    theirs = Protocol(meeting_id=7, server_origin=ORIGIN, cookie_token="cookie",
                      origin="https://evil.example.com")
    [action] = theirs.receive(frame(type="hello"))
    assert action.code == Close.FORBIDDEN
    missing = Protocol(meeting_id=7, server_origin=ORIGIN, cookie_token="cookie")
    assert missing.receive(frame(type="hello"))[0].code == Close.FORBIDDEN
    # A bearer token needs no Origin check: nothing ambient is used.
    bearer = Protocol(meeting_id=7, server_origin=ORIGIN, cookie_token="cookie",
                      origin="https://evil.example.com")
    assert bearer.receive(frame(type="hello", token="t"))[0] == Authenticate("t", None, None)


def test_no_hello_in_time_closes_4401_and_a_refused_token_closes_with_its_code():
    protocol = Protocol(meeting_id=7, server_origin=ORIGIN)
    assert protocol.hello_timeout()[0].code == Close.UNAUTHORIZED
    protocol = Protocol(meeting_id=7, server_origin=ORIGIN)
    protocol.receive(frame(type="hello", token="t"))
    assert protocol.hello_timeout() == []
    assert protocol.refused(Close.FORBIDDEN, "not a member")[0].code == Close.FORBIDDEN


def test_a_second_hello_is_a_bad_request():
    error = error_of(opened().receive(frame(type="hello", token="again")))
    assert error["code"] == "bad_request" and error["id"] is None


# --- malformed and oversize frames ------------------------------------------------------


@pytest.mark.parametrize("text", ["{", "[]", "3", '"op"', frame(kind="op"), frame(type=5),
                                  frame(type="dance"), '{"type": "op", "id": 1e400}'])
def test_malformed_frames_get_bad_request_with_no_id(text):
    protocol = opened()
    error = error_of(protocol.receive(text))
    assert error["code"] == "bad_request" and error["id"] is None
    assert error["message"]
    assert protocol.state == State.OPEN


def test_oversize_frames_get_too_large_with_the_op_id_when_readable():
    protocol = opened()
    big = "x" * (MAX_CLIENT_FRAME + 1)
    error = error_of(protocol.receive(op(op_id="big-1", kind="note", x=1, y=2, text=big)))
    assert (error["code"], error["id"]) == ("too_large", "big-1")
    error = error_of(protocol.receive('{"type": "op", "id": "cut-off", "data": "' + big))
    assert (error["code"], error["id"]) == ("too_large", None)
    # Counted in bytes of UTF-8: 20,000 three-byte characters are over the limit.
    wide = op(op_id="wide", kind="note", x=1, y=2, text="€" * 22_000)
    assert len(wide) < MAX_CLIENT_FRAME < len(wide.encode())
    assert error_of(protocol.receive(wide))["code"] == "too_large"
    fits = op(op_id="fits", kind="note", x=1, y=2, text="x" * 60_000)
    assert isinstance(protocol.receive(fits)[0], ApplyOp)


# --- ops ------------------------------------------------------------------------------


def test_a_valid_op_becomes_an_apply_action():
    [action] = opened().receive(op(kind="note", x=1, y=2.5, text="Bisogni", color="blue", prompt=None))
    assert isinstance(action, ApplyOp)
    assert (action.op.id, action.stream.wire, action.stream.log) == ("o1", "board:3", "board:3")
    assert action.data["x"] == 1.0 and action.data["text"] == "Bisogni" and action.data["prompt_id"] is None


@pytest.mark.parametrize(("text", "code"), [
    (op(name="item.explode"), "bad_request"),
    (op(stream="meeting"), "bad_request"),
    (op(stream="board:abc"), "bad_request"),
    (op(kind="poster", x=1, y=1), "bad_request"),
    (op(kind="note", x="1", y=1), "bad_request"),
    (op(kind="note", x=True, y=1), "bad_request"),
    (op(kind="note", y=1), "bad_request"),
    (op(name="item.move", item=2**40, x=1, y=1), "bad_request"),
    (op(name="item.update", item=3, text=None), "bad_request"),
    (op(name="comment.add", item=3), "bad_request"),
])
def test_invalid_ops_get_their_error_with_the_op_id(text, code):
    error = error_of(opened().receive(text))
    assert (error["code"], error["id"]) == (code, "o1")


def test_op_ids_must_be_short_texts():
    for op_id in (None, 5, "", "x" * 101):
        error = error_of(opened().receive(frame(type="op", id=op_id, stream="board:3",
                                                name="item.delete", data={"item": 1})))
        assert (error["code"], error["id"]) == ("bad_request", None)


def test_observers_may_not_send_ops_but_may_send_presence():
    protocol = opened(PersonRole.observer)
    error = error_of(protocol.receive(op()))
    assert (error["code"], error["id"]) == ("forbidden", "o1")
    [action] = protocol.receive(frame(type="presence", stream="board:3", cursor={"x": 1, "y": 2},
                                      selection=[4]))
    assert action == RelayPresence(action.stream, {"x": 1, "y": 2}, [4])


def test_rate_limit_allows_bursts_of_30_and_10_per_second_sustained():
    clock = Clock()
    protocol = opened(clock=clock)
    # Ten seconds at 10 ops/s after a burst of 30: never limited.
    for index in range(30):
        assert isinstance(protocol.receive(op(op_id=f"burst-{index}"))[0], ApplyOp)
    for index in range(100):
        clock.now += 0.1
        assert isinstance(protocol.receive(op(op_id=f"steady-{index}"))[0], ApplyOp)
    # A flood is refused, and nothing is applied for the refused ops.
    answers = [protocol.receive(op(op_id=f"flood-{index}"))[0] for index in range(OPS_BURST + 10)]
    refused = [a.frame for a in answers if isinstance(a, Send)]
    assert refused and all(f["code"] == "rate_limited" and f["id"].startswith("flood-") for f in refused)
    clock.now += 1
    assert isinstance(protocol.receive(op(op_id="after"))[0], ApplyOp)


def test_the_ops_bucket_is_shared_by_a_persons_connections():
    clock = Clock()
    bucket = ops_bucket(clock)
    first, second = Protocol(meeting_id=7, server_origin=ORIGIN), Protocol(meeting_id=7, server_origin=ORIGIN)
    for protocol in (first, second):
        protocol.receive(frame(type="hello", token="t"))
        protocol.authenticated(Identity(1, "Ada", 2, PersonRole.participant, 7, "it"), bucket)
    results = [p.receive(op(op_id=f"o{i}"))[0] for i in range(OPS_BURST) for p in (first, second)]
    assert sum(isinstance(r, ApplyOp) for r in results) == OPS_BURST


# --- subscriptions and presence ---------------------------------------------------------


def test_subscribe_and_unsubscribe():
    protocol = opened()
    [action] = protocol.receive(frame(type="subscribe", stream="meeting"))
    assert action == Subscribe(action.stream, 0) and action.stream.log == "meeting:7"
    [action] = protocol.receive(frame(type="subscribe", stream="board:12", since=17))
    assert action.since == 17 and action.stream.log == "board:12"
    assert isinstance(protocol.receive(frame(type="unsubscribe", stream="board:12"))[0], Unsubscribe)
    for bad in (frame(type="subscribe", stream="boards"), frame(type="subscribe", stream="board:1", since=-1),
                frame(type="subscribe", stream="board:1", since="3"), frame(type="subscribe")):
        error = error_of(protocol.receive(bad))
        assert error["code"] == "bad_request" and error["id"] is None


def test_subscribe_floods_are_refused_with_the_stream():
    protocol = opened()
    answers = [protocol.receive(frame(type="subscribe", stream="board:1"))[0] for _ in range(200)]
    refused = [a.frame for a in answers if isinstance(a, Send)]
    assert refused and refused[0]["code"] == "rate_limited" and refused[0]["stream"] == "board:1"


def test_presence_is_validated_then_dropped_silently_when_too_frequent():
    protocol = opened()
    for bad in ({"cursor": {"x": "a", "y": 1}}, {"cursor": [1, 2]}, {"selection": "all"},
                {"selection": list(range(500))}):
        assert error_of(protocol.receive(frame(type="presence", stream="board:1", **bad)))["code"] == "bad_request"
    answers = [protocol.receive(frame(type="presence", stream="board:1", cursor={"x": 1, "y": 1}))
               for _ in range(200)]
    assert [] in answers
    assert all(a == [] or isinstance(a[0], RelayPresence) for a in answers)


def test_presence_alone_is_read_at_once_and_anything_else_is_left_untouched():
    waiting = Protocol(meeting_id=7, server_origin=ORIGIN, clock=Clock())
    cursor = frame(type="presence", stream="board:1", cursor={"x": 1, "y": 2})
    assert waiting.receive_presence(cursor) is None  # before hello: `receive` closes 4401
    protocol = opened()
    [relay] = protocol.receive_presence(cursor)
    assert isinstance(relay, RelayPresence) and relay.cursor == {"x": 1, "y": 2}
    assert error_of(protocol.receive_presence(frame(type="presence", stream="nowhere:1")))["code"] == "bad_request"
    tokens = protocol.ops_bucket.tokens
    for other in (op(), frame(type="subscribe", stream="board:1"), frame(type="hello", token="x"), "{not json",
                  # a duplicated key: the last one wins, here as everywhere else
                  '{"type": "presence", "type": "op"}'):
        assert protocol.receive_presence(other) is None, other
    assert protocol.ops_bucket.tokens == tokens
    [apply] = protocol.receive(op())
    assert isinstance(apply, ApplyOp)


def test_errors_are_written_in_the_connection_language(monkeypatch):
    from app import i18n

    class Italian:
        def gettext(self, message):
            return {"Unknown op '{name}'": "Operazione sconosciuta '{name}'"}.get(message, message)

    real = i18n.translations
    monkeypatch.setattr(i18n, "translations", lambda lang: Italian() if lang == "it" else real(lang))
    assert error_of(opened(lang="it").receive(op(name="nope")))["message"] == "Operazione sconosciuta 'nope'"
    assert error_of(opened(lang="en").receive(op(name="nope")))["message"] == "Unknown op 'nope'"


def test_token_bucket_refills_up_to_its_burst():
    clock = Clock()
    bucket = TokenBucket(rate=10, burst=3, clock=clock)
    assert [bucket.take() for _ in range(4)] == [True, True, True, False]
    clock.now += 100
    assert [bucket.take() for _ in range(4)] == [True, True, True, False]
    assert not bucket.idle()
    assert bucket.delay() == pytest.approx(0.1)
    clock.now += 0.05
    assert bucket.delay() == pytest.approx(0.05)
    clock.now += 1
    assert bucket.idle() and bucket.delay() == 0
