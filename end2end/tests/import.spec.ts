import { APIRequestContext, expect, test } from "@playwright/test";
import { PARENT, PARENT_TOKEN, csvWithTwoBadRows, forgetParent, removeImported, sub } from "./helpers";

// Importing a demo parent's subaccounts: each one chosen gets a key of its
// own; one whose key Twilio refuses is shown with Twilio's message.
const FAULTS = process.env.FAKE_FAULTS_URL ?? "http://127.0.0.1:4010/__fake/faults";
async function refuseKeysOf(request: APIRequestContext, account: string) {
  const response = await request.post(FAULTS, {
    data: {
      account: PARENT,
      route: `/2010-04-01/Accounts/${account}/Keys.json`,
      method: "POST",
      fault: { kind: "status", status: 500 },
      times: null,
    },
  });
  expect(response.status()).toBe(201);
}

test.afterEach(async ({ page, request }) => {
  await request.delete(FAULTS);
  await removeImported(page);
  await forgetParent(page);
});

test("imports twenty subaccounts of a parent, one failing and shown why", async ({ page, request }) => {
  await page.goto("/projects");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await page.getByRole("link", { name: "Import from a parent account" }).click();
  await expect(page.getByRole("heading", { name: "Import projects" })).toBeVisible();
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await page.getByLabel("Parent account SID").fill(PARENT);
  await expect(page.getByLabel("The parent's auth token")).toBeChecked();
  await page.getByLabel("Auth token or key secret").fill(PARENT_TOKEN);
  await page.getByRole("button", { name: "List subaccounts" }).click();

  await expect(page).toHaveURL(/\/imports\/[0-9a-f]+$/);
  await expect(page.getByRole("status")).toContainText("30 subaccounts found");
  // Suspended and closed ones are shown but cannot be ticked.
  const row = (i: number) => page.getByRole("row").filter({ hasText: sub(i) });
  await expect(row(15)).toContainText("suspended");
  await expect(row(15).getByRole("checkbox")).toHaveCount(0);
  await expect(row(22)).toContainText("closed");
  // Every active one is ticked; leave seven out, keeping twenty.
  await expect(page.getByRole("checkbox", { checked: true })).toHaveCount(27);
  for (let i = 23; i <= 29; i++) await row(i).getByRole("checkbox").uncheck();
  await expect(page.getByRole("checkbox", { checked: true })).toHaveCount(20);
  // The filter narrows the list (rows it hides are left out of the import).
  await page.getByLabel("Filter by name").fill("lisbon");
  await expect(page.locator("table.imports tbody tr:visible")).toHaveCount(1);
  await page.getByLabel("Filter by name").fill("");

  await refuseKeysOf(request, sub(3));
  await page.getByRole("button", { name: "Import the ticked subaccounts" }).click();
  await expect(page.getByRole("status")).toContainText("Done: 19 imported, 1 failed, of 20 chosen.", { timeout: 20_000 });
  // A 500 may come after Twilio acted: any key it made is deleted again.
  await expect(row(3)).toContainText("Failed: Twilio error 20500: Internal Server Error");
  await expect(row(3)).toContainText("importing again is safe");
  await expect(row(1)).toContainText("Imported: its new key works");
  await expect(row(23)).toContainText("Not yet a project");

  await page.goto("/projects?q=Globex");
  await expect(page.locator(".count")).toContainText("19 of");
  await expect(page.getByRole("link", { name: "Globex Amsterdam", exact: true })).toBeVisible();
  // And in the fleet, each with its own row.
  await page.goto("/fleet?q=Globex");
  await expect(page.getByText("19 projects shown.")).toBeVisible();
  await expect(page.getByRole("row").filter({ hasText: "Globex Amsterdam" })).toHaveCount(1);
});

test("a wrong parent login is named, and nothing is listed", async ({ page }) => {
  await page.goto("/imports");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await page.getByLabel("Parent account SID").fill(PARENT);
  await page.getByLabel("Auth token or key secret").fill("not-the-parent-token");
  await page.getByRole("button", { name: "List subaccounts" }).click();
  await expect(page.getByText("was refused by Twilio (error 20003 Authenticate)")).toBeVisible();
  await expect(page).toHaveURL(/\/imports$/);
});

test("imports a CSV with two bad rows: the preview names them, the confirmation stores the rest", async ({ page }) => {
  await page.goto("/imports");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await page.getByLabel("Projects file (CSV or JSON)").fill(csvWithTwoBadRows);
  await page.getByRole("button", { name: "Preview the file" }).click();
  await expect(page).toHaveURL(/\/imports\/file\/[0-9a-f]+$/);
  await expect(page.getByRole("status")).toContainText("Preview: 2 of 4 rows can be stored; nothing has been stored yet.");
  const row = (name: string) => page.getByRole("row").filter({ hasText: name });
  await expect(row("Bad, row")).toContainText("Not stored: Account SID");
  await expect(row("Globex File Twice")).toContainText("Not stored: the same account as row 1");
  await expect(row("Globex File Zwölf, GmbH")).toContainText("Valid: the login works");
  await page.getByRole("button", { name: "Store the 2 valid projects" }).click();
  await expect(page.getByRole("status")).toContainText("Done: 2 projects stored.");
  await page.goto("/projects?q=Globex%20File");
  await expect(page.locator(".count")).toContainText("2 of");
});

test("a kept parent login finds only new subaccounts, the fleet says so, and it can be forgotten", async ({ page }) => {
  await page.goto("/imports");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await expect(page.getByRole("heading", { name: "Kept parent logins" })).toHaveCount(0);
  await page.getByLabel("Parent account SID").fill(PARENT);
  await page.getByLabel("Auth token or key secret").fill(PARENT_TOKEN);
  await page.getByLabel("Keep the parent's login to find new subaccounts later").check();
  await page.getByRole("button", { name: "List subaccounts" }).click();
  await expect(page.getByRole("status")).toContainText("30 subaccounts found");
  // One imported (the filter leaves the others out).
  await page.getByLabel("Filter by name").fill("lisbon");
  await page.getByRole("button", { name: "Import the ticked subaccounts" }).click();
  await expect(page.getByRole("status")).toContainText("Done: 1 imported, 0 failed, of 1 chosen.", { timeout: 20_000 });

  await page.goto("/imports");
  const kept = page.getByRole("region", { name: "Kept parent logins" });
  await expect(kept).toContainText("Globex Holdings");
  await expect(kept).toContainText("kept by admin");
  await page.getByRole("button", { name: "Find new subaccounts of Globex Holdings" }).click();
  await expect(page).toHaveURL(/\/imports\/[0-9a-f]+$/);
  // Only the active ones not yet projects: 30, less Lisbon, two suspended, one closed.
  await expect(page.getByRole("status")).toContainText("26 subaccounts found");
  await expect(page.getByRole("row").filter({ hasText: "Lisbon" })).toHaveCount(0);

  await page.goto("/fleet");
  const news = page.getByRole("region", { name: "New subaccounts" });
  await expect(news).toContainText(`Globex Holdings (${PARENT}) has 26 active subaccounts that are not yet projects.`);
  await news.getByRole("link", { name: "Find and import them" }).click();
  await expect(page).toHaveURL(/\/imports$/);
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await page.getByRole("button", { name: "Forget the login of Globex Holdings" }).click();
  await expect(page.getByRole("region", { name: "Kept parent logins" })).toHaveCount(0);
  await page.goto("/fleet");
  await expect(page.getByRole("region", { name: "New subaccounts" })).toHaveCount(0);
});
