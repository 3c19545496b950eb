// The conversation kept in this browser tab, so a reload shows it again.
// sessionStorage (not localStorage): the conversation is health information and
// should not outlive the tab on a shared computer. The server keeps the dialogue
// state under the same session id.

const SESSION_KEY = "b12.session";
const TRANSCRIPT_KEY = "b12.transcript";
const MAX_MESSAGES = 400;

function read(key, fallback) {
  try {
    const raw = sessionStorage.getItem(key);
    return raw === null ? fallback : JSON.parse(raw);
  } catch {
    return fallback;
  }
}

function write(key, value) {
  try {
    sessionStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Storage full or disabled: the chat still works, only reload loses history.
  }
}

export function sessionId() {
  const id = read(SESSION_KEY, null);
  return typeof id === "string" && /^[0-9a-f]{32}$/.test(id) ? id : null;
}

export function setSessionId(id) {
  write(SESSION_KEY, id);
}

export function transcript() {
  const items = read(TRANSCRIPT_KEY, []);
  return Array.isArray(items) ? items.filter((m) => m && typeof m === "object") : [];
}

export function append(message) {
  const items = transcript();
  items.push(message);
  write(TRANSCRIPT_KEY, items.slice(-MAX_MESSAGES));
}

export function clear() {
  try {
    sessionStorage.removeItem(SESSION_KEY);
    sessionStorage.removeItem(TRANSCRIPT_KEY);
  } catch {
    // Nothing stored.
  }
}
