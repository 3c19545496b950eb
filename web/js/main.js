// The web chat: connects to the assistant over Socket.IO, shows its messages,
// and keeps the conversation across page reloads in this tab.

import { io } from "../vendor/socket.io.esm.min.js";
import * as store from "./store.js";
import { el, paragraphs, asText, withCallLinks } from "./dom.js";
import { assessmentCard, assessmentLine, summaryCard } from "./cards.js";

const log = document.getElementById("log");
const form = document.getElementById("composer");
const input = document.getElementById("message");
const statusLine = document.getElementById("status");
const announcer = document.getElementById("announce");
const banner = document.getElementById("banner");
const bannerTitle = document.getElementById("banner-title");
const bannerText = document.getElementById("banner-text");
const summaryForm = document.getElementById("summary-form");
const summaryHtml = document.getElementById("summary-html");
const headerNote = document.querySelector(".top .disclaimer");

const LEVEL_HEADINGS = {
  emergency: "Emergency: act now",
  urgent: "Urgent: get medical advice today",
};
const REPLY_TIMEOUT_MS = 30000;
// "Check for someone else" from the opening: the page asks whom for, then starts
// the check for that person (relation keys of bot/knowledge/data/people.yml).
const SOMEONE_ELSE = /^\/start_check\{.*"subject"\s*:\s*"someone".*\}$/;
const PEOPLE = [
  ["mother", "My mum", "For my mum"],
  ["father", "My dad", "For my dad"],
  ["partner", "My partner", "For my partner"],
  ["child", "My child", "For my child"],
  ["someone", "Someone else", "For someone else"],
];
// On a touch screen, focusing the message box opens the keyboard over the
// conversation; there the person taps the box when they want to type.
const TOUCH = window.matchMedia("(pointer: coarse)").matches;

let sessionId = store.sessionId();
let confirmed = false;
let replyTimer = null;
let pinned = null; // the assessment card of the latest reply, kept in view from its top
let boxes = 0;
const outbox = [];

const actions = {
  send: (message, shown) => send(message, shown),
  openSummary,
};

function setStatus(text) {
  statusLine.textContent = text;
}

function focusMessageBox() {
  if (!TOUCH) input.focus();
}

function scrollToEnd() {
  log.scrollTop = log.scrollHeight;
}

// The card's top at the top of the conversation area: likelihood and urgency are
// what the person must see first, not the end of the test list.
function showFromTop(node) {
  log.scrollTop += node.getBoundingClientRect().top - log.getBoundingClientRect().top - 8;
}

function removeQuickReplies() {
  for (const group of log.querySelectorAll(".quick-replies")) group.remove();
}

function removeConsentChoices() {
  for (const group of log.querySelectorAll(".consent-choices")) group.remove();
}

function replyButton(title, payload, shown = title) {
  return el("button", {
    type: "button",
    class: "quick-reply",
    onclick: () => {
      send(payload || title, shown);
      focusMessageBox();
    },
  }, title);
}

function personPicker() {
  return el("div", { class: "quick-replies", role: "group", "aria-label": "Who is the check for?" },
    el("p", { class: "picker-label", text: "Who is the check for?" }),
    PEOPLE.map(([key, title, shown]) => replyButton(title, `/start_check{"subject": "${key}"}`, shown)));
}

function quickReplies(buttons) {
  const group = el("div", { class: "quick-replies", role: "group", "aria-label": "Answer choices" });
  for (const b of buttons) {
    const payload = asText(b.payload);
    const title = asText(b.title);
    if (SOMEONE_ELSE.test(payload)) {
      group.append(el("button", {
        type: "button",
        class: "quick-reply",
        onclick: () => {
          const picker = personPicker();
          group.replaceWith(picker);
          picker.querySelector("button").focus();
        },
      }, title));
    } else {
      group.append(replyButton(title, payload));
    }
  }
  return group;
}

// The age (or any number) typed into a number box, next to the answer buttons.
function numberBox() {
  const id = `number-${++boxes}`;
  const field = el("input", { id, type: "number", inputmode: "numeric", min: "0", max: "120", step: "1", class: "number-input" });
  return el("form", {
    class: "number-answer",
    onsubmit: (event) => {
      event.preventDefault();
      const value = field.value.trim();
      if (!/^\d{1,3}$/.test(value) || Number(value) > 120) {
        field.setAttribute("aria-invalid", "true");
        field.focus();
        return;
      }
      send(value, value);
      focusMessageBox();
    },
  }, el("label", { for: id, text: "Age in years" }), field, el("button", { type: "submit" }, "Send"));
}

function answerArea(message, question) {
  const buttons = Array.isArray(message.buttons) ? message.buttons : [];
  const group = quickReplies(buttons);
  if (question?.kind === "number") group.prepend(numberBox());
  if (question?.can_go_back) {
    group.append(el("button", {
      type: "button",
      class: "link-button",
      onclick: () => {
        send("/correct", "Change my last answer");
        focusMessageBox();
      },
    }, "Change my last answer"));
  }
  return group;
}

function consentChoices(buttons) {
  return el("div", { class: "consent-choices", role: "group", "aria-label": "Keep these results?" },
    buttons.map((b) => el("button", {
      type: "button",
      class: "quick-reply",
      onclick: () => {
        removeConsentChoices();
        send(asText(b.payload) || asText(b.title), asText(b.title));
        focusMessageBox();
      },
    }, asText(b.title))));
}

