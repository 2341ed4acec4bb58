import { expect, type Page } from "@playwright/test";
import { hydrated, open, signIn, test } from "./support";

/** Bytes each response took on the wire (compressed, headers included), by URL, from Chromium. */
async function wire(page: Page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  const urls = new Map<string, string>();
  const bytes = new Map<string, number>();
  cdp.on("Network.requestWillBeSent", (event) => urls.set(event.requestId, event.request.url));
  cdp.on("Network.loadingFinished", (event) => {
    const url = urls.get(event.requestId) ?? "?";
    bytes.set(url, (bytes.get(url) ?? 0) + event.encodedDataLength);
  });
  return {
    /** What has been loaded since the last call, and forgets it. */
    take() {
      const taken = new Map(bytes);
      bytes.clear();
      return taken;
    },
  };
}

const BUDGET = 200 * 1024;
const PAGES = ["/", "/tools", "/tools/github-copilot", "/data-classes", "/requests", "/requests/new", "/checklists", "/incidents", "/incidents/playbooks", "/scan", "/account"];
/** The pages whose server-rendered HTML holds an island (a part that runs in the browser). */
const WITH_ISLANDS = ["/"];

test.describe("the browser bundle", () => {
  test.beforeEach(async ({ page }, info) => {
    await signIn(page, info, "eli.employee@northwind.example");
  });

  test("a page's whole first load stays within 200 KB, and only a page with islands loads the bundle", async ({
    page,
  }, info) => {
    test.setTimeout(120_000);
    const network = await wire(page);
    const cdp = await page.context().newCDPSession(page);
    for (const path of PAGES) {
      // A first visit: nothing cached.
      await cdp.send("Network.clearBrowserCache");
      network.take();
      await open(page, info, path);
      await page.waitForLoadState("networkidle");
      const loaded = network.take();
      // A response whose request began before the count has no known address ("?").
      const files = [...loaded.keys()].map((url) => (URL.canParse(url) ? new URL(url).pathname : url));
      const bundle = files.filter((file) => /\.(wasm|js)$/.test(file));
      const expected = hydrated(info) && WITH_ISLANDS.includes(path) ? 2 : 0;
      expect(bundle, path).toHaveLength(expected);
      expect(await page.locator("leptos-island").count() > 0, path).toBe(WITH_ISLANDS.includes(path));
      const total = [...loaded.values()].reduce((sum, n) => sum + n, 0);
      expect(total, `${path}: ${files.join(", ")}`).toBeLessThanOrEqual(BUDGET);
    }
  });

  test("site files have content-hashed names, are cached for good, and a second visit loads only the page", async ({
    page,
  }, info) => {
    test.skip(!hydrated(info), "the bundle only loads where JavaScript runs");
    const network = await wire(page);
    await open(page, info, "/");
    await page.waitForLoadState("networkidle");
    const first = [...network.take().keys()].map((url) => new URL(url).pathname);
    const wasm = first.find((file) => file.endsWith(".wasm"));
    const css = first.find((file) => file.endsWith(".css"));
    expect(wasm).toMatch(/^\/pkg\/portal\.[0-9a-f]{16}\.wasm$/);
    expect(css).toMatch(/^\/pkg\/portal\.[0-9a-f]{16}\.css$/);

    const response = await page.request.get(wasm!, { headers: { "accept-encoding": "gzip" } });
    expect(response.status()).toBe(200);
    expect(response.headers()["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(response.headers()["content-encoding"]).toBe("gzip");
    const etag = response.headers()["etag"];
    expect(etag).toMatch(/^"[0-9a-f]{16}-gz"$/);
    const again = await page.request.get(wasm!, { headers: { "accept-encoding": "gzip", "if-none-match": etag } });
    expect(again.status()).toBe(304);
    // Another release's name, or the plain one, is not this content.
    expect((await page.request.get("/pkg/portal.0000000000000000.wasm")).status()).toBe(404);
    expect((await page.request.get("/pkg/portal.wasm")).status()).toBe(404);

    // The second visit: the page itself and what it asks the server; no site file again.
    await open(page, info, "/?q=pay");
    await page.waitForLoadState("networkidle");
    const second = [...network.take().entries()].filter(([url, bytes]) => url.includes("/pkg/") && bytes > 0);
    expect(second).toEqual([]);
  });
});
