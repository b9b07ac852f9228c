// The API reference as a person uses it: open /docs in Debian's Chromium, authorize with an access token,
// try GET /organization and read its 200. Fails (exit 1) on anything else, on a request to another origin
// (the page must work without a CDN) and on a script error or a Content-Security-Policy violation.
// Usage: node docs.mjs <base URL> <access token>
import { chromium } from "playwright-core";

const [base, token] = process.argv.slice(2);
if (!base || !token) {
  console.error("usage: node docs.mjs <base URL> <access token>");
  process.exit(2);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  // The machine's network is closed: Chromium's own background traffic would only fail.
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});
const problems = [];
try {
  const page = await browser.newPage();
  page.setDefaultTimeout(20_000);
  page.on("request", (r) => {
    if (!r.url().startsWith(base) && !r.url().startsWith("data:")) problems.push(`left the origin: ${r.url()}`);
  });
  page.on("pageerror", (e) => problems.push(`script error: ${e}`));
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console error: ${m.text()}`);
  });

  await page.goto(`${base}/docs`);
  const operation = page
    .locator(".opblock.opblock-get", { has: page.locator('.opblock-summary-path[data-path="/organization"]') })
    .first();
  await operation.waitFor();

  await page.locator(".auth-wrapper button.authorize").click();
  await page.locator(".modal-ux input").first().fill(token);
  await page.locator(".modal-ux .auth-btn-wrapper button.authorize").click();
  await page.locator(".modal-ux .auth-btn-wrapper button.btn-done").click();

  await operation.locator(".opblock-summary").click();
  await operation.locator("button.try-out__btn").click();
  await operation.locator("button.execute").click();
  const status = operation.locator(".live-responses-table .response .response-col_status").first();
  await status.waitFor();
  const code = (await status.innerText()).trim();
  const body = await operation.locator(".live-responses-table .response-col_description pre").first().innerText();
  if (code !== "200") problems.push(`GET /organization answered ${code}: ${body.slice(0, 300)}`);
  else if (!body.includes('"slug"')) problems.push(`GET /organization answered 200 without the organization: ${body.slice(0, 300)}`);
  const title = await page.locator(".information-container .title").first().innerText();
  if (!title.includes("Nudge API")) problems.push(`the title reads ${JSON.stringify(title)}`);
} catch (e) {
  problems.push(`the page did not work: ${e}`);
} finally {
  await browser.close();
}
if (problems.length > 0) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log("docs: authorized, tried GET /organization, 200");
