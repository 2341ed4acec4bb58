import { readFileSync } from "node:fs";
import { expect } from "@playwright/test";
import { hydrated, newContext, open, screenshot, signIn, submit, test } from "./support";

test.describe("checklists and dashboards", () => {
  test("a member marks items, the manager's dashboard reflects it, and both export CSV", async ({ page, browser }, info) => {
    test.setTimeout(120_000);
    // Each project works on its own items of the Payments checklist.
    const [simple, simpleTitle, evidenced] = hydrated(info)
      ? [9, "Train employees on AI Security awareness", 10]
      : [7, "Separate dev environment from production", 4];

    await signIn(page, info, "eli.employee@northwind.example");
    await open(page, info, "/checklists");
    await page.getByTestId("checklist-teams").getByRole("link", { name: "Payments" }).click();
    await expect(page).toHaveURL(/\/teams\/payments\/checklist$/);
    const card = page.getByTestId(`item-${simple}`);
    await card.getByText(`Update item ${simple}`).click();
    await card.getByLabel("Status").selectOption("done");
    await card.getByLabel("Owner").selectOption({ label: "Eli Novak" });
    await submit(page, info, `Save item ${simple}`);
    await expect(page.getByTestId(`item-${simple}`).locator("[data-item-status]")).toHaveText("Done");

    // An item that needs evidence cannot be done without it.
    const strict = page.getByTestId(`item-${evidenced}`);
    await strict.getByText(`Update item ${evidenced}`).click();
    await strict.getByLabel("Status").selectOption("done");
    await strict.getByLabel("Evidence", { exact: true }).fill("");
    await submit(page, info, `Save item ${evidenced}`);
    await expect(page.locator(`#item-${evidenced}-evidence-error`)).toContainText("needs evidence");
    const again = page.getByTestId(`item-${evidenced}`);
    await again.getByLabel("Status").selectOption("done");
    await again.getByLabel("Evidence", { exact: true }).fill("Signed off in the security review of this quarter.");
    await submit(page, info, `Save item ${evidenced}`);
    await expect(page.getByTestId(`item-${evidenced}`).locator("[data-item-status]")).toHaveText("Done");
    await expect(page.getByTestId("checklist-history")).toContainText(`set item ${evidenced}`);
    await screenshot(page, info, "team-checklist");

    const [teamCsv] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Export CSV" }).click()]);
    expect(readFileSync(await teamCsv.path(), "utf8")).toContain(`"payments","${simple}","${simpleTitle}"`);

    // The manager sees it on the dashboard.
    const context = await newContext(browser, info);
    const manager = await context.newPage();
    await signIn(manager, info, "maya.manager@northwind.example");
    await open(manager, info, "/dashboard");
    await expect(manager.getByTestId("heat-map")).toBeVisible();
    await expect(manager.getByTitle(`Payments: ${simpleTitle} — Done`)).toBeVisible();
    await expect(manager.getByText("How is this computed?")).toBeVisible();
    await expect(manager.locator("svg.trend__chart title")).toHaveText("Overall completion by week");
    await screenshot(manager, info, "dashboard");
    const [csv] = await Promise.all([manager.waitForEvent("download"), manager.getByRole("link", { name: "Export CSV" }).click()]);
    const text = readFileSync(await csv.path(), "utf8");
    expect(text).toContain('"payments","Payments"');
    expect(text).toContain('"customer-support","Customer Support"');
    expect(text).not.toContain('"marketing"');
    // It reads on a phone: the heat map scrolls inside its card, the page does not.
    await manager.setViewportSize({ width: 390, height: 844 });
    for (const path of ["/dashboard", "/teams/payments/checklist"]) {
      await open(manager, info, path);
      expect(await manager.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    }
    await screenshot(manager, info, "dashboard-phone");
    await open(manager, info, "/dashboard");
    await manager.getByTitle(`Payments: ${simpleTitle} — Done`).click();
    await expect(manager).toHaveURL(new RegExp(`/teams/payments/checklist#item-${simple}$`));
    await context.close();
  });
});
