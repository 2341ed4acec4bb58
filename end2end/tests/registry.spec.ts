import { expect } from "@playwright/test";
import { decide, hydrated, open, otpauthFor, reviewerOn, screenshot, signIn, submit, newContext, test } from "./support";

test.describe("AI-tool registry", () => {
  test("a reviewer adds a tool and a data-class permission; an employee finds it by part of a word and asks the widget", async ({
    page,
    browser,
  }, info) => {
    test.setTimeout(240_000);
    // Each project has its own reviewer, so their TOTP codes never collide.
    const reviewer = hydrated(info) ? "kai.reviewer@northwind.example" : "lena.reviewer@northwind.example";
    await signIn(page, info, reviewer, otpauthFor(reviewer));

    // A data class of our own, prohibited by default.
    const stamp = `${info.project.name}${Date.now()}`;
    const className = `Merger plans ${stamp}`;
    await open(page, info, "/data-classes");
    await expect(page.getByTestId("data-classes-table")).toContainText("Credentials and secrets");
    await page.getByLabel("Name", { exact: true }).fill(className);
    await page.getByLabel("Classification").selectOption("restricted");
    await page.getByLabel("Prohibited from AI tools by default").check();
    await page.getByLabel("Examples (optional)").fill("Term sheets; target lists");
    await submit(page, info, "Add data class");
    await expect(page.getByTestId("data-classes-table")).toContainText(className);
    await screenshot(page, info, "data-classes");

    // A new tool, approved for Payments only, permitted the new class explicitly.
    await open(page, info, "/tools");
    await page.getByRole("link", { name: "Add a tool" }).click();
    await expect(page).toHaveURL(/\/tools\/new$/);
    const toolName = `Zephyrcode ${stamp}`;
    const fillTool = async () => {
      await page.getByLabel("Name", { exact: true }).fill(toolName);
      await page.getByLabel("Vendor", { exact: true }).fill("Zephyr Labs");
      await page.getByLabel("Category").selectOption("ai_coding");
      await page.getByLabel("Status", { exact: true }).selectOption("approved_with_conditions");
      await page.getByLabel("Conditions of use").fill("Project directory only; no production credentials.");
      await page.getByLabel("Only the teams chosen below").check();
      await page.getByLabel("Payments", { exact: true }).check();
      await page.getByLabel(new RegExp(`^${className}`)).check();
      await page.getByLabel("Internal documents").check();
      await page.getByLabel("Every command logged", { exact: true }).check();
    };
    await fillTool();
    // A wrong checksum first: the field says what is wrong and nothing is saved.
    await page.getByLabel("SHA-256 checksum (optional)").fill("not-a-checksum");
    await screenshot(page, info, "tool-editor");
    await submit(page, info, "Add tool");
    await expect(page.locator("#tool-checksum-error")).toContainText("64 hexadecimal characters");
    // The page comes back from the server: fill the form in again.
    await fillTool();
    await page.getByLabel("SHA-256 checksum (optional)").fill("ab".repeat(32));
    await submit(page, info, "Add tool");
    // An approval is never saved directly: it becomes a registry change request, and the
    // prohibited-by-default class makes it high risk, for two reviewers other than the proposer.
    await expect(page).toHaveURL(/\/requests\/\d+$/);
    const changeUrl = new URL(page.url()).pathname;
    await expect(page.getByRole("heading", { level: 1 })).toContainText(toolName);
    await expect(page.getByText(`A new registry entry, ${toolName}`)).toBeVisible();
    await expect(page.getByTestId("risk-summary")).toContainText("2 reviewers must approve");
    await expect(page.getByTestId("decision-form")).toHaveCount(0);
    await screenshot(page, info, "registry-change-request");
    await open(page, info, "/tools?q=" + encodeURIComponent(toolName));
    await expect(page.getByTestId("tools-table")).toHaveCount(0);

    // Not the reviewer sign-in.spec.ts signs in next with a code of the same period.
    const [first, second] = hydrated(info)
      ? ["ravi.reviewer@northwind.example", "lena.reviewer@northwind.example"]
      : ["kai.reviewer@northwind.example", "sofia.reviewer@northwind.example"];
    for (const [at, email] of [first, second].entries()) {
      const signer = await reviewerOn(browser, info, email, changeUrl);
      if (at === 0) await submit(signer.page, info, "Assign to me");
      await decide(signer.page, info, signer.totp, signer.signedInAt, `Sign-off ${at + 1}: scope is one team.`);
      if (at === 0) {
        await expect(signer.page.getByTestId("signoff-progress")).toHaveText("1 of 2 approvals on this version.");
      } else {
        await expect(signer.page.locator("[data-state]").first()).toHaveText("Approved");
        await expect(signer.page.getByTestId("granted-tool")).toBeVisible();
      }
      await signer.context.close();
    }

    // Now the registry holds it, and its approval traces to the receipts.
    await open(page, info, changeUrl);
    await page.getByTestId("granted-tool").getByRole("link").click();
    await expect(page).toHaveURL(/\/tools\/zephyrcode-/);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(toolName);
    await expect(page.getByTestId("tool-teams")).toHaveText("Payments");
    await expect(page.getByTestId("tool-data-classes")).toContainText(className);
    await expect(page.getByTestId("approval-source")).toContainText("#");
    await screenshot(page, info, "tool-page-reviewer");

    // An employee of Payments, in a browser of their own.
    const context = await newContext(browser, info);
    const employee = await context.newPage();
    await signIn(employee, info, "eli.employee@northwind.example");
    await open(employee, info, "/tools");
    await screenshot(employee, info, "registry");
    await employee.getByLabel("Search", { exact: true }).fill(`phyrcode ${stamp}`.slice(0, 30));
    await submit(employee, info, "Search");
    await expect(employee.getByTestId("tools-table")).toContainText(toolName);
    await expect(employee.getByTestId("registry-summary")).toHaveText("1 tool");
    await employee.getByRole("link", { name: toolName }).click();
    await expect(employee.getByRole("heading", { level: 1 })).toHaveText(toolName);
    await expect(employee.getByRole("link", { name: "Edit" })).toHaveCount(0);

    // The widget: the new class is allowed because the approval names it…
    await expect(employee.getByLabel("Team")).toHaveValue("payments");
    await employee.getByLabel("Data", { exact: true }).selectOption({ label: className });
    await submit(employee, info, "Check");
    const answer = employee.getByTestId("policy-answer");
    await expect(answer).toHaveAttribute("data-allowed", "true");
    await expect(answer).toContainText("Approved with conditions: Project directory only");
    await expect(answer).toContainText("names it explicitly");
    await screenshot(employee, info, "tool-page-answer");
    // …credentials never are…
    await employee.getByLabel("Data", { exact: true }).selectOption({ label: "Credentials and secrets" });
    await submit(employee, info, "Check");
    await expect(answer).toHaveAttribute("data-allowed", "false");
    await expect(answer).toContainText("credentials and secrets may not be sent to any AI tool");
    // …and another team is not covered.
    await employee.getByLabel("Team").selectOption({ label: "Marketing" });
    await employee.getByLabel("Data", { exact: true }).selectOption({ label: "Internal documents" });
    await submit(employee, info, "Check");
    await expect(answer).toHaveAttribute("data-allowed", "false");
    await expect(answer).toContainText("Approved for the Payments team only.");

    // A suspended demo tool says why and what to use instead.
    await open(employee, info, "/tools/cursor");
    await expect(employee.getByTestId("status-notice")).toContainText("Suspended since 2026-11-02");
    await expect(employee.getByTestId("status-notice")).toContainText("Use GitHub Copilot");
    await screenshot(employee, info, "tool-page-suspended");
    await context.close();
  });

  test("an empty search says what to do next", async ({ page }, info) => {
    await signIn(page, info, "dana.employee@northwind.example");
    await open(page, info, "/tools?q=no-such-tool-anywhere");
    await expect(page.getByText("No tool matches “no-such-tool-anywhere”")).toBeVisible();
    await expect(page.getByText("ask IT security to review it")).toBeVisible();
    await page.getByRole("link", { name: "clear the search" }).click();
    await expect(page.getByTestId("tools-table")).toContainText("Claude Code");
  });
});
