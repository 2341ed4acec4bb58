import { expect, type Page, type TestInfo } from "@playwright/test";

export const hydrated = (info: TestInfo) => info.project.name === "hydrated";

/** Opens `path`; in the hydrated project, waits until the wasm bundle has taken over the page. */
export async function open(page: Page, info: TestInfo, path: string) {
  const response = await page.goto(path);
  if (hydrated(info)) {
    // A debug bundle on a busy two-core machine can take a while to compile.
    await expect(page.locator(".app")).toHaveAttribute("data-hydrated", "true", { timeout: 30_000 });
  }
  return response;
}

/** Saves a full-page screenshot under end2end/screenshots/ for people to look at. */
export async function screenshot(page: Page, info: TestInfo, name: string) {
  await page.screenshot({
    path: `screenshots/${name}-${info.project.name}.png`,
    fullPage: true,
  });
}
