// Small DOM and data helpers shared by the room's modules.

export function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// A data attribute's JSON, or `fallback` when it is missing or broken.
export function json(value, fallback) {
  try {
    return value ? JSON.parse(value) : fallback;
  } catch {
    return fallback;
  }
}

export function snippet(text, length = 60) {
  return text.length > length ? `${text.slice(0, length)}…` : text;
}
