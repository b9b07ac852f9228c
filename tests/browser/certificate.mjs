// A certificate's public verification page as anyone opens it: in Debian's Chromium on a phone-sized
// screen, with the browser's own Accept header (so the server answers the page, not JSON) and a language.
// Fails (exit 1) on a request to another origin, any script or a Content-Security-Policy violation.
// Usage: node certificate.mjs <verify URL> <language>. Prints what it saw as JSON.
import { chromium } from "playwright-core";

const [url, language] = [process.argv[2], process.argv[3] ?? "en"];
if (!url) {
  console.error("usage: node certificate.mjs <verify URL> [language]");
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
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: language,
    extraHTTPHeaders: { "Accept-Language": language },
  });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  page.on("request", (r) => {
    if (!r.url().startsWith(origin) && !r.url().startsWith("data:")) problems.push(`left the origin: ${r.url()}`);
  });
  page.on("pageerror", (e) => problems.push(`script error: ${e}`));
  page.on("console", (m) => {
    // The page's own status (a 404 for an unknown code) is what is being read, not a fault.
    const own = m.location().url === url && m.text().includes("the server responded with a status of");
    if (m.type() === "error" && !own) problems.push(`console error: ${m.text()}`);
  });
  const opened = await page.goto(url);
  seen.httpStatus = opened.status();
  seen.contentType = opened.headers()["content-type"];
  seen.csp = opened.headers()["content-security-policy"];
  seen.lang = await page.locator("html").getAttribute("lang");
  seen.title = (await page.getByTestId("title").innerText()).trim();
  if ((await page.getByTestId("not-found").count()) > 0) {
    seen.notFound = (await page.getByTestId("not-found").innerText()).trim();
  } else {
    for (const field of ["code", "holder", "module", "issued", "expires", "status"]) {
      seen[field] = (await page.getByTestId(field).innerText()).trim();
    }
    seen.statusKey = await page.getByTestId("status").getAttribute("data-status");
  }
  seen.scripts = await page.locator("script").count();
  seen.text = (await page.locator("main").innerText()).trim();
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
