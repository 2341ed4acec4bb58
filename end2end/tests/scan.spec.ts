import { expect } from "@playwright/test";
import { hydrated, open, otpauthFor, screenshot, signIn, submit, test } from "./support";

// A made-up key and a test card number: what someone might paste into a chat window by mistake.
const LEAKY = [
  "Can you fix this deploy script? It fails on the upload step.",
  "export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE",
  "The refund for card 4111 1111 1111 1111 went through twice.",
  "Order 4111 1111 1111 1112 is fine.",
].join("\n");

test.describe("check before you paste", () => {
  test("an employee pastes a text with a card number and a key, sees both marked, and is told it may not go into the chosen tool, and why", async ({ page }, info) => {
    const employee = hydrated(info) ? "eli.employee@northwind.example" : "dana.employee@northwind.example";
    await signIn(page, info, employee);
    await page.getByRole("link", { name: "Check a text" }).click();
    await expect(page).toHaveURL(/\/scan$/);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Check before you paste");
    await page.getByLabel("Text", { exact: true }).fill(LEAKY);
    // A tool without a team: refused at the team, with the text kept.
    await page.getByLabel("AI tool (optional)").selectOption({ label: "ChatGPT Enterprise" });
    await page.getByLabel("For team").selectOption({ label: "— No team —" });
    await submit(page, info, "Check the text");
    await expect(page.locator("#scan-team-error")).toContainText("choose a team with the tool");
    await expect(page.getByLabel("Text", { exact: true })).toHaveValue(LEAKY);
    await page.getByLabel("For team").selectOption({ label: hydrated(info) ? "Payments" : "Data Science" });
    await submit(page, info, "Check the text");

    const findings = page.getByTestId("scan-findings");
    await expect(findings.getByRole("row")).toHaveCount(3);
    await expect(findings).toContainText("AWS access key id");
    await expect(findings).toContainText("AKIA…LE");
    await expect(findings).toContainText("Payment card number");
    await expect(findings).toContainText("Line 3, column 21");
    // The look-alike on line 4 fails the Luhn check: not reported, not marked.
    await expect(page.getByTestId("scan-marked").locator("mark")).toHaveCount(2);
    const verdict = page.getByTestId("scan-verdict");
    await expect(verdict).toHaveAttribute("data-allowed", "false");
    await expect(verdict).toContainText("No: may this text go into ChatGPT Enterprise?");
    await expect(verdict).toContainText("Credentials and secrets");
    await expect(verdict).toContainText("may not be sent to any AI tool unless its approval names it");
    await screenshot(page, info, "scan-result");

    // The same text with the secrets taken out: nothing found, and the tool's standing decides.
    await page.getByLabel("Text", { exact: true }).fill("Can you fix this deploy script? It fails on the upload step.");
    await submit(page, info, "Check the text");
    await expect(page.getByText("Nothing found")).toBeVisible();
    await expect(page.getByTestId("scan-verdict")).toHaveAttribute("data-allowed", "true");
  });

  test("a reviewer adds a keyword detector for a project code name, is refused while it fails its own examples, and the next scan finds the name", async ({ page }, info) => {
    // Not sign-in.spec.ts's reviewers: it expects its code unspent in the same 30 s.
    const reviewer = hydrated(info) ? "lena.reviewer@northwind.example" : "kai.reviewer@northwind.example";
    const codeName = hydrated(info) ? "Kestrel" : "Osprey";
    await signIn(page, info, reviewer, otpauthFor(reviewer));
    await open(page, info, "/data-classes/core-source-code");
    const detectors = page.getByTestId("detectors");
    await expect(detectors).toContainText("Northwind core-system markers");
    await page.getByText("Add a detector").click();
    await page.locator("#detector-name").fill(`Project ${codeName}`);
    await page.locator("#detector-kind").selectOption({ label: "Keywords or phrases" });
    await page.locator("#detector-keywords").fill(codeName);
    await page.locator("#detector-must-match").fill(`Status of ${codeName}: on track`);
    // This one contains the code name: the detector fails its own example and is refused.
    await page.locator("#detector-must-not-match").fill(`the ${codeName.toLowerCase()} nest`);
    await submit(page, info, "Add detector");
    // The form comes back open at the error, filled in as sent.
    await expect(page.locator("#detector-must-not-match-error")).toBeVisible();
    await expect(page.locator("#detector-must-not-match-error")).toContainText("example 1 is found by this detector");
    await expect(page.locator("#detector-keywords")).toHaveValue(codeName);
    await screenshot(page, info, "detector-refused");
    await page.locator("#detector-must-not-match").fill(`${codeName.toLowerCase()}s are birds`);
    await submit(page, info, "Add detector");
    await expect(page.getByText("Detector saved; its examples pass.")).toBeVisible();
    await expect(detectors).toContainText(`Project ${codeName}`);
    await screenshot(page, info, "data-class-detectors");

    await open(page, info, "/scan");
    await page.getByLabel("Text", { exact: true }).fill(`Draft: the ${codeName} roadmap for next quarter`);
    await submit(page, info, "Check the text");
    await expect(page.getByTestId("scan-findings")).toContainText(`Project ${codeName}`);
    await expect(page.getByTestId("scan-findings")).toContainText("Core-system source code");
  });
});
