import { defineConfig } from "@playwright/test";

// Debian's Chromium, never a downloaded browser. The flags keep it from calling home, which this
// network refuses (and which slows every start).
const launchOptions = {
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
};

export default defineConfig({
  testDir: "./tests",
  outputDir: "./test-results",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  forbidOnly: !!process.env.CI,
  // Headless Chromium occasionally drops or stalls a navigation on a busy two-core machine (no
  // request reaches the portal; see docs/TOOLCHAIN.md). One retry absorbs that; a real failure
  // fails twice. Journeys use fresh accounts or the next TOTP period, so a retry is safe.
  retries: 1,
  // One browser at a time: on a two-core machine, two Chromium workers beside the portal and
  // PostgreSQL left page requests pending (stylesheets, form posts) often enough to need
  // retries in most runs; one worker had none in repeated full runs, and was faster.
  workers: 1,
  reporter: [["list"]],
  use: {
    baseURL: process.env.PORTAL_URL ?? "http://127.0.0.1:3000",
    launchOptions,
    trace: "retain-on-failure",
  },
  // Every journey runs twice: as a browser without JavaScript sees it, and hydrated.
  projects: [
    { name: "no-js", use: { javaScriptEnabled: false } },
    { name: "hydrated", use: { javaScriptEnabled: true } },
  ],
});
