// The live board of the meeting room: sticky notes, frames and texts that everyone in the
// meeting sees and changes at once. One module of ours and no canvas library: items are
// absolutely positioned elements inside a "plane" that CSS transforms to pan and zoom, so
// that they stay real, focusable, readable DOM for keyboards and screen readers.
//
// - board-connection.js speaks the protocol (subscriptions, ops, reconnection);
// - board-list.js keeps the list view of the same items, the way in for screen readers;
// - this module holds the state (server state + our ops not yet confirmed), draws it, and
//   turns pointer and keyboard gestures into ops.
// Every text shown here comes from data attributes the server renders (templates/room.html)
// in the page's language: the catalogs stay the single source of translations.

import { Connection } from "./board-connection.js";
import { ListView } from "./board-list.js";
import { element, json } from "./dom.js";

// What new items measure, in board units (the server's defaults for item.create).
const SIZES = { note: [200, 200], frame: [800, 600], text: [300, 60] };
// New frames are grey: a quiet background for the colourful notes they hold.
const NEW_COLOR = { note: "yellow", frame: "grey", text: "white" };
const ZOOM_MIN = 0.2;
const ZOOM_MAX = 3;
// Each zoom step multiplies or divides the scale by this much (4 steps ≈ 2.4×).
const ZOOM_STEP = 1.25;
// Arrow keys move the focused item by this many board units, with Shift by the larger step.
const STEP = 10;
const BIG_STEP = 50;
// Arrow keys pan the board itself by this many screen pixels (Shift: the larger step).
const PAN_STEP = 60;
const BIG_PAN_STEP = 240;
// "[" and "]" shrink and grow the focused item by this many units: resizing without a pointer.
const SIZE_STEP = 20;
const MIN_SIZE = 40;
// A held arrow key sends one item.move once the key rests this long (ms), and at least one
// per MOVE_MAX_WAIT while it is held: others see the item travel without an op per keypress.
const MOVE_QUIET = 300;
const MOVE_MAX_WAIT = 1000;
// A press becomes a drag once the pointer has travelled this far (px): a click stays a click.
const DRAG_THRESHOLD = 4;
// The dots of the board's background are this many board units apart.
const GRID = 24;
// New items made in a row at the same spot are offset by this much, so none hides another.
const CASCADE = 24;
// Cursor colours of other people, dark enough for white names on them (WCAG AA).
const CURSOR_COLORS = ["#b71c1c", "#1b5e20", "#0d47a1", "#4a148c", "#8a3b00", "#006064", "#880e4f", "#3e4a00"];

const ICONS = "/static/vendor/bootstrap-italia/svg/sprites.svg";

function icon(name) {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("class", "icon icon-sm");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const use = document.createElementNS("http://www.w3.org/2000/svg", "use");
  use.setAttribute("href", `${ICONS}#${name}`);
  svg.append(use);
  return svg;
}

function clamp(value, low, high) {
  return Math.min(high, Math.max(low, value));
}

class Board {
  constructor(root) {
    this.root = root;
    const data = root.dataset;
    this.lang = document.documentElement.lang || "it";
    this.t = json(data.strings, {});
    // The palette, in its order: [name, label] pairs (an object's keys would come sorted).
    this.colors = Object.fromEntries(json(data.colors, []));
    this.titles = json(data.boards, {});
    const byId = (object) => new Map(Object.entries(object).map(([id, value]) => [Number(id), value]));
    // person id → {name, org}; organisation id → name: who wrote what, in words.
    this.people = byId(json(data.people, {}));
    for (const [id, [name, org]] of this.people) this.people.set(id, { name, org });
    this.organizations = byId(json(data.organizations, {}));
    this.pluralRules = new Intl.PluralRules(this.lang);
    this.meetingId = Number(data.meeting);
    this.boardId = Number(data.board);
    this.plenaryId = Number(data.plenary);

    this.me = null; // welcome.participant
    this.meeting = { state: data.meetingState, present: new Set(), groups: [], lines: new Map(), prompts: new Map() };
    this.board = this.emptyBoard();
    this.view = new Map(); // key → item as shown: server state + our pending ops + gestures
    this.elements = new Map(); // key → element on the canvas
    this.moves = new Map(); // key → {x, y} during a drag or a run of arrow keys
    this.sizes = new Map(); // key → {w, h} during a resize
    this.lastMove = new Map(); // key → id of our latest item.move op for it
    this.gesture = null; // the drag or keyboard move in progress
    this.press = null; // the pointer press in progress
    this.selected = null; // key of the focused item, whose tools are shown
    this.editing = null; // {el, textarea, original}
    this.cursors = new Map(); // participant → {name, x, y, selection}
    this.pointer = null; // our cursor in board units, for presence
    this.camera = { x: 0, y: 0, zoom: 1 };
    this.fitted = false;
    this.frameRequest = 0;

    this.ui = {
      live: root.querySelector(".board-live"),
      fallback: root.querySelector(".board-fallback"),
      viewport: root.querySelector(".board-viewport"),
      plane: root.querySelector(".board-plane"),
      cursors: root.querySelector(".board-cursors"),
      status: root.querySelector(".board-status"),
      statusText: root.querySelector(".board-status-text"),
      pending: root.querySelector(".board-pending"),
      alert: root.querySelector(".board-alert"),
      online: root.querySelector(".board-online-list"),
      zoom: root.querySelector(".board-zoom-level"),
      switcher: root.querySelector("#board-switch"),
      name: root.querySelector(".board-name"),
      create: root.querySelectorAll("[data-create]"),
      votes: root.querySelector(".board-votes"),
      summon: root.querySelector("[data-summon]"),
      back: root.querySelector(".board-back"),
      lineDialog: root.querySelector("#line-dialog"),
      ended: root.querySelector(".board-ended"),
      endedAnswer: root.querySelector(".board-ended-answer"),
      answerDialog: root.querySelector("#answer-dialog"),
    };
    this.tools = this.makeTools();
    this.list = new ListView({
      t: this.t,
      fmt: (text, values) => this.fmt(text, values),
      plural: (key, n) => this.plural(key, n),
      describe: (item) => this.describe(item),
      canChange: (item) => this.canChange(item),
      current: (key) => this.view.get(key),
      edit: (key, text) => this.saveText(key, text),
      remove: (key, how) => this.remove(key, how),
    });
  }

  emptyBoard() {
    // voting: {budget, mine: [item ids]} while a round runs; results: item id → votes.
    return { items: new Map(), locked: false, private: false, loaded: false, voting: null, results: null };
  }

  get stream() {
    return `board:${this.boardId}`;
  }

  // --- words -----------------------------------------------------------------------------------

  fmt(text, values) {
    return String(text ?? "").replace(/\{(\w+)\}/g, (whole, name) => (name in values ? values[name] : whole));
  }

  plural(key, n) {
    const text = this.t[`${key}-${this.pluralRules.select(n)}`] ?? this.t[`${key}-other`];
    return this.fmt(text, { n });
  }

  nameOf(personId) {
    const person = this.people.get(personId);
    return person ? person.name : this.t.someone;
  }

  // What people read about an item, on the canvas and in the list.
  describe(item) {
    const t = this.t;
    const kind = t[`kind-${item.kind}`] || item.kind;
    const author = this.nameOf(item.author);
    const organization = item.organization != null ? this.organizations.get(item.organization) : null;
    const by = organization ? this.fmt(t["by-org"], { author, organization }) : author;
    const text = item.redacted ? t["private-text"] : item.text || t.empty;
    const named = item.color in this.colors;
    const color = named ? this.fmt(t["color-named"], { color: this.colors[item.color] }) : "";
    // Names the item in its buttons' labels: "Edit: Servono più posti…".
    let snippet = item.redacted || !item.text ? kind : item.text;
    if (snippet.length > 40) snippet = `${snippet.slice(0, 40)}…`;
    return {
      kind, by, text, color, short: snippet,
      shortBy: organization || author,
      colorClass: named ? item.color : "custom",
      pending: item.pending ? t["not-saved"] : "",
      label: this.fmt(t["item-label"], { kind, by, text }) + (item.pending ? ` (${t["not-saved"]})` : ""),
    };
  }

