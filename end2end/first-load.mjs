// What each page's whole first load transfers (HTML, CSS, JS, wasm; compressed bytes on the
// wire plus headers), signed in as a demo employee, with JavaScript and without. Prints one line
// per page and exits 1 when any page is over the budget. Used by bench/first_load.sh.
import { chromium } from "@playwright/test";

const base = process.env.PORTAL_URL;
const budget = Number(process.env.BUDGET_KB ?? 200) * 1024;
const pages = ["/", "/tools", "/tools/github-copilot", "/data-classes", "/requests", "/requests/new",
  "/checklists", "/notifications", "/account"];
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
});

async function signedIn(javaScriptEnabled) {
  const context = await browser.newContext({ javaScriptEnabled });
  // Notes the moment `.app` becomes data-hydrated="true" (the page's script sets it once its
  // islands run), before any page script runs.
  await context.addInitScript(() => {
    new MutationObserver((_, observer) => {
      if (document.querySelector('.app[data-hydrated="true"]')) {
        window.__hydratedAt = performance.now();
        observer.disconnect();
      }
    }).observe(document, { attributes: true, subtree: true, attributeFilter: ["data-hydrated"] });
  });
  const page = await context.newPage();
  await page.goto(`${base}/sign-in`);
  await page.getByLabel("Email address").fill("eli.employee@northwind.example");
  await page.getByLabel("Password").fill("northwind-demo-passphrase");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${base}/`);
  await page.close();
  return context;
}

let over = 0;
for (const js of [false, true]) {
  const context = await signedIn(js);
  for (const path of pages) {
    // A fresh page with the browser cache emptied: a first visit.
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.clearBrowserCache");
    let bytes = 0;
    const byKind = {};
    cdp.on("Network.loadingFinished", (e) => { bytes += e.encodedDataLength; });
    cdp.on("Network.responseReceived", (e) => { byKind[e.requestId] = e.response.url.split("/").pop().split("?")[0]; });
    await page.goto(`${base}${path}`, { waitUntil: "networkidle" });
    let hydratedAt = "";
    if (js) {
      // When the page's script marked it ready, from navigation start (recorded in the page).
      const at = await page.waitForFunction(() => window.__hydratedAt, null, { timeout: 30_000 }).catch(() => null);
      hydratedAt = at ? `hydrated at ${Math.round(await at.jsonValue())} ms` : "NOT hydrated";
    }
    await page.waitForTimeout(300);
    const first = bytes;
    // The second visit: the cache holds the site files.
    bytes = 0;
    await page.goto(`${base}${path}`, { waitUntil: "networkidle" });
    await page.waitForTimeout(300);
    const again = bytes;
    const kb = (n) => `${(n / 1024).toFixed(1).padStart(7)} KB`;
    const verdict = first <= budget ? "ok" : "OVER";
    if (first > budget) over++;
    console.log(`${js ? "hydrated" : "no-js   "}  ${path.padEnd(24)} first ${kb(first)}  ${verdict.padEnd(4)}  again ${kb(again)}  ${hydratedAt}`);
    await page.close();
  }
  await context.close();
}
await browser.close();
process.exit(over ? 1 : 0);
