// Facilitation in the meeting room: what everyone follows (guiding questions, timer, messages,
// dot voting and its results, a locked or private board) and the facilitator's control panel.
// It shares the live board's connection (board-connection.js: whenConnected, listen) and
// keeps its own small state from the same snapshots and events. Every word comes from the
// data attributes of templates/partials/meeting_status.html, in the page's language.
// (Protocol: ../shared/contracts/realtime-protocol.md; docs/protocol.md, "What a UI needs".)

import { whenConnected } from "./board-connection.js";
import { element, json, snippet } from "./dom.js";

const SECOND = 1000;
// Announcements made within this many ms of each other are read as one.
const ANNOUNCE_TOGETHER = 250;
// A finger on a person's handle lifts them once it has moved this many px: a tap does nothing.
const LIFT_DISTANCE = 6;

class Facilitation {
  constructor(status, panel) {
    this.status = status;
    this.panel = panel;
    this.t = { ...json(status.dataset.strings, {}), ...json(panel && panel.dataset.strings, {}) };
    // Names of people and organisations, as the live board has them (templates/room.html).
    const board = document.getElementById("board");
    const people = json(board && board.dataset.people, {});
    const organizations = json(board && board.dataset.organizations, {});
    this.organizations = organizations;
    this.meetingId = board ? Number(board.dataset.meeting) : null;
    this.people = new Map(Object.entries(people).map(([id, [name, org]]) => [Number(id), { name, org: organizations[org] }]));
    this.placeable = json(panel && panel.dataset.placeable, []);
    this.peopleRequest = null;
    this.spoken = new Map(); // what the live region will say next, by what it is about
    this.speaking = null;
    this.dragged = null; // the person being dragged between groups
    this.touchDrag = null; // the person a finger or a pen holds by their handle (touchHandle)
    this.drawAfterTouch = false; // the groups changed under a held finger (renderPanelGroups)
    this.refocus = null; // the person whose group control had the focus before a redraw
    this.lang = document.documentElement.lang || "it";
    this.pluralRules = new Intl.PluralRules(this.lang);
    this.role = status.dataset.role;
    this.plenary = Number(status.dataset.plenary);
    this.me = null;
    this.conn = null;
    this.meeting = { state: null, prompts: new Map(), groups: [], running: false };
    this.timer = null; // {end (local ms), label}
    this.timerTick = null;
    this.boardStream = null;
    this.board = this.emptyBoard();
    const q = (selector) => status.querySelector(selector);
    this.ui = {
      locked: q(".meeting-flag-locked"),
      private: q(".meeting-flag-private"),
      broadcast: q(".meeting-broadcast"),
      broadcastTemplate: q("#meeting-broadcast-template"),
      questions: q(".meeting-questions"),
      questionList: q(".meeting-questions-list"),
      timer: q(".meeting-timer"),
      timerLabel: q(".meeting-timer-label"),
      timerClock: q(".meeting-timer-clock"),
      timerOver: q(".meeting-timer-over"),
      announcer: q(".meeting-announcer"),
      voting: q(".meeting-voting"),
      votingState: q(".meeting-voting-state"),
      votingList: q(".meeting-voting-list"),
      results: q(".meeting-results"),
      resultList: q(".meeting-results-list"),
    };
  }

  emptyBoard() {
    return { items: new Map(), voting: null, results: null, locked: false, private: false };
  }

  // --- words -----------------------------------------------------------------------------------

  fmt(text, values) {
    return String(text ?? "").replace(/\{(\w+)\}/g, (whole, name) => (name in values ? values[name] : whole));
  }

  plural(key, n, values = {}) {
    const text = this.t[`${key}-${this.pluralRules.select(n)}`] ?? this.t[`${key}-other`];
    return this.fmt(text, { n, ...values });
  }

  duration(ms) {
    const seconds = Math.round(ms / SECOND);
    if (seconds >= 60 && seconds % 60 === 0) return this.plural("minutes", seconds / 60);
    if (seconds >= 60) return this.plural("minutes", Math.round(seconds / 60));
    return this.plural("seconds", seconds);
  }

  itemName(id) {
    const item = this.board.items.get(id);
    if (!item) return `#${id}`;
    if (item.redacted) return this.t["private-note"];
    return item.text ? snippet(item.text) : this.t["empty-note"];
  }

  groupName(id) {
    const group = this.meeting.groups.find((g) => g.id === id);
    return group ? group.name : this.fmt(this.t["group-n"], { n: id });
  }

  isStaff() {
    return this.role === "facilitator" || this.role === "secretary";
  }

  // Whether a prompt or message addressed to `groups` (null: everyone) reaches us.
  forMe(groups) {
    if (!groups || !groups.length || this.isStaff()) return true;
    return this.meeting.groups.some((g) => groups.includes(g.id) && (g.members || []).includes(this.me && this.me.id));
  }

  // --- the connection --------------------------------------------------------------------------

  attach(conn) {
    this.conn = conn;
    // A mistake here must never stop the board from applying the same frame.
    conn.listen((frame, how) => {
      try {
        this.receive(frame, how);
      } catch (error) {
        console.error(error);
      }
    });
    if (this.panel) this.bindPanel();
  }

