import { test as base, expect, type Browser, type BrowserContext, type Page, type TestInfo } from "@playwright/test";
import * as OTPAuth from "otpauth";
import { readFileSync } from "node:fs";

export const hydrated = (info: TestInfo) => info.project.name === "hydrated";

/** The demo organization's password (demo people only exist in a demo organization). */
export const PASSWORD = "northwind-demo-passphrase";

/** Opens `path`; in the hydrated project, waits until the wasm bundle has taken over the page. */
export async function open(page: Page, info: TestInfo, path: string) {
  const response = await page.goto(path);
  await hydration(page, info);
  return response;
}

/** In the hydrated project, waits until the wasm bundle has taken over the current page. */
export async function hydration(page: Page, info: TestInfo) {
  if (hydrated(info)) {
    // A debug bundle on a busy two-core machine can take a while to compile.
    await expect(page.locator(".app")).toHaveAttribute("data-hydrated", "true", { timeout: 60_000 });
  }
}

/** Saves a full-page screenshot under end2end/screenshots/ for people to look at. */
export async function screenshot(page: Page, info: TestInfo, name: string) {
  await page.screenshot({
    path: `screenshots/${name}-${info.project.name}.png`,
    fullPage: true,
  });
}

/** The otpauth URL the portal printed for `email` when it started with the demo. */
export function otpauthFor(email: string): OTPAuth.TOTP {
  const log = process.env.PORTAL_LOG;
  if (!log) throw new Error("PORTAL_LOG must name the portal's output (scripts/test sets it)");
  const lines = readFileSync(log, "utf8").split("\n");
  const at = lines.findIndex((line) => line.trim().startsWith(email));
  const url = lines[at + 1]?.match(/otpauth:\/\/\S+/)?.[0];
  if (at < 0 || !url) throw new Error(`no TOTP URL printed for ${email}`);
  return OTPAuth.URI.parse(url) as OTPAuth.TOTP;
}

export async function submitPassword(page: Page, info: TestInfo, email: string, password: string) {
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password").fill(password);
  await submit(page, info, "Sign in");
}

/** Signs in through the pages: password, then a code when `totp` is given. */
export async function signIn(page: Page, info: TestInfo, email: string, totp?: OTPAuth.TOTP) {
  await open(page, info, "/sign-in");
  await submitPassword(page, info, email, PASSWORD);
  if (totp) {
    await expect(page).toHaveURL(/\/sign-in\/code$/);
    await page.getByRole("textbox", { name: "Code" }).fill(totp.generate());
    await submit(page, info, "Verify");
    // A retried test signs in again within the same period: that code is spent (once only, by
    // design), so wait for the next one, as a person would.
    const spent = page.locator("#code-error");
    await expect(page.getByTestId("signed-in-as").or(spent)).toBeVisible();
    if (await spent.isVisible()) {
      await nextPeriod(page, Date.now());
      await page.getByRole("textbox", { name: "Code" }).fill(totp.generate());
      await submit(page, info, "Verify");
    }
  }
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByTestId("signed-in-as")).toBeVisible();
  await hydration(page, info);
}

/** Waits until the TOTP period after the one containing `since` (milliseconds) has begun. */
export async function nextPeriod(page: Page, since: number) {
  const next = (Math.floor(since / 30_000) + 1) * 30_000;
  const wait = next - Date.now();
  if (wait > 0) await page.waitForTimeout(wait + 250);
}

/**
 * Clicks the button `name`, which submits a form. Without JavaScript, headless Chromium sometimes
 * drops a form submission (no request leaves the browser; seen about once in twenty runs): if no
 * navigation starts within five seconds, click again, as a person would. With JavaScript too,
 * forms are plain posts (only islands run in the browser), so both projects submit alike.
 */
export async function submit(page: Page, info: TestInfo, name: string | RegExp) {
  const button = page.getByRole("button", { name });
  for (let attempt = 1; ; attempt++) {
    const navigated = page
      .waitForEvent("framenavigated", { timeout: 5_000 })
      .then(() => true)
      .catch(() => false);
    // Not waiting for the navigation the click starts: a stalled one would hold the click
    // until the test times out, where a second click replaces it. When even the click stalls
    // (the page's own requests never finished), fail within seconds so the retry starts soon.
    await button.click({ noWaitAfter: true, timeout: 10_000 });
    if ((await navigated) || attempt === 3) break;
  }
  await hydration(page, info);
}

/** A second browser (another person), as the project runs: with or without JavaScript. */
export async function newContext(browser: Browser, info: TestInfo): Promise<BrowserContext> {
  return browser.newContext({ javaScriptEnabled: hydrated(info) });
}

/** Pages start the bundle from a script, so a browser without JavaScript never fetches it. */
export const test = base;

/** Decides on the open request page with a code from the next TOTP period (the current one
 * signed the reviewer in, and a code is accepted once). */
export async function decide(page: Page, info: TestInfo, totp: OTPAuth.TOTP, signedInAt: number, rationale: string) {
  await page.getByLabel("Rationale").fill(rationale);
  await nextPeriod(page, signedInAt);
  await page.getByRole("textbox", { name: "Code from your authenticator app" }).fill(totp.generate());
  await submit(page, info, "Sign and decide");
}

/** A reviewer signed in, in a browser of their own, on the request at `path`. */
export async function reviewerOn(browser: Browser, info: TestInfo, email: string, path: string) {
  const context = await newContext(browser, info);
  const page = await context.newPage();
  const totp = otpauthFor(email);
  await signIn(page, info, email, totp);
  const signedInAt = Date.now();
  await open(page, info, path);
  return { context, page, totp, signedInAt };
}
