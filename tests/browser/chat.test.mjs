// The web chat in a real browser (Debian's Chromium), against the running
// assistant: WEBCHAT_URL points at its page (scripts/browser_tests.sh sets it).
// Screenshots of every behaviour, on a phone (390×844) and a desktop (1280×800),
// go to results/screenshots/ for a person to look at.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "../..");
const URL = process.env.WEBCHAT_URL || "http://127.0.0.1:5005/webchat/";
const SCREENSHOTS = path.join(ROOT, "results", "screenshots");
const REPLY_MS = Number(process.env.WEBCHAT_REPLY_MS || 30000);
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
const DESKTOP = { viewport: { width: 1280, height: 800 } };
const SCREENS = [["phone", PHONE], ["desktop", DESKTOP]];

let browser;

before(async () => {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  // Each launch gets a fresh temporary profile from Playwright.
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
});

after(async () => {
  await browser?.close();
});

async function openChat(options = PHONE) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("dialog", async (d) => { problems.push(`dialog: ${d.message()}`); await d.dismiss(); });
  page.on("console", (m) => { if (m.type() === "error") problems.push(`console: ${m.text()}`); });
  page.on("request", (r) => {
    const u = new globalThis.URL(r.url());
    if (!["127.0.0.1", "localhost"].includes(u.hostname) && !r.url().startsWith("data:")) {
      problems.push(`request outside this machine: ${r.url()}`);
    }
  });
  await page.goto(URL);
  await waitForBot(page, 1);
  return { context, page, problems };
}

const botMessages = (page) => page.locator("#log .msg.bot");

async function settle(page) {
  // A reply can be several messages: wait until none arrives for a moment.
  let count = -1;
  for (let i = 0; i < 20; i++) {
    const now = await botMessages(page).count();
    if (now === count) break;
    count = now;
    await page.waitForTimeout(400);
  }
}

async function waitForBot(page, atLeast) {
  await page.waitForFunction(
    (n) => document.querySelectorAll("#log .msg.bot").length >= n,
    atLeast, { timeout: REPLY_MS });
  await settle(page);
}

async function say(page, text) {
  const before = await botMessages(page).count();
  await page.fill("#message", text);
  await page.press("#message", "Enter");
  await waitForBot(page, before + 1);
}

async function choose(page, button) {
  const before = await botMessages(page).count();
  await button.click();
  await waitForBot(page, before + 1);
}

async function shot(page, name) {
  // The conversation scrolls inside the page, so the viewport is what a person sees.
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
}

const lastBotText = async (page) => (await botMessages(page).last().innerText()).toLowerCase();
const transcript = (page) => page.evaluate(() => JSON.parse(sessionStorage.getItem("b12.transcript") || "[]"));

// Answers the interview cautiously ("No" to every question, "Not sure" when
// there is no "No", an age when asked) until the assessment card appears.
async function answerUntilCard(page, { age = "45", cards = 0 } = {}) {
  for (let turn = 0; turn < 40; turn++) {
    if ((await page.locator(".card.assessment").count()) > cards) return;
    const replies = page.locator(".quick-replies .quick-reply");
    const box = page.locator(".number-answer input");
    if (await box.count()) {
      await box.fill(age);
      const before = await botMessages(page).count();
      await box.press("Enter");
      await waitForBot(page, before + 1);
    } else if (await replies.count()) {
      const no = page.locator(".quick-replies .quick-reply", { hasText: /^no$/i });
      const unsure = page.locator(".quick-replies .quick-reply", { hasText: /not sure|rather not|prefer not/i });
      await choose(page, (await no.count()) ? no.first() : (await unsure.count()) ? unsure.first() : replies.first());
    } else await say(page, "no");
  }
  assert.fail("no assessment card after 40 answers");
}

async function runInterview(page) {
  await choose(page, page.locator(".quick-reply", { hasText: /^check for me$/i }));
  await say(page, "I've been exhausted for months and get pins and needles in my feet. I'm vegan.");
  await answerUntilCard(page);
}