  receive(frame, { live = false } = {}) {
    if (frame.type === "welcome") {
      this.me = frame.participant;
      this.role = frame.participant.role;
    } else if (frame.type === "snapshot") {
      if (frame.stream === "meeting") this.meetingSnapshot(frame.state);
      else if (frame.stream.startsWith("board:")) this.boardSnapshot(frame.stream, frame.state);
    } else if (frame.type === "event") {
      if (frame.stream === "meeting") this.meetingEvent(frame, live);
      else if (frame.stream === this.boardStream) this.boardEvent(frame, live);
    }
    this.render();
  }

  meetingSnapshot(state) {
    this.meeting.state = state.meeting.state;
    this.meeting.prompts = new Map(state.prompts.map((p) => [p.id, p]));
    this.meeting.groups = state.groups || [];
    this.meeting.running = Boolean(state.running);
    this.setTimer(state.timer, null, false);
  }

  meetingEvent(frame, live) {
    const data = frame.data || {};
    const meeting = this.meeting;
    switch (frame.name) {
      case "meeting.started":
        meeting.state = "live";
        if (live) this.announce(this.t["announce-started"], "meeting");
        break;
      case "meeting.ended":
        meeting.state = "ended";
        if (live) this.announce(this.t["announce-ended"], "meeting");
        break;
      case "prompt.opened":
        meeting.prompts.set(data.prompt.id, { ...data.prompt, open: true });
        if (live && this.forMe(data.prompt.groups)) {
          this.announce(this.fmt(this.t["announce-question"], { text: data.prompt.text }));
        }
        break;
      case "prompt.closed": {
        const prompt = meeting.prompts.get(data.prompt);
        if (prompt) prompt.open = false;
        break;
      }
      case "participant.joined":
        if (data.name && !this.people.has(data.participant)) {
          this.people.set(data.participant, { name: data.name, org: this.organizations[data.organization] });
        }
        // Someone invited after this page was made may now be placed in a group.
        if (live && !this.placeable.includes(data.participant)) this.refreshPeople();
        break;
      case "groups.created":
        meeting.groups = data.groups || [];
        meeting.running = false;
        if (live) this.refreshPeople();
        break;
      case "groups.assigned":
        for (const group of meeting.groups) {
          group.members = (group.members || []).filter((p) => p !== data.participant);
          if (group.id === data.group) group.members.push(data.participant);
        }
        // Moved to another group while the groups work: to that group's board.
        if (live && meeting.running && this.me && data.participant === this.me.id) this.goToGroupBoard();
        break;
      case "groups.started":
        meeting.running = true;
        if (live) this.goToGroupBoard();
        break;
      case "groups.ended":
        meeting.running = false;
        if (live) this.followTo(this.plenary);
        break;
      case "timer.started":
        this.setTimer(data, live ? frame.at : null, live);
        break;
      case "timer.stopped":
        if (live && this.timer) this.announce(this.t["timer-stopped"], "timer");
        this.setTimer(null);
        break;
      case "message.broadcast":
        // A moment: shown when it happens, not when a later visit replays it.
        if (live && this.forMe(data.groups)) this.showMessage(data.text);
        break;
      default:
        break;
    }
  }

  boardSnapshot(stream, state) {
    this.boardStream = stream;
    this.board = this.emptyBoard();
    for (const item of state.items) this.board.items.set(item.id, item);
    this.board.voting = state.voting ? { budget: state.voting.budget, mine: [...state.voting.my_votes] } : null;
    this.board.results = state.results || null;
    this.board.locked = Boolean(state.locked);
    this.board.private = Boolean(state.private);
  }

  boardEvent(frame, live) {
    const data = frame.data || {};
    const board = this.board;
    const mine = this.me && frame.actor && frame.actor.participant === this.me.id;
    switch (frame.name) {
      case "item.created":
        board.items.set(data.item.id, data.item);
        break;
      case "item.updated": {
        const item = board.items.get(data.item);
        if (item) board.items.set(item.id, { ...item, ...data.fields });
        break;
      }
      case "item.deleted":
        board.items.delete(data.item);
        break;
      case "private.started":
        board.private = true;
        if (live) this.announce(`${this.ui.private.textContent.trim()}.`, "private");
        break;
      case "private.revealed":
        board.private = false;
        for (const item of data.items || []) board.items.set(item.id, item);
        if (live) this.announce(this.t["announce-revealed"], "private");
        break;
      case "board.locked":
        board.locked = true;
        if (live) this.announce(`${this.ui.locked.textContent.trim()}.`, "lock");
        break;
      case "board.unlocked":
        board.locked = false;
        if (live) this.announce(this.t["announce-unlocked"], "lock");
        break;
      case "voting.started":
        board.voting = { budget: data.budget, mine: [] };
        board.results = null;
        if (live) this.announce(`${this.plural("votes-left", data.budget)}.`, "voting");
        break;
      case "voting.ended":
        board.voting = null;
        board.results = data.results || [];
        if (live) this.announce(this.t["announce-voting-ended"], "voting");
        break;
      case "vote.cast":
        if (board.voting && mine && data.item != null) board.voting.mine.push(data.item);
        break;
      case "vote.retracted":
        if (board.voting && mine && data.item != null) {
          const at = board.voting.mine.lastIndexOf(data.item);
          if (at >= 0) board.voting.mine.splice(at, 1);
        }
        break;
      default:
        break;
    }
  }

