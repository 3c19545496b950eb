// Cards for the assistant's structured payloads: the assessment and the doctor
// summary. Field names follow docs/assessment-schema.md; a missing field just
// leaves its part of the card out, so an older or newer payload still shows.

import { asText, el, paragraphs } from "./dom.js";

const LEVEL_NAMES = {
  emergency: "Emergency",
  urgent: "Urgent",
  routine: "Routine",
  self_care: "Self care",
};

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

export function assessmentCard(assessment, actions) {
  const a = assessment && typeof assessment === "object" ? assessment : {};
  const triage = a.triage && typeof a.triage === "object" ? a.triage : {};
  const level = asText(triage.level);
  const band = asText(a.band_label) || asText(a.band);

  const facts = el("dl", { class: "facts" },
    band ? [el("dt", { text: "How likely a B12 shortage is" }), el("dd", { class: `band band-${asText(a.band)}`, text: band })] : null,
    level ? [el("dt", { text: "How soon to act" }),
      el("dd", { class: `urgency level-${level}` },
        el("span", { class: "chip", text: LEVEL_NAMES[level] || level }), " ", asText(triage.title))] : null,
  );

  const redFlags = list(a.red_flags, (f) => el("li", { text: asText(f?.message) || asText(f?.label) }));
  const reasons = list(triage.reasons, (r) => (asText(r) ? el("li", { text: asText(r) }) : null));
  const tests = list(a.tests, (t) => asText(t?.name)
    ? el("li", {}, el("strong", { text: asText(t.name) }), asText(t.reason) ? el("span", { class: "reason", text: ` ${asText(t.reason)}` }) : null)
    : null);
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

  return el("article", { class: `card assessment level-${level || "unknown"}`, "aria-label": "Your assessment" },
    el("h3", { text: "Your assessment" }),
    facts,
    redFlags ? section("Warning signs you mentioned", redFlags) : null,
    asText(triage.advice) ? el("p", { class: "advice", text: asText(triage.advice) }) : null,
    reasons ? section("Why this urgency", reasons) : null,
    tests ? section("Tests to ask about", tests) : null,
    labs ? section("Your results", labs) : null,
    why,
    asText(a.disclaimer) ? el("p", { class: "disclaimer-small", text: asText(a.disclaimer) }) : null,
    el("div", { class: "card-actions", role: "group", "aria-label": "About this assessment" },
      el("button", { type: "button", class: "secondary", onclick: () => actions.send("why?", "Why?") }, "Why?"),
      el("button", { type: "button", class: "secondary", onclick: () => actions.send("summary for my doctor", "Summary for my doctor") }, "Summary for my doctor"),
    ),
  );
}

export function summaryCard(summary, actions) {
  const s = summary && typeof summary === "object" ? summary : {};
  const html = asText(s.html);
  const text = asText(s.text);
  return el("article", { class: "card summary", "aria-label": "Summary for your doctor" },
    el("h3", { text: "Summary for your doctor" }),
    el("p", { text: "Open it as a page to print it or save it as a PDF, and take it to your appointment." }),
    html ? el("div", { class: "card-actions" },
      el("button", { type: "button", onclick: () => actions.openSummary(html) }, "Open printable summary")) : null,
    text ? el("details", { class: "card-details" }, el("summary", { text: "Read it here" }), paragraphs(text)) : null,
  );
}
