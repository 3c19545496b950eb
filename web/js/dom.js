// Building DOM nodes from data. Text only ever goes in through textContent, so
// anything a person or the server writes is shown as text, never run as markup.

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

// Paragraphs from plain text: blank lines split paragraphs, single newlines
// become line breaks, and "- " or "• " lines become a list.
export function paragraphs(text) {
  const blocks = String(text ?? "").trim().split(/\n\s*\n/);
  return blocks.filter((b) => b.trim()).map((block) => {
    const lines = block.split("\n").map((l) => l.trim()).filter(Boolean);
    if (lines.length > 1 && lines.every((l) => /^([-•*]|\d+[.)])\s+/.test(l))) {
      return el("ul", {}, lines.map((l) => el("li", { text: l.replace(/^([-•*]|\d+[.)])\s+/, "") })));
    }
    const p = el("p");
    lines.forEach((line, i) => {
      if (i) p.append(el("br"));
      p.append(document.createTextNode(line));
    });
    return p;
  });
}

export function asText(value) {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return "";
}
