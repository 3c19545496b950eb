// The web chat: connects to the assistant over Socket.IO, shows its messages,
// and keeps the conversation across page reloads in this tab.

import { io } from "../vendor/socket.io.esm.min.js";
import * as store from "./store.js";
import { el, paragraphs, asText } from "./dom.js";
import { assessmentCard, summaryCard } from "./cards.js";

const log = document.getElementById("log");
const form = document.getElementById("composer");
const input = document.getElementById("message");
const statusLine = document.getElementById("status");
const banner = document.getElementById("banner");
const bannerTitle = document.getElementById("banner-title");
const bannerText = document.getElementById("banner-text");
const summaryForm = document.getElementById("summary-form");
const summaryHtml = document.getElementById("summary-html");

const LEVEL_HEADINGS = {
  emergency: "Emergency: act now",
  urgent: "Urgent: get medical advice today",
};
const REPLY_TIMEOUT_MS = 30000;

let sessionId = store.sessionId();
let confirmed = false;
let replyTimer = null;
const outbox = [];

const actions = {
  send: (message, shown) => send(message, shown),
  openSummary,
};

function setStatus(text) {
  statusLine.textContent = text;
}

function scrollToEnd() {
  log.scrollTop = log.scrollHeight;
}

function removeQuickReplies() {
  for (const group of log.querySelectorAll(".quick-replies")) group.remove();
}

function quickReplies(buttons) {
  return el("div", { class: "quick-replies", role: "group", "aria-label": "Answer choices" },
    buttons.map((b) => el("button", {
      type: "button",
      class: "quick-reply",
      onclick: () => {
        send(asText(b.payload) || asText(b.title), asText(b.title));
        input.focus();
      },
    }, asText(b.title))));
}

function showBanner(level, text) {
  banner.hidden = false;
  banner.className = `banner banner-${level}`;
  bannerTitle.textContent = LEVEL_HEADINGS[level] || LEVEL_HEADINGS.emergency;
  bannerText.textContent = text;
}

function renderMessage(message, { live }) {
  if (message.from === "user") {
    return el("div", { class: "msg user" },
      el("span", { class: "visually-hidden", text: "You said: " }),
      paragraphs(message.text));
  }
  const custom = message.custom && typeof message.custom === "object" ? message.custom : null;
  const level = message.emergency === "urgent" || message.emergency === "emergency" ? message.emergency : null;
  const node = el("div", { class: `msg bot${level ? ` alert alert-${level}` : ""}`, role: level && live ? "alert" : null },
    el("span", { class: "visually-hidden", text: "Assistant: " }),
    level ? el("p", { class: "alert-heading", text: LEVEL_HEADINGS[level] }) : null,
    paragraphs(message.text),
  );
  if (custom?.type === "b12_emergency" && !message.text && asText(custom.message)) {
    node.append(...paragraphs(custom.message));
  }
  if (custom?.type === "b12_assessment") node.append(assessmentCard(custom.assessment, actions));
  if (custom?.type === "b12_summary") node.append(summaryCard(custom, actions));
  if (Array.isArray(message.buttons) && message.buttons.length && message.pending !== false) {
    node.append(quickReplies(message.buttons));
  }
  if (level) showBanner(level, asText(message.text) || asText(custom?.message));
  return node;
}

function add(message, { live = true, save = true } = {}) {
  if (message.from === "user") removeQuickReplies();
  if (save) store.append(message);
  log.append(renderMessage(message, { live }));
  scrollToEnd();
}

function restoreTranscript() {
  const items = store.transcript();
  // Answer buttons are only live on the last message, as before the reload.
  const lastUser = items.map((m) => m.from).lastIndexOf("user");
  items.forEach((m, i) => {
    add({ ...m, pending: m.from === "bot" && i > lastUser }, { live: false, save: false });
  });
  if (items.length) setStatus("Your conversation so far is shown above.");
}

function flush() {
  while (confirmed && outbox.length) {
    socket.emit("user_uttered", { message: outbox.shift(), session_id: sessionId });
  }
}

function waitForReply() {
  clearTimeout(replyTimer);
  setStatus("The assistant is replying…");
  replyTimer = setTimeout(() => {
    setStatus("No reply yet. The assistant may be busy or offline; please try again in a moment.");
  }, REPLY_TIMEOUT_MS);
}

function send(message, shown = message, { silent = false } = {}) {
  const text = String(message ?? "").trim();
  if (!text) return;
  if (!silent) add({ from: "user", text: shown });
  outbox.push(text);
  waitForReply();
  flush();
}

function openSummary(html) {
  // The summary is opened as its own page, which the server sends back with a
  // sandboxing policy: its HTML never enters this page's DOM.
  summaryHtml.value = html;
  summaryForm.submit();
  summaryHtml.value = "";
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = input.value.trim();
  if (!text) {
    input.focus();
    return;
  }
  input.value = "";
  send(text);
  input.focus();
});

document.getElementById("restart").addEventListener("click", () => {
  store.clear();
  window.location.reload();
});

const socket = io({ path: "/socket.io" });

socket.on("connect", () => {
  confirmed = false;
  socket.emit("session_request", { session_id: sessionId });
});

socket.on("session_confirm", (confirmedId) => {
  const id = typeof confirmedId === "string" ? confirmedId : confirmedId?.session_id;
  const fresh = !sessionId || id !== sessionId;
  if (fresh && sessionId) {
    // The server did not accept the old session: start a clean page for the new one.
    store.clear();
    log.replaceChildren();
  }
  sessionId = id;
  store.setSessionId(id);
  confirmed = true;
  if (statusLine.textContent.startsWith("Connection lost")) setStatus("Connected again.");
  if (fresh && !store.transcript().length && !outbox.length) send("/greet", "", { silent: true });
  flush();
});

socket.on("bot_uttered", (data) => {
  if (!data || typeof data !== "object") return;
  const text = asText(data.text);
  const buttons = Array.isArray(data.buttons) ? data.buttons : Array.isArray(data.quick_replies) ? data.quick_replies : [];
  const custom = data.custom && typeof data.custom === "object" ? data.custom : null;
  if (!text && !custom && !buttons.length) return;
  clearTimeout(replyTimer);
  setStatus("");
  add({ from: "bot", text, buttons, custom, emergency: data.emergency || null });
});

socket.on("disconnect", () => {
  confirmed = false;
  setStatus("Connection lost. Trying to reconnect…");
});

socket.on("connect_error", () => {
  setStatus("Cannot reach the assistant. Is it running? Retrying…");
});

restoreTranscript();
input.focus();
