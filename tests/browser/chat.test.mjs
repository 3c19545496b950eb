// The web chat in a real browser (Debian's Chromium), against the running
// assistant: WEBCHAT_URL points at its page (scripts/browser_tests.sh sets it).
// Screenshots go to test-artifacts/browser/ for a person to look at.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "../..");
const URL = process.env.WEBCHAT_URL || "http://127.0.0.1:5005/webchat/";
const ARTIFACTS = path.join(ROOT, "test-artifacts", "browser");
const REPLY_MS = Number(process.env.WEBCHAT_REPLY_MS || 30000);
const PHONE = { width: 390, height: 844 };

let browser;

before(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
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

async function openChat(options = {}) {
  const context = await browser.newContext({ viewport: PHONE, ...options });
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

async function waitForBot(page, atLeast) {
  await page.waitForFunction(
    (n) => document.querySelectorAll("#log .msg.bot").length >= n,
    atLeast, { timeout: REPLY_MS });
  // A reply can be several messages: wait until none arrives for a moment.
  let count = -1;
  for (let i = 0; i < 20; i++) {
    const now = await botMessages(page).count();
    if (now === count) break;
    count = now;
    await page.waitForTimeout(400);
  }
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
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
}

// Answers the interview cautiously ("No" to every question, "Not sure" when
// there is no "No", an age when asked) until the assessment card appears.
async function runInterview(page) {
  const start = page.locator(".quick-reply", { hasText: /start/i });
  if (await start.count()) await choose(page, start.first());
  else await say(page, "I'd like to check if I could be low in B12");
  await say(page, "I've been exhausted for months and get pins and needles in my feet. I'm vegan.");
  for (let turn = 0; turn < 40; turn++) {
    if (await page.locator(".card.assessment").count()) return;
    const replies = page.locator(".quick-reply");
    const last = (await botMessages(page).last().innerText()).toLowerCase();
    if (/how old|your age/.test(last)) await say(page, "45");
    else if (await replies.count()) {
      const no = page.locator(".quick-reply", { hasText: /^no$/i });
      const unsure = page.locator(".quick-reply", { hasText: /not sure|rather not/i });
      await choose(page, (await no.count()) ? no.first() : (await unsure.count()) ? unsure.first() : replies.first());
    } else await say(page, "no");
  }
  assert.fail("no assessment card after 40 answers");
}

test("vendored Socket.IO client is the npm package's own file", () => {
  const vendored = fs.readFileSync(path.join(ROOT, "web/vendor/socket.io.esm.min.js"));
  const npm = fs.readFileSync(path.join(HERE, "node_modules/socket.io-client/dist/socket.io.esm.min.js"));
  assert.ok(vendored.equals(npm), "web/vendor/socket.io.esm.min.js differs from socket.io-client in package-lock.json");
});

test("a full conversation ends in an assessment card, and the doctor summary opens as its own page", async () => {
  const { context, page, problems } = await openChat();
  await runInterview(page);
  const card = page.locator(".card.assessment").last();
  await card.scrollIntoViewIfNeeded();
  await shot(page, "assessment");
  await card.screenshot({ path: path.join(ARTIFACTS, "assessment-card.png") });
  // The card shows what the assistant's payload says: band, urgency, every test.
  const sent = await page.evaluate(() => JSON.parse(sessionStorage.getItem("b12.transcript"))
    .filter((m) => m.custom?.type === "b12_assessment").pop().custom.assessment);
  const facts = await card.locator(".facts").innerText();
  assert.ok(facts.includes(sent.band_label), `band ${sent.band_label} not shown`);
  assert.ok(facts.includes(sent.triage.title), `urgency ${sent.triage.title} not shown`);
  const cardText = await card.innerText();
  for (const t of sent.tests) {
    assert.ok(cardText.includes(t.name) && cardText.includes(t.reason), `test ${t.name} not shown with its reason`);
  }

  await choose(page, card.getByRole("button", { name: "Why?" }));
  assert.match(await page.locator(".msg.user").last().innerText(), /Why\?/);

  await choose(page, page.locator(".card.assessment").last().getByRole("button", { name: "Summary for my doctor" }));
  const summary = page.locator(".card.summary").last();
  await summary.waitFor();
  const served = context.waitForEvent("response", (r) => r.url().endsWith("/webchat/summary"));
  const [popup] = await Promise.all([
    context.waitForEvent("page"),
    summary.getByRole("button", { name: "Open printable summary" }).click(),
  ]);
  const response = await served;
  await popup.waitForLoadState();
  assert.match(response.headers()["content-security-policy"] || "", /^sandbox/);
  assert.ok((await popup.locator("body").innerText()).length > 100, "the summary page is empty");
  await popup.screenshot({ path: path.join(ARTIFACTS, "doctor-summary.png"), fullPage: true });
  assert.deepEqual(problems, []);
  await context.close();
});

test("a red flag is shown at once as an alert, above the conversation", async () => {
  const { context, page, problems } = await openChat();
  await say(page, "I have crushing chest pain right now");
  const alert = page.locator("#log [role=alert]").first();
  await alert.waitFor({ timeout: REPLY_MS });
  assert.match(await alert.innerText(), /999|112|911|A&E|emergency/i);
  assert.ok(await page.locator("#banner").isVisible(), "the emergency banner is hidden");
  assert.match(await page.locator("#banner").innerText(), /Emergency/);
  await shot(page, "red-flag");
  assert.deepEqual(problems, []);
  await context.close();
});

test("keyboard only: reach the answer buttons, answer, type and send", async () => {
  const { context, page, problems } = await openChat();
  const focused = () => page.evaluate(() => {
    const a = document.activeElement;
    return { id: a.id, text: a.textContent.trim(), cls: a.className, outline: getComputedStyle(a).outlineStyle };
  });
  assert.equal((await focused()).id, "message", "the message box is not focused on load");

  // Shift+Tab from the message box walks back to the latest answer buttons.
  const before = await botMessages(page).count();
  const firstTitle = (await page.locator(".quick-reply").count())
    ? await page.locator(".quick-reply").last().innerText() : null;
  if (firstTitle) {
    await page.keyboard.press("Shift+Tab");
    const onButton = await focused();
    assert.equal(onButton.cls, "quick-reply");
    assert.notEqual(onButton.outline, "none", "no visible focus indicator");
    await page.keyboard.press("Enter");
    await waitForBot(page, before + 1);
    assert.equal((await focused()).id, "message", "focus did not return to the message box");
  }
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
  await shot(page, "keyboard");
  assert.deepEqual(problems, []);
  await context.close();
});

test("markup typed by a person is shown as text and never runs", async () => {
  const { context, page, problems } = await openChat();
  const attack = `<img src=x onerror="window.__xss=1"><script>window.__xss=2</script><b>bold</b>`;
  await say(page, attack);
  assert.equal(await page.evaluate(() => window.__xss), undefined);
  assert.equal(await page.locator("#log img, #log script, #log b").count(), 0);
  assert.ok((await page.locator(".msg.user").last().innerText()).includes(attack));
  await shot(page, "xss");
  assert.deepEqual(problems.filter((p) => !p.includes("/x")), []);
  await context.close();
});

test("the conversation survives a reload and carries on", async () => {
  const { context, page, problems } = await openChat();
  await say(page, "I've had pins and needles in my hands for weeks");
  const transcript = await page.locator("#log").innerText();
  const session = await page.evaluate(() => sessionStorage.getItem("b12.session"));
  await page.reload();
  await page.waitForFunction(() => document.querySelectorAll("#log .msg").length > 0);
  assert.equal(await page.locator("#log").innerText(), transcript);
  assert.equal(await page.evaluate(() => sessionStorage.getItem("b12.session")), session);
  await say(page, "not sure");
  assert.match(await page.locator(".msg.user").last().innerText(), /not sure/);
  await shot(page, "after-reload");
  assert.deepEqual(problems, []);
  await context.close();
});

test("accessibility: axe finds no WCAG 2.1 A/AA violations, and the page fits a phone", async () => {
  const { context, page } = await openChat();
  await say(page, "I have been very tired and my tongue is sore");
  const axe = fs.readFileSync(path.join(HERE, "node_modules/axe-core/axe.min.js"), "utf8");
  await page.evaluate(axe); // evaluate runs outside the page's CSP
  const result = await page.evaluate(() =>
    window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }));
  const violations = result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  assert.deepEqual(violations, []);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than the phone screen`);
  await shot(page, "phone");
  await context.close();
});
