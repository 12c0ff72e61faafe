"""The real-time engine: protocol v1 over websockets, per-stream ordering and fan-out.

Layers, from the wire inwards (docs/protocol.md has the whole design):
- `transport`: the Starlette websocket endpoint, a reader and a writer task per socket;
- `connection`: one socket's session, performing what the protocol asks for;
- `protocol`, `frames`, `ratelimit`: the sans-I/O state machine of one connection;
- `messages/`: one module per message family, with the flat dispatch table of ops;
- `hub`, `feeds`, `sequencer`, `outbox`, `broker`, `visibility`: ordering and fan-out.
"""
