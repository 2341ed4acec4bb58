import { expect } from "@playwright/test";
import * as OTPAuth from "otpauth";
import {
  hydrated,
  hydration,
  nextPeriod,
  open,
  otpauthFor,
  PASSWORD,
  screenshot,
  signIn,
  submitPassword,
  submit,
  newContext,
  test,
} from "./support";

const INVITEE_PASSWORD = "correct horse battery staple";

test.describe("identity and trust", () => {
  test("invite → set password → enroll TOTP → sign in with the next code → a replayed code is refused", async ({
    page,
    browser,
  }, info) => {
    test.setTimeout(180_000);
    // Each project has its own admin, so their codes never collide.
    const admin = hydrated(info) ? "omar.admin@northwind.example" : "nora.admin@northwind.example";
    await signIn(page, info, admin, otpauthFor(admin));

    await open(page, info, "/admin/people");
    await screenshot(page, info, "admin-people");
    const email = `rita.${info.project.name}.${Date.now()}@northwind.example`;
    await page.getByLabel("Email address").fill(email);
    await page.getByLabel("Name", { exact: true }).fill("Rita Reviewer");
    await page.getByLabel(/^Reviewer/).check();
    await page.getByLabel("Payments").selectOption("member");
    await submit(page, info, "Create invitation link");
    const link = (await page.getByTestId("invitation-link").textContent()) ?? "";
    // The token rides after "#": browsers never send it to a server or proxy.
    expect(link).toMatch(/\/invite#inv_[A-Za-z0-9_-]{43}$/);
    await expect(page.getByTestId("invitation-table")).toContainText(email);
    await screenshot(page, info, "admin-invitation-link");

    // The admin's other pages, while signed in.
    await open(page, info, "/admin/teams");
    await expect(page.getByTestId("teams-table")).toContainText("Payments");
    // One "Admin" entry in the header, the section's own tabs below it.
    const main = page.getByRole("navigation", { name: "Main" });
    await expect(main.getByRole("link", { name: "Admin" })).toHaveAttribute("aria-current", "page");
    const tabs = page.getByRole("navigation", { name: "Administration" });
    await expect(tabs.getByRole("link")).toHaveText(["People", "Teams", "Checklist items", "Settings", "Integrations", "Audit log"]);
    await expect(tabs.getByRole("link", { name: "Teams" })).toHaveAttribute("aria-current", "page");
    await screenshot(page, info, "admin-teams");
    await open(page, info, "/admin/settings");
    await expect(page.getByLabel("Organization name")).toHaveValue("Northwind Analytics (demo)");
    await screenshot(page, info, "admin-settings");
    await open(page, info, "/admin/audit");
    await expect(page.getByTestId("audit-table")).toContainText("user.invited");
    await submit(page, info, "Verify chain");
    await expect(page.getByTestId("chain-result")).toContainText("OK: all");
    await screenshot(page, info, "admin-audit");

    // The invitee, in a browser of their own.
    const context = await newContext(browser, info);
    const invitee = await context.newPage();
    const url = new URL(link);
    if (hydrated(info)) {
      // The page posts the fragment once and drops it from the address bar and history.
      await open(invitee, info, url.pathname + url.hash);
      await expect(invitee.getByText(email)).toBeVisible();
      expect(new URL(invitee.url()).hash).toBe("");
    } else {
      // Without JavaScript the page asks for the part after "#".
      await open(invitee, info, url.pathname);
      await invitee.getByLabel("Invitation code").fill("not-an-invitation");
      await submit(invitee, info, "Open invitation");
      await expect(invitee.locator("#code-error")).toContainText("does not open an invitation");
      await invitee.getByLabel("Invitation code").fill(url.hash.slice(1));
      await submit(invitee, info, "Open invitation");
    }
    await expect(invitee.getByText(email)).toBeVisible();
    await screenshot(invitee, info, "invitation");
    await invitee.getByLabel("Choose a password").fill("too short");
    await submit(invitee, info, "Create my account");
    await expect(invitee.locator("#password-error")).toContainText("at least 12");
    await invitee.getByLabel("Choose a password").fill(INVITEE_PASSWORD);
    await submit(invitee, info, "Create my account");
    await expect(invitee).toHaveURL(/\/account\/two-factor$/);
    await hydration(invitee, info);

    await invitee.getByLabel("Current password").fill(INVITEE_PASSWORD);
    await submit(invitee, info, "Set up authenticator app");
    const secret = (await invitee.getByTestId("totp-secret").textContent()) ?? "";
    await expect(invitee.getByRole("img", { name: /QR code/ })).toBeVisible();
    await screenshot(invitee, info, "two-factor-enroll");
    const totp = new OTPAuth.TOTP({
      secret: OTPAuth.Secret.fromBase32(secret.trim()),
      algorithm: "SHA1",
      digits: 6,
      period: 30,
    });
    const enrolledAt = Date.now();
    await invitee.getByLabel("Code from the app").fill(totp.generate({ timestamp: enrolledAt }));
    await submit(invitee, info, "Turn on two-factor sign-in");
    await expect(invitee.getByTestId("recovery-codes").locator("li")).toHaveCount(10);
    await screenshot(invitee, info, "two-factor-recovery-codes");

    await submit(invitee, info, "Sign out");
    await expect(invitee).toHaveURL(/\/sign-in$/);

    // The next period's code signs in…
    await nextPeriod(invitee, enrolledAt);
    await submitPassword(invitee, info, email, INVITEE_PASSWORD);
    await expect(invitee).toHaveURL(/\/sign-in\/code$/);
    const code = totp.generate();
    await invitee.getByRole("textbox", { name: "Code" }).fill(code);
    await submit(invitee, info, "Verify");
    await expect(invitee).toHaveURL(/\/$/);
    await expect(invitee.getByTestId("signed-in-as")).toHaveText("Rita Reviewer");
    await hydration(invitee, info);
    await open(invitee, info, "/account");
    await expect(invitee.getByTestId("account-name")).toHaveText("Rita Reviewer");
    await expect(invitee.getByTestId("session-table")).toContainText("This browser");
    await screenshot(invitee, info, "account");

    // …and the same code, replayed, does not.
    await submit(invitee, info, "Sign out");
    await expect(invitee).toHaveURL(/\/sign-in$/);
    await submitPassword(invitee, info, email, INVITEE_PASSWORD);
    await expect(invitee).toHaveURL(/\/sign-in\/code$/);
    await invitee.getByRole("textbox", { name: "Code" }).fill(code);
    await submit(invitee, info, "Verify");
    await expect(invitee.locator("#code-error")).toContainText("already used");
    await expect(invitee.getByTestId("signed-in-as")).toHaveCount(0);
    await context.close();
  });

  test("an employee creates an API token, sees it once and revokes it", async ({ page }, info) => {
    await signIn(page, info, "dana.employee@northwind.example");
    await open(page, info, "/account");
    const name = `script ${info.project.name} ${Date.now()}`;
    await page.getByLabel("Token name").fill(name);
    await submit(page, info, "Create token");
    const token = page.getByTestId("revealed-token");
    await expect(token).toHaveText(/^agp_[A-Za-z0-9_-]{43}$/);
    await expect(page.getByTestId("token-table")).toContainText(name);
    const copy = page.getByRole("button", { name: "Copy token" });
    if (hydrated(info)) {
      // An island: the button copies the token, and says so.
      await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
      await copy.click();
      await expect(page.getByText("Copied.", { exact: true })).toBeVisible();
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(await token.textContent());
    } else {
      // Without JavaScript it could do nothing, so it is not there; the token is selectable.
      await expect(copy).toBeHidden();
    }
    await screenshot(page, info, "account-token");
    await submit(page, info, `Revoke ${name}`);
    await expect(page.getByRole("button", { name: `Revoke ${name}` })).toHaveCount(0);
    await expect(page.getByTestId("revealed-token")).toHaveCount(0);
  });

  test("anonymous visitors are sent to sign in and come back to the page they asked for", async ({ page }, info) => {
    await open(page, info, "/tools?q=cursor");
    await expect(page).toHaveURL(/\/sign-in\?next=\/tools%3Fq%3Dcursor$/);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Sign in");
    await submitPassword(page, info, "dana.employee@northwind.example", PASSWORD);
    await expect(page).toHaveURL(/\/tools\?q=cursor$/);
    await expect(page.getByTestId("tools-table")).toContainText("Cursor");
  });
});
