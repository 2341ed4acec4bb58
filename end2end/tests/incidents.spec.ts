import { expect } from "@playwright/test";
import { hydrated, newContext, nextPeriod, open, otpauthFor, screenshot, signIn, submit, test } from "./support";

test.describe("incidents", () => {
  test("an employee reports an incident (a refused report comes back filled in); a reviewer triages it and pulls the kill switch; the team that uses the tool sees the banner, acknowledges it, and the policy check says no", async ({
    page,
    browser,
  }, info) => {
    test.setTimeout(180_000);
    const employee = hydrated(info) ? "eli.employee@northwind.example" : "dana.employee@northwind.example";
    await signIn(page, info, employee);
    await page.getByRole("link", { name: "Incidents" }).click();
    await expect(page).toHaveURL(/\/incidents$/);
    await page.getByRole("link", { name: "Report an incident" }).click();
    await expect(page).toHaveURL(/\/incidents\/new$/);
    const title = `Fake cursor-agent package (${info.project.name} ${Date.now()})`;
    await page.getByLabel("Title").fill(title);
    await page.getByLabel("What happened").fill("A typosquatted npm package was installed from a blog post's instructions.");
    // Each project stops a tool of its own (the journeys share one demo organization): Gemini
    // is Data Science's (Dana's team), Microsoft 365 Copilot Customer Support's (Maya's).
    const tool = hydrated(info)
      ? { slug: "microsoft-copilot", name: "Microsoft 365 Copilot", team: "customer-support", rollback: "Turn the Copilot licences off" }
      : { slug: "gemini", name: "Gemini", team: "data-science", rollback: "Use Claude or ChatGPT Enterprise" };
    await page.getByLabel("Cursor").check();
    await page.getByLabel(tool.name, { exact: true }).check();
    await page.getByLabel(/^Core-system source code/).check();
    // No kind chosen: refused, with the message at the field and everything typed kept.
    await submit(page, info, "Report the incident");
    await expect(page.locator("#incident-kind-error")).toContainText("choose what kind of incident it is");
    await expect(page.getByLabel("Title")).toHaveValue(title);
    await expect(page.getByLabel("Cursor")).toBeChecked();
    await screenshot(page, info, "incident-report-refused");
    await page.getByLabel("Kind").selectOption("malicious_package");
    await submit(page, info, "Report the incident");
    await expect(page).toHaveURL(/\/incidents\/\d+$/);
    await expect(page.getByRole("heading", { level: 1 })).toContainText(title);
    await expect(page.locator("[data-status]")).toHaveText("Reported");
    await expect(page.getByText(/IT security has been told/)).toBeVisible();
    // A reporter follows the incident but does not triage it.
    await expect(page.getByTestId("triage-form")).toHaveCount(0);
    const incidentUrl = new URL(page.url()).pathname;
    await screenshot(page, info, "incident-reported");

    // A reviewer, in a browser of their own, finds it among the open incidents and triages it.
    const reviewer = hydrated(info) ? "kai.reviewer@northwind.example" : "lena.reviewer@northwind.example";
    const reviewerName = hydrated(info) ? "Kai Tanaka" : "Lena Fischer";
    const context = await newContext(browser, info);
    const review = await context.newPage();
    const totp = otpauthFor(reviewer);
    await signIn(review, info, reviewer, totp);
    const signedInAt = Date.now();
    await open(review, info, "/incidents?status=open");
    await expect(review.getByTestId("incidents-table")).toContainText(title);
    await screenshot(review, info, "incidents");
    await review.getByRole("link", { name: new RegExp(title.replace(/[()]/g, "\\$&")) }).click();
    await expect(review).toHaveURL(new RegExp(`${incidentUrl}$`));
    // Triaging without a severity names the field.
    await review.getByLabel("Owner").selectOption({ label: reviewerName });
    await submit(review, info, "Save the triage");
    await expect(review.locator("#triage-severity-error")).toContainText("set the severity to triage");
    await review.getByLabel("Severity").selectOption("high");
    await review.getByLabel("Note for the timeline").fill("Both laptops isolated; package blocked at the proxy.");
    await submit(review, info, "Save the triage");
    await expect(review.locator("[data-status]")).toHaveText("Triaged");
    await expect(review.locator("[data-severity]")).toHaveText("High severity");
    await expect(review.getByTestId("incident-owner")).toHaveText(reviewerName);
    await expect(review.getByTestId("timeline")).toContainText("Both laptops isolated");
    await screenshot(review, info, "incident-triaged");

    // The kill switch, signed with a fresh code: only tools still in use are offered (Cursor is
    // suspended already).
    const killSwitch = review.getByTestId("kill-switch-form");
    await expect(killSwitch.getByTestId("tool-to-stop")).toHaveText(`Stops ${tool.name} for everyone.`);
    await killSwitch.getByLabel("Why it is stopped").fill("Look-alike extension carrying a RAT reported by the vendor.");
    await nextPeriod(review, signedInAt);
    await killSwitch.getByRole("textbox", { name: "Code from your authenticator app" }).fill(totp.generate());
    await submit(review, info, "Stop the tool for everyone");
    await expect(review.getByText(/Stopped for everyone; the policy check answers no/)).toBeVisible();
    await expect(review.getByTestId("stops")).toContainText(tool.name);
    await expect(review.getByTestId("timeline")).toContainText("pulled the kill switch");
    await screenshot(review, info, "incident-stopped");
    await context.close();

    // Someone of the team that uses it sees the banner on every page until they acknowledge it,
    // and the policy check says no with what to use instead.
    const affected = hydrated(info) ? "maya.manager@northwind.example" : employee;
    const teammate = affected === employee ? page : await (await newContext(browser, info)).newPage();
    if (teammate !== page) await signIn(teammate, info, affected);
    await open(teammate, info, "/checklists");
    const banner = teammate.getByTestId("stop-banner").filter({ hasText: tool.name });
    await expect(banner).toContainText(`${tool.name} is stopped for everyone`);
    await expect(banner).toContainText(`Instead: ${tool.rollback}`);
    await screenshot(teammate, info, "stop-banner");
    await open(teammate, info, `/tools/${tool.slug}?team=${tool.team}&data_class=internal-documents`);
    await expect(teammate.getByTestId("policy-answer")).toContainText("Look-alike extension");
    await expect(teammate.getByTestId("policy-answer")).toContainText(tool.rollback);
    await submit(teammate, info, "I have read this");
    await expect(teammate.getByTestId("stop-banner").filter({ hasText: tool.name })).toHaveCount(0);
    await expect(teammate).toHaveURL(new RegExp(`/tools/${tool.slug}`));

    // The reporter sees the triage on the incident's timeline.
    await open(page, info, incidentUrl);
    await expect(page.locator("[data-severity]")).toHaveText("High severity");
    await expect(page.getByTestId("timeline")).toContainText(`${reviewerName} moved it from reported to triaged`);
  });
});
