import { expect, Page, test } from "@playwright/test";
import { uniqueName } from "./helpers";

// The demo fake's accounts that are not registered as projects at start.
const SPARE = { sid: "AC00000000000000000000000000de0006", token: "demo0000000000000000000000000006" };
const FAKE = process.env.FAKE_URL ?? "http://127.0.0.1:4010";

async function openProjects(page: Page) {
  await page.goto("/projects");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await expect(page.getByRole("heading", { name: "Projects", exact: true })).toBeVisible();
}

/** The friendly name the fake holds for an account's compositions. */
async function storedName(request: import("@playwright/test").APIRequestContext, user: string, password: string) {
  const response = await request.get(`${FAKE}/v1/CompositionSettings/Default`, {
    headers: { Authorization: "Basic " + Buffer.from(`${user}:${password}`).toString("base64") },
  });
  expect(response.status()).toBe(200);
  return (await response.json()).friendly_name;
}

test("the demo lists its projects with the outcome of each login test", async ({ page }) => {
  await openProjects(page);
  const rows = page.getByRole("row");
  await expect(page.getByRole("link", { name: "Acme Video", exact: true })).toBeVisible();
  await expect(rows.filter({ hasText: "Tailspin Toys (wrong token)" })).toContainText("Failed");
  await expect(rows.filter({ hasText: "Tailspin Toys (wrong token)" })).toContainText("20003");
  await expect(rows.filter({ hasText: "Contoso Archive (S3)" })).toContainText("Works");
});

test("a project with a wrong token is not added; with the right one it is", async ({ page }) => {
  await openProjects(page);
  const name = uniqueName("Wingtip");
  await page.getByLabel("Project name").fill(name);
  await page.getByLabel("Account SID").fill(SPARE.sid);
  await page.getByLabel("Auth token").check();
  await page.getByLabel("Secret", { exact: true }).fill("not-the-token-not-the-token-0000");
  await page.getByRole("button", { name: "Test connection and add project" }).click();
  const alert = page.getByRole("alert");
  await expect(alert).toContainText("The project was not added.");
  await expect(alert).toContainText("20003");
  await expect(page.getByRole("link", { name, exact: true })).toHaveCount(0);

  await page.getByLabel("Secret", { exact: true }).fill(SPARE.token);
  await page.getByRole("button", { name: "Test connection and add project" }).click();
  await expect(page.getByRole("status")).toContainText(`Added \u201c${name}\u201d`);
  await expect(page.getByRole("link", { name, exact: true })).toBeVisible();
  // The secret is not shown anywhere.
  await expect(page.locator("body")).not.toContainText(SPARE.token);
});

test("two projects are switched between and each changed on its own", async ({ page, request }) => {
  await openProjects(page);
  await page.getByRole("link", { name: "Acme Video", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Composition settings" })).toBeVisible();
  await expect(page.locator(".project-name")).toHaveText("Acme Video");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  const acmeName = uniqueName("Acme only");
  await page.getByLabel("Friendly name").fill(acmeName);
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByRole("status")).toContainText("Saved.");

  await page.getByRole("link", { name: "Switch project" }).click();
  await page.getByRole("link", { name: "Contoso Archive (S3)", exact: true }).click();
  await expect(page.locator(".project-name")).toHaveText("Contoso Archive (S3)");
  await expect(page.getByLabel("Friendly name")).toHaveValue("Archive compositions");
  const contosoName = uniqueName("Contoso only");
  await page.getByLabel("Friendly name").fill(contosoName);
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByRole("status")).toContainText("Saved.");

  expect(await storedName(request, "AC00000000000000000000000000de0001", "demo0000000000000000000000000001")).toBe(acmeName);
  expect(await storedName(request, "SK00000000000000000000000000de0003", "demoKeySecret000000000000000003")).toBe(contosoName);
});

test("a search narrows the list", async ({ page }) => {
  await openProjects(page);
  await page.getByLabel("Search projects").fill("clinic");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.getByText(/1 of \d+ projects match/)).toBeVisible();
  await expect(page.getByRole("link", { name: "Northwind Clinic (encrypted)", exact: true })).toBeVisible();
  await expect(page.getByRole("link", { name: "Acme Video", exact: true })).toHaveCount(0);
});