  // --- permissions (the server decides; these only spare people controls that would fail) -----

  canWrite() {
    if (!this.me || this.me.role === "observer" || this.meeting.state === "ended") return false;
    return !this.board.locked || this.me.role === "facilitator";
  }

  canChange(item) {
    if (!this.canWrite() || (item.redacted && item.author !== this.me.id)) return false;
    return item.pending || item.author === this.me.id || this.me.role === "facilitator";
  }

  // Whether a guiding question addressed to `groups` (null: everyone) reaches us.
  reaches(groups) {
    if (!groups || !groups.length || this.me.role === "facilitator" || this.me.role === "secretary") return true;
    return this.meeting.groups.some((g) => groups.includes(g.id) && (g.members || []).includes(this.me.id));
  }

  // Once the meeting has ended, the board takes only answers to a question still open for
  // reflection (boards/items.py, create_item): the latest such question reaching us, if any.
  reflectionPrompt() {
    if (this.meeting.state !== "ended" || !this.me || this.me.role === "observer") return null;
    if (this.board.locked && this.me.role !== "facilitator") return null;
    const now = Date.now();
    let latest = null;
    for (const prompt of this.meeting.prompts.values()) {
      if (prompt.open === false || !prompt.deadline || Date.parse(prompt.deadline) <= now) continue;
      if (this.reaches(prompt.groups) && (!latest || prompt.id > latest.id)) latest = prompt;
    }
    return latest;
  }

  // --- start ----------------------------------------------------------------------------------

  start() {
    this.ui.live.hidden = false;
    this.ui.fallback.hidden = true;
    this.root.classList.add("is-live");
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    this.conn = new Connection({
      url: `${scheme}://${location.host}/ws/meetings/${this.meetingId}`,
      lang: this.lang,
      handlers: {
        welcome: (frame) => this.welcome(frame),
        snapshot: (frame) => this.snapshot(frame),
        event: (frame, how) => this.event(frame, how),
        synced: () => this.schedule(),
        ack: () => this.schedule(),
        refused: (op, frame) => this.refused(op, frame),
        error: (frame) => this.serverError(frame),
        presence: (frame) => this.presence(frame),
        status: (status) => this.statusChanged(status),
      },
    });
    this.conn.subscribe("meeting");
    this.conn.subscribe(this.stream);
    this.bind();
    this.applyCamera();
    this.conn.connect();
    this.render();
  }

  bind() {
    const { viewport } = this.ui;
    for (const button of this.ui.create) {
      button.addEventListener("click", () => this.createAtCentre(button.dataset.create));
    }
    this.root.querySelectorAll("[data-zoom]").forEach((button) => {
      button.addEventListener("click", () => {
        const how = button.dataset.zoom;
        if (how === "fit") this.fit();
        else this.zoomBy(how === "in" ? ZOOM_STEP : 1 / ZOOM_STEP);
      });
    });
    if (this.ui.switcher) {
      this.ui.switcher.addEventListener("change", () => this.switchBoard(Number(this.ui.switcher.value)));
    }
    if (this.ui.summon) this.ui.summon.addEventListener("click", () => this.summon());
    if (this.ui.back) {
      this.ui.back.addEventListener("click", () => {
        this.switchBoard(this.plenaryId);
        this.ui.viewport.focus({ preventScroll: true });
      });
    }
    if (this.ui.lineDialog) this.bindLineDialog();
    if (this.ui.answerDialog) this.bindAnswerDialog();
    viewport.addEventListener("pointerdown", (event) => this.pointerDown(event));
    viewport.addEventListener("pointermove", (event) => this.pointerMove(event));
    viewport.addEventListener("pointerup", (event) => this.pointerUp(event));
    viewport.addEventListener("pointercancel", (event) => this.pointerUp(event, true));
    viewport.addEventListener("pointerleave", () => {
      this.pointer = null;
      this.sendPresence();
    });
    viewport.addEventListener("dblclick", (event) => this.doubleClick(event));
    viewport.addEventListener("wheel", (event) => this.wheel(event), { passive: false });
    viewport.addEventListener("keydown", (event) => this.keyDown(event));
    viewport.addEventListener("focusin", (event) => this.focusIn(event));
    viewport.addEventListener("click", (event) => this.toolClick(event));
    // Focusing an item the browser thinks is hidden makes it scroll the viewport, which the
    // camera does instead: undo the scroll.
    viewport.addEventListener("scroll", () => {
      viewport.scrollTop = 0;
      viewport.scrollLeft = 0;
    });
  }

  // --- from the server ----------------------------------------------------------------------

  welcome(frame) {
    this.me = frame.participant;
    if (!this.people.has(this.me.id)) {
      this.people.set(this.me.id, { name: this.me.name, org: this.me.organization });
    }
    if (this.me.organization != null && this.me.organization_name) {
      this.organizations.set(this.me.organization, this.me.organization_name);
    }
    const boards = frame.streams.filter((s) => s.startsWith("board:")).map((s) => Number(s.slice(6)));
    this.updateSwitcher(boards);
    if (!boards.includes(this.boardId) && boards.length) {
      // This board is no longer ours to read (a group ended): the plenary, else the first one.
      this.switchBoard(boards.includes(this.plenaryId) ? this.plenaryId : boards[0]);
    }
    this.schedule();
  }

  snapshot(frame) {
    const state = frame.state;
    if (frame.stream === "meeting") {
      this.meeting.state = state.meeting.state;
      this.meeting.present = new Set(state.present);
      this.meeting.groups = state.groups || [];
      for (const group of this.meeting.groups) this.titles[group.board] = group.name;
      this.meeting.lines = new Map((state.lines || []).map((line) => [line.frame, line]));
      this.meeting.prompts = new Map((state.prompts || []).map((prompt) => [prompt.id, prompt]));
    } else if (frame.stream === this.stream) {
      this.board.items = new Map(state.items.map((item) => [item.id, item]));
      this.board.locked = state.locked;
      this.board.private = state.private;
      this.board.voting = state.voting ? { budget: state.voting.budget, mine: [...state.voting.my_votes] } : null;
      this.board.results = state.results ? this.resultMap(state.results) : null;
      this.board.loaded = true;
    }
    this.schedule();
  }

  event(frame, { live }) {
    const data = frame.data || {};
    const others = live && this.me && frame.actor && frame.actor.participant !== this.me.id;
    const mine = this.me && frame.actor && frame.actor.participant === this.me.id;
    if (frame.stream === "meeting") {
      this.meetingEvent(frame.name, data, live, mine);
    } else if (frame.stream === this.stream) {
      const items = this.board.items;
      const item = items.get(data.item);
      switch (frame.name) {
        case "item.created":
          items.set(data.item.id, data.item);
          if (others) this.list.noteChange("created", data.item.id);
          break;
        case "item.updated":
          if (item) items.set(item.id, { ...item, ...data.fields, version: data.version });
          if (others && item && ("text" in data.fields || "color" in data.fields)) {
            this.list.noteChange("changed", item.id);
          }
          break;
        case "item.moved":
          if (item) items.set(item.id, { ...item, x: data.x, y: data.y, version: data.version });
          break;
        case "item.deleted":
          items.delete(data.item);
          if (others && item) this.list.noteChange("deleted", item.id);
          break;
        case "private.started":
          this.board.private = true;
          break;
        case "private.revealed":
          this.board.private = false;
          for (const revealed of data.items || []) items.set(revealed.id, revealed);
          break;
        case "board.locked":
          this.board.locked = true;
          break;
        case "board.unlocked":
          this.board.locked = false;
          break;
        case "voting.started":
          this.board.voting = { budget: data.budget, mine: [] };
          this.board.results = null;
          break;
        case "voting.ended":
          this.board.voting = null;
          this.board.results = this.resultMap(data.results || []);
          break;
        case "vote.cast":
          // Others' votes reach us without their item while voting runs: only ours count here.
          if (this.board.voting && mine && data.item != null) this.board.voting.mine.push(data.item);
          break;
        case "vote.retracted":
          if (this.board.voting && mine && data.item != null) {
            const at = this.board.voting.mine.lastIndexOf(data.item);
            if (at >= 0) this.board.voting.mine.splice(at, 1);
          }
          break;
        default:
          break; // comments are not drawn on this board yet
      }
    }
    this.schedule();
  }