  // --- moving the view (the live board listens to its board switch) --------------------------

  // True if the view moved to that board.
  goToBoard(boardId) {
    const switcher = document.getElementById("board-switch");
    if (!switcher || !boardId || Number(switcher.value) === boardId) return false;
    if (![...switcher.options].some((option) => Number(option.value) === boardId)) return false;
    switcher.value = String(boardId);
    switcher.dispatchEvent(new Event("change"));
    return true;
  }

  // Moved by the facilitator (groups start or end, a new group): screen readers are told where.
  followTo(boardId) {
    if (!this.goToBoard(boardId)) return;
    const switcher = document.getElementById("board-switch");
    this.announce(this.fmt(this.t["now-on-board"], { board: switcher.selectedOptions[0].textContent }), "board");
  }

  goToGroupBoard() {
    if (!this.me || this.role !== "participant") return;
    const group = this.meeting.groups.find((g) => (g.members || []).includes(this.me.id));
    if (group) this.followTo(group.board);
  }

  // --- timer -----------------------------------------------------------------------------------

  // `at`: the server's time of a live timer.started, so that a clock set wrong on this
  // computer still counts down the right duration.
  setTimer(timer, at = null, live = false) {
    clearInterval(this.timerTick);
    this.timerTick = null;
    this.timer = null;
    if (timer && timer.ends_at) {
      const endsAt = Date.parse(timer.ends_at);
      const end = at ? Date.now() + (endsAt - Date.parse(at)) : endsAt;
      // A replayed timer whose end has passed shows nothing.
      if (end > Date.now() || live) {
        this.timer = { end, label: timer.label || "", over: false };
        this.timerTick = setInterval(() => this.tick(), 250);
        if (live) {
          const time = this.duration(end - Date.now());
          this.announce(timer.label ? this.fmt(this.t["timer-started-label"], { label: timer.label, time })
            : this.fmt(this.t["timer-started"], { time }), "timer");
        }
      }
    }
    this.renderTimer();
  }

  tick() {
    const timer = this.timer;
    if (!timer) return;
    if (!timer.over && Date.now() >= timer.end) {
      timer.over = true;
      clearInterval(this.timerTick);
      this.timerTick = null;
      this.announce(timer.label ? this.fmt(this.t["timer-over-label"], { label: timer.label }) : this.t["timer-over"], "timer");
    }
    this.renderTimer();
  }

  renderTimer() {
    const { timer: box, timerLabel, timerClock, timerOver } = this.ui;
    const timer = this.timer;
    box.hidden = !timer;
    if (!timer) return;
    const left = Math.max(0, Math.ceil((timer.end - Date.now()) / SECOND));
    const minutes = Math.floor(left / 60);
    const clock = `${String(minutes).padStart(2, "0")}:${String(left % 60).padStart(2, "0")}`;
    if (timerClock.textContent !== clock) timerClock.textContent = clock;
    timerLabel.textContent = timer.label;
    timerLabel.hidden = !timer.label;
    timerOver.hidden = !timer.over;
    box.classList.toggle("is-over", timer.over);
  }

  // What happens together (the facilitator starting the meeting, opening a question and a
  // timer at once) is said together: one update of the live region, not one per event. A later
  // word about the same thing (`about`: the timer, a person's group) replaces the earlier one.
  announce(text, about = text) {
    this.spoken.delete(about);
    this.spoken.set(about, text);
    if (this.speaking) return;
    // Emptied first, so that the same words twice are still read.
    this.ui.announcer.textContent = "";
    this.speaking = setTimeout(() => {
      this.ui.announcer.textContent = [...this.spoken.values()].join(" ");
      this.spoken.clear();
      this.speaking = null;
    }, ANNOUNCE_TOGETHER);
  }

  // --- broadcast ---------------------------------------------------------------------------------

  showMessage(text) {
    const node = this.ui.broadcastTemplate.content.firstElementChild.cloneNode(true);
    node.querySelector(".meeting-broadcast-text").textContent = text;
    node.querySelector(".meeting-broadcast-dismiss").addEventListener("click", () => node.remove());
    this.ui.broadcast.replaceChildren(node);
  }

  // --- drawing ----------------------------------------------------------------------------------

  render() {
    this.renderFlags();
    this.renderQuestions();
    this.renderVoting();
    this.renderResults();
    this.renderTimer();
    if (this.panel) this.renderPanel();
  }

  renderFlags() {
    this.ui.locked.hidden = !this.board.locked;
    this.ui.private.hidden = !this.board.private;
  }

  openPrompts() {
    return [...this.meeting.prompts.values()].filter((p) => p.open !== false && this.forMe(p.groups));
  }

