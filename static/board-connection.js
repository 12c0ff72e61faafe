// The live board's link to the server: protocol v1 over one websocket, with no DOM.
// (Contract: ../shared/contracts/realtime-protocol.md; implementation notes: docs/protocol.md.)
//
// What it takes care of, so that static/board.js only deals with state and screen:
// - hello → welcome, then a subscription to each wanted stream, with `since` = the last seq
//   seen, so that a reconnection replays only what was missed (or gets a fresh snapshot);
// - every seq of a stream delivered once and in order: repeats are dropped, and a gap (which
//   the server promises never to leave) is mended by subscribing again;
// - ops: each has a unique id and stays in `pending` until it is acknowledged *and* its event
//   has been applied, so the screen never flickers back to the old value in between; after a
//   reconnection the unacknowledged ones are sent again with the same ids (the server answers
//   a repeat with the original ack). An op may name an item that a pending `item.create` is
//   still making (`{pending: opId}`): it waits until that item has an id.
// - reconnection by itself, with backoff, and a status for the page to show;
// - presence throttled to at most 10 frames a second.

// Waiting times before reconnecting, in ms; the last one repeats. Short at first (a server
// restart or a flaky Wi-Fi is over in a second), then slow enough not to hammer a server
// that is down.
const BACKOFF = [500, 1000, 2000, 4000, 8000, 15000];
// Presence at most every 100 ms: the contract's "about 10 Hz", smooth enough for cursors.
const PRESENCE_INTERVAL = 100;
// Close codes after which trying again cannot help: a bad or expired session (4401), or not
// (any longer) a member of this meeting (4403). The page must be reloaded.
const FINAL_CLOSES = new Set([4401, 4403]);