  meetingEvent(name, data, live, mine) {
    const meeting = this.meeting;
    if (name === "participant.joined") {
      meeting.present.add(data.participant);
      if (data.name && !this.people.has(data.participant)) {
        this.people.set(data.participant, { name: data.name, org: data.organization });
      }
    } else if (name === "participant.left") {
      meeting.present.delete(data.participant);
    } else if (name === "meeting.started") {
      meeting.state = "live";
    } else if (name === "meeting.ended") {
      meeting.state = "ended";
      meeting.present.clear();
    } else if (name === "groups.created" && this.me) {
      // A new group board to switch to, if we are in that group (staff may read them all).
      // static/facilitation.js moves participants there through the switch when groups start.
      meeting.groups = data.groups || [];
      for (const group of meeting.groups) {
        this.titles[group.board] = group.name;
        const staff = this.me.role === "facilitator" || this.me.role === "secretary";
        const mine = staff || (group.members || []).includes(this.me.id);
        if (mine) this.addBoardOption(group.board);
      }
    } else if (name === "groups.assigned" && this.me && data.participant === this.me.id) {
      const group = (meeting.groups || []).find((g) => g.id === data.group);
      if (group) this.addBoardOption(group.board);
    } else if (name === "groups.ended") {
      // Group boards stay readable by the whole meeting, for reporting back.
      for (const group of meeting.groups || []) this.addBoardOption(group.board);
    } else if (name === "board.created" && data.board) {
      this.titles[data.board.id] = data.board.title;
      this.addBoardOption(data.board.id);
    } else if (name === "summoned" && live && !mine) {
      // The facilitator calls everyone to a place (a replayed call moves nobody).
      this.summoned(data);
    } else if (name === "line.promoted" && data.line) {
      this.meeting.lines.set(data.line.frame, data.line);
    } else if (name === "prompt.opened" && data.prompt) {
      meeting.prompts.set(data.prompt.id, { ...data.prompt, open: true });
    } else if (name === "prompt.closed") {
      const prompt = meeting.prompts.get(data.prompt);
      if (prompt) prompt.open = false;
    }
  }

  summoned({ board, x, y, zoom }) {
    const readable = [...this.ui.switcher.options].some((option) => Number(option.value) === board);
    if (board !== this.boardId && readable) this.switchBoard(board);
    if (board !== this.boardId) return;
    const rect = this.ui.viewport.getBoundingClientRect();
    this.camera.zoom = clamp(zoom || 1, ZOOM_MIN, ZOOM_MAX);
    this.camera.x = rect.width / 2 - x * this.camera.zoom;
    this.camera.y = rect.height / 2 - y * this.camera.zoom;
    this.fitted = true;
    this.applyCamera();
    this.list.say(this.t.summoned);
  }

  // The facilitator calls everyone to the centre of their view, at their zoom.
  summon() {
    const rect = this.ui.viewport.getBoundingClientRect();
    const centre = this.toBoard(rect.left + rect.width / 2, rect.top + rect.height / 2);
    const data = {
      board: this.boardId, x: Math.round(centre.x), y: Math.round(centre.y),
      zoom: Math.round(this.camera.zoom * 100) / 100,
    };
    this.conn.op("meeting", "summon", data, {
      ack: () => this.list.say(this.t["summon-done"]),
      refused: (frame) => this.showAlert(this.fmt(this.t.refused, { message: frame.message || frame.code })),
    });
  }

  resultMap(results) {
    return new Map(results.map((result) => [result.item, result.votes]));
  }

  // --- dot voting on the canvas ------------------------------------------------------------------

  canVote() {
    return Boolean(this.board.voting && this.me && this.me.role !== "observer");
  }

  // Our votes for an item (all items: null): the server's, and those on their way.
  myVotes(itemId = null) {
    const voting = this.board.voting;
    if (!voting) return 0;
    let count = voting.mine.filter((id) => itemId === null || id === itemId).length;
    const since = (this.conn.streams.get(this.stream) || { since: 0 }).since;
    for (const op of this.conn.pending.values()) {
      if (op.stream !== this.stream || (op.seq != null && since >= op.seq)) continue;
      if (itemId !== null && op.data.item !== itemId) continue;
      if (op.name === "vote.cast") count += 1;
      else if (op.name === "vote.retract") count -= 1;
    }
    return Math.max(0, count);
  }

  votesLeft() {
    return this.board.voting ? Math.max(0, this.board.voting.budget - this.myVotes()) : 0;
  }

  leftWords() {
    const left = this.votesLeft();
    return left ? this.plural("votes-left", left) : this.t["votes-none"];
  }

  vote(key, cast = true) {
    const item = this.view.get(key);
    if (!item || item.kind !== "note" || item.id == null || !this.canVote()) return;
    if (cast && !this.votesLeft()) {
      this.list.say(this.t["votes-none"]);
      return;
    }
    if (!cast && !this.myVotes(item.id)) return;
    const name = this.describe(item).short;
    this.conn.op(this.stream, cast ? "vote.cast" : "vote.retract", { item: item.id }, {
      ack: () => {
        this.schedule();
        this.list.say(this.fmt(this.t[cast ? "voted" : "unvoted"], { name, left: this.leftWords() }));
      },
      refused: (frame) => {
        this.showAlert(this.fmt(this.t.refused, { message: frame.message || frame.code }));
        this.schedule();
      },
    });
    this.schedule();
  }

  renderVotes() {
    const box = this.ui.votes;
    if (!box) return;
    const words = this.canVote() ? this.leftWords() : "";
    if (box.textContent !== words) box.textContent = words;
    box.hidden = !words;
  }

  // The vote button of a note while voting runs, its count afterwards.
  drawVote(el, item, about) {
    const voting = this.canVote() && item.kind === "note" && item.id != null;
    const votes = !this.board.voting && this.board.results && item.kind === "note" ? this.board.results.get(item.id) : 0;
    let part = el._parts.vote;
    if (!voting && !votes) {
      if (part) part.hidden = true;
      el.setAttribute("aria-describedby", "board-keys-help");
      return;
    }
    if (!part) {
      part = el._parts.vote = element("div", "board-vote");
      const button = element("button", "btn btn-primary btn-xs board-vote-button");
      button.type = "button";
      button.dataset.tool = "vote";
      const mine = element("span", "board-vote-mine");
      mine.setAttribute("aria-hidden", "true");
      const result = element("span", "board-vote-result");
      part.append(button, mine, result);
      el.insertBefore(part, el._parts.handle);
    }
    part.hidden = false;
    const [button, mine, result] = part.children;
    button.hidden = !voting;
    mine.hidden = !voting;
    result.hidden = voting;
    if (voting) {
      const count = this.myVotes(item.id);
      const label = this.fmt(this.t["vote-named"], { name: about.short })
        + (count ? ` (${this.plural("my-votes", count)})` : "");
      if (button.textContent !== this.t.vote) button.textContent = this.t.vote;
      if (button.getAttribute("aria-label") !== label) button.setAttribute("aria-label", label);
      button.disabled = !this.votesLeft();
      mine.textContent = count ? "●".repeat(Math.min(count, 10)) : "";
      el.setAttribute("aria-describedby", "board-keys-help board-vote-help");
    } else {
      const words = this.plural("result-votes", votes);
      if (result.textContent !== words) result.textContent = words;
      el.setAttribute("aria-describedby", "board-keys-help");
    }
  }

  // --- after the end: what the board still takes, and why the rest is off -------------------

