// The list view of the live board (the `board_list` block of templates/room.html): the same
// items as the canvas, in reading order, grouped by the frame they sit in, with controls to
// edit and delete. It is the way to the board for screen-reader users, so:
// - rows are kept and updated in place (keyed by item), never rebuilt wholesale, so that a
//   reader's position and the keyboard focus survive other people's changes;
// - other people's changes are announced through one polite live region, coalesced
//   ("3 new contributions") rather than one announcement per event.
// The server renders the same markup without the controls for browsers without JavaScript.

import { element } from "./dom.js";

// Announcements wait for this much quiet (ms) so that a burst of changes is said once...
const ANNOUNCE_QUIET = 1500;
// ...but never longer than this after the first change, during a long burst.
const ANNOUNCE_MAX_WAIT = 5000;

// Items grouped by the frame whose area holds their centre (the smallest, if frames nest):
// what people see on the canvas, whoever may change the item's `frame` field. Frames in
// reading order, then the items outside any frame. Same rule as `list_groups` on the server.
export function groupByFrame(items) {
  const byReading = (a, b) => a.y - b.y || a.x - b.x || String(a.key).localeCompare(String(b.key));
  const frames = items.filter((item) => item.kind === "frame").sort(byReading);
  const groups = new Map(frames.map((frame) => [frame.key, { frame, items: [] }]));
  const loose = { frame: null, items: [] };
  for (const item of items) {
    if (item.kind === "frame") continue;
    const cx = item.x + item.w / 2;
    const cy = item.y + item.h / 2;
    let best = null;
    for (const frame of frames) {
      const inside = cx >= frame.x && cx <= frame.x + frame.w && cy >= frame.y && cy <= frame.y + frame.h;
      if (inside && (!best || frame.w * frame.h < best.w * best.h)) best = frame;
    }
    (best ? groups.get(best.key) : loose).items.push(item);
  }
  const all = [...groups.values()];
  if (loose.items.length || !frames.length) all.push(loose);
  for (const group of all) group.items.sort(byReading);
  return all;
}

export class ListView {
  // ctx: {t, fmt, plural, describe(item), canChange(item), edit(key, text), remove(key)}
  constructor(ctx) {
    this.ctx = ctx;
    this.rows = new Map(); // item key → <li>
    this.groups = new Map(); // frame key ("" for outside frames) → <section>
    this.editing = null; // {key, textarea}
    this.changes = { created: new Set(), changed: new Set(), deleted: new Set() };
    this.firstChange = 0;
    this.timer = null;
    // On the document: htmx may swap the region for a fresh one.
    document.addEventListener("click", (event) => {
      if (event.target.closest("#board-list")) this.click(event);
    });
  }

  // Looked up each time: htmx may have swapped the region for a fresh one.
  region() {
    return document.getElementById("board-list");
  }

  render(items) {
    const region = this.region();
    let body = region.querySelector(".board-list-body");
    if (!body.dataset.live) {
      body.replaceChildren(); // the server's rows, replaced by live ones
      body.dataset.live = "true";
      this.rows.clear();
      this.groups.clear();
    }
    const active = document.activeElement;
    const focused = active && body.contains(active) ? active : null;
    const groups = groupByFrame(items);
    const seenRows = new Set();
    const seenGroups = new Set();
    let empty = body.querySelector(":scope > .board-empty");
    if (!items.length) {
      if (!empty) empty = element("p", "board-empty", this.ctx.t["list-empty"]);
      body.prepend(empty);
    } else if (empty) {
      empty.remove();
    }
    groups.forEach((group, index) => {
      const groupKey = group.frame ? group.frame.key : "";
      seenGroups.add(groupKey);
      // A frame's group is named by its title; the others only need a name beside frames.
      const section = this.group(groupKey, group.frame, Boolean(group.frame) || groups.length > 1);
      place(body, section, index + (items.length ? 0 : 1));
      const list = section.querySelector("ul");
      group.items.forEach((item, position) => {
        seenRows.add(item.key);
        place(list, this.row(item), position);
      });
      const none = section.querySelector(".board-empty");
      none.hidden = group.items.length > 0 || !group.frame;
    });
    for (const [key, row] of this.rows) if (!seenRows.has(key)) { row.remove(); this.rows.delete(key); }
    for (const [key, section] of this.groups) {
      if (!seenGroups.has(key)) { section.remove(); this.groups.delete(key); }
    }
    if (this.editing && !this.rows.has(this.editing.key)) this.editing = null;
    // A row moved to its new place loses the focus: give it back.
    if (focused && focused.isConnected && document.activeElement !== focused) focused.focus();
  }

