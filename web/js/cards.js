// Cards for the assistant's structured payloads: the assessment and the doctor
// summary. Field names follow docs/assessment-schema.md; a missing field just
// leaves its part of the card out, so an older or newer payload still shows.

import { asText, el, paragraphs, withCallLinks } from "./dom.js";

const LEVEL_NAMES = {
  emergency: "Emergency",
  urgent: "Urgent",
  routine: "Routine",
  self_care: "Self care",
};
// Entries of the test list that say when to have the tests, not which test:
// shown as advice under the list (ids from docs/assessment-schema.md).
const BEFORE_TESTING = new Set(["blood_before_supplements"]);

let cardCount = 0;

function list(items, render) {
  const rows = (Array.isArray(items) ? items : []).map(render).filter(Boolean);
  return rows.length ? el("ul", {}, rows) : null;
}

function section(title, ...body) {
  const content = body.filter(Boolean);
  if (!content.length) return null;
  return el("section", { class: "card-section" }, el("h4", { text: title }), content);
}

function factorList(factors) {
  return list(factors, (f) => (asText(f?.label) ? el("li", { text: asText(f.label) }) : null));
}

// One line for screen readers and the status line: what the card says first.
export function assessmentLine(assessment) {
  const a = assessment && typeof assessment === "object" ? assessment : {};
  const triage = a.triage && typeof a.triage === "object" ? a.triage : {};
  if (asText(triage.level) === "emergency") {
    return `Your assessment: ${asText(triage.title) || "get emergency help now"}. ${asText(triage.advice)}`.trim();
  }
  const parts = [];
  if (asText(a.band_label)) parts.push(`How likely a B12 shortage is: ${asText(a.band_label)}.`);
  if (asText(triage.title)) parts.push(`How soon to act: ${asText(triage.title)}.`);
  return `Your assessment. ${parts.join(" ")}`.trim();
}

function followUps(actions) {
  return el("div", { class: "card-actions", role: "group", "aria-label": "About this assessment" },
    el("button", { type: "button", class: "secondary", onclick: () => actions.send("/ask_why", "Why?") }, "Why?"),
    el("button", { type: "button", class: "secondary", onclick: () => actions.send("/ask_tests", "Which tests?") }, "Which tests?"),
    el("button", { type: "button", class: "secondary", onclick: () => actions.send("/request_summary", "Summary for my doctor") }, "Summary for my doctor"),
  );
}

export function assessmentCard(assessment, actions) {
  const a = assessment && typeof assessment === "object" ? assessment : {};
  const triage = a.triage && typeof a.triage === "object" ? a.triage : {};
  const level = asText(triage.level);
  const band = asText(a.band_label) || asText(a.band);
  const whose = asText(a.checked_for?.name);
  const headingId = `assessment-${++cardCount}`;
  const title = whose ? `Assessment for ${whose}` : "Your assessment";

  const facts = el("dl", { class: "facts" },
    band ? [el("dt", { text: "How likely a B12 shortage is" }), el("dd", { class: `band band-${asText(a.band)}`, text: band })] : null,
    level ? [el("dt", { text: "How soon to act" }),
      el("dd", { class: `urgency level-${level}` },
        el("span", { class: "chip", text: LEVEL_NAMES[level] || level }), " ", asText(triage.title))] : null,
  );

  const redFlags = list(a.red_flags, (f) => el("li", {}, withCallLinks(asText(f?.message) || asText(f?.label))));
  const reasons = list(triage.reasons, (r) => (asText(r) ? el("li", { text: asText(r) }) : null));
  const allTests = Array.isArray(a.tests) ? a.tests : [];
  const tests = list(allTests.filter((t) => !BEFORE_TESTING.has(asText(t?.id))), (t) => asText(t?.name)
    ? el("li", {}, el("strong", { text: asText(t.name) }), asText(t.reason) ? el("span", { class: "reason", text: ` ${asText(t.reason)}` }) : null)
    : null);
  const timing = allTests.filter((t) => BEFORE_TESTING.has(asText(t?.id)) && asText(t?.name))
    .map((t) => el("p", { class: "before-testing" }, el("strong", { text: "Before the test: " }),
      `${asText(t.name)}. ${asText(t.reason)}`.trim()));
  const labs = list(a.labs, (l) => asText(l?.label)
    ? el("li", {}, el("strong", { text: `${asText(l.label)}: ${asText(l.original) || `${asText(l.value)} ${asText(l.unit)}`}` }), " ", asText(l.message))
    : null);
  const factors = a.factors && typeof a.factors === "object" ? a.factors : {};
  const up = factorList(factors.supporting);
  const down = factorList(factors.against);

  const why = (up || down)
    ? el("details", { class: "card-details" },
        el("summary", { text: "What the estimate is based on" }),
        up ? el("p", { class: "sub", text: "Made it more likely:" }) : null, up,
        down ? el("p", { class: "sub", text: "Made it less likely:" }) : null, down)
    : null;
  const disclaimer = asText(a.disclaimer) ? el("p", { class: "disclaimer-small", text: asText(a.disclaimer) }) : null;
  const heading = el("h3", { id: headingId, tabindex: "-1", text: title });
  const line = el("p", { class: "visually-hidden", text: assessmentLine(a) });

  if (level === "emergency") {
    // One instruction, with numbers to tap; the estimate and the tests wait until
    // the person says they are safe, so nothing competes with getting help.
    const rest = el("div", { class: "after-safe", hidden: true },
      facts, tests ? section("Tests to ask about later", tests) : null, timing, labs ? section("Your results", labs) : null,
      why, disclaimer, followUps(actions));
    const reveal = el("button", {
      type: "button",
      class: "secondary safe-now",
      onclick: (event) => {
        rest.hidden = false;
        event.currentTarget.remove();
        facts.setAttribute("tabindex", "-1");
        facts.focus();
      },
    }, "I'm safe now: show the rest");
    return el("article", { class: "card assessment level-emergency", "aria-labelledby": headingId },
      heading, line,
      el("p", { class: "alert-heading", text: asText(triage.title) || "Get emergency help now" }),
      asText(triage.advice) ? el("p", { class: "advice" }, withCallLinks(asText(triage.advice))) : null,
      reveal, rest);
  }

  return el("article", { class: `card assessment level-${level || "unknown"}`, "aria-labelledby": headingId },
    heading, line,
    facts,
    redFlags ? section("Warning signs you mentioned", redFlags) : null,
    asText(triage.advice) ? el("p", { class: "advice" }, withCallLinks(asText(triage.advice))) : null,
    reasons ? section("Why this urgency", reasons) : null,
    tests ? section("Tests to ask about", tests) : null,
    timing,
    labs ? section("Your results", labs) : null,
    why,
    disclaimer,
    followUps(actions),
  );
}

export function summaryCard(summary, actions) {
  const s = summary && typeof summary === "object" ? summary : {};
  const html = asText(s.html);
  return el("article", { class: "card summary", "aria-label": "Summary for your doctor" },
    el("h3", { text: "Summary for your doctor" }),
    el("p", { text: "It lists what you told me, the estimate with its reasons, and the tests to ask about. Open it as a page to print it or save it as a PDF, and take it to your appointment." }),
    html ? el("div", { class: "card-actions" },
      el("button", { type: "button", onclick: () => actions.openSummary(html) }, "Open printable summary")) : null,
  );
}

// Paragraphs of a message (used for the text of payloads shown without a card).
export function messageText(text) {
  return paragraphs(text, { call: true });
}