  renderEnded(answering) {
    const { ended, endedAnswer } = this.ui;
    if (!ended) return;
    ended.hidden = this.meeting.state !== "ended";
    const words = answering ? this.fmt(this.t["ended-answer"], { question: answering.text }) : "";
    if (endedAnswer.textContent !== words) endedAnswer.textContent = words;
    endedAnswer.hidden = !words;
    // The question stops taking answers at its deadline: look again then.
    clearTimeout(this.deadlineTimer);
    if (answering) {
      const wait = Math.min(Date.parse(answering.deadline) - Date.now() + 1000, 2 ** 31 - 1);
      this.deadlineTimer = setTimeout(() => this.schedule(), wait);
    }
  }

  // After the end a note cannot be edited once made: its text is asked for first, and the
  // note goes to the board with it, as the answer to the question.
  askAnswer(x, y) {
    const dialog = this.ui.answerDialog;
    const prompt = this.reflectionPrompt();
    if (!dialog || !prompt) return;
    const form = dialog.querySelector("form");
    const field = form.elements.text;
    dialog.querySelector(".answer-question").textContent = prompt.text;
    dialog.dataset.prompt = String(prompt.id);
    this.answerAt = { x: Math.round(x), y: Math.round(y) };
    field.value = "";
    field.removeAttribute("aria-invalid");
    dialog.querySelector(".line-error").hidden = true;
    dialog.showModal();
    field.focus();
  }

