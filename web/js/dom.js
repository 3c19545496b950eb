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

// The phone numbers the server named in the page (emergency, urgent care, crisis
// lines), read once from its meta tag: only these become tap-to-call links, so a
// lab value or a count in a sentence never does.
let callable = null;

function phoneNumbers() {
  if (callable) return callable;
  const meta = document.querySelector('meta[name="b12-numbers"]');
  const found = (meta?.content || "").match(/\d{3}(?: \d{3})?/g) || [];
  callable = [...new Set(found)].sort((a, b) => b.length - a.length);
  return callable;
}

// Text with every known phone number as a tel: link (the rest stays text).
export function withCallLinks(text) {
  const numbers = phoneNumbers();
  const value = String(text ?? "");
  if (!numbers.length) return [document.createTextNode(value)];
  const escaped = numbers.map((n) => n.replace(/ /g, "\\s"));
  const pattern = new RegExp(`(?<![\\d])(${escaped.join("|")})(?![\\d])`, "g");
  const out = [];
  let last = 0;
  for (const match of value.matchAll(pattern)) {
    if (match.index > last) out.push(document.createTextNode(value.slice(last, match.index)));
    const digits = match[0].replace(/\s/g, "");
    out.push(el("a", { href: `tel:${digits}`, class: "call", "aria-label": `Call ${match[0]}` }, match[0]));
    last = match.index + match[0].length;
  }
  if (last < value.length) out.push(document.createTextNode(value.slice(last)));
  return out;
}

// Paragraphs from plain text: blank lines split paragraphs, single newlines
// become line breaks, and "- " or "• " lines become a list. A block that starts
// with a lead-in line followed by list lines becomes that line and a list.
export function paragraphs(text, { call = false } = {}) {
  const inline = (line) => (call ? withCallLinks(line) : [document.createTextNode(line)]);
  const item = /^([-•*]|\d+[.)])\s+/;
  const blocks = String(text ?? "").trim().split(/\n\s*\n/);
  return blocks.filter((b) => b.trim()).flatMap((block) => {
    const lines = block.split("\n").map((l) => l.trim()).filter(Boolean);
    const listStart = lines.findIndex((l) => item.test(l));
    if (lines.length > 1 && listStart >= 0 && lines.slice(listStart).every((l) => item.test(l))) {
      const lead = lines.slice(0, listStart);
      const list = el("ul", {}, lines.slice(listStart).map((l) => el("li", {}, inline(l.replace(item, "")))));
      return lead.length ? [el("p", {}, lead.flatMap((l, i) => (i ? [el("br"), ...inline(l)] : inline(l)))), list] : [list];
    }
    const p = el("p");
    lines.forEach((line, i) => {
      if (i) p.append(el("br"));
      p.append(...inline(line));
    });
    return [p];
  });
}

export function asText(value) {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return "";
}
