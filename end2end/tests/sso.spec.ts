import { expect } from "@playwright/test";
import { hydrated, hydration, newContext, open, otpauthFor, screenshot, signIn, submit, test } from "./support";

/** Tells the test OpenID provider (end2end/oidc-provider.mjs, started by scripts/test) who `login` is. */
async function account(login: string, claims: { email: string; name: string; groups: string[] }) {
  const issuer = process.env.OIDC_ISSUER;
  if (!issuer) throw new Error("OIDC_ISSUER must name the test OpenID provider (scripts/test sets it)");
  const response = await fetch(`${issuer}/__test/accounts`, { method: "POST", body: JSON.stringify({ [login]: claims }) });
  expect(response.ok).toBe(true);
}

test.describe("single sign-on", () => {
  test("an admin maps the provider's groups, and a newcomer signs in through the provider with the mapped role and team", async ({ page, browser }, info) => {
    const admin = hydrated(info) ? "omar.admin@northwind.example" : "nora.admin@northwind.example";
    await signIn(page, info, admin, otpauthFor(admin));
    const run = `${info.project.name}-${Date.now()}`;

    // The integrations page says how to register the portal, and takes two mappings.
    await open(page, info, "/admin/integrations");
    await expect(page.getByTestId("sso-settings")).toContainText("People sign in through Northwind SSO at");
    await expect(page.getByText("/auth/oidc/callback")).toBeVisible();
    for (const [group, grants] of [
      [`managers-${run}`, "Role: Manager"],
      [`payments-${run}`, "Member of Payments"],
    ]) {
      await page.getByLabel("Group", { exact: true }).fill(group);
      await page.getByLabel("Grants").selectOption({ label: grants });
      await submit(page, info, "Add mapping");
      await expect(page.getByRole("status").filter({ hasText: "Group mapping added" })).toBeVisible();
      await expect(page.getByTestId("sso-mappings-table").getByRole("row", { name: new RegExp(group) })).toContainText(grants);
    }
    await screenshot(page, info, "admin-sso");

    // A newcomer, in a browser of their own: one button, the provider's page, and back.
    const email = `sso.${run}@northwind.example`;
    await account(run, { email, name: `Sam Single ${info.project.name}`, groups: [`managers-${run}`, `payments-${run}`, "unmapped"] });
    const context = await newContext(browser, info);
    const newcomer = await context.newPage();
    await open(newcomer, info, "/sign-in");
    await screenshot(newcomer, info, "sign-in-sso");
    await newcomer.getByRole("link", { name: "Sign in with Northwind SSO" }).click();
    await newcomer.locator('input[name="login"]').fill(run);
    await newcomer.locator('input[name="password"]').fill("anything");
    await newcomer.getByRole("button", { name: "Sign-in" }).click();
    await hydration(newcomer, info);
    await expect(newcomer.getByRole("link", { name: `Sam Single ${info.project.name}` })).toBeVisible();

    // Their account: made just now, with the role and the team the groups map to.
    await open(newcomer, info, "/account");
    await expect(newcomer.getByText(email)).toBeVisible();
    await expect(newcomer.getByTestId("account-roles")).toContainText(/manager/i);
    await expect(newcomer.getByTestId("account-teams")).toContainText("Payments");
    await screenshot(newcomer, info, "account-sso");
    await context.close();

    // A refused sign-in says so on the sign-in page (here: a callback nobody started).
    const stranger = await newContext(browser, info);
    const lost = await stranger.newPage();
    await lost.goto("/auth/oidc/callback?code=forged&state=forged");
    await hydration(lost, info);
    await expect(lost).toHaveURL(/\/sign-in$/);
    await expect(lost.getByTestId("sso-problem")).toContainText("was not started in this browser");
    await stranger.close();
  });
});
