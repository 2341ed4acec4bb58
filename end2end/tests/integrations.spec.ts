import { createServer, type IncomingHttpHeaders } from "node:http";
import { createHmac, timingSafeEqual } from "node:crypto";
import type { AddressInfo } from "node:net";
import { expect } from "@playwright/test";
import { hydrated, open, otpauthFor, screenshot, signIn, submit, test } from "./support";

/** A receiver on loopback, as a team's own service would be: it records what it is sent. */
async function receiver() {
  const got: { headers: IncomingHttpHeaders; body: string }[] = [];
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      got.push({ headers: request.headers, body });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((listening) => server.listen(0, "127.0.0.1", listening));
  const { port } = server.address() as AddressInfo;
  return { got, server, url: `http://127.0.0.1:${port}/hooks/T01/secret-path` };
}

/** What the page tells receivers to check: HMAC-SHA256 of "t.body" under the secret. */
function signedWith(secret: string, header: string, body: string): boolean {
  const [t, v1] = header.split(",").map((part) => part.split("=")[1]);
  const expected = createHmac("sha256", secret).update(`${t}.${body}`).digest("hex");
  return timingSafeEqual(Buffer.from(expected), Buffer.from(v1));
}

test.describe("integrations", () => {
  test("an admin adds a webhook, a test reaches the receiver signed, and the hook is paused and removed", async ({ page }, info) => {
    const hook = await receiver();
    try {
      const admin = hydrated(info) ? "omar.admin@northwind.example" : "nora.admin@northwind.example";
      await signIn(page, info, admin, otpauthFor(admin));
      await open(page, info, "/admin/integrations");
      await expect(page.getByRole("navigation", { name: "Administration" }).getByRole("link", { name: "Integrations" })).toHaveAttribute("aria-current", "page");
      const name = `Receiver ${info.project.name} ${Date.now()}`;

      // Without an event the form says so beside the events, and keeps what was typed.
      await page.getByLabel("Address").fill(hook.url);
      await page.getByLabel("Name (optional)").fill(name);
      await submit(page, info, "Add webhook");
      await expect(page.locator("#hook-events-error")).toHaveText("Events: choose at least one event.");
      await expect(page.getByLabel("Address")).toHaveValue(hook.url);

      await page.getByLabel("Name (optional)").fill(name);
      await page.getByRole("checkbox", { name: /An incident is reported/ }).check();
      await page.getByLabel("Body").selectOption("json");
      await submit(page, info, "Add webhook");
      const secret = (await page.getByTestId("webhook-secret").textContent())?.trim() ?? "";
      expect(secret).toMatch(/^whsec_[\w-]{43}$/);
      const row = page.getByTestId("webhooks-table").getByRole("row").filter({ hasText: name });
      await expect(row).toContainText("Active");
      await expect(row).toContainText("incident.opened");
      await expect(page.locator("main")).not.toContainText("secret-path");
      await screenshot(page, info, "admin-integrations");
      // On a 390 px phone the page does not scroll sideways.
      const desktop = page.viewportSize();
      await page.setViewportSize({ width: 390, height: 844 });
      await open(page, info, "/admin/integrations");
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await screenshot(page, info, "admin-integrations-phone");
      if (desktop) await page.setViewportSize(desktop);

      await submit(page, info, `Send test to ${name}`);
      await expect(page.getByRole("status").filter({ hasText: "Test event queued" })).toBeVisible();
      await expect.poll(() => hook.got.length, { timeout: 15_000 }).toBe(1);
      const [delivery] = hook.got;
      expect(delivery.headers["x-portal-event"]).toBe("webhook.test");
      expect(signedWith(secret, String(delivery.headers["x-portal-signature"]), delivery.body)).toBe(true);
      expect(JSON.parse(delivery.body).summary).toContain("A test from the AI Governance Portal");
      // The receiver has it a moment before the portal has recorded its answer.
      const logged = page.getByTestId("deliveries-table").getByRole("row").filter({ hasText: name }).first();
      await expect(async () => {
        await open(page, info, "/admin/integrations");
        await expect(logged).toContainText("Delivered", { timeout: 1_000 });
      }).toPass({ timeout: 15_000 });
      await expect(logged).toContainText("HTTP 204");

      await submit(page, info, `Pause ${name}`);
      await expect(row).toContainText("Paused");
      await expect(page.getByRole("button", { name: `Send test to ${name}` })).toBeDisabled();
      // Removing takes a second step, with or without JavaScript.
      await row.locator("summary").click();
      await submit(page, info, `Remove ${name} for good`);
      await expect(page.getByRole("status").filter({ hasText: "Webhook removed." })).toBeVisible();
      await expect(page.getByTestId("webhooks-table").getByRole("row").filter({ hasText: name })).toHaveCount(0);
      // Its deliveries stay in the log, no longer offered again.
      await expect(logged).toContainText("Delivered");
      await expect(logged.getByRole("button")).toHaveCount(0);
    } finally {
      hook.server.close();
    }
  });
});
