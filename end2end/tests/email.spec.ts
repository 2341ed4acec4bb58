import { expect } from "@playwright/test";
import { hydrated, newContext, open, otpauthFor, screenshot, signIn, submit, test } from "./support";

/** One message the test SMTP server received (end2end/mailbox.mjs, started by scripts/test). */
type Mail = { to: string[]; subject: string; text: string; html: string };

async function inbox(address: string): Promise<Mail[]> {
  const url = process.env.MAILBOX_URL;
  if (!url) throw new Error("MAILBOX_URL must name the test SMTP server's messages (scripts/test sets it)");
  const all = (await (await fetch(url)).json()) as Mail[];
  return all.filter((mail) => mail.to.includes(address));
}

test.describe("e-mail", () => {
  test("an admin proves the mail settings, chooses e-mail for incidents, and a reported incident reaches their inbox with a link that opens it", async ({ page, browser }, info) => {
    const admin = hydrated(info) ? "omar.admin@northwind.example" : "nora.admin@northwind.example";
    await signIn(page, info, admin, otpauthFor(admin));

    // The integrations page says how mail leaves, and a test reaches the admin's inbox.
    await open(page, info, "/admin/integrations");
    await expect(page.getByTestId("email-settings")).toContainText("with no encryption, from");
    const before = (await inbox(admin)).length;
    await submit(page, info, "Send a test e-mail to yourself");
    await expect(page.getByRole("status").filter({ hasText: `A test e-mail went to ${admin}` })).toBeVisible();
    await expect.poll(async () => (await inbox(admin)).length).toBe(before + 1);
    expect((await inbox(admin)).at(-1)?.subject).toBe("AI Governance Portal: test e-mail");

    // From the notifications page to the choices; e-mail for incidents, saved and shown again.
    await open(page, info, "/notifications");
    await page.getByRole("link", { name: "How you hear of things" }).click();
    await expect(page).toHaveURL(/\/notifications\/settings$/);
    await expect(page.getByText(`E-mails go to ${admin}.`)).toBeVisible();
    const incidents = page.getByRole("group", { name: "Incidents and stopped tools" });
    await expect(incidents.getByRole("radio", { name: "In the portal only" })).toBeChecked();
    await incidents.getByRole("radio", { name: "Also by e-mail, as it happens" }).check();
    await page.getByRole("group", { name: "Checklist items" }).getByRole("radio", { name: "Also in a daily e-mail digest" }).check();
    await submit(page, info, "Save choices");
    await expect(page.getByRole("status").filter({ hasText: "Saved" })).toBeVisible();
    await open(page, info, "/notifications/settings");
    await expect(incidents.getByRole("radio", { name: "Also by e-mail, as it happens" })).toBeChecked();
    await expect(page.getByRole("group", { name: "Checklist items" }).getByRole("radio", { name: "Also in a daily e-mail digest" })).toBeChecked();
    // (On a phone it does not scroll sideways: phone.spec.ts.)
    await screenshot(page, info, "notification-settings");

    // An employee, in a browser of their own, reports an incident.
    const employee = await newContext(browser, info);
    const reporter = await employee.newPage();
    await signIn(reporter, info, "dana.employee@northwind.example");
    await open(reporter, info, "/incidents/new");
    const title = `Prompt with <b>customer data</b> pasted into a chatbot (${info.project.name} ${Date.now()})`;
    await reporter.getByLabel("Title").fill(title);
    await reporter.getByLabel("Kind").selectOption("data_sent");
    await reporter.getByLabel("What happened").fill("A support export went into a public chatbot.");
    await submit(reporter, info, "Report the incident");
    await expect(reporter).toHaveURL(/\/incidents\/\d+$/);
    const incident = new URL(reporter.url()).pathname;
    await employee.close();

    // The admin's mail names the incident and links to it; the link opens it.
    let mail: Mail | undefined;
    await expect
      .poll(async () => {
        mail = (await inbox(admin)).find((m) => m.text.includes(title));
        return mail !== undefined;
      }, { timeout: 20_000 })
      .toBe(true);
    // What the employee typed is text in the mail's HTML, not markup.
    expect(mail?.html).toContain("&lt;b&gt;customer data&lt;/b&gt;");
    expect(mail?.html).not.toContain("<b>customer data");
    const link = mail?.text.match(/Open it: (\S+)/)?.[1] ?? "";
    expect(new URL(link).pathname).toBe(incident);
    await page.goto(link);
    await expect(page.getByRole("heading", { level: 1 })).toContainText(title);
  });
});
