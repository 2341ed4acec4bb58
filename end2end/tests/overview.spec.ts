import { expect } from "@playwright/test";
import { hydrated, open, screenshot, signIn, submit, test } from "./support";

// The overview is for signed-in people: every test starts as an employee (no second factor).
test.beforeEach(async ({ page }, info) => {
  await signIn(page, info, "eli.employee@northwind.example");
});

test.describe("organization overview", () => {
  test("shows the organization and its teams from the database", async ({ page }, info) => {
    const response = await open(page, info, "/");
    expect(response?.status()).toBe(200);
    await expect(page).toHaveTitle("Overview · AI Governance Portal");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Northwind Analytics (demo)");
    await expect(page.getByTestId("team-count")).toHaveText("6");
    const rows = page.getByTestId("team-table").locator("tbody tr");
    await expect(rows).toHaveCount(6);
    await expect(rows.first().getByRole("rowheader")).toHaveText("Customer Support");
    await expect(page.getByText("v0.1.0")).toBeVisible();
    await screenshot(page, info, "overview");
  });

  test("filters teams by part of a name", async ({ page }, info) => {
    await open(page, info, "/");
    const filter = page.getByLabel("Filter teams");
    await filter.fill("plat");
    if (hydrated(info)) {
      // Live: the list narrows as you type, without a round trip.
      await expect(page.getByTestId("team-summary")).toHaveText("1 of 6 teams match");
      expect(new URL(page.url()).search).toBe("");
    } else {
      // Without JavaScript the form is submitted and the server filters.
      await submit(page, info, "Filter");
      await expect(page).toHaveURL(/\?q=plat$/);
      await expect(page.getByTestId("team-summary")).toHaveText("1 of 6 teams match");
      await expect(filter).toHaveValue("plat");
    }
    const rows = page.getByTestId("team-table").locator("tbody tr");
    await expect(rows).toHaveCount(1);
    await expect(rows.first().getByRole("rowheader")).toHaveText("Platform Engineering");
  });

  test("says so when no team matches, and offers the way back", async ({ page }, info) => {
    await open(page, info, "/?q=nothing-like-this");
    await expect(page.getByText("No team matches this filter")).toBeVisible();
    await screenshot(page, info, "overview-empty-filter");
    await page.getByRole("link", { name: "show all teams" }).click();
    await expect(page.getByTestId("team-summary")).toHaveText("6 teams");
  });

  test("the page works by keyboard: the skip link leads to the content", async ({ page }, info) => {
    await open(page, info, "/");
    await page.keyboard.press("Tab");
    const skip = page.getByRole("link", { name: "Skip to content" });
    await expect(skip).toBeFocused();
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/#main$/);
  });

  test("reads well on a phone", async ({ page }, info) => {
    await page.setViewportSize({ width: 390, height: 844 });
    await open(page, info, "/");
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(390);
    await screenshot(page, info, "overview-phone");
  });
});

test.describe("hydration", () => {
  test("the wasm bundle takes over only when JavaScript runs", async ({ page }, info) => {
    const problems: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(message.text());
    });
    page.on("pageerror", (error) => problems.push(error.message));
    await page.goto("/");
    const app = page.locator(".app");
    if (hydrated(info)) {
      await expect(app).toHaveAttribute("data-hydrated", "true", { timeout: 60_000 });
      // The Content-Security-Policy lets our bundle run and nothing complains.
      expect(problems).toEqual([]);
    } else {
      // Without JavaScript the server-rendered page is complete on its own…
      await expect(page.getByTestId("team-count")).toHaveText("6");
      // …and nothing reacts to typing until the form is sent.
      await page.getByLabel("Filter teams").fill("plat");
      await expect(page.getByTestId("team-summary")).toHaveText("6 teams");
      await expect(app).toHaveAttribute("data-hydrated", "false");
    }
  });
});

test.describe("unknown pages", () => {
  test("get a 404 page with a way back", async ({ page }, info) => {
    const response = await open(page, info, "/no/such/page");
    expect(response?.status()).toBe(404);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Page not found");
    await screenshot(page, info, "not-found");
    await page.getByRole("link", { name: "Go to the overview" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Northwind Analytics (demo)");
  });
});
