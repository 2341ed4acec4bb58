import { createPublicKey, verify } from "node:crypto";
import { readFileSync } from "node:fs";
import { expect } from "@playwright/test";
import { decide, hydrated, newContext, nextPeriod, open, otpauthFor, reviewerOn, screenshot, signIn, submit, test } from "./support";

test.describe("incidents", () => {
  test("an employee reports an incident (a refused report comes back filled in); a reviewer triages it and pulls the kill switch; the team that uses the tool sees the banner, acknowledges it, and the policy check says no; two other reviewers reinstate it and the receipt verifies outside the portal", async ({
    page,
    browser,
  }, info) => {
    test.setTimeout(300_000);
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

    // The reporter sees the triage on the incident's timeline, and the checklist from the
    // malicious-package playbook.
    await open(page, info, incidentUrl);
    await expect(page.locator("[data-severity]")).toHaveText("High severity");
    await expect(page.getByTestId("timeline")).toContainText(`${reviewerName} moved it from reported to triaged`);
    await expect(page.getByTestId("incident-steps")).toContainText("Block it in the private registry");

    // Reinstating: the reviewer who pulled the switch proposes it from the tool's page, where
    // the stop's signed receipt is linked; a justification of a few words is refused.
    const stopper = await reviewerOn(browser, info, reviewer, `/tools/${tool.slug}`);
    const stopped = stopper.page.getByTestId("stopped");
    await expect(stopped).toContainText("Look-alike extension carrying a RAT");
    await stopped.getByTestId("stop-receipt").click();
    await expect(stopper.page.getByRole("heading", { level: 1 })).toHaveText("Kill-switch receipt");
    await expect(stopper.page.getByTestId("receipt-verdict")).toContainText("Signature valid");
    await expect(stopper.page.getByTestId("receipt-document")).toContainText(tool.name);
    await open(stopper.page, info, `/tools/${tool.slug}`);
    const reinstate = stopper.page.getByTestId("reinstate-form");
    await reinstate.getByLabel("Justification").fill("Fixed now.");
    await reinstate.getByLabel("What changed since the stop").fill("The vendor re-signed the extension.");
    await submit(stopper.page, info, "Propose the reinstatement");
    await expect(stopper.page.locator("#reinstate-justification-error")).toContainText("say in a sentence or more");
    await expect(stopper.page.getByLabel("What changed since the stop")).toHaveValue("The vendor re-signed the extension.");
    await stopper.page
      .getByLabel("Justification")
      .fill("The vendor pulled the look-alike extension and shipped a signed release; our proxy blocks the fake.");
    await submit(stopper.page, info, "Propose the reinstatement");
    await expect(stopper.page).toHaveURL(/\/requests\/\d+$/);
    await expect(stopper.page.getByText(/Reinstatement filed as request #\d+/)).toBeVisible();
    await expect(stopper.page.getByTestId("risk-summary")).toContainText("2 reviewers must approve");
    await expect(stopper.page.getByTestId("proposal-reason")).toContainText("What changed: The vendor re-signed the extension.");
    const requestUrl = new URL(stopper.page.url()).pathname;
    await screenshot(stopper.page, info, "reinstatement-proposed");
    await stopper.context.close();

    // Two other reviewers approve it, each with a fresh code.
    const one = await reviewerOn(browser, info, "ravi.reviewer@northwind.example", requestUrl);
    await submit(one.page, info, "Assign to me");
    await decide(one.page, info, one.totp, one.signedInAt, "The signed release is verified; reinstating.");
    await expect(one.page.getByTestId("signoff-progress")).toHaveText("1 of 2 approvals on this version.");
    await one.context.close();
    const two = await reviewerOn(browser, info, "sofia.reviewer@northwind.example", requestUrl);
    await decide(two.page, info, two.totp, two.signedInAt, "Agreed: the facts changed.");
    await expect(two.page.locator("[data-state]").first()).toContainText("Approved");
    await screenshot(two.page, info, "reinstated");

    // The tool is allowed again for the team that uses it.
    await open(teammate, info, `/tools/${tool.slug}?team=${tool.team}&data_class=internal-documents`);
    await expect(teammate.getByTestId("stopped")).toHaveCount(0);
    await expect(teammate.getByTestId("policy-answer")).toHaveAttribute("data-allowed", "true");

    // The final sign-off's receipt verifies with the published key, outside the portal.
    await two.page.getByRole("link", { name: "Receipt" }).last().click();
    await expect(two.page.getByTestId("receipt-verdict")).toContainText("Signature valid");
    const [download] = await Promise.all([
      two.page.waitForEvent("download"),
      two.page.getByRole("link", { name: "Download receipt" }).click(),
    ]);
    const receipt = JSON.parse(readFileSync(await download.path(), "utf8"));
    const keys = await (await two.page.request.get("/api/v1/signing-key")).json();
    const key = (keys.keys ?? keys).find((k: { key_id: string }) => k.key_id === receipt.key_id);
    const publicKey = createPublicKey(key.public_key_pem);
    const signature = Buffer.from(receipt.signature, "base64");
    expect(verify(null, Buffer.from(receipt.payload, "utf8"), publicKey, signature)).toBe(true);
    expect(JSON.parse(receipt.payload).reviewer.email).toBe("sofia.reviewer@northwind.example");
    const forged = receipt.payload.replace("sofia.reviewer", "mallory.reviewer");
    expect(verify(null, Buffer.from(forged, "utf8"), publicKey, signature)).toBe(false);
    await two.context.close();
  });

  test("a reviewer reads the playbooks and a past exercise, ticks an incident's checklist, and runs a dry kill switch that changes nothing; an admin records an exercise", async ({
    page,
  }, info) => {
    test.setTimeout(180_000);
    const reviewer = hydrated(info) ? "kai.reviewer@northwind.example" : "lena.reviewer@northwind.example";
    await signIn(page, info, reviewer, otpauthFor(reviewer));
    await open(page, info, "/incidents");
    await page.getByRole("link", { name: "Playbooks" }).click();
    await expect(page).toHaveURL(/\/incidents\/playbooks$/);
    await expect(page.getByTestId("playbooks")).toContainText("Malicious package");
    await page.getByRole("link", { name: "Data sent to an AI tool" }).click();
    const current = page.getByTestId("playbook-current");
    await expect(current).toContainText("72 hours");
    await expect(current).toContainText("edited by Nora Lindqvist");
    await expect(current.getByTestId("channels")).toContainText("Data protection officer");
    // The version shipped with the portal is kept below.
    await expect(page.getByTestId("playbook-version")).toHaveCount(1);
    // Reviewers read playbooks; admins edit them.
    await expect(page.getByTestId("playbook-form")).toHaveCount(0);
    await screenshot(page, info, "playbook");

    // The demo's open incident follows the data-sent playbook; the reviewer ticks a step.
    await open(page, info, "/incidents?status=open");
    await page.getByRole("link", { name: /Customer e-mails pasted/ }).click();
    const steps = page.getByTestId("incident-steps");
    await expect(steps).toContainText("Ask the vendor to delete it");
    // The first step not done yet (each project ticks one of its own).
    const label = await steps.getByRole("button", { name: /^Mark done: / }).first().getAttribute("aria-label");
    const what = (label ?? "").replace(/^Mark done: /, "");
    await submit(page, info, label ?? "");
    const item = page.getByTestId("incident-steps").locator("li").filter({ hasText: what });
    await expect(item).toContainText(`Done by ${hydrated(info) ? "Kai Tanaka" : "Lena Fischer"}`);
    await expect(item.getByRole("button", { name: `Mark not done: ${what}` })).toBeVisible();
    await expect(page.getByTestId("timeline")).toContainText("ticked a checklist step");
    await screenshot(page, info, "incident-checklist");

    // A past exercise, and a dry kill switch on Claude Code: who would be told, nothing changed.
    await open(page, info, "/incidents");
    await page.getByRole("link", { name: "tabletop exercises" }).click();
    await expect(page.getByTestId("exercises")).toContainText("A leaked AI coding assistant");
    await page.getByRole("link", { name: /A leaked AI coding assistant/ }).click();
    await expect(page.getByTestId("gaps")).toContainText("vendor's security contact");
    await page.getByLabel("Tool").selectOption("claude-code");
    await submit(page, info, "Show what would happen");
    await expect(page.getByTestId("dry-run")).toContainText("Stopping Claude Code would reach");
    await expect(page.getByTestId("dry-run")).toContainText("Nothing was changed.");
    await screenshot(page, info, "dry-run");
    await open(page, info, "/tools/claude-code");
    await expect(page.getByTestId("stopped")).toHaveCount(0);

    // An admin records today's exercise: an empty outcome is refused at the field.
    const admin = "nora.admin@northwind.example";
    const context = await newContext(page.context().browser()!, info);
    const nora = await context.newPage();
    await signIn(nora, info, admin, otpauthFor(admin));
    await open(nora, info, "/incidents/exercises");
    const title = `Vendor breach drill (${info.project.name} ${Date.now()})`;
    await nora.getByLabel("Title").fill(title);
    await nora.getByLabel("Playbook rehearsed").selectOption("vendor_breach");
    await nora.getByLabel("Day").fill(new Date().toISOString().slice(0, 10));
    await nora.getByLabel("Scenario").fill("The chat assistant's vendor reports that prompts were exposed.");
    await nora.getByLabel("Participants").fill("Security, Legal, Customer Support");
    await submit(nora, info, "Schedule");
    await expect(nora).toHaveURL(/\/incidents\/exercises\/\d+$/);
    await submit(nora, info, "Record the outcome");
    await expect(nora.locator("#outcome-went-well-error")).toContainText("say what went well");
    await nora.getByLabel("Gaps found").fill("Legal had no copy of the vendor's breach clause.");
    await submit(nora, info, "Record the outcome");
    await expect(nora.getByTestId("gaps")).toContainText("breach clause");
    await screenshot(nora, info, "exercise");
    await context.close();
  });
});
