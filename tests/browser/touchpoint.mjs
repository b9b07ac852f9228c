// A worker's touchpoint page as the worker uses it: open the link in Debian's Chromium on a phone-sized
// screen, answer (tick a quiz's options by their labels, write a reflection, or mark it done), submit,
// read what the page says, and open the link again to see it kept. Fails (exit 1) on a request to another
// origin, a script error or a Content-Security-Policy violation (the page's one style is allowed by hash).
// Usage: node touchpoint.mjs <page URL> '<plan>' where the plan is {"answers": {"q1": ["b"]}},
// {"feedback": "…"} or {"done": true}. Prints what it saw as JSON.
import { chromium } from "playwright-core";

const [url, plan] = [process.argv[2], JSON.parse(process.argv[3] ?? "{}")];
if (!url) {
  console.error("usage: node touchpoint.mjs <page URL> '<plan>'");
  process.exit(2);
}
const origin = new URL(url).origin;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});
const problems = [];
const seen = {};
try {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  page.on("request", (r) => {
    if (!r.url().startsWith(origin) && !r.url().startsWith("data:")) problems.push(`left the origin: ${r.url()}`);
  });
  page.on("pageerror", (e) => problems.push(`script error: ${e}`));
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console error: ${m.text()}`);
  });

  const opened = await page.goto(url);
  seen.status = opened.status();
  seen.lang = await page.locator("html").getAttribute("lang");
  seen.title = (await page.getByTestId("title").innerText()).trim();
  seen.step = (await page.getByTestId("step").count()) > 0 ? (await page.getByTestId("step").innerText()).trim() : null;
  // Every control is reachable by its label, as a screen reader user finds it.
  if (plan.answers) {
    for (const [question, options] of Object.entries(plan.answers)) {
      const fieldset = page.locator(`fieldset[data-question="${question}"]`);
      for (const option of options) {
        const input = fieldset.locator(`input[value="${option}"]`);
        const id = await input.getAttribute("id");
        await page.locator(`label[for="${id}"]`).click();
        if (!(await input.isChecked())) problems.push(`option ${question}/${option} did not check from its label`);
      }
    }
  }
  if (plan.feedback) await page.getByTestId("feedback").fill(plan.feedback);
  await page.getByTestId("submit").click();
  await page.waitForLoadState();
  seen.completed = (await page.getByTestId("completed").count()) > 0;
  seen.score = (await page.getByTestId("score").count()) > 0 ? (await page.getByTestId("score").innerText()).trim() : null;
  // Opened again, the page remembers.
  await page.goto(url);
  seen.completedAfterReload = (await page.getByTestId("completed").count()) > 0;
  if (plan.feedback) seen.feedbackAfterReload = await page.getByTestId("feedback").count() > 0
    ? await page.getByTestId("feedback").inputValue()
    : (await page.locator("main").innerText());
} catch (e) {
  problems.push(`the page did not work: ${e}`);
} finally {
  await browser.close();
}
if (problems.length > 0) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log(JSON.stringify(seen));
