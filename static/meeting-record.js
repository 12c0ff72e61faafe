// The meeting's record in the room: decisions, actions and lines of work, for everyone, from
// the meeting stream's snapshot (`decisions`, `actions`, `lines`) and its events; and, for
// facilitators and secretaries, the forms that send `decision.record`, `action.add` and
// `action.update`. It shares the live board's connection (board-connection.js) and keeps the
// notes of the board on screen live; a decision may also cite the notes of the meeting's other
// boards, which it reads, as the person may read them, from GET /api/v1/meetings/{id}/notes
// (docs/api.md), as it does the notes that decisions cite to name them. Every word comes from
// the data attributes of templates/partials/meeting_record.html, in the page's language.

import { whenConnected } from "./board-connection.js";
import { element, json, snippet } from "./dom.js";

// The most ids one GET .../notes?items= names: a decision's own limit (boards/decisions.py).
const ITEMS_PER_REQUEST = 200;

// Text for a filter to match: lower case, accents dropped (a search for "citta" finds "città").
function fold(text, lang) {
  return text.normalize("NFD").replace(/\p{M}/gu, "").toLocaleLowerCase(lang);
}

function readingOrder(a, b) {
  return a.y - b.y || a.x - b.x || a.id - b.id;
}

class Record {
  constructor(root) {
    this.root = root;
    this.t = json(root.dataset.strings, {});
    this.lang = document.documentElement.lang || "it";
    this.pluralRules = new Intl.PluralRules(this.lang);
    this.organizations = new Map(Object.entries(json(root.dataset.organizations, {})).map(([id, name]) => [Number(id), name]));
    this.conn = null;
    this.staff = false;
    this.decisions = [];
    this.actions = new Map();
    this.lines = [];
    this.boardStream = null;
    this.screenBoard = null; // the id of the board on screen
    this.notes = new Map(); // the notes of the board on screen, by id
    this.meetingId = Number(root.dataset.meeting);
    // Notes of any board, by id, each with its `board`: the cited ones the page came with, then
    // those loaded for the form or asked for to name a decision's notes.
    this.known = new Map(json(root.dataset.cited, []).map((note) => [note.id, note]));
    this.asked = new Set(); // cited ids asked for already (a board the person may not read stays unnamed)
    // The form: the boards it may cite from (id → title, in the order of the last load), their
    // notes as last loaded (id → notes), the board picked (null: the board on screen, or "all"),
    // and the notes chosen, from any board (id → note).
    this.titles = new Map();
    this.loaded = new Map();
    this.loading = false;
    this.loadFailed = false;
    this.pick = null;
    this.chosen = new Map();
    this.announcer = document.querySelector(".meeting-announcer");
    this.ui = {
      decisions: root.querySelector(".record-decisions"),
      actions: root.querySelector(".record-actions"),
      lines: root.querySelector(".record-lines"),
      choices: root.querySelector(".record-item-choices"),
      boardChoice: root.querySelector("#record-items-board"),
      filter: root.querySelector("#record-items-filter"),
      shown: root.querySelector(".record-items-shown"),
      chosen: root.querySelector(".record-items-chosen"),
      chosenNone: root.querySelector(".record-items-none"),
      actionsError: root.querySelector(".record-actions-error"),
    };
    if (this.ui.boardChoice) {
      this.allBoards = this.ui.boardChoice.querySelector("option[value=all]");
      for (const option of this.ui.boardChoice.options) {
        if (option !== this.allBoards) this.titles.set(Number(option.value), option.textContent.trim());
      }
    }
  }

  // --- words -----------------------------------------------------------------------------------

  fmt(text, values) {
    return String(text ?? "").replace(/\{(\w+)\}/g, (whole, name) => (name in values ? values[name] : whole));
  }

  plural(key, n) {
    const text = this.t[`${key}-${this.pluralRules.select(n)}`] ?? this.t[`${key}-other`];
    return this.fmt(text, { n });
  }

  noteName(note) {
    if (note.redacted) return this.t["private-note"];
    return note.text ? snippet(note.text) : this.t["empty-note"];
  }

  // A cited note in the list of decisions: its text in quotes, or what stands for it.
  citedName(id) {
    const note = this.notes.get(id) ?? this.known.get(id);
    if (!note) return null;
    return note.redacted || !note.text ? this.noteName(note) : `“${snippet(note.text)}”`;
  }

  boardTitle(id) {
    return this.titles.get(id) ?? this.t.loading;
  }

