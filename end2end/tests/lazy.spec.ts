import { expect, Page, test } from "@playwright/test";

// Pages other than the settings pages are lazy routes: their code comes in
// wasm chunks (`chunk_*`, `split_*`) fetched where they are shown.
const isChunk = (url: string) => /\/pkg\/(chunk_|split_)[^/]*\.wasm$/.test(url);

/** Records the wasm chunks and the documents the page fetches from now on. */
function watch(page: Page) {
  const seen = { chunks: [] as string[], documents: [] as string[] };
  page.on("request", (request) => {
    if (isChunk(request.url())) seen.chunks.push(request.url());
    if (request.resourceType() === "document") seen.documents.push(request.url());
  });
  return seen;
}

async function openSettings(page: Page) {
  await page.goto("/projects/demo-acme");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await expect(page.getByRole("heading", { name: /Composition settings/ })).toBeVisible();
}

test("the settings page needs no page chunks; the audit trail brings its own", async ({ page }) => {
  const seen = watch(page);
  await openSettings(page);
  expect(seen.chunks).toEqual([]);

  await page.getByRole("link", { name: "Audit trail" }).click();
  await expect(page).toHaveURL(/\/audit$/);
  await expect(page.getByRole("heading", { name: "Audit trail" })).toBeVisible();
  // Rendered in the browser from the fetched chunks, not loaded as a new page.
  expect(seen.chunks.length).toBeGreaterThan(0);
  expect(seen.documents).toHaveLength(1);
});

test("a page whose chunks cannot be fetched is loaded from the server instead", async ({ page }) => {
  await openSettings(page);
  // As after a new release: this tab's chunk names no longer exist.
  await page.route((url: URL) => isChunk(url.href), (route) => route.fulfill({ status: 404, body: "gone" }));
  const seen = watch(page);
  await page.getByRole("link", { name: "Audit trail" }).click();
  await expect(page).toHaveURL(/\/audit$/);
  await expect(page.getByRole("heading", { name: "Audit trail" })).toBeVisible();
  // Loaded once from the server; the new page's failed chunks do not reload
  // it again (it was not hydrated).
  await page.waitForTimeout(1000);
  expect(seen.documents.filter((url) => url.endsWith("/audit"))).toHaveLength(1);
  await expect(page).toHaveURL(/\/audit$/);
});
