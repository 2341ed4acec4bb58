import { expect } from "@playwright/test";
import { hydrated, open, otpauthFor, PASSWORD, screenshot, submitPassword, submit, test } from "./support";

test.describe("signing in", () => {
  test("an employee signs in with a password and signs out", async ({ page }, info) => {
    await open(page, info, "/sign-in");
    await screenshot(page, info, "sign-in");
    await submitPassword(page, info, "eli.employee@northwind.example", PASSWORD);
    await expect(page).toHaveURL(/\/$/);
    await expect(page.getByTestId("signed-in-as")).toHaveText("Eli Novak");
    await expect(page.getByRole("link", { name: "Eli Novak: your account" })).toHaveAttribute("href", "/account");
    await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" })).toHaveCount(0);
    await screenshot(page, info, "overview-signed-in");
    // Administration is for admins only: no tabs on an admin page opened by address either.
    await open(page, info, "/admin/people");
    await expect(page.getByText("You do not have permission to do that.")).toBeVisible();
    await expect(page.getByRole("navigation", { name: "Administration" })).toHaveCount(0);

    await submit(page, info, "Sign out");
    await expect(page).toHaveURL(/\/sign-in$/);
    await expect(page.getByRole("link", { name: "Sign in", exact: true })).toBeVisible();
    await expect(page.getByTestId("signed-in-as")).toHaveCount(0);
  });

  test("a wrong password is refused without saying which part was wrong", async ({ page }, info) => {
    await open(page, info, "/sign-in");
    await submitPassword(page, info, "eli.employee@northwind.example", "not the password at all");
    await expect(page.getByRole("alert")).toContainText("The email address or password is not right.");
    await expect(page.getByTestId("signed-in-as")).toHaveCount(0);
    await screenshot(page, info, "sign-in-error");
  });

  test("a reviewer signs in with a code, which cannot be used twice", async ({ page }, info) => {
    // Each project uses its own person, so their codes never collide.
    const email = hydrated(info) ? "sofia.reviewer@northwind.example" : "ravi.reviewer@northwind.example";
    const totp = otpauthFor(email);

    await open(page, info, "/sign-in");
    await submitPassword(page, info, email, PASSWORD);
    await expect(page).toHaveURL(/\/sign-in\/code$/);
    await screenshot(page, info, "sign-in-code");
    const code = totp.generate();
    await page.getByRole("textbox", { name: "Code" }).fill(code);
    await submit(page, info, "Verify");
    await expect(page).toHaveURL(/\/$/);
    await expect(page.getByTestId("signed-in-as")).toBeVisible();

    await submit(page, info, "Sign out");
    await expect(page).toHaveURL(/\/sign-in$/);
    await submitPassword(page, info, email, PASSWORD);
    await expect(page).toHaveURL(/\/sign-in\/code$/);
    await page.getByRole("textbox", { name: "Code" }).fill(code);
    await submit(page, info, "Verify");
    await expect(page.locator("#code-error")).toContainText("already used");
    await expect(page.getByTestId("signed-in-as")).toHaveCount(0);
  });
});
