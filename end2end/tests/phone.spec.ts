import { expect } from "@playwright/test";
import { hydrated, open, otpauthFor, screenshot, signIn, test } from "./support";

// Long words are where pages overflow: a checksum in a tool's history, a fieldset sized by its
// longest option, a wide table. None of them may widen the page on a phone.
const PAGES = [
  "/",
  "/tools",
  "/tools/claude-code",
  "/tools/github-copilot",
  "/data-classes",
  "/data-classes/customer-data",
  "/scan",
  "/requests",
  "/requests?scope=queue",
  "/requests/new",
  "/tools/new",
  "/checklists",
  "/incidents",
  "/incidents/new",
  "/incidents/1",
  "/incidents/playbooks",
  "/incidents/playbooks/tool_compromised",
  "/incidents/exercises",
  "/incidents/exercises/1?tool=claude-code",
  "/notifications",
  "/notifications/settings",
  "/account",
];

test("no page scrolls sideways on a 390 px phone", async ({ page }, info) => {
  test.setTimeout(120_000);
  const reviewer = hydrated(info) ? "sofia.reviewer@northwind.example" : "ravi.reviewer@northwind.example";
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page, info, reviewer, otpauthFor(reviewer));
  const wide: string[] = [];
  for (const path of PAGES) {
    const response = await open(page, info, path);
    expect(response?.status(), path).toBe(200);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    if (width > 390) wide.push(`${path}: ${width} px`);
  }
  // The first request in the queue (the demo fills it), whatever its number.
  await open(page, info, "/requests?scope=queue");
  await page.getByTestId("requests-table").getByRole("link").first().click();
  await expect(page).toHaveURL(/\/requests\/\d+$/);
  await screenshot(page, info, "request-phone");
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  if (width > 390) wide.push(`${page.url()}: ${width} px`);
  await open(page, info, "/tools/claude-code");
  await screenshot(page, info, "tool-phone");
  expect(wide).toEqual([]);
});