// Where the card's top sits against the top of the conversation area, in pixels.
const cardOffset = (page) => page.evaluate(() => {
  const card = [...document.querySelectorAll(".card.assessment")].pop();
  return Math.round(card.getBoundingClientRect().top - document.getElementById("log").getBoundingClientRect().top);
});

test("vendored Socket.IO client is the npm package's own file", () => {
  const vendored = fs.readFileSync(path.join(ROOT, "web/vendor/socket.io.esm.min.js"));
  const npm = fs.readFileSync(path.join(HERE, "node_modules/socket.io-client/dist/socket.io.esm.min.js"));
  assert.ok(vendored.equals(npm), "web/vendor/socket.io.esm.min.js differs from socket.io-client in package-lock.json");
});

for (const [screen, options] of SCREENS) {
  test(`${screen}: the result arrives in view from its top, announced, with progress on the way`, async () => {
    const { context, page, problems } = await openChat(options);
    // Nothing about keeping results before there is any result.
    assert.equal(await page.getByRole("button", { name: /keep my results/i }).count(), 0);
    await choose(page, page.locator(".quick-reply", { hasText: /^check for me$/i }));
    const progress = page.locator(".msg.bot .progress-text").last();
    assert.match(await progress.innerText(), /^Question 1 of about \d+$/);
    await shot(page, `progress-${screen}`);
    await say(page, "I've been exhausted for months and get pins and needles in my feet. I'm vegan.");
    await answerUntilCard(page);
    const offset = await cardOffset(page);
    console.log(`# ${screen}: assessment card top ${offset}px below the top of the conversation area`);
    assert.ok(offset >= 0 && offset <= 24, `the card's top is at ${offset}px, not at the top of the view`);
    const card = page.locator(".card.assessment").last();
    assert.ok(await card.locator(".facts").isVisible(), "likelihood and urgency are not visible");
    assert.equal(await page.evaluate(() => document.activeElement.closest(".card.assessment") !== null
      && document.activeElement.tagName), "H3", "the card's heading is not focused");
    const sent = (await transcript(page)).filter((m) => m.custom?.type === "b12_assessment").pop().custom.assessment;
    assert.match(await page.locator("#announce[role=status]").textContent(), new RegExp(`How likely a B12 shortage is: ${sent.band_label}`));
    assert.match(await card.locator(".visually-hidden").first().textContent(), new RegExp(sent.triage.title.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
    // One row of follow-ups, on the card; the assessment's text is not repeated above it.
    assert.equal(await page.locator("#log").getByRole("button", { name: "Which tests?" }).count(), 1);
    await shot(page, `assessment-${screen}`);
    assert.deepEqual(problems, []);
    await context.close();
  });
}

test("the card shows the tests with reasons, advice about timing apart, and every follow-up stays", async () => {
  const { context, page, problems } = await openChat(DESKTOP);
  await runInterview(page);
  const card = page.locator(".card.assessment").last();
  const sent = (await transcript(page)).filter((m) => m.custom?.type === "b12_assessment").pop().custom.assessment;
  const facts = await card.locator(".facts").innerText();
  assert.ok(facts.includes(sent.band_label) && facts.includes(sent.triage.title));
  const testList = await card.locator(".card-section", { hasText: "Tests to ask about" }).innerText();
  for (const t of sent.tests.filter((t) => t.id !== "blood_before_supplements")) {
    assert.ok(testList.includes(t.name) && testList.includes(t.reason), `test ${t.name} not shown with its reason`);
  }
  assert.doesNotMatch(testList, /before starting any B12 supplement/i, "timing advice listed as a test");
  if (sent.tests.some((t) => t.id === "blood_before_supplements")) {
    assert.match(await card.locator(".before-testing").innerText(), /Before the test/);
  }

  await choose(page, card.getByRole("button", { name: "Why?" }));
  const why = botMessages(page).last();
  const words = await why.innerText();
  assert.doesNotMatch(words, /log-odds|docs\/|prior|\bLR\+|\bOR \d/i, "reviewers' words in the explanation");
  assert.ok(await why.locator("li").count() >= 2, "the reasons are not a list");
  assert.doesNotMatch(words, /^\s*- /m, "raw dashes shown");
  // "Which tests?" is still there after "Why?", on the card and under the answer.
  assert.equal(await card.getByRole("button", { name: "Which tests?" }).count(), 1);
  await choose(page, why.getByRole("button", { name: "Which tests?" }));
  assert.match(await botMessages(page).last().innerText(), /Tests you could ask your GP about/);
  await shot(page, "why-and-tests-desktop");
  assert.deepEqual(problems, []);
  await context.close();
});

for (const [screen, options] of SCREENS) {
  test(`${screen}: the summary is a card with a printable page, not text with rulers`, async () => {
    const { context, page, problems } = await openChat(options);
    await runInterview(page);
    await choose(page, page.locator(".card.assessment").last().getByRole("button", { name: "Summary for my doctor" }));
    const summary = page.locator(".card.summary").last();
    await summary.waitFor();
    const shown = await botMessages(page).last().innerText();
    assert.doesNotMatch(shown, /===|---|Read it here/, "the summary's text is shown in the chat");
    const served = context.waitForEvent("response", (r) => r.url().endsWith("/webchat/summary"));
    const [popup] = await Promise.all([
      context.waitForEvent("page"),
      summary.getByRole("button", { name: "Open printable summary" }).click(),
    ]);
    const response = await served;
    await popup.waitForLoadState();
    assert.match(response.headers()["content-security-policy"] || "", /^sandbox/);
    const body = await popup.locator("body").innerText();
    assert.ok(body.length > 100, "the summary page is empty");
    const print = popup.getByRole("button", { name: "Print this summary" });
    assert.ok(await print.isVisible(), "the summary page shows no Print button");
    assert.ok(!(await popup.getByText("use your browser's Print command").isVisible()), "the print hint is still shown");
    assert.doesNotMatch(body, /docs\/scoring/);
    await popup.screenshot({ path: path.join(SCREENSHOTS, `doctor-summary-${screen}.png`) });
    await shot(page, `summary-card-${screen}`);
    assert.deepEqual(problems, []);
    await context.close();
  });
}

test("the consent question comes with the first result and is not lost by typing", async () => {
  const { context, page, problems } = await openChat(PHONE);
  await runInterview(page);
  const keep = page.locator(".consent-choices").getByRole("button", { name: "Keep my results" });
  assert.equal(await keep.count(), 1, "no question about keeping the results under the first one");
  await say(page, "why?");
  assert.equal(await keep.count(), 1, "typing something else took the question away");
  await shot(page, "consent-phone");
  await choose(page, keep);
  assert.equal(await page.locator(".consent-choices").count(), 0);
  assert.match(await lastBotText(page), /keep your answers and results/);
  assert.deepEqual(problems, []);
  await context.close();
});

for (const [screen, options] of SCREENS) {
  test(`${screen}: change my last answer, by button and in words, re-asks and updates the result`, async () => {
    const { context, page, problems } = await openChat(options);
    await choose(page, page.locator(".quick-reply", { hasText: /^check for me$/i }));
    const first = (await botMessages(page).last().locator("p").allInnerTexts()).join(" ");
    const no = () => page.locator(".quick-replies .quick-reply", { hasText: /^(no|not sure|i'd rather not|prefer not|i eat meat)/i }).first();
    const box = page.locator(".number-answer input");
    if (await box.count()) {
      await box.fill("52");
      const before = await botMessages(page).count();
      await box.press("Enter");
      await waitForBot(page, before + 1);
    } else await choose(page, no());
    assert.match(await page.locator(".msg.bot .progress-text").last().innerText(), /^Question 2 of about/);
    const back = page.locator(".quick-replies").getByRole("button", { name: "Change my last answer" });
    await choose(page, back);
    assert.match(await page.locator(".msg.bot .progress-text").last().innerText(), /^Question 1 of about/);
    assert.equal((await botMessages(page).last().locator("p").allInnerTexts()).join(" "), first,
      "the previous question was not asked again");
    await shot(page, `go-back-${screen}`);

    // In words, too, in the middle of the interview.
    await choose(page, no());
    await say(page, "go back");
    assert.match(await page.locator(".msg.bot .progress-text").last().innerText(), /^Question 1 of about/);

    // After the result: the last question comes back, and a new result follows.
    await answerUntilCard(page, { age: "52" });
    const cards = await page.locator(".card.assessment").count();
    await say(page, "change my last answer");
    assert.ok(await page.locator(".msg.bot .progress-text").count(), "no question asked again after the result");
    assert.match(await page.locator(".msg.bot").last().innerText(), /Question \d+ of about/);
    await answerUntilCard(page, { age: "52", cards });
    assert.equal(await page.locator(".card.assessment").count(), cards + 1, "no updated assessment");
    assert.deepEqual(problems, []);
    await context.close();
  });
}

for (const [screen, options] of SCREENS) {
  test(`${screen}: the age is typed into a number box`, async () => {
    const { context, page, problems } = await openChat(options);
    await choose(page, page.locator(".quick-reply", { hasText: /^check for me$/i }));
    for (let i = 0; i < 15 && !(await page.locator(".number-answer input").count()); i++) {
      await choose(page, page.locator(".quick-replies .quick-reply", { hasText: /^(no|not sure|prefer not|i eat meat)/i }).first());
    }
    const box = page.locator(".number-answer input");
    assert.equal(await box.count(), 1, "no number box for the age");
    assert.equal(await box.getAttribute("type"), "number");
    assert.equal(await page.getByLabel("Age in years").count(), 1);
    await shot(page, `age-${screen}`);
    await box.fill("67");
    const before = await botMessages(page).count();
    await page.locator(".number-answer").getByRole("button", { name: "Send" }).click();
    await waitForBot(page, before + 1);
    assert.equal(await page.locator(".msg.user p").last().innerText(), "67");
    assert.doesNotMatch(await lastBotText(page), /how old/);
    assert.deepEqual(problems, []);
    await context.close();
  });
}

for (const [screen, options] of SCREENS) {
  test(`${screen}: an emergency: one instruction with numbers to tap, the rest once safe`, async () => {
    const { context, page, problems } = await openChat(options);
    await choose(page, page.locator(".quick-reply", { hasText: /^check for me$/i }));
    await say(page, "I have crushing chest pain right now");
    const alert = page.locator("#log [role=alert]").first();
    await alert.waitFor({ timeout: REPLY_MS });
    assert.match(await alert.innerText(), /999|112|911|A&E|emergency/i);
    assert.ok(await page.locator("#banner").isVisible(), "the emergency banner is hidden");
    assert.ok(await page.locator("#banner a[href^='tel:']").count() >= 1, "no tap-to-call link in the banner");
    assert.ok(await alert.locator("a[href^='tel:']").count() >= 1, "no tap-to-call link in the alert");
    for (let i = 0; i < 5 && !(await page.locator(".card.assessment").count()); i++) {
      const any = page.locator(".quick-replies .quick-reply", { hasText: /^yes$/i }).first();
      if (await any.count()) await choose(page, any); else await say(page, "yes");
    }
    const card = page.locator(".card.assessment.level-emergency").last();
    await card.waitFor({ timeout: REPLY_MS });
    assert.ok(await card.locator(".advice a[href^='tel:']").count() >= 1, "no tap-to-call link on the card");
    assert.equal(await card.locator(".facts").isVisible(), false, "likelihood shown under an emergency");
    assert.equal(await card.getByText("Tests to ask about later").isVisible(), false, "tests shown under an emergency");
    assert.equal(await page.locator(".consent-choices").count(), 0, "asked about keeping results in an emergency");
    await shot(page, `emergency-${screen}`);
    await card.getByRole("button", { name: /I'm safe now/ }).click();
    assert.ok(await card.locator(".facts").isVisible(), "the rest does not show once safe");
    assert.deepEqual(problems, []);
    await context.close();
  });
}

for (const [screen, options] of SCREENS) {
  test(`${screen}: delete my data and start over clear the tab too, after a confirmation`, async () => {
    const { context, page, problems } = await openChat(options);
    await say(page, "I've had pins and needles in my hands for weeks");
    const oldSession = await page.evaluate(() => sessionStorage.getItem("b12.session"));
    // Start over asks first; "No" keeps everything.
    await choose(page, page.getByRole("button", { name: "Start over" }));
    assert.match(await lastBotText(page), /delete everything/);
    await choose(page, page.locator(".quick-reply", { hasText: "No, keep it" }));
    assert.match(await page.locator("#log").innerText(), /pins and needles in my hands/);
    await shot(page, `start-over-asked-${screen}`);

    // "Delete my data", confirmed: gone from the page, the tab's storage and a reload.
    await say(page, "delete my data");
    await page.locator(".quick-reply", { hasText: "Yes, delete everything" }).click();
    await page.waitForFunction((old) => {
      const id = sessionStorage.getItem("b12.session");
      return id && id !== old;
    }, oldSession, { timeout: REPLY_MS });
    await waitForBot(page, 2);
    const stored = JSON.stringify(await transcript(page));
    assert.doesNotMatch(stored, /pins and needles in my hands/, "the old conversation is still in the tab's storage");
    assert.doesNotMatch(await page.locator("#log").innerText(), /pins and needles in my hands/);
    assert.match(await botMessages(page).first().innerText(), /deleted everything/);
    await shot(page, `deleted-${screen}`);
    await page.reload();
    await waitForBot(page, 1);
    assert.doesNotMatch(await page.locator("#log").innerText(), /pins and needles in my hands/);

    // Start over, confirmed: the same.
    await say(page, "my tongue has been sore");
    await page.getByRole("button", { name: "Start over" }).click();
    await page.locator(".quick-reply", { hasText: "Yes, delete everything" }).waitFor({ timeout: REPLY_MS });
    await page.locator(".quick-reply", { hasText: "Yes, delete everything" }).click();
    await page.waitForFunction(() => !document.getElementById("log").innerText.includes("my tongue has been sore"),
      null, { timeout: REPLY_MS });
    await waitForBot(page, 1);
    assert.doesNotMatch(JSON.stringify(await transcript(page)), /tongue/);
    assert.deepEqual(problems, []);
    await context.close();
  });
}

for (const [screen, options] of SCREENS) {
  test(`${screen}: a check for someone else, chosen in the widget, is worded for them`, async () => {
    const { context, page, problems } = await openChat(options);
    await page.locator(".quick-reply", { hasText: /^check for someone else$/i }).click();
    const picker = page.getByRole("group", { name: "Who is the check for?" });
    await picker.waitFor();
    await shot(page, `someone-else-choice-${screen}`);
    await choose(page, picker.getByRole("button", { name: "My mum" }));
    assert.equal(await page.locator(".msg.user p").last().innerText(), "For my mum");
    const question = await lastBotText(page);
    assert.match(question, /your mum|does she|has she|is she|her /, `the question is not about her: ${question}`);
    assert.doesNotMatch(question, /\bdo you\b|\bhave you\b|\bare you\b/);
    await answerUntilCard(page, { age: "79" });
    assert.match(await page.locator(".card.assessment h3").last().innerText(), /Assessment for your mum/);
    await shot(page, `someone-else-${screen}`);
    assert.deepEqual(problems, []);
    await context.close();
  });
}

test("on a phone the keyboard does not open by itself; on a desktop the message box is ready", async () => {
  const phone = await openChat(PHONE);
  assert.notEqual(await phone.page.evaluate(() => document.activeElement.id), "message");
  await shot(phone.page, "opening-phone");
  await phone.context.close();
  const desktop = await openChat(DESKTOP);
  assert.equal(await desktop.page.evaluate(() => document.activeElement.id), "message");
  await shot(desktop.page, "opening-desktop");
  await desktop.context.close();
});

test("keyboard only: reach the answer buttons, answer, type and send", async () => {
  const { context, page, problems } = await openChat(DESKTOP);
  const focused = () => page.evaluate(() => {
    const a = document.activeElement;
    return { id: a.id, text: a.textContent.trim(), cls: a.className, outline: getComputedStyle(a).outlineStyle };
  });
  assert.equal((await focused()).id, "message", "the message box is not focused on load");

  // Shift+Tab from the message box walks back to the latest answer buttons.
  const before = await botMessages(page).count();
  assert.ok(await page.locator(".quick-reply").count(), "the opening has no answer buttons");
  let onButton = null;
  for (let i = 0; i < 3; i++) {
    await page.keyboard.press("Shift+Tab");
    onButton = await focused();
    if (onButton.text === "Check for me") break;
  }
  assert.equal(onButton.cls, "quick-reply");
  assert.equal(onButton.text, "Check for me");
  assert.notEqual(onButton.outline, "none", "no visible focus indicator");
  await page.keyboard.press("Enter");
  await waitForBot(page, before + 1);
  assert.equal((await focused()).id, "message", "focus did not return to the message box");
  await page.keyboard.type("I feel tired all the time");
  await page.keyboard.press("Enter");
  await waitForBot(page, (await botMessages(page).count()) + 1);
  assert.match(await page.locator(".msg.user").last().innerText(), /I feel tired all the time/);

  // The skip link is the first stop on the page and leads to the message box.
  await page.click("h1");
  await page.keyboard.press("Shift+Tab");
  assert.match((await focused()).text, /Skip to the message box/);
  await page.keyboard.press("Enter");
  assert.equal((await focused()).id, "message");
  await shot(page, "keyboard-desktop");
  assert.deepEqual(problems, []);
  await context.close();
});

test("markup typed by a person is shown as text and never runs", async () => {
  const { context, page, problems } = await openChat(PHONE);
  const attack = `<img src=x onerror="window.__xss=1"><script>window.__xss=2</script><b>bold</b>`;
  await say(page, attack);
  assert.equal(await page.evaluate(() => window.__xss), undefined);
  assert.equal(await page.locator("#log img, #log script, #log b").count(), 0);
  assert.ok((await page.locator(".msg.user").last().innerText()).includes(attack));
  await shot(page, "xss-phone");
  assert.deepEqual(problems.filter((p) => !p.includes("/x")), []);
  await context.close();
});

test("the conversation survives a reload and carries on", async () => {
  const { context, page, problems } = await openChat(PHONE);
  await say(page, "I've had pins and needles in my hands for weeks");
  const before = await page.locator("#log").innerText();
  const session = await page.evaluate(() => sessionStorage.getItem("b12.session"));
  await page.reload();
  await page.waitForFunction(() => document.querySelectorAll("#log .msg").length > 0);
  assert.equal(await page.locator("#log").innerText(), before);
  assert.equal(await page.evaluate(() => sessionStorage.getItem("b12.session")), session);
  await say(page, "not sure");
  assert.match(await page.locator(".msg.user").last().innerText(), /not sure/);
  await shot(page, "after-reload-phone");
  assert.deepEqual(problems, []);
  await context.close();
});

async function axeViolations(page) {
  const axe = fs.readFileSync(path.join(HERE, "node_modules/axe-core/axe.min.js"), "utf8");
  if (!(await page.evaluate(() => Boolean(window.axe)))) await page.evaluate(axe); // outside the page's CSP
  const result = await page.evaluate(() =>
    window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }));
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

for (const [screen, options] of SCREENS) {
  test(`${screen}: accessibility: axe finds no WCAG 2.1 A/AA violations at any step, and the page fits`, async () => {
    const { context, page } = await openChat(options);
    assert.deepEqual(await axeViolations(page), [], "the opening");
    await page.locator(".quick-reply", { hasText: /^check for someone else$/i }).click();
    assert.deepEqual(await axeViolations(page), [], "the person choice");
    await choose(page, page.getByRole("button", { name: "Someone else" }));
    assert.deepEqual(await axeViolations(page), [], "a question with its progress");
    await answerUntilCard(page);
    assert.deepEqual(await axeViolations(page), [], "the assessment card and the consent question");
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
    await shot(page, `axe-${screen}`);
    await context.close();
  });
}