  renderQuestions() {
    const prompts = this.openPrompts();
    this.ui.questions.hidden = !prompts.length;
    // The live board ties new notes to the latest open question (the board's `data-prompt`).
    const board = document.getElementById("board");
    const latest = prompts.length ? String(Math.max(...prompts.map((p) => p.id))) : "";
    if (board && (board.dataset.prompt || "") !== latest) {
      if (latest) board.dataset.prompt = latest;
      else delete board.dataset.prompt;
    }
    const list = this.ui.questionList;
    const key = JSON.stringify(prompts.map((p) => [p.id, p.text, p.groups, p.deadline]));
    if (list.dataset.key === key) return;
    list.dataset.key = key;
    list.replaceChildren(...prompts.map((prompt) => {
      const li = element("li", "meeting-question");
      li.append(element("p", "meeting-question-text", prompt.text));
      const notes = [];
      if (prompt.groups && prompt.groups.length) {
        notes.push(this.fmt(this.t["for-groups"], { groups: prompt.groups.map((g) => this.groupName(g)).join(", ") }));
      }
      if (prompt.deadline) {
        const date = new Date(prompt.deadline).toLocaleString(this.lang, { dateStyle: "long", timeStyle: "short" });
        notes.push(this.fmt(this.t.deadline, { date }));
      }
      if (notes.length) li.append(element("p", "meeting-question-meta", notes.join(" · ")));
      return li;
    }));
  }

  renderVoting() {
    const voting = this.board.voting;
    const { voting: box, votingState, votingList } = this.ui;
    box.hidden = !voting;
    if (!voting) {
      votingList.replaceChildren();
      return;
    }
    const left = Math.max(0, voting.budget - voting.mine.length);
    votingState.textContent = left ? this.plural("votes-left", left) : this.t["votes-none"];
    const may = this.me && this.role !== "observer";
    const notes = [...this.board.items.values()].filter((item) => item.kind === "note")
      .sort((a, b) => a.y - b.y || a.x - b.x || a.id - b.id);
    const key = JSON.stringify([left, may, voting.mine, notes.map((n) => [n.id, n.text, n.redacted])]);
    if (votingList.dataset.key === key) return;
    votingList.dataset.key = key;
    const focused = document.activeElement && votingList.contains(document.activeElement)
      ? [document.activeElement.dataset.item, document.activeElement.dataset.vote] : null;
    if (!notes.length) {
      votingList.replaceChildren(element("li", "meeting-voting-empty", this.t["no-notes"]));
      return;
    }
    votingList.replaceChildren(...notes.map((note) => {
      const name = this.itemName(note.id);
      const count = voting.mine.filter((id) => id === note.id).length;
      const li = element("li", "meeting-vote");
      li.append(element("span", note.redacted ? "meeting-vote-text is-hidden-text" : "meeting-vote-text", name));
      if (count) li.append(element("span", "meeting-vote-mine badge", this.plural("my-votes", count)));
      if (may) {
        const vote = element("button", "btn btn-primary btn-sm", this.t.vote);
        vote.type = "button";
        vote.dataset.item = String(note.id);
        vote.dataset.vote = "cast";
        vote.setAttribute("aria-label", this.fmt(this.t["vote-named"], { name }));
        vote.disabled = !left;
        vote.addEventListener("click", () => this.vote("vote.cast", note.id));
        li.append(vote);
        if (count) {
          const retract = element("button", "btn btn-outline-primary btn-sm", this.t.retract);
          retract.type = "button";
          retract.dataset.item = String(note.id);
          retract.dataset.vote = "retract";
          retract.setAttribute("aria-label", this.fmt(this.t["retract-named"], { name }));
          retract.addEventListener("click", () => this.vote("vote.retract", note.id));
          li.append(retract);
        }
      }
      return li;
    }));
    if (focused) {
      const again = votingList.querySelector(`[data-item="${focused[0]}"][data-vote="${focused[1]}"]:not([disabled])`)
        || votingList.querySelector(`[data-item="${focused[0]}"]:not([disabled])`);
      if (again) again.focus();
    }
  }

  renderResults() {
    const results = this.board.results;
    const { results: box, resultList } = this.ui;
    box.hidden = !results;
    if (!results) return;
    const key = JSON.stringify([results, [...this.board.items.values()].map((i) => [i.id, i.text])]);
    if (resultList.dataset.key === key) return;
    resultList.dataset.key = key;
    if (!results.length) {
      resultList.replaceChildren(element("li", "meeting-result-none", this.t["results-none"]));
      return;
    }
    resultList.replaceChildren(...results.map((result, index) => {
      const rank = result.rank ?? index + 1;
      const li = element("li", "meeting-result");
      li.append(element("span", "meeting-result-rank", `${rank}.`));
      li.append(element("span", "meeting-result-text", this.itemName(result.item)));
      li.append(element("span", "meeting-result-votes badge", this.plural("result-votes", result.votes)));
      return li;
    }));
  }

  vote(name, item) {
    if (!this.boardStream) return;
    this.conn.op(this.boardStream, name, { item }, {
      refused: (frame) => this.showMessageError(frame),
    });
  }

  showMessageError(frame) {
    this.ui.votingState.textContent = frame.message || frame.code;
  }

  // --- the facilitator's panel ----------------------------------------------------------------