  date(iso) {
    // A due date is a day: read at noon UTC, so that no time zone moves it to another day.
    return new Date(`${iso}T12:00:00Z`).toLocaleDateString(this.lang, { dateStyle: "long", timeZone: "UTC" });
  }

  say(text) {
    if (!this.announcer) return;
    this.announcer.textContent = "";
    setTimeout(() => {
      this.announcer.textContent = text;
    }, 50);
  }

  // --- the connection --------------------------------------------------------------------------

  attach(conn) {
    this.conn = conn;
    conn.listen((frame, how) => {
      try {
        this.receive(frame, how);
      } catch (error) {
        console.error(error);
      }
    });
    for (const form of this.root.querySelectorAll("form[data-op]")) {
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        this.submit(form);
      });
    }
    const votes = this.root.querySelector(".record-votes");
    for (const radio of this.root.querySelectorAll("input[name=method]")) {
      radio.addEventListener("change", () => {
        votes.hidden = this.root.querySelector("input[name=method]:checked").value !== "vote";
      });
    }
    if (this.ui.choices) this.attachPicker();
  }

  // The notes a decision rests on: a board (the one on screen by default, or all), a filter,
  // and the chosen notes, which stay chosen whatever board is shown.
  attachPicker() {
    const { boardChoice, filter, choices, chosen } = this.ui;
    boardChoice.closest("details").addEventListener("toggle", (event) => {
      if (event.target.open) this.loadNotes();
    });
    boardChoice.addEventListener("change", () => {
      const value = boardChoice.value === "all" ? "all" : Number(boardChoice.value);
      this.pick = value === this.screenBoard ? null : value;
      this.loadNotes(); // draws "loading" for a board not loaded yet, then its notes
      this.renderChoices();
    });
    filter.addEventListener("input", () => this.renderChoices());
    // Enter in the filter would send the whole form.
    filter.addEventListener("keydown", (event) => {
      if (event.key === "Enter") event.preventDefault();
    });
    choices.addEventListener("change", (event) => {
      const box = event.target;
      const id = Number(box.value);
      const note = this.notes.get(id) ?? this.known.get(id);
      if (box.checked) this.chosen.set(id, { ...note, board: Number(box.dataset.board) });
      else this.chosen.delete(id);
      this.renderChosen();
    });
    chosen.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-item]");
      if (button) this.unchoose(Number(button.dataset.item));
    });
  }

  // The boards the person may read and all their notes, afresh: when the form opens and
  // whenever a board is picked.
  async loadNotes() {
    if (this.loading) return;
    this.loading = true;
    this.loadFailed = false;
    this.renderChoices();
    try {
      const boards = await this.fetchNotes("");
      this.titles = new Map(boards.map((b) => [b.id, b.kind === "plenary" ? this.t.plenary : b.title]));
      this.loaded = new Map(boards.map((b) => [b.id, b.notes]));
    } catch {
      this.loadFailed = true;
    }
    this.loading = false;
    this.renderBoardChoice();
    this.renderChoices();
  }

  async fetchNotes(query) {
    const answer = await fetch(`/api/v1/meetings/${this.meetingId}/notes${query}`, {
      headers: { Accept: "application/json" }, credentials: "same-origin",
    });
    if (!answer.ok) throw new Error(`GET notes: ${answer.status}`);
    const { boards } = await answer.json();
    for (const board of boards) {
      for (const note of board.notes) this.known.set(note.id, { ...note, board: board.id });
    }
    return boards;
  }

  // Names for the notes that decisions cite and this page does not know yet. A note the
  // person may not read stays counted, not named.
  async nameCited() {
    const ids = new Set(this.decisions.flatMap((decision) => decision.items));
    const missing = [...ids].filter((id) => !this.notes.has(id) && !this.known.has(id) && !this.asked.has(id));
    for (let start = 0; start < missing.length; start += ITEMS_PER_REQUEST) {
      const some = missing.slice(start, start + ITEMS_PER_REQUEST);
      for (const id of some) this.asked.add(id);
      try {
        await this.fetchNotes(`?${some.map((id) => `items=${id}`).join("&")}`);
      } catch {
        for (const id of some) this.asked.delete(id); // asked again with the next decision
      }
    }
    if (missing.length) this.renderDecisions();
  }

  receive(frame, { live = false } = {}) {
    if (frame.type === "welcome") {
      this.staff = ["facilitator", "secretary"].includes(frame.participant.role);
    } else if (frame.type === "snapshot" && frame.stream === "meeting") {
      this.decisions = frame.state.decisions || [];
      this.actions = new Map((frame.state.actions || []).map((action) => [action.id, action]));
      this.lines = frame.state.lines || [];
      this.nameCited();
    } else if (frame.type === "snapshot" && frame.stream.startsWith("board:")) {
      this.boardStream = frame.stream;
      this.screenBoard = Number(frame.stream.slice("board:".length));
      if (this.pick === this.screenBoard) this.pick = null;
      this.notes = new Map(frame.state.items.filter((i) => i.kind === "note").map((i) => [i.id, i]));
      if (this.ui.choices && !this.titles.has(this.screenBoard)) this.loadNotes(); // a board new since the page came
    } else if (frame.type === "event" && frame.stream === "meeting") {
      this.meetingEvent(frame, live);
    } else if (frame.type === "event" && frame.stream === this.boardStream) {
      this.boardEvent(frame);
    } else {
      return;
    }
    this.render();
  }

  meetingEvent(frame, live) {
    const data = frame.data || {};
    if (frame.name === "decision.recorded") {
      this.decisions.push(data.decision);
      this.nameCited();
      if (live) this.say(this.t["decision-recorded"]);
    } else if (frame.name === "groups.ended") {
      // Their boards are now for the whole meeting: the notes they hold may be named.
      this.asked.clear();
      this.nameCited();
    } else if (frame.name === "action.added") {
      this.actions.set(data.action.id, data.action);
      if (live) this.say(this.t["action-added"]);
    } else if (frame.name === "action.updated") {
      this.actions.set(data.action.id, data.action);
      if (live) this.say(this.t["action-updated"]);
    } else if (frame.name === "line.promoted") {
      this.lines.push(data.line);
      if (live) this.say(this.fmt(this.t["line-promoted"], { title: data.line.title }));
    }
  }

  boardEvent(frame) {
    const data = frame.data || {};
    const notes = this.notes;
    if (frame.name === "item.created" && data.item.kind === "note") notes.set(data.item.id, data.item);
    else if (frame.name === "item.updated" && notes.has(data.item)) {
      notes.set(data.item, { ...notes.get(data.item), ...data.fields });
    } else if (frame.name === "item.deleted") notes.delete(data.item);
    else if (frame.name === "private.revealed") {
      for (const item of data.items || []) if (item.kind === "note") notes.set(item.id, item);
    }
  }

  // --- drawing ----------------------------------------------------------------------------------

  render() {
    this.renderDecisions();
    this.renderActions();
    this.renderLines();
    this.renderBoardChoice();
    this.renderChoices();
  }

  // Draw a list only when what it shows has changed (a redraw would lose the focus).
  changed(node, value) {
    const key = JSON.stringify(value);
    if (node.dataset.key === key) return false;
    node.dataset.key = key;
    return true;
  }

  empty(list, none) {
    list.closest(".record-part").querySelector(".record-empty").hidden = !none;
  }

  renderDecisions() {
    const list = this.ui.decisions;
    this.empty(list, !this.decisions.length);
    const names = this.decisions.map((d) => d.items.map((id) => this.citedName(id)).filter(Boolean));
    if (!this.changed(list, [this.decisions, names])) return;
    list.replaceChildren(...this.decisions.map((decision, index) => {
      const li = element("li", "record-decision");
      li.append(element("p", "record-decision-text", decision.text));
      const how = [this.t[`method-${decision.method}`], this.fmt(this.t.outcome, { outcome: decision.outcome })];
      if (decision.votes) {
        const count = (n) => (n ?? 0);
        how.push(this.fmt(this.t.votes, {
          for: count(decision.votes.for), against: count(decision.votes.against), abstained: count(decision.votes.abstained),
        }));
      }
      li.append(element("p", "record-meta", how.join(" · ")));
      if (decision.items.length) {
        const named = names[index].join(", ");
        const others = decision.items.length - names[index].length;
        let items = named;
        if (!named) items = this.plural("contributions", others);
        else if (others) {
          items = this.fmt(this.t["named-and-others"], { named, others: this.plural("others", others) });
        }
        li.append(element("p", "record-meta", this.fmt(this.t["rests-on"], { items })));
      }
      return li;
    }));
  }

  renderActions() {
    const table = this.ui.actions;
    const actions = [...this.actions.values()];
    this.empty(table, !actions.length);
    table.parentElement.hidden = !actions.length;
    if (!this.changed(table, [actions, this.staff])) return;
    const focused = document.activeElement && table.contains(document.activeElement)
      ? document.activeElement.dataset.action : null;
    table.tBodies[0].replaceChildren(...actions.map((action) => {
      const row = element("tr", `record-action is-${action.status}`);
      row.append(element("td", "record-action-text", action.text));
      row.append(element("td", null, this.organizations.get(action.owner) || this.t.someone));
      row.append(element("td", null, action.due ? this.date(action.due) : this.t["no-due"]));
      row.append(element("td", "record-action-status", this.t[`status-${action.status}`]));
      if (this.staff) {
        const cell = element("td", "record-action-change");
        const changes = action.status === "open" ? [["done", "mark-done"], ["dropped", "drop"]] : [["open", "reopen"]];
        for (const [status, word] of changes) {
          const button = element("button", "btn btn-outline-primary btn-xs", this.t[word]);
          button.type = "button";
          button.dataset.action = String(action.id);
          button.setAttribute("aria-label", this.fmt(this.t[`${word}-named`], { name: snippet(action.text) }));
          button.addEventListener("click", () => this.updateAction(action.id, status));
          cell.append(button);
        }
        row.append(cell);
      }
      return row;
    }));
    if (focused) {
      const again = table.querySelector(`[data-action="${focused}"]`);
      if (again) again.focus();
    }
  }

  renderLines() {
    const list = this.ui.lines;
    this.empty(list, !this.lines.length);
    if (!this.changed(list, this.lines)) return;
    list.replaceChildren(...this.lines.map((line) => {
      const li = element("li", "record-line");
      li.append(element("span", "record-line-title", line.title), " ");
      li.append(element("span", "record-meta", `(${this.plural("notes", line.items.length)})`));
      return li;
    }));
  }

  pickedBoard() {
    return this.pick ?? this.screenBoard;
  }

  renderBoardChoice() {
    const select = this.ui.boardChoice;
    if (!select || this.screenBoard === null) return;
    const options = [...this.titles].map(([id, title]) => [
      String(id), id === this.screenBoard ? this.fmt(this.t["on-screen"], { board: title }) : title]);
    if (this.changed(select, options)) {
      select.replaceChildren(...options.map(([value, text]) => {
        const option = element("option", null, text);
        option.value = value;
        return option;
      }), this.allBoards);
    }
    select.value = String(this.pickedBoard());
  }

  // The notes of the board picked (the one on screen live, the others as last loaded), in
  // reading order, that the filter matches; with their board when all boards are shown.
  shownNotes() {
    const pick = this.pickedBoard();
    const boards = pick === "all" ? [...this.titles.keys()] : [pick];
    const query = fold(this.ui.filter.value.trim(), this.lang);
    const shown = [];
    for (const board of boards) {
      const notes = board === this.screenBoard ? [...this.notes.values()] : (this.loaded.get(board) || []);
      for (const note of [...notes].sort(readingOrder)) {
        if (!query || (note.text && !note.redacted && fold(note.text, this.lang).includes(query))) {
          shown.push({ note, board });
        }
      }
    }
    return shown;
  }

  renderChoices() {
    const box = this.ui.choices;
    if (!box || this.screenBoard === null) return;
    const pick = this.pickedBoard();
    const shown = this.shownNotes();
    const waiting = pick !== this.screenBoard && (this.loading || this.loadFailed) && !shown.length;
    const message = waiting ? this.t[this.loading ? "loading" : "load-failed"]
      : !shown.length ? this.t[this.ui.filter.value.trim() ? "no-match" : "no-notes"] : null;
    const key = [pick, message, shown.map(({ note, board }) => [note.id, board, note.text, note.redacted])];
    if (!this.changed(box, key)) return;
    this.ui.shown.textContent = shown.length ? this.plural("shown", shown.length) : "";
    if (message) {
      box.replaceChildren(element("p", "record-meta", message));
      return;
    }
    const focused = box.contains(document.activeElement) ? document.activeElement.value : null;
    box.replaceChildren(...shown.map(({ note, board }) => {
      const wrap = element("div", "form-check");
      const input = element("input", "form-check-input");
      input.type = "checkbox";
      input.name = "items";
      input.value = String(note.id);
      input.id = `record-item-${note.id}`;
      input.dataset.board = String(board);
      input.checked = this.chosen.has(note.id);
      const name = pick === "all"
        ? this.fmt(this.t["note-on-board"], { note: this.noteName(note), board: this.boardTitle(board) })
        : this.noteName(note);
      const label = element("label", "form-check-label", name);
      label.htmlFor = input.id;
      wrap.append(input, label);
      return wrap;
    }));
    if (focused) box.querySelector(`input[value="${focused}"]`)?.focus();
  }

  renderChosen() {
    const list = this.ui.chosen;
    this.ui.chosenNone.hidden = this.chosen.size > 0;
    list.replaceChildren(...[...this.chosen].map(([id, note]) => {
      const name = this.noteName(note);
      const li = element("li", "d-flex align-items-baseline gap-2 mb-1");
      const board = this.boardTitle(note.board);
      li.append(element("span", null, this.fmt(this.t["note-on-board"], { note: name, board })));
      const button = element("button", "btn btn-outline-primary btn-xs", this.t.remove);
      button.type = "button";
      button.dataset.item = String(id);
      button.setAttribute("aria-label", this.fmt(this.t["remove-named"], { name }));
      li.append(button);
      return li;
    }));
  }

  // Take a note off the chosen ones; the focus goes to the next one's button, or the filter.
  unchoose(id) {
    const buttons = [...this.ui.chosen.querySelectorAll("button[data-item]")];
    const at = buttons.findIndex((button) => Number(button.dataset.item) === id);
    const next = buttons[at + 1] ?? buttons[at - 1];
    this.chosen.delete(id);
    const box = this.ui.choices.querySelector(`input[value="${id}"]`);
    if (box) box.checked = false;
    this.renderChosen();
    const again = next && this.ui.chosen.querySelector(`button[data-item="${next.dataset.item}"]`);
    (again || this.ui.filter).focus();
  }

  // --- ops ----------------------------------------------------------------------------------------

  submit(form) {
    const fields = form.elements;
    const op = form.dataset.op;
    let data;
    if (op === "decision.record") {
      const text = fields.text.value.trim();
      if (!text) return this.invalid(form, fields.text);
      const outcome = fields.outcome.value.trim();
      if (!outcome) return this.invalid(form, fields.outcome);
      const method = form.querySelector("input[name=method]:checked").value;
      data = { text, method, outcome };
      if (method === "vote") {
        const votes = {};
        for (const name of ["for", "against", "abstained"]) {
          const field = fields[name];
          if (field.value === "") continue;
          const n = Number(field.value);
          if (!Number.isInteger(n) || n < 0) return this.invalid(form, field);
          votes[name] = n;
        }
        if (Object.keys(votes).length) data.votes = votes;
      }
      const items = [...this.chosen.keys()];
      if (items.length) data.items = items;
    } else if (op === "action.add") {
      const text = fields.text.value.trim();
      if (!text) return this.invalid(form, fields.text);
      if (!fields.owner.value) return this.invalid(form, fields.owner);
      data = { text, owner: Number(fields.owner.value) };
      if (fields.due.value) data.due = fields.due.value;
    } else {
      return undefined;
    }
    this.send(form, op, data, () => {
      form.reset();
      const votes = form.querySelector(".record-votes");
      if (votes) votes.hidden = true;
      for (const box of form.querySelectorAll("input[name=items]")) box.checked = false;
      if (op === "decision.record") {
        this.chosen.clear();
        this.pick = null;
        this.renderChosen();
        this.renderBoardChoice();
        this.renderChoices();
      }
      fields.text.focus();
    });
    return undefined;
  }

  invalid(form, field) {
    field.setAttribute("aria-invalid", "true");
    this.showError(form.querySelector(".facilitation-error"), field.validationMessage || field.labels[0].textContent);
    field.focus();
  }

  send(form, op, data, done) {
    const error = form.querySelector(".facilitation-error");
    this.showError(error, null);
    for (const field of form.querySelectorAll("[aria-invalid]")) field.removeAttribute("aria-invalid");
    this.conn.op("meeting", op, data, {
      ack: () => done(),
      refused: (frame) => this.showError(error, frame.message || frame.code),
    });
  }

  updateAction(action, status) {
    const error = this.ui.actionsError;
    this.showError(error, null);
    this.conn.op("meeting", "action.update", { action, status }, {
      refused: (frame) => this.showError(error, frame.message || frame.code),
    });
  }

  showError(box, message) {
    box.textContent = message || "";
    box.hidden = !message;
  }
}

const root = document.getElementById("meeting-record");
if (root) {
  const record = new Record(root);
  whenConnected((conn) => record.attach(conn));
}
