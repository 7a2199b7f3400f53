import { expect, test } from "@playwright/test";
import { uniqueName } from "./helpers";

test("an admin adds a viewer, who then signs in and sees only their project", async ({ page, browser }) => {
  await page.goto("/staff");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  const name = uniqueName("reader").replace(/\s+/g, "-");
  await page.getByLabel("Staff name").fill(name);
  await page.getByLabel("Role").selectOption("viewer");
  await page.getByLabel("Projects").fill("demo-contoso");
  await page.getByLabel("New password").fill("a viewer's password");
  await page.getByRole("button", { name: "Save staff member" }).click();
  await expect(page.getByRole("status")).toContainText("Staff member added.");
  await expect(page.getByRole("row").filter({ hasText: name })).toContainText("demo-contoso");

  const base = new URL(page.url()).origin;
  const fresh = await browser.newContext({ baseURL: base, storageState: { cookies: [], origins: [] } });
  const theirs = await fresh.newPage();
  await theirs.goto("/sign-in");
  await theirs.getByLabel("Name").fill(name);
  await theirs.getByLabel("Password").fill("a viewer's password");
  await theirs.getByRole("button", { name: "Sign in" }).click();
  await expect(theirs).toHaveURL(/\/projects$/);
  await expect(theirs.getByRole("link", { name: "Contoso Archive (S3)", exact: true })).toBeVisible();
  await expect(theirs.getByRole("link", { name: "Acme Video", exact: true })).toHaveCount(0);
  await fresh.close();
});
