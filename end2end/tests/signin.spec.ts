import { expect, Page, test } from "@playwright/test";
import { uniqueName } from "./helpers";

// These tests start signed out.
test.use({ storageState: { cookies: [], origins: [] } });

async function signIn(page: Page, name: string, password: string) {
  await page.goto("/projects");
  await expect(page).toHaveURL(/\/sign-in$/);
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

test("a wrong password is refused with the same words as an unknown name", async ({ page }) => {
  await signIn(page, "admin", "not the password");
  await expect(page.getByRole("alert")).toContainText("That name and password do not match a staff account.");
  await page.getByLabel("Name").fill("nobody-at-all");
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toContainText("That name and password do not match a staff account.");
  await expect(page).toHaveURL(/\/sign-in$/);
});

test("an editor sees only their projects and changes one; signing out ends it", async ({ page }) => {
  await signIn(page, "editor", process.env.E2E_EDITOR_PASSWORD!);
  await expect(page).toHaveURL(/\/projects$/);
  await expect(page.getByText("Signed in as")).toContainText("editor");
  await expect(page.getByRole("link", { name: "Acme Video", exact: true })).toBeVisible();
  await expect(page.getByRole("link", { name: "Contoso Archive (S3)", exact: true })).toBeVisible();
  await expect(page.getByRole("link", { name: "Northwind Clinic (encrypted)", exact: true })).toHaveCount(0);

  await page.getByRole("link", { name: "Acme Video", exact: true }).click();
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  const name = uniqueName("Edited by the editor");
  await page.getByLabel("Friendly name").fill(name);
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByRole("status")).toContainText("Saved.");

  // The audit trail shows the change, with the values before and after.
  await page.getByRole("link", { name: "Audit trail" }).click();
  await expect(page.getByRole("heading", { name: "Audit trail" })).toBeVisible();
  const row = page.getByRole("row").filter({ hasText: "Settings saved" }).first();
  await expect(row).toContainText("editor");
  await expect(row).toContainText("demo-acme");
  await expect(row).toContainText(name);

  // Another project's page is not found.
  const other = await page.goto("/projects/demo-northwind");
  expect(other?.status()).toBe(404);

  await page.goto("/projects");
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  await page.goto("/projects");
  await expect(page).toHaveURL(/\/sign-in$/);
});

test("a viewer sees a project read-only, and the server refuses a save anyway", async ({ page }) => {
  await signIn(page, "viewer", process.env.E2E_VIEWER_PASSWORD!);
  await page.getByRole("link", { name: "Acme Video", exact: true }).click();
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await expect(page.getByText("Read-only: your role lets you see this project")).toBeVisible();
  await expect(page.getByLabel("Friendly name")).toBeDisabled();
  await expect(page.getByRole("button", { name: "Save settings" })).toHaveCount(0);
  await page.getByRole("navigation", { name: "Project pages" }).getByRole("link", { name: "Keys and credentials" }).click();
  await expect(page.getByRole("heading", { name: "Keys and credentials" })).toBeVisible();
  await expect(page.getByRole("button", { name: /^Delete / })).toHaveCount(0);
  await expect(page.getByRole("heading", { name: "Add a public key" })).toHaveCount(0);
  // A save sent anyway (as a script would) is refused.
  const origin = new URL(page.url()).origin;
  const refused = await page.request.post("/api/settings/save", {
    headers: { Origin: origin, Accept: "application/json" },
    form: { project: "demo-acme", kind: "Composition", "input[friendly_name]": "x", "original[friendly_name]": "x" },
  });
  expect(refused.status()).toBe(403);
});