  bindPanel() {
    for (const form of this.panel.querySelectorAll("form[data-op]")) {
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        this.submit(form, form.dataset.op);
      });
      for (const button of form.querySelectorAll("[data-send]")) {
        button.addEventListener("click", () => this.send(form, button.dataset.send, {}));
      }
    }
  }

  submit(form, op) {
    const fields = form.elements;
    let data;
    let refused;
    this.clearErrors(form);
    if (op === "prompt.open") {
      const text = fields.text.value.trim();
      if (!text) return this.invalid(form, fields.text);
      data = { text };
      const groups = [...form.querySelectorAll("input[name=groups]:checked")].map((box) => Number(box.value));
      if (groups.length) data.groups = groups;
      if (fields.deadline.value) data.deadline = new Date(fields.deadline.value).toISOString();
      else if (this.panelEnded()) return this.fieldError(fields.deadline, this.t["deadline-needed"]);
      refused = (frame) => {
        if (this.aboutDeadline(data, frame)) this.fieldError(fields.deadline, frame.message || frame.code);
        else this.showError(form, frame.message || frame.code);
      };
    } else if (op === "timer.start") {
      const minutes = Number(fields.minutes.value);
      if (!(minutes > 0)) return this.invalid(form, fields.minutes);
      data = { seconds: Math.round(minutes * 60) };
      if (fields.label.value.trim()) data.label = fields.label.value.trim();
    } else if (op === "voting.start") {
      const budget = Number(fields.budget.value);
      if (!Number.isInteger(budget) || budget < 1) return this.invalid(form, fields.budget);
      data = { budget };
    } else if (op === "template.apply") {
      data = { template: fields.template.value };
    } else if (op === "message.broadcast") {
      const text = fields.text.value.trim();
      if (!text) return this.invalid(form, fields.text);
      data = { text };
      const groups = [...form.querySelectorAll("input[name=groups]:checked")].map((box) => Number(box.value));
      if (groups.length) data.groups = groups;
    } else if (op === "groups.create") {
      const count = Number(fields.count.value);
      if (!Number.isInteger(count) || count < 1) return this.invalid(form, fields.count);
      // Manual: empty groups, which the facilitator then fills (groups.assign).
      data = { strategy: fields.strategy.value, count };
    } else {
      return undefined;
    }
    this.send(form, op, data, () => {
      if (op === "prompt.open") {
        fields.text.value = "";
        fields.deadline.value = "";
      }
      if (op === "message.broadcast") fields.text.value = "";
    }, refused);
    return undefined;
  }

  // Whether the server refused a question for its deadline: none after the end, or one
  // already past (boards/prompts.py). The error frame names no field, so what was sent tells.
  aboutDeadline(data, frame) {
    if (frame.code !== "bad_request") return false;
    return data.deadline ? Date.parse(data.deadline) <= Date.now() : this.panelEnded();
  }

  invalid(form, field) {
    field.setAttribute("aria-invalid", "true");
    this.showError(form, field.validationMessage || field.labels[0].textContent);
    field.focus();
  }

  send(form, op, data, done, refused = (frame) => this.showError(form, frame.message || frame.code)) {
    this.clearErrors(form);
    const stream = form.dataset.stream === "board" ? this.boardStream : "meeting";
    if (!stream || !this.conn) return;
    this.conn.op(stream, op, data, { ack: () => done && done(), refused });
  }

  clearErrors(form) {
    this.showError(form, null);
    for (const field of form.querySelectorAll("[data-describers]")) this.fieldError(field, null);
    for (const field of form.querySelectorAll("[aria-invalid]")) field.removeAttribute("aria-invalid");
  }

  // An error about one field, next to it (`#<id>-error`), the focus going there.
  fieldError(field, message) {
    const box = document.getElementById(`${field.id}-error`);
    box.textContent = message || "";
    box.hidden = !message;
    if (message) field.setAttribute("aria-invalid", "true");
    else field.removeAttribute("aria-invalid");
    this.describe(field);
    if (message) field.focus();
  }

  // A field is described by those of its hint and error (`data-describers`) that are shown.
  describe(field) {
    const ids = field.dataset.describers.split(" ").filter((id) => !document.getElementById(id).hidden);
    if (ids.length) field.setAttribute("aria-describedby", ids.join(" "));
    else field.removeAttribute("aria-describedby");
  }

  // After the end a question is answered on the board only until its deadline, so the server
  // refuses one without (boards/prompts.py): the field becomes required, its hint says why.
  renderDeadline(ended) {
    const field = this.panel.querySelector("#facilitation-deadline");
    if (field.required === ended) return;
    field.required = ended;
    if (ended) field.setAttribute("aria-required", "true");
    else field.removeAttribute("aria-required");
    field.labels[0].textContent = this.t[ended ? "deadline-required" : "deadline-optional"];
    document.getElementById("facilitation-deadline-hint").hidden = !ended;
    this.describe(field);
  }

  showError(form, message) {
    const box = form.querySelector(".facilitation-error");
    box.textContent = message || "";
    box.hidden = !message;
  }

  // Whether the meeting has ended: from its state once the snapshot came, else as the page
  // was rendered (the notice shown).
  panelEnded() {
    if (this.meeting.state) return this.meeting.state === "ended";
    return !this.panel.querySelector(".facilitation-ended").hidden;
  }

  renderPanel() {
    const panel = this.panel;
    const focused = panel.contains(document.activeElement) ? document.activeElement : null;
    const state = this.meeting.state;
    // After the end the server refuses the forms marked `data-live-only` (docs/protocol.md,
    // "Before, during, after"): they stay readable, turned off, and the notice says why once.
    const ended = this.panelEnded();
    panel.querySelector(".facilitation-ended").hidden = !ended;
    for (const form of panel.querySelectorAll("form[data-live-only]")) {
      const fieldset = form.querySelector("fieldset");
      if (fieldset.disabled !== ended) fieldset.disabled = ended;
      if (ended) this.showError(form, null);
    }
    this.renderDeadline(ended);
    const stateText = this.t[`state-${state}`];
    const stateBox = panel.querySelector(".facilitation-meeting-state");
    if (stateText && stateBox.textContent !== stateText) stateBox.textContent = stateText;
    const show = (selector, visible) => {
      const button = panel.querySelector(selector);
      if (button) button.hidden = !visible;
    };
    show("[data-send='meeting.start']", state === "scheduled");
    show("[data-send='meeting.end']", state === "live");
    show("[data-send='timer.stop']", Boolean(this.timer && !this.timer.over));
    show("[data-send='voting.end']", Boolean(this.board.voting));
    show("[data-send='private.start']", !this.board.private);
    show("[data-send='private.reveal']", this.board.private);
    show("[data-send='board.lock']", !this.board.locked);
    show("[data-send='board.unlock']", this.board.locked);
    const groups = this.meeting.groups;
    show("[data-send='groups.start']", groups.length > 0 && !this.meeting.running);
    show("[data-send='groups.end']", this.meeting.running);
    this.renderPanelGroups();
    this.renderPanelQuestions();
    if (ended && focused && (focused.hidden || focused.matches(":disabled") || !focused.isConnected)) {
      // A control the end has turned off gives the focus to the notice that says why.
      panel.querySelector(".facilitation-ended").focus();
    } else if (focused && focused.hidden) {
      this.keepFocus(focused);
    }
  }

  // A button that hides once used (Start → End) must not drop the keyboard focus on the page's
  // body: it goes to the nearest button beside it (the one shown in its place), else to the
  // first control of its form, else to the panel's summary.
  keepFocus(gone) {
    const usable = (el) => !el.hidden && !el.disabled;
    const buttons = [...gone.parentElement.querySelectorAll("button")];
    const at = buttons.indexOf(gone);
    const form = gone.closest("form");
    const next = buttons.slice(at + 1).find(usable) || buttons.slice(0, at).reverse().find(usable)
      || (form && [...form.querySelectorAll("button, input, select, textarea")].find(usable))
      || this.panel.querySelector(".facilitation-summary");
    next.focus();
  }

  renderPanelGroups() {
    // Not under a finger holding someone: the rows and groups it is over would be replaced,
    // and the move lost (the attendance read again, a group changing). They are drawn when
    // it lifts.
    if (this.touchDrag) {
      this.drawAfterTouch = true;
      return;
    }
    const panel = this.panel;
    const groups = this.meeting.groups;
    const key = JSON.stringify([groups, this.meeting.running, this.panelEnded()]);
    if (panel.dataset.groupsKey === key) return;
    panel.dataset.groupsKey = key;
    const state = panel.querySelector(".facilitation-groups-state");
    state.textContent = groups.length ? this.t[this.meeting.running ? "groups-running" : "groups-waiting"] : "";
    panel.querySelector(".facilitation-groups-list").replaceChildren(...groups.map((group) => element(
      "li", null, this.plural("group-members", (group.members || []).length, { name: group.name }),
    )));
    // The groups a question or a message may be addressed to.
    for (const choices of panel.querySelectorAll(".facilitation-group-choices")) {
      const checked = new Set([...choices.querySelectorAll("input:checked")].map((box) => box.value));
      choices.replaceChildren(...groups.map((group) => {
        const wrap = element("div", "form-check");
        const box = element("input", "form-check-input");
        box.type = "checkbox";
        box.name = "groups";
        box.value = String(group.id);
        box.id = `facilitation-${choices.dataset.for}-group-${group.id}`;
        box.checked = checked.has(box.value);
        const label = element("label", "form-check-label", group.name);
        label.htmlFor = box.id;
        wrap.append(box, label);
        return wrap;
      }));
      choices.closest(".facilitation-groups").hidden = !groups.length;
    }
    this.renderPlacement();
  }

  // --- people in the groups: drag and drop, or a choice and a button ----------------------------

  personName(id) {
    const person = this.people.get(id);
    if (!person) return this.fmt(this.t["person-n"], { n: id });
    return person.org ? `${person.name} (${person.org})` : person.name;
  }

  // The participants admitted to the meeting, as the facilitator's attendance list has them
  // now (the page's list was made when it loaded). Without an answer, the page's list stays.
  refreshPeople() {
    if (!this.panel || !this.meetingId || this.peopleRequest) return;
    this.peopleRequest = fetch(`/api/v1/meetings/${this.meetingId}/attendance`, {
      credentials: "same-origin", headers: { Accept: "application/json" },
    })
      .then((answer) => (answer.ok ? answer.json() : null))
      .then((rows) => {
        if (!Array.isArray(rows)) return;
        const participants = rows.filter((row) => row.role === "participant");
        for (const row of participants) {
          const org = row.organization_name ?? this.organizations[row.organization];
          this.people.set(row.participant, { name: row.name, org });
        }
        this.placeable = participants.map((row) => row.participant);
        this.panel.dataset.groupsKey = ""; // draw the groups again
        this.render();
      })
      .catch(() => {})
      .finally(() => {
        this.peopleRequest = null;
      });
  }

  renderPlacement() {
    const form = this.panel.querySelector(".facilitation-placement");
    const groups = this.meeting.groups;
    form.hidden = !groups.length;
    const placed = new Set(groups.flatMap((g) => g.members || []));
    const loose = this.placeable.filter((id) => !placed.has(id));
    const buckets = [{ id: null, name: this.t["not-placed"], members: loose }, ...groups];
    const holder = form.querySelector(".facilitation-buckets");
    const focused = document.activeElement && holder.contains(document.activeElement)
      ? document.activeElement.closest("[data-person]") : null;
    // After a move by keyboard, the person's control in their new group takes the focus.
    let again = focused ? Number(focused.dataset.person) : null;
    const wanted = this.refocus;
    if (wanted && groups.some((g) => g.id === wanted.group && (g.members || []).includes(wanted.person))) {
      again = wanted.person;
      this.refocus = null;
    }
    holder.replaceChildren(...buckets.filter((b) => b.id !== null || b.members.length).map((bucket) => {
      const box = element("section", "facilitation-bucket");
      const titleId = `facilitation-bucket-${bucket.id ?? "none"}`;
      box.setAttribute("aria-labelledby", titleId);
      const head = element("div", "facilitation-bucket-head");
      const title = element("h3", "h6 facilitation-bucket-title", bucket.name);
      title.id = titleId;
      head.append(title);
      if (bucket.id !== null) {
        box.dataset.group = String(bucket.id);
        const look = element("button", "btn btn-outline-primary btn-sm", this.t.look);
        look.type = "button";
        look.setAttribute("aria-label", this.fmt(this.t["look-named"], { group: bucket.name }));
        look.addEventListener("click", () => this.lookInto(bucket));
        head.append(look);
        this.dropTarget(box, bucket);
      }
      box.append(head);
      const members = bucket.members || [];
      if (!members.length) {
        box.append(element("p", "facilitation-bucket-empty", this.t.nobody));
        return box;
      }
      const list = element("ul", "facilitation-people");
      list.append(...members.map((id) => this.personRow(id, bucket.id)));
      box.append(list);
      return box;
    }));
    if (again !== null) {
      const control = holder.querySelector(`[data-person="${again}"] select`);
      if (control) control.focus();
    }
  }

  personRow(id, groupId) {
    const name = this.personName(id);
    const li = element("li", "facilitation-person");
    li.dataset.person = String(id);
    li.draggable = true;
    li.addEventListener("dragstart", (event) => {
      // A browser that also starts its own drag from a held finger: the touch path has it.
      if (this.touchDrag) {
        event.preventDefault();
        return;
      }
      this.dragged = id;
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", String(id));
      li.classList.add("is-dragged");
    });
    li.addEventListener("dragend", () => {
      this.dragged = null;
      li.classList.remove("is-dragged");
    });
    const select = element("select", "form-select form-select-sm");
    select.id = `facilitation-person-${id}`;
    select.setAttribute("aria-label", this.fmt(this.t["group-of"], { name }));
    if (groupId === null) select.append(new Option(this.t["choose-group"], "", true, true));
    for (const group of this.meeting.groups) {
      select.append(new Option(group.name, String(group.id), false, group.id === groupId));
    }
    const move = element("button", "btn btn-outline-primary btn-sm", this.t.move);
    move.type = "button";
    // After the end nobody can be moved (groups.assign is refused); the board can still be opened.
    if (this.panelEnded()) {
      li.draggable = false;
      select.disabled = true;
      move.disabled = true;
    }
    move.setAttribute("aria-label", this.fmt(this.t["move-named"], { name }));
    move.addEventListener("click", () => {
      const target = Number(select.value);
      if (!target || target === groupId) return;
      this.refocus = { person: id, group: target };
      this.assign(id, target);
    });
    // The handle is for fingers and pens alone: hidden from screen readers, which have the
    // list and Move, and left out once nobody can be moved.
    if (!this.panelEnded()) {
      const handle = element("span", "facilitation-person-handle");
      handle.setAttribute("aria-hidden", "true");
      this.touchHandle(handle, li, id, groupId);
      li.append(handle);
    }
    li.append(element("span", "facilitation-person-name", name), select, move);
    return li;
  }

  // By touch, where HTML5 drag and drop never starts (tablets): Pointer Events on a handle
  // at the start of the person's row. Only the handle has `touch-action: none`, so a swipe
  // anywhere else scrolls the panel as before. There is no long press first: a swipe on the
  // handle could not scroll anyway, so there is nothing to tell apart, and a wait would only
  // make the gesture slower and harder to discover; a tap, or a drop outside a group, moves
  // nobody. A mouse keeps the HTML5 path (dragstart above), from anywhere on the row.
  touchHandle(handle, row, id, groupId) {
    handle.addEventListener("pointerdown", (event) => {
      if ((event.pointerType !== "touch" && event.pointerType !== "pen") || this.touchDrag) return;
      event.preventDefault(); // no text selection, no mouse events made up from the touch
      handle.setPointerCapture(event.pointerId);
      this.touchDrag = { pointer: event.pointerId, id, groupId, row, x: event.clientX, y: event.clientY, ghost: null, target: null };
    });
    handle.addEventListener("pointermove", (event) => this.touchMove(event));
    handle.addEventListener("pointerup", (event) => this.touchEnd(event, true));
    handle.addEventListener("pointercancel", (event) => this.touchEnd(event, false));
    // The row gone from under the finger all the same (the panel closed): nobody moves.
    handle.addEventListener("lostpointercapture", (event) => this.touchEnd(event, false));
  }

  touchMove(event) {
    const drag = this.touchDrag;
    if (!drag || drag.pointer !== event.pointerId) return;
    if (!drag.ghost) {
      if (Math.hypot(event.clientX - drag.x, event.clientY - drag.y) < LIFT_DISTANCE) return;
      drag.row.classList.add("is-dragged");
      // The name follows above the finger, which would hide it; the page's readers need not hear it.
      drag.ghost = element("div", "facilitation-ghost", this.personName(drag.id));
      drag.ghost.setAttribute("aria-hidden", "true");
      document.body.append(drag.ghost);
    }
    drag.ghost.style.transform = `translate(${event.clientX}px, ${event.clientY}px) translate(-50%, -150%)`;
    const target = this.groupAt(event.clientX, event.clientY);
    if (target === drag.target) return;
    if (drag.target) drag.target.classList.remove("is-drop-target");
    if (target) target.classList.add("is-drop-target");
    drag.target = target;
  }

  touchEnd(event, dropped) {
    const drag = this.touchDrag;
    if (!drag || drag.pointer !== event.pointerId) return;
    this.touchDrag = null;
    drag.row.classList.remove("is-dragged");
    if (drag.target) drag.target.classList.remove("is-drop-target");
    if (drag.ghost) {
      drag.ghost.remove();
      const box = dropped ? this.groupAt(event.clientX, event.clientY) : null;
      const group = box ? Number(box.dataset.group) : null;
      if (group && group !== drag.groupId && !this.panelEnded()) this.assign(drag.id, group);
    }
    if (this.drawAfterTouch) {
      this.drawAfterTouch = false;
      this.render();
    }
  }

  // The group whose box is under a point of the screen (the ghost lets the point through).
  groupAt(x, y) {
    const hit = document.elementFromPoint(x, y);
    const box = hit && hit.closest(".facilitation-bucket[data-group]");
    return box && this.panel.contains(box) ? box : null;
  }

  dropTarget(box, group) {
    box.addEventListener("dragover", (event) => {
      if (this.dragged === null || this.panelEnded()) return;
      event.preventDefault(); // this is where it may land
      event.dataTransfer.dropEffect = "move";
      box.classList.add("is-drop-target");
    });
    box.addEventListener("dragleave", (event) => {
      if (!box.contains(event.relatedTarget)) box.classList.remove("is-drop-target");
    });
    box.addEventListener("drop", (event) => {
      event.preventDefault();
      box.classList.remove("is-drop-target");
      const person = this.dragged ?? Number(event.dataTransfer.getData("text/plain"));
      this.dragged = null;
      if (person && !(group.members || []).includes(person)) this.assign(person, group.id);
    });
  }

  assign(person, group) {
    const form = this.panel.querySelector(".facilitation-placement");
    this.send(form, "groups.assign", { participant: person, group }, () => {
      this.announce(this.fmt(this.t.moved, { name: this.personName(person), group: this.groupName(group) }), `moved-${person}`);
    });
  }

  lookInto(group) {
    this.goToBoard(group.board);
    this.announce(this.fmt(this.t.looking, { group: group.name }), "board");
  }

  renderPanelQuestions() {
    const panel = this.panel;
    const prompts = [...this.meeting.prompts.values()].filter((p) => p.open !== false);
    const key = JSON.stringify(prompts.map((p) => [p.id, p.text]));
    const list = panel.querySelector(".facilitation-open-questions");
    if (list.dataset.key === key) return;
    list.dataset.key = key;
    panel.querySelector(".facilitation-open-title").hidden = !prompts.length;
    const form = list.closest("form");
    list.replaceChildren(...prompts.map((prompt) => {
      const li = element("li", "facilitation-open-question");
      li.append(element("span", null, prompt.text));
      const close = element("button", "btn btn-outline-primary btn-sm", this.t.close);
      close.type = "button";
      close.setAttribute("aria-label", this.fmt(this.t["close-named"], { name: snippet(prompt.text) }));
      close.addEventListener("click", () => this.send(form, "prompt.close", { prompt: prompt.id }));
      li.append(close);
      return li;
    }));
  }
}

const status = document.getElementById("meeting-status");
if (status) {
  const facilitation = new Facilitation(status, document.getElementById("facilitation-panel"));
  whenConnected((conn) => facilitation.attach(conn));
}