// A prefix unique to this page load, so that op ids never collide across tabs or reloads.
// (crypto.getRandomValues works on plain http too, unlike crypto.randomUUID.)
function randomPrefix() {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// Other modules of the room (static/facilitation.js) share the page's connection: they get it
// through whenConnected() and hear its snapshots and events through listen().
const connectionWaiters = [];
let sharedConnection = null;
export function whenConnected(fn) {
  if (sharedConnection) fn(sharedConnection);
  else connectionWaiters.push(fn);
}

export class Connection {
  constructor({ url, lang, handlers }) {
    this.url = url;
    this.lang = lang;
    this.on = handlers; // welcome, snapshot, event, synced, ack, refused, presence, error, status
    this.ws = null;
    this.status = "connecting"; // connecting | online | offline | closed
    this.me = null;
    this.streams = new Map(); // stream → {since, synced}: what we want to be subscribed to
    this.pending = new Map(); // op id → {id, stream, name, data, seq, sent}; insertion = sending order
    this.created = new Map(); // op id of an item.create → the id of the item it made
    this.prefix = randomPrefix();
    this.counter = 0;
    this.attempt = 0;
    this.retryTimer = null;
    this.presenceWaiting = null;
    this.presenceTimer = null;
    this.presenceSentAt = 0;
    this.listeners = new Set();
    sharedConnection = this;
    for (const fn of connectionWaiters.splice(0)) fn(this);
    window.addEventListener("online", () => this.reconnectNow());
    // A browser that knows it is offline says so at once; the socket may take much longer.
    window.addEventListener("offline", () => this.ws && this.ws.close());
  }

  // Hear the welcome, snapshots and events (after the board), each event with {live}.
  listen(fn) {
    this.listeners.add(fn);
  }

  tell(frame, how = {}) {
    for (const fn of this.listeners) fn(frame, how);
  }

  // --- the socket ------------------------------------------------------------------------

  connect() {
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.setStatus(this.status === "offline" ? "offline" : "connecting");
    const ws = (this.ws = new WebSocket(this.url));
    ws.addEventListener("open", () => {
      ws.send(JSON.stringify({ type: "hello", client: "tavolo-web/1", lang: this.lang }));
    });
    ws.addEventListener("message", (message) => {
      if (this.ws !== ws) return;
      let frame;
      try {
        frame = JSON.parse(message.data);
      } catch {
        return; // not ours to fix: the server only sends JSON
      }
      this.receive(frame);
    });
    ws.addEventListener("close", (closed) => {
      if (this.ws !== ws) return;
      this.ws = null;
      for (const op of this.pending.values()) op.sent = false;
      for (const stream of this.streams.values()) stream.synced = false;
      if (FINAL_CLOSES.has(closed.code)) {
        this.setStatus("closed", closed.code);
        return;
      }
      this.setStatus("offline");
      const delay = BACKOFF[Math.min(this.attempt, BACKOFF.length - 1)];
      this.attempt += 1;
      // Up to 30% more, so that a room full of browsers does not come back all at once.
      this.retryTimer = setTimeout(() => this.connect(), delay * (1 + Math.random() * 0.3));
    });
  }

  reconnectNow() {
    if (this.status === "closed") return;
    if (this.ws) return; // already connected or connecting
    this.attempt = 0;
    this.connect();
  }

  setStatus(status, code) {
    this.status = status;
    this.on.status(status, code);
  }

  sendFrame(frame) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN || !this.me) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  // --- frames from the server --------------------------------------------------------------

  receive(frame) {
    switch (frame.type) {
      case "batch":
        for (const inner of frame.frames || []) this.receive(inner);
        break;
      case "welcome":
        this.me = frame.participant;
        this.attempt = 0;
        this.setStatus("online");
        this.on.welcome(frame);
        this.tell(frame);
        for (const stream of this.streams.keys()) this.sendSubscribe(stream);
        this.flush();
        break;
      case "snapshot": {
        const stream = this.streams.get(frame.stream);
        if (!stream) break;
        stream.since = frame.seq;
        this.on.snapshot(frame);
        this.tell(frame);
        this.settle(frame.stream);
        break;
      }
      case "event":
        this.receiveEvent(frame);
        break;
      case "synced": {
        const stream = this.streams.get(frame.stream);
        if (!stream) break;
        stream.synced = true;
        this.on.synced(frame);
        break;
      }
      case "ack":
        this.receiveAck(frame);
        break;
      case "error":
        if (frame.id && this.pending.has(frame.id)) this.refuse(frame.id, frame);
        else this.on.error(frame);
        break;
      case "presence":
        if (this.streams.has(frame.stream)) this.on.presence(frame);
        break;
      default:
        break; // a newer server's frame type: clients written to v1 ignore it
    }
  }

  receiveEvent(frame) {
    const stream = this.streams.get(frame.stream);
    if (!stream) return;
    if (frame.seq <= stream.since) return; // already applied
    if (frame.seq > stream.since + 1) {
      // Never expected (the server delivers every seq in order): resynchronise, once.
      if (stream.synced) this.sendSubscribe(frame.stream);
      return;
    }
    stream.since = frame.seq;
    // Our own op's event may come before its ack: remember the seq (and the new item's id).
    const op = frame.op && this.me && frame.actor && frame.actor.participant === this.me.id
      ? this.pending.get(frame.op) : null;
    if (op) {
      op.seq = frame.seq;
      if (op.name === "item.create" && frame.data && frame.data.item) this.created.set(op.id, frame.data.item.id);
    }
    this.on.event(frame, { live: stream.synced });
    this.tell(frame, { live: stream.synced });
    this.settle(frame.stream);
    if (op) this.flush(); // ops waiting for this item's id may go now
  }

  receiveAck(frame) {
    const op = this.pending.get(frame.id);
    if (!op) return;
    op.seq = frame.seq;
    op.acked = true;
    if (op.name === "item.create" && frame.result && frame.result.item) {
      this.created.set(op.id, frame.result.item.id);
    }
    this.on.ack(op, frame);
    if (op.owner && op.owner.ack) op.owner.ack(frame);
    this.settle(op.stream);
    this.flush();
  }

  // Drop the acknowledged ops whose event the state already holds.
  settle(streamName) {
    const stream = this.streams.get(streamName);
    for (const op of [...this.pending.values()]) {
      if (!op.acked || op.stream !== streamName) continue;
      if (!stream || stream.since >= op.seq) this.pending.delete(op.id);
    }
  }

  // A refused op changed nothing, and the ops that named the item it was making never can.
  refuse(opId, frame) {
    const op = this.pending.get(opId);
    this.pending.delete(opId);
    if (op && op.owner && op.owner.refused) op.owner.refused(frame);
    else this.on.refused(op, frame);
    for (const other of [...this.pending.values()]) {
      if (other.data.item && other.data.item.pending === opId) this.refuse(other.id, frame);
    }
  }

  // --- subscriptions -------------------------------------------------------------------------

  subscribe(stream) {
    if (!this.streams.has(stream)) this.streams.set(stream, { since: 0, synced: false });
    this.sendSubscribe(stream);
  }

  unsubscribe(stream) {
    if (!this.streams.delete(stream)) return;
    this.sendFrame({ type: "unsubscribe", stream });
    // Nothing of that stream will be applied any more: its acknowledged ops are done.
    this.settle(stream);
  }

  sendSubscribe(stream) {
    const state = this.streams.get(stream);
    state.synced = false;
    const frame = { type: "subscribe", stream };
    if (state.since > 0) frame.since = state.since;
    this.sendFrame(frame);
  }

  // --- ops -----------------------------------------------------------------------------------

  // Queue an op and send it when possible; returns its id. `owner` ({ack, refused}, optional)
  // hears the answer instead of the board.
  op(stream, name, data, owner = null) {
    this.counter += 1;
    const id = `${this.prefix}-${this.counter}`;
    this.pending.set(id, { id, stream, name, data, owner, seq: null, acked: false, sent: false, everSent: false });
    this.flush();
    return id;
  }

  // Forget an op not acknowledged yet, when a later one makes it pointless (a newer move of the
  // same item; the deletion of an item never sent). If it did reach the server, its event
  // still comes and is applied as anyone else's. Returns whether it was dropped.
  drop(opId) {
    const op = this.pending.get(opId);
    if (!op || op.acked) return false;
    this.pending.delete(opId);
    return true;
  }

  // Change the data of an op that has never left this page (typing the text of a note made
  // while offline): one op instead of two. Returns whether it could.
  amend(opId, fields) {
    const op = this.pending.get(opId);
    if (!op || op.everSent) return false;
    Object.assign(op.data, fields);
    return true;
  }

  // The id an op's `item` names, once known: a number, or {pending: opId} of an item.create.
  resolve(ref) {
    if (ref && typeof ref === "object") return this.created.get(ref.pending) ?? null;
    return ref;
  }

  // Send the waiting ops in order; stop at one that names an item not made yet.
  flush() {
    if (this.status !== "online") return;
    for (const op of this.pending.values()) {
      if (op.sent || op.acked) continue;
      const data = { ...op.data };
      if ("item" in data) {
        data.item = this.resolve(data.item);
        if (data.item === null) return;
      }
      if (!this.sendFrame({ type: "op", id: op.id, stream: op.stream, name: op.name, data })) return;
      op.sent = op.everSent = true;
    }
  }

  waiting() {
    let count = 0;
    for (const op of this.pending.values()) if (!op.acked) count += 1;
    return count;
  }

  // --- presence --------------------------------------------------------------------------------

  presence(stream, cursor, selection) {
    this.presenceWaiting = { type: "presence", stream, cursor, selection };
    if (this.presenceTimer) return;
    const wait = Math.max(0, this.presenceSentAt + PRESENCE_INTERVAL - Date.now());
    this.presenceTimer = setTimeout(() => {
      this.presenceTimer = null;
      const frame = this.presenceWaiting;
      this.presenceWaiting = null;
      const state = frame && this.streams.get(frame.stream);
      // Only on a stream we are subscribed to (the server refuses the others).
      if (state && state.synced && this.sendFrame(frame)) this.presenceSentAt = Date.now();
    }, wait);
  }
}
