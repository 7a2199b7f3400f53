import { expect, Page, test } from "@playwright/test";
import { readFileSync } from "node:fs";

// The fleet with JavaScript: a live refresh (progress, rows changing, a
// project that fails with Twilio's message), filters and search that narrow
// the table and the chart, a bookmarked view, the export, and a viewer who
// sees only their projects. scripts/end-to-end gives this console a dozen
// generated projects beside the five demo ones.

test.describe.configure({ mode: "serial" });

async function openFleet(page: Page, path = "/fleet") {
  await page.goto(path);
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await expect(page.getByRole("heading", { name: "Fleet", exact: true })).toBeVisible();
}

const row = (page: Page, name: string) => page.locator("table.fleet tbody tr").filter({ hasText: name });
const shown = async (page: Page) => Number((await page.locator("p.count").innerText()).match(/^(\d+) project/)![1]);

test("a live refresh shows its progress and each row as it is read", async ({ page, request }) => {
  // Fabrikam answers slowly, so the refresh visibly runs.
  const faults = process.env.FAKE_FAULTS_URL ?? "http://127.0.0.1:4010/__fake/faults";
  const slow = { account: "AC00000000000000000000000000de0004", route: null, method: "GET", fault: { kind: "latency", ms: 1500 }, times: 2 };
  expect((await request.post(faults, { data: slow })).status()).toBe(201);
  await openFleet(page);
  await expect(page.getByRole("link", { name: "Fleet", exact: true })).toHaveAttribute("aria-current", "page");
  const total = await shown(page);
  expect(total).toBeGreaterThanOrEqual(5);
  // A generated project no other test reads.
  await expect(row(page, "Bluebird Learning 001")).toContainText("Not read yet");
  await page.getByRole("button", { name: `Refresh ${total} projects` }).click();
  const progress = page.getByRole("status").filter({ hasText: "Refreshing" });
  await expect(progress).toBeVisible();
  await expect(page.getByRole("progressbar", { name: "Projects read" })).toBeVisible();
  // Rows change while it runs, without a reload.
  await expect(row(page, "Bluebird Learning 001")).toContainText("On: key-001", { timeout: 15_000 });
  await expect(page.getByRole("status").filter({ hasText: "Refresh finished" })).toBeVisible({ timeout: 15_000 });
  await expect(page.getByRole("status")).toContainText("failed");
  await expect(row(page, "Tailspin Toys (wrong token)")).toContainText("20003");
  await expect(row(page, "Northwind Clinic (encrypted)")).toContainText("On: clinic-records");
  await expect(row(page, "Contoso Archive (S3)")).toContainText("S3: https://contoso-archive.s3.amazonaws.com/compositions (archive-writer)");
});

test("a row's last change leads to the project's history", async ({ page }) => {
  await openFleet(page, "/fleet?q=bluebird");
  await row(page, "Bluebird Learning 001").getByRole("link", { name: /First read/ }).click();
  await expect(page).toHaveURL(/\/projects\/gen-0001\/history$/);
  await expect(page.getByRole("heading", { name: "History", exact: true })).toBeVisible();
  await expect(page.getByRole("link", { name: "History", exact: true })).toHaveAttribute("aria-current", "page");
  const compositions = page.getByRole("region", { name: "Composition settings" });
  await expect(compositions.getByRole("listitem").first()).toContainText("encryption on with key key-001 (CR");
  await expect(page.getByRole("region", { name: "Recording settings" }).getByRole("listitem")).not.toHaveCount(0);
});

test("filters and search narrow the table and the chart's counts, and stay in the address", async ({ page }) => {
  await openFleet(page);
  const all = await shown(page);
  await page.getByLabel("Encryption off").check();
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/only=unencrypted/);
  await expect(page.getByLabel("Encryption off")).toBeChecked();
  const unencrypted = await shown(page);
  expect(unencrypted).toBeLessThan(all);
  await expect(page.locator("table.fleet tbody tr")).toHaveCount(unencrypted);
  await expect(page.locator(".fleet-chart figcaption")).toContainText(`${unencrypted} project`);
  await expect(row(page, "Northwind Clinic (encrypted)")).toHaveCount(0);

  await page.getByLabel("Name or account SID").fill("acme");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.locator("table.fleet tbody tr")).toHaveCount(1);
  await expect(page.locator(".fleet-chart figcaption")).toContainText("1 project shown.");
  await expect(row(page, "Acme Video")).toBeVisible();
});

test("a bookmarked view opens the same filters and order", async ({ page }) => {
  await openFleet(page, "/fleet?only=problem&sort=name&dir=desc");
  await expect(page.getByLabel("Has a problem")).toBeChecked();
  await expect(page.getByRole("columnheader", { name: /Project/ })).toHaveAttribute("aria-sort", "descending");
  const names = await page.locator("table.fleet tbody td.project a").allInnerTexts();
  expect(names.length).toBeGreaterThan(0);
  expect([...names].sort((a, b) => b.toLowerCase().localeCompare(a.toLowerCase()))).toEqual(names);
  for (const r of await page.locator("table.fleet tbody tr").all()) {
    await expect(r.locator("ul.problems")).toBeVisible();
  }
  // Sorting by a column keeps the filter.
  await page.getByRole("link", { name: "Compositions: encryption" }).click();
  await expect(page).toHaveURL(/only=problem.*sort=composition-encryption/);
});

test("the export downloads every row of the filtered view", async ({ page }) => {
  await openFleet(page, "/fleet?only=cloud");
  const matching = await shown(page);
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Export as CSV" }).click(),
  ]);
  expect(download.suggestedFilename()).toBe("fleet.csv");
  const csv = readFileSync((await download.path())!, "utf8").trim().split("\r\n");
  expect(csv[0]).toContain("composition_encryption");
  expect(csv.length - 1).toBe(matching);
});

test("a viewer sees only their projects, in the page and in the export", async ({ browser, baseURL }) => {
  const context = await browser.newContext({ baseURL, storageState: { cookies: [], origins: [] } });
  const response = await context.request.post("/api/auth/sign-in", {
    headers: { Origin: baseURL!, Accept: "application/json" },
    form: { "input[name]": "viewer", "input[password]": process.env.E2E_VIEWER_PASSWORD! },
  });
  expect(response.status()).toBe(200);
  const page = await context.newPage();
  await openFleet(page);
  await expect(page.locator("table.fleet tbody tr")).toHaveCount(2);
  await expect(row(page, "Acme Video")).toBeVisible();
  await expect(row(page, "Northwind Clinic (encrypted)")).toBeVisible();
  const csv = await (await context.request.get("/fleet/export?format=csv")).text();
  expect(csv.trim().split("\r\n")).toHaveLength(3);
  expect(csv).not.toContain("Contoso");
  await context.close();
});