function showBanner(level, text) {
  banner.hidden = false;
  banner.className = `banner banner-${level}`;
  bannerTitle.textContent = LEVEL_HEADINGS[level] || LEVEL_HEADINGS.emergency;
  bannerText.replaceChildren(...withCallLinks(text));
}

function progressLine(question) {
  const p = question.progress && typeof question.progress === "object" ? question.progress : {};
  const number = Number(p.number) || 0;
  const about = Math.max(Number(p.about) || 0, number);
  if (!number) return null;
  return el("div", { class: "progress" },
    el("span", { class: "progress-text", text: asText(question.progress_text) || `Question ${number} of about ${about}` }),
    el("progress", { max: String(about), value: String(number - 1), "aria-hidden": "true" }));
}

function renderMessage(message, { live }) {
  if (message.from === "user") {
    return el("div", { class: "msg user" },
      el("span", { class: "visually-hidden", text: "You said: " }),
      paragraphs(message.text));
  }
  const custom = message.custom && typeof message.custom === "object" ? message.custom : null;
  const kind = asText(custom?.type);
  const level = message.emergency === "urgent" || message.emergency === "emergency" ? message.emergency : null;
  const node = el("div", { class: `msg bot${level ? ` alert alert-${level}` : ""}${kind === "b12_assessment" ? " with-card" : ""}`, role: level && live ? "alert" : null },
    el("span", { class: "visually-hidden", text: "Assistant: " }),
    level ? el("p", { class: "alert-heading", text: LEVEL_HEADINGS[level] }) : null,
    kind === "b12_question" ? progressLine(custom) : null,
  );
  // An assessment or a summary is its card; the text says the same for channels
  // that cannot show one.
  if (kind === "b12_assessment") node.append(assessmentCard(custom.assessment, actions));
  else if (kind === "b12_summary") node.append(summaryCard(custom, actions));
  else node.append(...paragraphs(message.text, { call: true }));
  if (kind === "b12_emergency" && !message.text && asText(custom.message)) {
    node.append(...paragraphs(custom.message, { call: true }));
  }
  const buttons = Array.isArray(message.buttons) ? message.buttons : [];
  if (kind === "b12_consent") {
    if (buttons.length && message.pending !== false) node.append(consentChoices(buttons));
  } else if (kind !== "b12_assessment" && message.pending !== false
      && (buttons.length || kind === "b12_question")) {
    node.append(answerArea(message, kind === "b12_question" ? custom : null));
  }
  if (level) showBanner(level, asText(message.text) || asText(custom?.message));
  return node;
}

function add(message, { live = true, save = true } = {}) {
  if (message.from === "user") {
    removeQuickReplies();
    pinned = null;
    announcer.textContent = "";
  }
  if (message.custom?.type === "b12_consent_answered") removeConsentChoices();
  if (save) store.append(message);
  const node = renderMessage(message, { live });
  log.append(node);
  const card = live ? node.querySelector(".card.assessment") : null;
  if (card) {
    pinned = card;
    // Said to screen readers once, in one line: the card itself is long.
    announcer.textContent = assessmentLine(message.custom.assessment);
    card.querySelector("h3")?.focus({ preventScroll: true });
  }
  if (pinned) showFromTop(pinned);
  else scrollToEnd();
}

// What the page keeps is forgotten with the conversation: the transcript and
// the session id go, and a new conversation starts under a new id.
function forgetConversation(text) {
  store.clear();
  log.replaceChildren();
  banner.hidden = true;
  pinned = null;
  outbox.length = 0;
  sessionId = null;
  confirmed = false;
  if (text) add({ from: "bot", text }, { save: false });
  setStatus("This conversation has been deleted from this browser and from the assistant.");
  socket.emit("session_request", { session_id: null });
}

function restoreTranscript() {
  const items = store.transcript();
  // Answer buttons are only live on the last message, as before the reload; the
  // question about keeping results stays until it is answered.
  const lastUser = items.map((m) => m.from).lastIndexOf("user");
  const answered = (i) => items.slice(i + 1).some((m) => m.custom?.type === "b12_consent_answered");
  items.forEach((m, i) => {
    const pending = m.from === "bot" && (m.custom?.type === "b12_consent" ? !answered(i) : i > lastUser);
    add({ ...m, pending }, { live: false, save: false });
  });
  scrollToEnd();
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

// Starting over deletes the conversation, so the assistant asks first; a yes
// deletes it on the server and, through its b12_deleted mark, in this tab.
document.getElementById("restart").addEventListener("click", () => {
  send("/delete_my_data", "Start over");
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
  if (custom?.type === "b12_deleted") {
    forgetConversation(text || asText(custom.text));
    return;
  }
  add({ from: "bot", text, buttons, custom, emergency: data.emergency || null });
});

socket.on("disconnect", () => {
  confirmed = false;
  setStatus("Connection lost. Trying to reconnect…");
});

socket.on("connect_error", () => {
  setStatus("Cannot reach the assistant. Is it running? Retrying…");
});

if (headerNote) headerNote.replaceChildren(...withCallLinks(headerNote.textContent));
restoreTranscript();
focusMessageBox();