  group(key, frame, titled) {
    let section = this.groups.get(key);
    if (!section) {
      section = element("section", "board-list-group");
      const head = element("div", "board-list-group-head");
      const heading = element("h3", "h6 board-list-heading");
      head.append(heading);
      const none = element("p", "board-empty", this.ctx.t["frame-empty"]);
      section.append(head, element("ul", "board-list-items"), none);
      if (frame) head.dataset.key = key;
      this.groups.set(key, section);
    }
    const heading = section.querySelector("h3");
    heading.hidden = !titled;
    heading.textContent = frame ? (frame.text || this.ctx.t["frame-untitled"]) : this.ctx.t["no-frame"];
    if (frame) this.fill(section.querySelector(".board-list-group-head"), frame, true);
    return section;
  }

  row(item) {
    let row = this.rows.get(item.key);
    if (!row) {
      row = element("li", "board-list-item");
      row.dataset.key = item.key;
      this.rows.set(item.key, row);
    }
    this.fill(row, item, false);
    return row;
  }

  // The swatch, text, details and controls of an item (a row, or a frame's group heading).
  fill(container, item, isFrame) {
    const { t, describe, canChange } = this.ctx;
    const about = describe(item);
    let parts = container._parts;
    if (!parts) {
      parts = container._parts = {
        swatch: element("span", "board-swatch"),
        text: element("p", "board-list-text"),
        meta: element("p", "board-list-meta"),
        actions: element("div", "board-list-actions"),
      };
      parts.swatch.setAttribute("aria-hidden", "true");
      if (isFrame) container.append(parts.meta, parts.actions);
      else container.append(parts.swatch, parts.text, parts.meta, parts.actions);
    }
    parts.swatch.className = `board-swatch color-${about.colorClass}`;
    if (!isFrame) parts.text.textContent = about.text;
    parts.text.classList.toggle("is-hidden-text", Boolean(item.redacted));
    parts.meta.textContent = [about.kind, about.by, about.color, about.pending].filter(Boolean).join(" · ");
    const editingHere = this.editing && this.editing.key === item.key;
    const mode = editingHere ? "editing" : !canChange(item) ? "none" : item.redacted ? "delete" : "edit";
    // Buttons are made again only when what may be done changes, so that one with the focus
    // keeps it; their names follow the text.
    if (parts.actions.dataset.mode !== mode) {
      parts.actions.dataset.mode = mode;
      if (mode === "none") parts.actions.replaceChildren();
      else if (mode !== "editing") parts.actions.replaceChildren(...this.controls(mode === "edit"));
    }
    for (const button of parts.actions.querySelectorAll("button[data-action=edit], button[data-action=delete]")) {
      button.setAttribute("aria-label", this.ctx.fmt(t[`${button.dataset.action}-named`], { name: about.short }));
    }
  }

  controls(editable) {
    const { t } = this.ctx;
    const edit = element("button", "btn btn-outline-primary", t.edit);
    edit.type = "button";
    edit.dataset.action = "edit";
    const remove = element("button", "btn btn-outline-danger", t.delete);
    remove.type = "button";
    remove.dataset.action = "delete";
    return editable ? [edit, remove] : [remove];
  }

