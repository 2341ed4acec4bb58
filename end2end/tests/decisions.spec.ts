import { createPublicKey, verify } from "node:crypto";
import { readFileSync } from "node:fs";
import { expect } from "@playwright/test";
import { decide, hydrated, open, reviewerOn, screenshot, signIn, submit, test } from "./support";

test.describe("decisions", () => {
  test("a reviewer asks for changes, the employee answers, two reviewers sign the high-risk request off with fresh codes; the tool lands in the registry and the receipt verifies", async ({
    page,
    browser,
  }, info) => {
    test.setTimeout(240_000);
    const employee = hydrated(info) ? "eli.employee@northwind.example" : "dana.employee@northwind.example";
    const [first, second] = hydrated(info)
      ? ["ravi.reviewer@northwind.example", "sofia.reviewer@northwind.example"]
      : ["kai.reviewer@northwind.example", "lena.reviewer@northwind.example"];

    // The employee asks for a tool that touches production: high risk, two sign-offs.
    await signIn(page, info, employee);
    await open(page, info, "/requests/new");
    const name = `Granola ${info.project.name} ${Date.now()}`;
    await page.getByLabel("Tool name").fill(name);
    await page.getByLabel("Vendor", { exact: true }).fill("Granola Inc.");
    await page.getByLabel("Use case").fill("Meeting notes for incident reviews");
    await page.getByLabel("Business justification").fill("Saves an hour per incident");
    await page.getByLabel(/^Internal documents/).check();
    await page.getByLabel("Production systems").check();
    await submit(page, info, "Save draft");
    await expect(page).toHaveURL(/\/requests\/\d+$/);
    await submit(page, info, "Submit for review");
    await expect(page.getByTestId("risk-summary")).toContainText("2 reviewers must approve");
    const requestUrl = new URL(page.url()).pathname;

    // First reviewer: takes it…
    const one = await reviewerOn(browser, info, first, requestUrl);
    const review = one.page;
    await submit(review, info, "Assign to me");
    // …asks for changes first; the employee answers and sends it back.
    await review.getByLabel("What should change").fill("Say which production systems it reads, please.");
    await submit(review, info, "Request changes");
    await expect(review.locator("[data-state]").first()).toHaveText("Changes requested");
    await open(page, info, requestUrl);
    await expect(page.getByTestId("timeline")).toContainText("Say which production systems it reads");
    await page.getByLabel("Your answer to the reviewer (optional)").fill("Only the incident database, read-only.");
    await submit(page, info, "Send back to review");
    await expect(page.locator("[data-state]").first()).toHaveText("In review");
    await open(review, info, requestUrl);
    await expect(review.getByTestId("timeline")).toContainText("Only the incident database");
    await expect(review.getByTestId("decision-form")).toBeVisible();
    // …and approves with conditions.
    await review.getByLabel("Approve with conditions").check();
    await review.getByLabel("Conditions of use (for an approval with conditions)").fill("Read-only production access.");
    await screenshot(review, info, "decision-form");
    await decide(review, info, one.totp, one.signedInAt, "Vendor terms checked; read-only access is enough.");
    await expect(review.getByTestId("signoff-progress")).toHaveText("1 of 2 approvals on this version.");
    await expect(review.getByTestId("decision-form")).toHaveCount(0);
    await expect(review.locator("[data-state]").first()).toHaveText("In review");
    await one.context.close();

    // Second reviewer: approves; the request is final and the registry holds the tool.
    const two = await reviewerOn(browser, info, second, requestUrl);
    const confirm = two.page;
    await expect(confirm.getByRole("heading", { name: "Your sign-off (second reviewer)" })).toBeVisible();
    await decide(confirm, info, two.totp, two.signedInAt, "Agree, with the first reviewer's conditions.");
    await expect(confirm.locator("[data-state]").first()).toHaveText("Approved with conditions");
    await expect(confirm.getByTestId("granted-tool")).toBeVisible();
    await screenshot(confirm, info, "request-decided");
    await two.context.close();

    // The employee is told, finds the tool in the registry, and checks a receipt.
    await open(page, info, "/notifications");
    await expect(page.getByTestId("notifications")).toContainText(`for ${name} was approved with conditions`);
    await screenshot(page, info, "notifications");
    await open(page, info, requestUrl);
    await page.getByTestId("granted-tool").getByRole("link").click();
    await expect(page).toHaveURL(/\/tools\/granola/);
    await expect(page.locator("[data-status]").first()).toHaveText("Approved with conditions");
    await expect(page.getByTestId("approval-source")).toContainText("Approved through request #");
    await open(page, info, requestUrl);
    await page.getByRole("link", { name: "Receipt" }).first().click();
    await expect(page.getByTestId("receipt-verdict")).toContainText("Signature valid");
    await screenshot(page, info, "receipt");

    // The downloaded receipt verifies with the published key, outside the portal.
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Download receipt" }).click(),
    ]);
    const receipt = JSON.parse(readFileSync(await download.path(), "utf8"));
    const keys = await (await page.request.get("/api/v1/signing-key")).json();
    const key = (keys.keys ?? keys).find((k: { key_id: string }) => k.key_id === receipt.key_id);
    const publicKey = createPublicKey(key.public_key_pem);
    const valid = verify(null, Buffer.from(receipt.payload, "utf8"), publicKey, Buffer.from(receipt.signature, "base64"));
    expect(valid).toBe(true);
    expect(JSON.parse(receipt.payload).reviewer.email).toBe(first);
    const forged = receipt.payload.replace("approve_with_conditions", "reject");
    expect(verify(null, Buffer.from(forged, "utf8"), publicKey, Buffer.from(receipt.signature, "base64"))).toBe(false);
  });
});