  bindAnswerDialog() {
    const dialog = this.ui.answerDialog;
    const form = dialog.querySelector("form");
    const error = dialog.querySelector(".line-error");
    dialog.querySelector("[data-close]").addEventListener("click", () => dialog.close());
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const field = form.elements.text;
      const text = field.value.trim();
      if (!text) {
        field.setAttribute("aria-invalid", "true");
        error.textContent = this.t["answer-needed"];
        error.hidden = false;
        field.focus();
        return;
      }
      const [w, h] = SIZES.note;
      const { x, y } = this.answerAt;
      const data = { kind: "note", x, y, w, h, color: NEW_COLOR.note, text, prompt: Number(dialog.dataset.prompt) };
      const frame = this.frameAt(x + w / 2, y + h / 2);
      if (frame && frame.id != null) data.frame = frame.id;
      this.conn.op(this.stream, "item.create", data, {
        ack: () => {
          dialog.close();
          this.list.say(this.t["answer-done"]);
          this.schedule();
        },
        refused: (frame) => {
          error.textContent = frame.message || frame.code;
          error.hidden = false;
          this.schedule();
        },
      });
      this.schedule();
    });
  }

  // --- lines of work: a frame promoted (facilitators) -----------------------------------------

  bindLineDialog() {
    const dialog = this.ui.lineDialog;
    const form = dialog.querySelector("form");
    const error = dialog.querySelector(".line-error");
    dialog.querySelector("[data-close]").addEventListener("click", () => dialog.close());
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const field = form.elements.title;
      const title = field.value.trim();
      const frame = Number(dialog.dataset.frame);
      if (!title) {
        field.setAttribute("aria-invalid", "true");
        error.textContent = field.validationMessage || this.t["title-needed"];
        error.hidden = false;
        field.focus();
        return;
      }
      this.conn.op("meeting", "line.promote", { board: this.boardId, frame, title }, {
        ack: () => {
          dialog.close();
          this.list.say(this.fmt(this.t.promoted, { title }));
        },
        refused: (frame) => {
          error.textContent = frame.message || frame.code;
          error.hidden = false;
        },
      });
    });
  }

  promote(key) {
    const item = this.view.get(key);
    const dialog = this.ui.lineDialog;
    if (!dialog || !item || item.kind !== "frame" || item.id == null) return;
    const field = dialog.querySelector("form").elements.title;
    dialog.dataset.frame = String(item.id);
    field.value = item.text || "";
    field.removeAttribute("aria-invalid");
    dialog.querySelector(".line-error").hidden = true;
    dialog.showModal();
    field.select();
  }

  refused(op, frame) {
    this.showAlert(this.fmt(this.t.refused, { message: frame.message || frame.code }));
    if (op && op.name === "item.move") {
      for (const [key, id] of this.lastMove) if (id === op.id) this.lastMove.delete(key);
    }
    this.schedule();
  }

  serverError(frame) {
    const refused = frame.code === "forbidden" || frame.code === "not_found";
    if (frame.stream === this.stream && refused && this.boardId !== this.plenaryId) {
      this.switchBoard(this.plenaryId);
    }
    this.showAlert(frame.message || frame.code);
  }

  presence(frame) {
    if (frame.stream !== this.stream || !this.me || frame.participant === this.me.id) return;
    // Someone whose pointer is off the board may still have an item selected; with neither
    // (as when their connection leaves the board) they are gone from it.
    const selection = frame.selection || [];
    if (frame.cursor || selection.length) {
      this.cursors.set(frame.participant, { name: frame.name, cursor: frame.cursor, selection });
    } else {
      this.cursors.delete(frame.participant);
    }
    if (frame.name && !this.people.has(frame.participant)) {
      this.people.set(frame.participant, { name: frame.name, org: null });
    }
    this.renderCursors();
    this.renderSelections();
    this.renderOnline();
  }

  statusChanged(status) {
    if (status !== "online") {
      // Nobody's cursor is known while we cannot hear from the server.
      this.cursors.clear();
      this.renderCursors();
      this.renderSelections();
    } else {
      this.hideAlert();
    }
    this.renderStatus();
    this.renderOnline();
  }

  // --- the state shown ------------------------------------------------------------------------

  // The key of the item an op names: its id, or "op:<id>" of the item.create still making it.
  keyOf(ref) {
    if (ref && typeof ref === "object") {
      const id = this.conn.created.get(ref.pending);
      return id != null ? String(id) : `op:${ref.pending}`;
    }
    return String(ref);
  }

  refOf(key) {
    if (!key.startsWith("op:")) return Number(key);
    const opId = key.slice(3);
    const id = this.conn.created.get(opId);
    return id != null ? id : { pending: opId };
  }

  // Server state, then our ops not confirmed yet, then the gesture in progress.
  computeView() {
    const view = new Map();
    for (const item of this.board.items.values()) view.set(String(item.id), { ...item, key: String(item.id) });
    for (const op of this.conn.pending.values()) {
      if (op.stream !== this.stream) continue;
      const data = op.data;
      if (op.name === "item.create") {
        // Shown as we asked for it until the server's item is in the state (the ack, with
        // its id, may come before the event).
        const id = this.conn.created.get(op.id);
        if (id != null && this.board.items.has(id)) continue;
        const key = id != null ? String(id) : `op:${op.id}`;
        const [w, h] = SIZES[data.kind];
        view.set(key, {
          id: null, key, kind: data.kind, x: data.x, y: data.y, w: data.w ?? w, h: data.h ?? h,
          text: data.text || "", color: data.color || "yellow", author: this.me.id,
          organization: this.me.organization, frame: data.frame ?? null, pending: true,
        });
        continue;
      }
      const key = this.keyOf(data.item);
      const item = view.get(key);
      if (!item) continue;
      if (op.name === "item.delete") view.delete(key);
      else if (op.name === "item.move") view.set(key, { ...item, x: data.x, y: data.y });
      else if (op.name === "item.update") {
        const { item: _ref, ...fields } = data;
        view.set(key, { ...item, ...fields });
      }
    }
    for (const [key, position] of this.moves) if (view.has(key)) view.set(key, { ...view.get(key), ...position });
    for (const [key, size] of this.sizes) if (view.has(key)) view.set(key, { ...view.get(key), ...size });
    return view;
  }

  schedule() {
    if (this.frameRequest) return;
    this.frameRequest = requestAnimationFrame(() => {
      this.frameRequest = 0;
      this.render();
    });
  }

  render({ list = true } = {}) {
    this.view = this.computeView();
    this.renderItems();
    this.renderSelections();
    if (list) this.list.render([...this.view.values()]);
    this.renderStatus();
    this.renderOnline();
    const answering = this.canWrite() ? null : this.reflectionPrompt();
    for (const button of this.ui.create) {
      button.disabled = !this.canWrite() && !(answering && button.dataset.create === "note");
    }
    // Calling everyone somewhere is for a meeting in progress (or not started).
    if (this.ui.summon) this.ui.summon.disabled = this.meeting.state === "ended";
    this.renderEnded(answering);
    this.renderVotes();
    if (this.ui.back) this.ui.back.hidden = this.boardId === this.plenaryId;
    if (this.board.loaded && !this.fitted) {
      this.fitted = true;
      this.fit();
    }
  }

  // --- drawing the items ---------------------------------------------------------------------

  renderItems() {
    const { plane } = this.ui;
    // An item we made keeps its element (and the focus) when the server gives it its id.
    for (const [key, el] of [...this.elements]) {
      if (!key.startsWith("op:")) continue;
      const id = this.conn.created.get(key.slice(3));
      if (id == null || this.elements.has(String(id))) continue;
      this.elements.delete(key);
      this.elements.set(String(id), el);
      el.dataset.key = String(id);
      if (this.selected === key) this.selected = String(id);
    }
    for (const item of this.view.values()) {
      let el = this.elements.get(item.key);
      if (!el) {
        el = this.makeItem(item);
        this.elements.set(item.key, el);
        // Frames first, so that they lie under the notes and come first in Tab order.
        const firstOther = item.kind === "frame" ? plane.querySelector(".board-item:not(.board-frame)") : null;
        plane.insertBefore(el, firstOther);
      }
      this.drawItem(el, item);
    }
    for (const [key, el] of [...this.elements]) {
      if (this.view.has(key)) continue;
      const hadFocus = el.contains(document.activeElement);
      if (this.editing && this.editing.el === el) this.editing = null;
      el.remove();
      this.elements.delete(key);
      if (this.selected === key) this.selected = null;
      if (hadFocus) this.ui.viewport.focus({ preventScroll: true });
    }
  }

  makeItem(item) {
    const el = element("div", "board-item");
    el.dataset.key = item.key;
    el.tabIndex = 0;
    el.setAttribute("role", "group");
    el.setAttribute("aria-describedby", "board-keys-help");
    const text = element("p", "board-item-text");
    const meta = element("p", "board-item-meta");
    meta.setAttribute("aria-hidden", "true");
    const handle = element("span", "board-resize");
    handle.setAttribute("aria-hidden", "true");
    el.append(text, meta, handle);
    el._parts = { text, meta, handle };
    return el;
  }

  drawItem(el, item) {
    const about = this.describe(item);
    const classes = ["board-item", `board-${item.kind}`, `color-${about.colorClass}`];
    if (item.pending) classes.push("is-pending");
    if (item.redacted) classes.push("is-redacted");
    if (this.selected === item.key) classes.push("is-selected");
    if (this.moves.has(item.key) || this.sizes.has(item.key)) classes.push("is-moving");
    if (this.editing && this.editing.el === el) classes.push("is-editing");
    const className = classes.join(" ");
    if (el.className !== className) el.className = className;
    if (about.colorClass === "custom") el.style.setProperty("--item-color", item.color);
    else el.style.removeProperty("--item-color");
    el.style.left = `${item.x}px`;
    el.style.top = `${item.y}px`;
    el.style.width = `${item.w}px`;
    el.style.height = `${item.h}px`;
    el.setAttribute("aria-roledescription", about.kind);
    el.setAttribute("aria-label", about.label);
    const { text, meta, handle } = el._parts;
    const shown = item.redacted ? this.t["private-short"] : item.text;
    if (text.textContent !== shown) text.textContent = shown;
    const metaText = item.pending ? about.pending : item.kind === "note" ? about.shortBy : "";
    if (meta.textContent !== metaText) meta.textContent = metaText;
    handle.hidden = !this.canChange(item);
    this.drawVote(el, item, about);
    this.drawLine(el, item);
    if (this.selected === item.key) this.placeTools(el, item);
  }

  // A frame promoted to a line of work says so.
  drawLine(el, item) {
    const line = item.kind === "frame" && item.id != null ? this.meeting.lines.get(item.id) : null;
    let badge = el._parts.line;
    if (!line) {
      if (badge) badge.hidden = true;
      return;
    }
    if (!badge) {
      badge = el._parts.line = element("p", "board-line-badge");
      el.insertBefore(badge, el._parts.meta);
    }
    badge.hidden = false;
    const words = this.fmt(this.t["line-named"], { title: line.title });
    if (badge.textContent !== words) badge.textContent = words;
    el.setAttribute("aria-label", `${this.describe(item).label} (${words})`);
  }

  // --- the tools of the selected item (edit, colour, delete) ---------------------------------

  makeTools() {
    const tools = element("div", "board-item-tools");
    tools.setAttribute("role", "group");
    const edit = element("button", "board-tool");
    edit.type = "button";
    edit.dataset.tool = "edit";
    edit.setAttribute("aria-label", this.t["edit-text"]);
    edit.append(icon("it-pencil"));
    tools.append(edit);
    for (const [name, label] of Object.entries(this.colors)) {
      const swatch = element("button", `board-tool board-tool-color color-${name}`);
      swatch.type = "button";
      swatch.dataset.tool = "color";
      swatch.dataset.color = name;
      swatch.setAttribute("aria-label", this.fmt(this.t["color-named"], { color: label }));
      tools.append(swatch);
    }
    if (this.ui.lineDialog) {
      const promote = element("button", "board-tool");
      promote.type = "button";
      promote.dataset.tool = "promote";
      promote.setAttribute("aria-label", this.t.promote);
      promote.append(icon("it-flag"));
      tools.append(promote);
    }
    const remove = element("button", "board-tool board-tool-delete");
    remove.type = "button";
    remove.dataset.tool = "delete";
    remove.setAttribute("aria-label", this.t.delete);
    remove.append(icon("it-delete"));
    tools.append(remove);
    return tools;
  }

  placeTools(el, item) {
    const tools = this.tools;
    if (!this.canChange(item) || (this.editing && this.editing.el === el)) {
      if (tools.isConnected) tools.remove();
      return;
    }
    if (tools.parentNode !== el) el.append(tools);
    tools.setAttribute("aria-label", this.fmt(this.t.tools, { kind: this.describe(item).kind }));
    tools.querySelector("[data-tool=edit]").hidden = Boolean(item.redacted);
    const promote = tools.querySelector("[data-tool=promote]");
    if (promote) promote.hidden = item.kind !== "frame" || item.id == null || this.meeting.lines.has(item.id);
    for (const swatch of tools.querySelectorAll("[data-color]")) {
      swatch.setAttribute("aria-pressed", String(swatch.dataset.color === item.color));
    }
    // The tools keep their size whatever the zoom.
    tools.style.transform = `scale(${1 / this.camera.zoom})`;
    this.keepToolsInView();
  }

  // Tools that would stick out of the board's window go to the item's other side.
  keepToolsInView() {
    const tools = this.tools;
    if (!tools.isConnected || tools.parentNode.classList.contains("board-frame")) return;
    tools.classList.remove("to-left", "below");
    const box = tools.getBoundingClientRect();
    const view = this.ui.viewport.getBoundingClientRect();
    if (box.right > view.right) tools.classList.add("to-left");
    if (box.top < view.top) tools.classList.add("below");
  }

  toolClick(event) {
    const button = event.target.closest("[data-tool]");
    if (!button) return;
    const key = button.closest(".board-item").dataset.key;
    const tool = button.dataset.tool;
    if (tool === "edit") this.startEdit(key);
    else if (tool === "delete") this.remove(key, { from: "canvas" });
    else if (tool === "color") this.update(key, { color: button.dataset.color });
    else if (tool === "vote") this.vote(key);
    else if (tool === "promote") this.promote(key);
  }

  select(key) {
    if (this.selected === key) return;
    const previous = this.selected && this.elements.get(this.selected);
    this.selected = key;
    if (previous) previous.classList.remove("is-selected");
    if (!key && this.tools.isConnected) this.tools.remove();
    this.sendPresence();
    this.renderItems();
  }

  // --- ops ----------------------------------------------------------------------------------

  create(kind, x, y, { edit = true } = {}) {
    if (!this.canWrite()) {
      if (kind === "note" && this.reflectionPrompt()) this.askAnswer(x, y);
      return;
    }
    this.commitMove(); // ops leave in the order they were made
    const [w, h] = SIZES[kind];
    const data = { kind, x: Math.round(x), y: Math.round(y), w, h, color: NEW_COLOR[kind] };
    if (kind !== "frame") {
      const frame = this.frameAt(x + w / 2, y + h / 2);
      if (frame && frame.id != null) data.frame = frame.id;
    }
    // New notes answer the open guiding question (set by static/facilitation.js).
    if (kind === "note" && this.root.dataset.prompt) data.prompt = Number(this.root.dataset.prompt);
    const opId = this.conn.op(this.stream, "item.create", data);
    this.render();
    const key = `op:${opId}`;
    const el = this.elements.get(key);
    if (!el) return;
    el.focus({ preventScroll: true });
    this.ensureVisible(key);
    if (edit) this.startEdit(key);
  }

  createAtCentre(kind) {
    const rect = this.ui.viewport.getBoundingClientRect();
    const centre = this.toBoard(rect.left + rect.width / 2, rect.top + rect.height / 2);
    const [w, h] = SIZES[kind];
    let x = Math.round(centre.x - w / 2);
    let y = Math.round(centre.y - h / 2);
    const items = [...this.view.values()];
    if (kind === "frame" && items.length) {
      // A frame is large: beside everything already there, rather than over it.
      x = Math.max(...items.map((item) => item.x + item.w)) + 2 * CASCADE;
      y = Math.min(...items.map((item) => item.y));
    }
    const taken = () => items.some((item) => Math.abs(item.x - x) < 4 && Math.abs(item.y - y) < 4);
    for (let tries = 0; tries < 50 && taken(); tries += 1) {
      x += CASCADE;
      y += CASCADE;
    }
    this.create(kind, x, y);
  }

  update(key, fields) {
    this.commitMove();
    const item = this.view.get(key);
    if (!item || !this.canChange(item)) return;
    // An item made while offline and never sent: its create op carries the change.
    if (!(key.startsWith("op:") && this.conn.amend(key.slice(3), fields))) {
      this.conn.op(this.stream, "item.update", { item: this.refOf(key), ...fields });
    }
    this.schedule();
  }

  saveText(key, text) {
    const item = this.view.get(key);
    if (item && item.text !== text) this.update(key, { text });
  }

  remove(key, { from } = {}) {
    this.commitMove();
    const item = this.view.get(key);
    if (!item || !this.canChange(item)) return;
    const el = this.elements.get(key);
    const next = el && this.neighbour(el);
    const hadFocus = el && el.contains(document.activeElement);
    if (this.editing && this.editing.el === el) this.finishEdit(false);
    const opId = key.startsWith("op:") ? key.slice(3) : null;
    if (!(opId && this.conn.pending.get(opId) && !this.conn.pending.get(opId).everSent && this.dropMade(opId))) {
      this.conn.op(this.stream, "item.delete", { item: this.refOf(key) });
    }
    this.render();
    this.list.say(this.fmt(this.t.removed, { kind: this.describe(item).kind }));
    if (hadFocus || from === "canvas") (next || this.ui.viewport).focus({ preventScroll: true });
    if (from === "list") {
      const heading = document.getElementById("board-list-title");
      if (heading && !document.getElementById("board-list").contains(document.activeElement)) {
        heading.tabIndex = -1;
        heading.focus();
      }
    }
  }

  // An item that never left this page: forget it and everything we asked of it.
  dropMade(opId) {
    if (!this.conn.drop(opId)) return false;
    for (const op of [...this.conn.pending.values()]) {
      if (op.data.item && op.data.item.pending === opId) this.conn.drop(op.id);
    }
    return true;
  }

  neighbour(el) {
    const items = [...this.ui.plane.querySelectorAll(".board-item")];
    const index = items.indexOf(el);
    return items[index + 1] || items[index - 1] || null;
  }

  queueMove(key, position) {
    const previous = this.lastMove.get(key);
    if (previous) this.conn.drop(previous); // the newer position is all that matters
    const data = { item: this.refOf(key), x: Math.round(position.x), y: Math.round(position.y) };
    const opId = this.conn.op(this.stream, "item.move", data);
    this.lastMove.set(key, opId);
  }

  // --- moving: drags and arrow keys ------------------------------------------------------------

  // A frame takes the items inside it along.
  followers(key) {
    const item = this.view.get(key);
    if (!item || item.kind !== "frame") return [key];
    const inside = [...this.view.values()].filter((other) => other.kind !== "frame" && other.key !== key
      && other.x + other.w / 2 >= item.x && other.x + other.w / 2 <= item.x + item.w
      && other.y + other.h / 2 >= item.y && other.y + other.h / 2 <= item.y + item.h);
    return [key, ...inside.map((other) => other.key)];
  }

  beginMove(key) {
    const keys = this.followers(key);
    const base = new Map(keys.map((k) => [k, { x: this.view.get(k).x, y: this.view.get(k).y }]));
    this.gesture = { lead: key, keys, base, dx: 0, dy: 0, started: Date.now(), timer: 0 };
  }

  moveTo(dx, dy) {
    const gesture = this.gesture;
    gesture.dx = dx;
    gesture.dy = dy;
    for (const [key, base] of gesture.base) {
      this.moves.set(key, { x: Math.round(base.x + dx), y: Math.round(base.y + dy) });
    }
    this.render({ list: false });
  }

  commitMove() {
    const gesture = this.gesture;
    if (!gesture) return;
    clearTimeout(gesture.timer);
    this.gesture = null;
    if (gesture.dx || gesture.dy) {
      for (const key of gesture.keys) {
        const position = this.moves.get(key);
        if (position) this.queueMove(key, position);
      }
    }
    for (const key of gesture.keys) this.moves.delete(key);
    this.render();
    this.refile(gesture.lead);
  }

  // Moved into (or out of) a frame: say so in the item's `frame`, when we may change it.
  refile(key) {
    const item = this.view.get(key);
    if (!item || item.kind === "frame" || !this.canChange(item)) return;
    const frame = this.frameAt(item.x + item.w / 2, item.y + item.h / 2);
    if (frame && frame.id == null) return; // a frame not saved yet has no id to name
    const frameId = frame ? frame.id : null;
    if ((item.frame ?? null) !== frameId) this.update(key, { frame: frameId });
  }

  frameAt(x, y) {
    let best = null;
    for (const item of this.view.values()) {
      if (item.kind !== "frame") continue;
      const inside = x >= item.x && x <= item.x + item.w && y >= item.y && y <= item.y + item.h;
      if (inside && (!best || item.w * item.h < best.w * best.h)) best = item;
    }
    return best;
  }

  nudge(key, dx, dy) {
    if (!this.canWrite()) return;
    if (this.gesture && this.gesture.lead !== key) this.commitMove();
    if (!this.gesture) this.beginMove(key);
    const gesture = this.gesture;
    this.moveTo(gesture.dx + dx, gesture.dy + dy);
    this.ensureVisible(key);
    clearTimeout(gesture.timer);
    if (Date.now() - gesture.started >= MOVE_MAX_WAIT) this.commitMove();
    else gesture.timer = setTimeout(() => this.commitMove(), MOVE_QUIET);
  }

  resizeBy(key, dw, dh) {
    const item = this.view.get(key);
    if (!item || !this.canChange(item)) return;
    this.update(key, { w: Math.max(MIN_SIZE, item.w + dw), h: Math.max(MIN_SIZE, item.h + dh) });
  }

  // --- editing text ------------------------------------------------------------------------------

  startEdit(key) {
    const item = this.view.get(key);
    const el = this.elements.get(key);
    if (!item || !el || !this.canChange(item) || item.redacted) return;
    if (this.editing) this.finishEdit(true);
    this.commitMove();
    const textarea = element("textarea", "board-editor");
    textarea.value = item.text || "";
    textarea.maxLength = 2000;
    textarea.setAttribute("aria-label", this.fmt(this.t["text-of"], { kind: this.describe(item).kind }));
    textarea.addEventListener("keydown", (event) => {
      event.stopPropagation(); // arrows, Delete and + are for the text here
      const done = event.key === "Escape" || (event.key === "Enter" && (event.ctrlKey || event.metaKey));
      if (!done) return;
      event.preventDefault();
      this.finishEdit(true);
      el.focus({ preventScroll: true });
    });
    textarea.addEventListener("blur", () => {
      if (this.editing && this.editing.textarea === textarea) this.finishEdit(true);
    });
    this.editing = { el, textarea, original: item.text || "" };
    if (this.tools.parentNode === el) this.tools.remove();
    el.classList.add("is-editing");
    el.append(textarea);
    textarea.focus({ preventScroll: true });
    textarea.setSelectionRange(textarea.value.length, textarea.value.length);
  }

  finishEdit(save) {
    const editing = this.editing;
    if (!editing) return;
    this.editing = null;
    editing.textarea.remove();
    editing.el.classList.remove("is-editing");
    const value = editing.textarea.value;
    if (save && value !== editing.original) this.saveText(editing.el.dataset.key, value);
    this.render();
  }

  // --- pointer ------------------------------------------------------------------------------------

  toBoard(clientX, clientY) {
    const rect = this.ui.viewport.getBoundingClientRect();
    const { x, y, zoom } = this.camera;
    return { x: (clientX - rect.left - x) / zoom, y: (clientY - rect.top - y) / zoom };
  }

  pointerDown(event) {
    if (event.button !== 0 || event.target.closest(".board-item-tools, .board-editor, .board-vote")) return;
    const el = event.target.closest(".board-item");
    const press = { id: event.pointerId, startX: event.clientX, startY: event.clientY, moved: false };
    if (el && event.target.classList.contains("board-resize")) {
      const item = this.view.get(el.dataset.key);
      Object.assign(press, { kind: "resize", key: el.dataset.key, w: item.w, h: item.h });
    } else if (el) {
      Object.assign(press, { kind: "item", key: el.dataset.key });
    } else {
      Object.assign(press, { kind: "pan", x: this.camera.x, y: this.camera.y });
    }
    this.press = press;
    this.ui.viewport.setPointerCapture(event.pointerId);
  }

  pointerMove(event) {
    this.pointer = this.toBoard(event.clientX, event.clientY);
    this.sendPresence();
    const press = this.press;
    if (!press || press.id !== event.pointerId) return;
    const dx = event.clientX - press.startX;
    const dy = event.clientY - press.startY;
    if (!press.moved && Math.hypot(dx, dy) < DRAG_THRESHOLD) return;
    const zoom = this.camera.zoom;
    if (press.kind === "pan") {
      press.moved = true;
      this.camera.x = press.x + dx;
      this.camera.y = press.y + dy;
      this.applyCamera();
    } else if (press.kind === "item") {
      if (!this.canWrite() || (this.editing && this.editing.el.dataset.key === press.key)) return;
      if (!press.moved) {
        press.moved = true;
        this.commitMove();
        this.beginMove(press.key);
      }
      this.moveTo(dx / zoom, dy / zoom);
    } else if (press.kind === "resize") {
      press.moved = true;
      this.sizes.set(press.key, {
        w: Math.round(Math.max(MIN_SIZE, press.w + dx / zoom)),
        h: Math.round(Math.max(MIN_SIZE, press.h + dy / zoom)),
      });
      this.render({ list: false });
    }
  }

  pointerUp(event, cancelled = false) {
    const press = this.press;
    if (!press || press.id !== event.pointerId) return;
    this.press = null;
    if (press.kind === "item" && press.moved) {
      if (cancelled) {
        for (const key of this.gesture ? this.gesture.keys : []) this.moves.delete(key);
        this.gesture = null;
        this.render();
      } else {
        this.commitMove();
      }
    } else if (press.kind === "resize" && press.moved) {
      const size = this.sizes.get(press.key);
      this.sizes.delete(press.key);
      if (size && !cancelled) this.update(press.key, size);
      this.render();
    } else if (press.kind === "pan" && !press.moved) {
      this.select(null);
    }
  }

  doubleClick(event) {
    if (event.target.closest(".board-item-tools, .board-editor, .board-vote")) return;
    const el = event.target.closest(".board-item");
    if (el) {
      this.startEdit(el.dataset.key);
      return;
    }
    const point = this.toBoard(event.clientX, event.clientY);
    const [w, h] = SIZES.note;
    this.create("note", point.x - w / 2, point.y - h / 2);
  }

  wheel(event) {
    event.preventDefault();
    if (event.ctrlKey || event.metaKey) {
      // Pinch on a touchpad arrives as Ctrl + wheel too.
      this.zoomBy(Math.exp(-event.deltaY * 0.01), event.clientX, event.clientY);
    } else {
      this.camera.x -= event.deltaX;
      this.camera.y -= event.deltaY;
      this.applyCamera();
    }
  }

  // --- keyboard -----------------------------------------------------------------------------

  keyDown(event) {
    const target = event.target;
    if (target.closest(".board-editor")) return;
    if (target.closest(".board-item-tools")) {
      if (event.key === "Escape") target.closest(".board-item").focus({ preventScroll: true });
      return;
    }
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const key = event.key;
    if (key === "+" || key === "=" || key === "-" || key === "_" || key === "0") {
      event.preventDefault();
      if (key === "0") this.fit();
      else this.zoomBy(key === "-" || key === "_" ? 1 / ZOOM_STEP : ZOOM_STEP);
      return;
    }
    const arrows = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    const itemKey = target.classList.contains("board-item") ? target.dataset.key : null;
    if (itemKey) {
      const item = this.view.get(itemKey);
      if (key in arrows) {
        event.preventDefault();
        const step = event.shiftKey ? BIG_STEP : STEP;
        this.nudge(itemKey, arrows[key][0] * step, arrows[key][1] * step);
      } else if ((key === "v" || key === "V") && this.canVote()) {
        event.preventDefault();
        this.vote(itemKey, !event.shiftKey);
      } else if (key === "Enter" || key === "F2") {
        event.preventDefault();
        this.startEdit(itemKey);
      } else if (key === "Delete" || key === "Backspace") {
        event.preventDefault();
        this.remove(itemKey, { from: "canvas" });
      } else if (key === "Escape") {
        event.preventDefault();
        this.commitMove();
        this.ui.viewport.focus({ preventScroll: true });
      } else if ((key === "[" || key === "]") && item) {
        event.preventDefault();
        const step = key === "]" ? SIZE_STEP : -SIZE_STEP;
        this.resizeBy(itemKey, step, step);
      }
    } else if (target === this.ui.viewport && key in arrows) {
      event.preventDefault();
      const step = event.shiftKey ? BIG_PAN_STEP : PAN_STEP;
      this.camera.x -= arrows[key][0] * step;
      this.camera.y -= arrows[key][1] * step;
      this.applyCamera();
    }
  }

  focusIn(event) {
    const el = event.target.closest(".board-item");
    if (el) {
      this.select(el.dataset.key);
      if (event.target === el) this.ensureVisible(el.dataset.key);
    } else if (event.target === this.ui.viewport) {
      this.select(null);
    }
  }

  // --- camera ---------------------------------------------------------------------------------

  applyCamera() {
    const { x, y, zoom } = this.camera;
    this.ui.plane.style.transform = `translate(${x}px, ${y}px) scale(${zoom})`;
    const grid = GRID * zoom;
    this.ui.viewport.style.backgroundSize = `${grid}px ${grid}px`;
    this.ui.viewport.style.backgroundPosition = `${x}px ${y}px`;
    this.ui.zoom.textContent = `${Math.round(zoom * 100)}%`;
    if (this.tools.isConnected) {
      this.tools.style.transform = `scale(${1 / zoom})`;
      this.keepToolsInView();
    }
    this.renderCursors();
  }

  zoomBy(factor, clientX, clientY) {
    const rect = this.ui.viewport.getBoundingClientRect();
    const px = (clientX ?? rect.left + rect.width / 2) - rect.left;
    const py = (clientY ?? rect.top + rect.height / 2) - rect.top;
    const camera = this.camera;
    const zoom = clamp(camera.zoom * factor, ZOOM_MIN, ZOOM_MAX);
    // Keep the point under the pointer (or the centre) where it is.
    camera.x = px - ((px - camera.x) * zoom) / camera.zoom;
    camera.y = py - ((py - camera.y) * zoom) / camera.zoom;
    camera.zoom = zoom;
    this.applyCamera();
  }

  // Everything in view, no larger than life.
  fit() {
    const rect = this.ui.viewport.getBoundingClientRect();
    const items = [...this.view.values()];
    if (!items.length || !rect.width) {
      this.camera = { x: rect.width / 2 - 100, y: rect.height / 2 - 100, zoom: 1 };
      this.applyCamera();
      return;
    }
    const left = Math.min(...items.map((i) => i.x));
    const top = Math.min(...items.map((i) => i.y - (i.kind === "frame" ? 40 : 0)));
    const right = Math.max(...items.map((i) => i.x + i.w));
    const bottom = Math.max(...items.map((i) => i.y + i.h));
    const margin = 40;
    const fits = Math.min((rect.width - 2 * margin) / (right - left), (rect.height - 2 * margin) / (bottom - top));
    const zoom = clamp(Math.min(fits, 1), ZOOM_MIN, ZOOM_MAX);
    this.camera = {
      zoom,
      x: (rect.width - (right - left) * zoom) / 2 - left * zoom,
      y: (rect.height - (bottom - top) * zoom) / 2 - top * zoom,
    };
    this.applyCamera();
  }

  ensureVisible(key) {
    const item = this.view.get(key);
    if (!item) return;
    const rect = this.ui.viewport.getBoundingClientRect();
    const { x, y, zoom } = this.camera;
    const left = item.x * zoom + x;
    const top = item.y * zoom + y;
    const right = left + item.w * zoom;
    const bottom = top + item.h * zoom;
    const margin = 16;
    if (left >= margin && top >= margin && right <= rect.width - margin && bottom <= rect.height - margin) return;
    this.camera.x = rect.width / 2 - (item.x + item.w / 2) * zoom;
    this.camera.y = rect.height / 2 - (item.y + item.h / 2) * zoom;
    this.applyCamera();
  }

  // --- presence: others' cursors and selections, who is online -------------------------------

  sendPresence() {
    if (!this.conn || !this.me) return;
    const item = this.selected && this.view.get(this.selected);
    const selection = item && item.id != null ? [item.id] : [];
    const cursor = this.pointer ? { x: Math.round(this.pointer.x), y: Math.round(this.pointer.y) } : null;
    this.conn.presence(this.stream, cursor, selection);
  }

  colorOf(participant) {
    return CURSOR_COLORS[participant % CURSOR_COLORS.length];
  }

  renderCursors() {
    const layer = this.ui.cursors;
    const { x, y, zoom } = this.camera;
    const seen = new Set();
    for (const [participant, { name, cursor }] of this.cursors) {
      if (!cursor) continue;
      let el = layer.querySelector(`[data-participant="${participant}"]`);
      if (!el) {
        el = element("div", "board-cursor");
        el.dataset.participant = String(participant);
        const arrow = element("span", "board-cursor-arrow");
        el.append(arrow, element("span", "board-cursor-name"));
        el.style.setProperty("--cursor-color", this.colorOf(participant));
        layer.append(el);
      }
      el.lastChild.textContent = name || this.nameOf(participant);
      el.style.transform = `translate(${cursor.x * zoom + x}px, ${cursor.y * zoom + y}px)`;
      seen.add(el);
    }
    for (const el of [...layer.children]) if (!seen.has(el)) el.remove();
  }

  renderSelections() {
    const chosen = new Map();
    for (const [participant, cursor] of this.cursors) {
      for (const id of cursor.selection) chosen.set(String(id), participant);
    }
    for (const [key, el] of this.elements) {
      const participant = chosen.get(key);
      el.classList.toggle("is-chosen", participant !== undefined);
      if (participant !== undefined) el.style.setProperty("--chosen-color", this.colorOf(participant));
    }
  }

  renderOnline() {
    const list = this.ui.online;
    if (!list || !this.me) return;
    // People present in the meeting (recorded while it is live) and anyone whose cursor is
    // on this board; ourselves first.
    const ids = new Set([this.me.id, ...this.meeting.present, ...this.cursors.keys()]);
    const names = [...ids].map((id) => {
      const name = this.nameOf(id);
      return id === this.me.id ? this.fmt(this.t.you, { name }) : name;
    });
    const signature = names.join("\n");
    if (list.dataset.signature === signature) return;
    list.dataset.signature = signature;
    list.replaceChildren(...[...ids].map((id, index) => {
      const li = element("li", "board-person", names[index]);
      const dot = element("span", "board-person-dot");
      dot.setAttribute("aria-hidden", "true");
      dot.style.setProperty("--cursor-color", id === this.me.id ? "#0066cc" : this.colorOf(id));
      li.prepend(dot);
      return li;
    }));
  }

  renderStatus() {
    const status = this.conn ? this.conn.status : "connecting";
    const text = this.t[`status-${status}`];
    const { status: box, statusText, pending } = this.ui;
    if (box.dataset.status !== status) {
      box.dataset.status = status;
      statusText.textContent = text;
    }
    const waiting = this.conn ? this.conn.waiting() : 0;
    const words = waiting && status !== "online" ? this.plural("pending", waiting) : "";
    if (pending.textContent !== words) pending.textContent = words;
  }

  showAlert(text) {
    const alert = this.ui.alert;
    alert.textContent = text;
    alert.hidden = false;
    clearTimeout(this.alertTimer);
    // Long enough to read twice; an error that matters comes back if it happens again.
    this.alertTimer = setTimeout(() => this.hideAlert(), 10000);
  }

  hideAlert() {
    this.ui.alert.hidden = true;
    this.ui.alert.textContent = "";
  }

  // --- several boards ---------------------------------------------------------------------------

  titleOf(boardId) {
    return this.titles[boardId] || this.fmt(this.t["board-n"], { n: boardId });
  }

  updateSwitcher(boards) {
    const switcher = this.ui.switcher;
    if (!switcher) return;
    for (const id of boards) this.addBoardOption(id);
    switcher.closest(".board-switch").hidden = switcher.options.length < 2;
  }

  addBoardOption(boardId) {
    const switcher = this.ui.switcher;
    if (!switcher || [...switcher.options].some((option) => Number(option.value) === boardId)) return;
    switcher.append(new Option(this.titleOf(boardId), String(boardId)));
    switcher.closest(".board-switch").hidden = switcher.options.length < 2;
  }

  switchBoard(boardId) {
    if (boardId === this.boardId) return;
    this.finishEdit(true);
    this.commitMove();
    this.conn.unsubscribe(this.stream);
    this.boardId = boardId;
    this.board = this.emptyBoard();
    this.fitted = false;
    this.selected = null;
    this.cursors.clear();
    this.lastMove.clear();
    // The focus on an item of the board that goes stays on the board, not lost on the page.
    const hadFocus = [...this.elements.values()].some((el) => el.contains(document.activeElement));
    for (const el of this.elements.values()) el.remove();
    this.elements.clear();
    if (hadFocus) this.ui.viewport.focus({ preventScroll: true });
    this.root.dataset.board = String(boardId);
    this.ui.name.textContent = this.titleOf(boardId);
    if (this.ui.switcher) this.ui.switcher.value = String(boardId);
    const url = new URL(location.href);
    url.searchParams.set("board", String(boardId));
    history.replaceState(null, "", url);
    this.conn.subscribe(this.stream);
    this.renderCursors();
    this.render();
  }
}

const root = document.getElementById("board");
if (root && root.dataset.meeting) new Board(root).start();
