import { expect } from "@playwright/test";
import { hydrated, open, otpauthFor, screenshot, signIn, submit, newContext, test } from "./support";

test.describe("tool requests", () => {
  test("an employee drafts and submits a request; a reviewer takes it and asks for changes; the employee answers", async ({
    page,
    browser,
  }, info) => {
    test.setTimeout(180_000);
    const employee = hydrated(info) ? "eli.employee@northwind.example" : "dana.employee@northwind.example";
    await signIn(page, info, employee);
    await open(page, info, "/requests");
    await screenshot(page, info, "requests-empty");
    await page.getByRole("link", { name: "Request a tool" }).click();
    await expect(page).toHaveURL(/\/requests\/new$/);
    const name = `Windsurf ${info.project.name} ${Date.now()}`;
    await page.getByLabel("Tool name").fill(name);
    await page.getByLabel("Vendor", { exact: true }).fill("Codeium");
    await page.getByLabel("Use case").fill("Refactoring services");
    await page.getByLabel("Business justification").fill("Saves a week per quarter");
    await page.getByLabel("Number of users").fill("12");
    await page.getByLabel(/^Core-system source code/).check();
    await page.getByLabel("A terminal (runs commands)").check();
    await page.getByLabel("Distribution").selectOption("binary");
    await page.getByLabel("Pinned version (optional)").fill("1.12.3");
    await screenshot(page, info, "request-form");
    await submit(page, info, "Save draft");
    await expect(page).toHaveURL(/\/requests\/\d+$/);
    await expect(page.getByRole("heading", { level: 1 })).toContainText(name);
    await submit(page, info, "Submit for review");
    await expect(page.locator("[data-state]").first()).toHaveText("Submitted");
    await expect(page.getByTestId("risk-summary")).toContainText("high risk: 2 reviewers must approve");
    await expect(page.getByTestId("risk-rules")).toContainText("No SHA-256 checksum");
    const requestUrl = new URL(page.url()).pathname;
    await screenshot(page, info, "request-submitted");

    // A reviewer, in a browser of their own.
    const reviewer = hydrated(info) ? "kai.reviewer@northwind.example" : "lena.reviewer@northwind.example";
    const context = await newContext(browser, info);
    const review = await context.newPage();
    await signIn(review, info, reviewer, otpauthFor(reviewer));
    await open(review, info, "/requests?scope=queue");
    await expect(review.getByTestId("requests-table").first()).toContainText(name);
    // The demo's Jupyter AI request has waited six days: past the three-working-day target.
    const waiting = review.getByTestId("requests-table").first().getByRole("row").filter({ hasText: "Jupyter AI" });
    await expect(waiting.getByText("Late", { exact: true })).toBeVisible();
    await expect(review.getByRole("row").filter({ hasText: name }).getByText("Late", { exact: true })).toHaveCount(0);
    await screenshot(review, info, "review-queue");
    await open(review, info, requestUrl);
    await submit(review, info, "Assign to me");
    await expect(review.locator("[data-state]").first()).toHaveText("In review");
    await review.getByLabel("What should change").fill("Add the SHA-256 checksum of the release, please.");
    await submit(review, info, "Request changes");
    await expect(review.locator("[data-state]").first()).toHaveText("Changes requested");
    // Now it waits on the requester: the queue lists it apart from what reviewers must do.
    await open(review, info, "/requests?scope=queue");
    await expect(review.getByTestId("waiting-on-requester")).toContainText(name);
    await expect(review.getByRole("link", { name: new RegExp(name) })).toHaveCount(1);
    await context.close();

    // The employee adds the checksum and sends it back.
    await open(page, info, requestUrl);
    await expect(page.getByTestId("timeline")).toContainText("Add the SHA-256 checksum");
    await page.getByRole("link", { name: "Edit" }).click();
    await page.getByLabel("SHA-256 checksum (optional)").fill("ab".repeat(32));
    await submit(page, info, "Save draft");
    await expect(page).toHaveURL(/\/requests\/\d+$/);
    await page.getByLabel("Your answer to the reviewer (optional)").fill("Checksum added.");
    await submit(page, info, "Send back to review");
    await expect(page.locator("[data-state]").first()).toHaveText("In review");
    await expect(page.getByTestId("risk-rules")).not.toContainText("No SHA-256 checksum");
    await expect(page.getByTestId("timeline")).toContainText("answered and sent it back to review");
    await screenshot(page, info, "request-in-review");
  });
});