  click(event) {
    const button = event.target.closest("button[data-action]");
    if (!button) return;
    const holder = button.closest("[data-key]");
    const key = holder && holder.dataset.key;
    if (!key) return;
    const action = button.dataset.action;
    if (action === "edit") this.openEditor(holder, key);
    else if (action === "delete") this.ctx.remove(key, { from: "list" });
    else if (action === "save") this.closeEditor(true);
    else if (action === "cancel") this.closeEditor(false);
  }

  openEditor(holder, key) {
    if (this.editing) this.closeEditor(false);
    const { t, fmt, current } = this.ctx;
    const item = current(key);
    if (!item) return;
    const actions = holder._parts.actions;
    actions.dataset.mode = "editing";
    const id = `board-list-edit-${String(key).replace(/[^\w-]/g, "")}`;
    const label = element("label", "visually-hidden", fmt(t["text-of"], { kind: this.ctx.describe(item).kind }));
    label.htmlFor = id;
    const textarea = element("textarea", "form-control board-list-editor");
    textarea.id = id;
    textarea.value = item.text || "";
    textarea.rows = 3;
    textarea.maxLength = 2000;
    textarea.addEventListener("keydown", (event) => {
      const save = event.key === "Enter" && (event.ctrlKey || event.metaKey);
      if (event.key !== "Escape" && !save) return;
      event.preventDefault();
      this.closeEditor(save);
    });
    const save = element("button", "btn btn-primary", t.save);
    save.type = "button";
    save.dataset.action = "save";
    const cancel = element("button", "btn btn-outline-secondary", t.cancel);
    cancel.type = "button";
    cancel.dataset.action = "cancel";
    actions.replaceChildren(label, textarea, save, cancel);
    this.editing = { key, holder, textarea };
    textarea.focus();
  }

  closeEditor(save) {
    const editing = this.editing;
    if (!editing) return;
    this.editing = null;
    if (save) this.ctx.edit(editing.key, editing.textarea.value);
    const actions = editing.holder._parts.actions;
    actions.dataset.mode = "";
    const item = this.ctx.current(editing.key);
    if (item) this.fill(editing.holder, item, editing.holder.tagName !== "LI");
    const edit = actions.querySelector("[data-action=edit]");
    if (edit) edit.focus();
  }

  // Another person's change: noted now, said once things calm down. A note made and then
  // typed into is one new contribution, not a new one and a changed one.
  noteChange(kind, id) {
    const { created, changed, deleted } = this.changes;
    if (kind === "created") created.add(id);
    else if (kind === "changed" && !created.has(id)) changed.add(id);
    else if (kind === "deleted") {
      changed.delete(id);
      if (!created.delete(id)) deleted.add(id);
    }
    const now = Date.now();
    if (!this.firstChange) this.firstChange = now;
    clearTimeout(this.timer);
    const wait = Math.min(ANNOUNCE_QUIET, Math.max(0, this.firstChange + ANNOUNCE_MAX_WAIT - now));
    this.timer = setTimeout(() => this.announceChanges(), wait);
  }

  announceChanges() {
    const { plural } = this.ctx;
    const parts = [];
    for (const kind of ["created", "changed", "deleted"]) {
      const count = this.changes[kind].size;
      if (count) parts.push(plural(`announce-${kind}`, count));
    }
    this.changes = { created: new Set(), changed: new Set(), deleted: new Set() };
    this.firstChange = 0;
    if (parts.length) this.say(parts.join(", ") + ".");
  }

  say(text) {
    const live = document.getElementById("board-announcer");
    if (!live) return;
    // The same words twice in a row are still announced: clear, then fill on the next frame.
    live.textContent = "";
    requestAnimationFrame(() => { live.textContent = text; });
  }
}

// Put `node` at `index` among `parent`'s children, moving it only if it is elsewhere.
function place(parent, node, index) {
  const there = parent.children[index];
  if (there !== node) parent.insertBefore(node, there || null);
}
