// The meeting's record in the room: decisions, actions and lines of work, for everyone, from
// the meeting stream's snapshot (`decisions`, `actions`, `lines`) and its events; and, for
// facilitators and secretaries, the forms that send `decision.record`, `action.add` and
// `action.update`. It shares the live board's connection (board-connection.js) and keeps the
// notes of the board on screen, which a decision may cite. Every word comes from the data
// attributes of templates/partials/meeting_record.html, in the page's language.

import { whenConnected } from "./board-connection.js";
import { element, json, snippet } from "./dom.js";

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
    this.notes = new Map(); // the notes of the board on screen, by id
    this.announcer = document.querySelector(".meeting-announcer");
    this.ui = {
      decisions: root.querySelector(".record-decisions"),
      actions: root.querySelector(".record-actions"),
      lines: root.querySelector(".record-lines"),
      choices: root.querySelector(".record-item-choices"),
      actionsError: root.querySelector(".record-actions-error"),
    };
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
  }

  receive(frame, { live = false } = {}) {
    if (frame.type === "welcome") {
      this.staff = ["facilitator", "secretary"].includes(frame.participant.role);
    } else if (frame.type === "snapshot" && frame.stream === "meeting") {
      this.decisions = frame.state.decisions || [];
      this.actions = new Map((frame.state.actions || []).map((action) => [action.id, action]));
      this.lines = frame.state.lines || [];
    } else if (frame.type === "snapshot" && frame.stream.startsWith("board:")) {
      this.boardStream = frame.stream;
      this.notes = new Map(frame.state.items.filter((i) => i.kind === "note").map((i) => [i.id, i]));
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
      if (live) this.say(this.t["decision-recorded"]);
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
    const names = this.decisions.map((d) => d.items.map((id) => this.notes.get(id)).map((n) => n && this.noteName(n)));
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
        const known = names[index].filter(Boolean);
        const items = known.length === decision.items.length
          ? known.map((name) => `“${name}”`).join(", ") : this.plural("contributions", decision.items.length);
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

  // The notes a decision may rest on: those of the board on screen.
  renderChoices() {
    const box = this.ui.choices;
    if (!box) return;
    const notes = [...this.notes.values()].sort((a, b) => a.y - b.y || a.x - b.x || a.id - b.id);
    if (!this.changed(box, notes.map((n) => [n.id, n.text, n.redacted]))) return;
    const checked = new Set([...box.querySelectorAll("input:checked")].map((input) => input.value));
    if (!notes.length) {
      box.replaceChildren(element("p", "record-meta", this.t["no-notes"]));
      return;
    }
    box.replaceChildren(...notes.map((note) => {
      const wrap = element("div", "form-check");
      const input = element("input", "form-check-input");
      input.type = "checkbox";
      input.name = "items";
      input.value = String(note.id);
      input.id = `record-item-${note.id}`;
      input.checked = checked.has(input.value);
      const label = element("label", "form-check-label", this.noteName(note));
      label.htmlFor = input.id;
      wrap.append(input, label);
      return wrap;
    }));
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
      const items = [...form.querySelectorAll("input[name=items]:checked")].map((box) => Number(box.value));
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
