import { expect, Page, test } from "@playwright/test";
import { uniqueName } from "./helpers";

// Templates with JavaScript: an admin makes one whose key rule a project
// cannot meet, makes a generated project follow it, and sees its drift field
// by field, on the project's Template tab and in the fleet's "drifted"
// filter; a viewer reads templates and drift but gets no control.

test.describe.configure({ mode: "serial" });

async function open(page: Page, path: string, heading: string) {
  await page.goto(path);
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await expect(page.getByRole("heading", { name: heading, exact: true })).toBeVisible();
}

const name = uniqueName("E2E missing key");

test("an admin makes a template and a project's drift shows field by field", async ({ page }) => {
  await open(page, "/templates", "Templates");
  await expect(page.getByRole("link", { name: "Templates", exact: true })).toHaveAttribute("aria-current", "page");
  // The browser checks with the server's rules before sending.
  await page.getByLabel("Encryption", { exact: true }).selectOption("on");
  await page.getByRole("button", { name: "Save template" }).click();
  await expect(page.getByText("Template name is required")).toBeVisible();
  await expect(page.getByLabel("Template name")).toBeFocused();

  await page.getByLabel("Template name").fill(name);
  await page.getByLabel("Public key name").fill("no-such-key");
  await page.getByRole("button", { name: "Save template" }).click();
  await expect(page.getByRole("status")).toContainText("Template added.");
  const row = page.locator("table.templates tbody tr").filter({ hasText: name });
  await expect(row).toContainText("Encryption: on, with the public key named no-such-key");
  await expect(row).toContainText("0 projects");

  await open(page, "/projects/gen-0007/template", "Template");
  await expect(page.getByRole("link", { name: "Template", exact: true })).toHaveAttribute("aria-current", "page");
  const compositions = page.getByRole("region", { name: "Composition settings" });
  await expect(compositions).toContainText("Follows no template.");
  await compositions.getByLabel("Template for Composition settings").selectOption({ label: name });
  await compositions.getByRole("button", { name: "Follow" }).click();
  await expect(page.getByRole("status")).toContainText("Saved.");
  // The project is read again; its drift follows.
  await expect(async () => {
    await page.reload();
    await expect(compositions.getByRole("row", { name: /Encryption key/ })).toContainText(
      "Cannot be resolved: the account has no public key named no-such-key",
      { timeout: 1_000 },
    );
  }).toPass({ timeout: 20_000 });
  await expect(compositions).toContainText(/field(s)? differ/);

  await open(page, "/fleet?only=drifted", "Fleet");
  const drifted = page.locator("table.fleet tbody tr").filter({ hasText: "007" });
  await expect(drifted).toHaveCount(1);
  await drifted.getByRole("link", { name: /field(s)? differ/ }).click();
  await expect(page).toHaveURL(/\/projects\/gen-0007\/template$/);
});

test("a viewer reads templates and drift but changes nothing", async ({ browser, baseURL }) => {
  const context = await browser.newContext({ baseURL, storageState: { cookies: [], origins: [] } });
  const response = await context.request.post("/api/auth/sign-in", {
    headers: { Origin: baseURL!, Accept: "application/json" },
    form: { "input[name]": "viewer", "input[password]": process.env.E2E_VIEWER_PASSWORD! },
  });
  expect(response.status()).toBe(200);
  const page = await context.newPage();
  await open(page, "/templates", "Templates");
  await expect(page.locator("table.templates tbody tr").filter({ hasText: name })).toBeVisible();
  await expect(page.getByRole("button", { name: "Save template" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Import" })).toHaveCount(0);
  await open(page, "/projects/demo-acme/template", "Template");
  await expect(page.getByRole("region", { name: "Composition settings" })).toContainText("Follows no template.");
  await expect(page.getByRole("button", { name: "Follow" })).toHaveCount(0);
  const refused = await context.request.post("/api/templates/save", {
    headers: { Origin: baseURL!, Accept: "application/json" },
    form: { "input[name]": "sneaky", "input[kind]": "composition" },
  });
  expect(refused.status()).toBe(403);
  await context.close();
});

test("a template applied to the whole fleet: a dry run, one confirmation, results as they arrive", async ({ page }) => {
  const keyed = uniqueName("E2E key rule");
  await open(page, "/templates", "Templates");
  await page.getByLabel("Template name").fill(keyed);
  await page.getByLabel("Encryption", { exact: true }).selectOption("on");
  await page.getByLabel("Public key", { exact: true }).selectOption("prefix");
  await page.getByLabel("Public key name").fill("key-");
  await page.getByRole("button", { name: "Save template" }).click();
  await expect(page.getByRole("status")).toContainText("Template added.");

  // Read every project first: a dry run plans from what was last read.
  await open(page, "/fleet", "Fleet");
  const total = Number((await page.locator("p.count").innerText()).match(/^(\d+) project/)![1]);
  await page.getByRole("button", { name: `Refresh ${total} projects` }).click();
  await expect(page.getByRole("status").filter({ hasText: "Refresh finished" })).toBeVisible({ timeout: 20_000 });

  await page.getByText("Change many projects").click();
  await page.getByLabel("Template", { exact: true }).selectOption({ label: `${keyed} (Composition settings)` });
  await page.getByLabel(/^Every project this view shows/).check();
  await page.getByLabel("Also make them follow the template").check();
  await page.getByRole("button", { name: "Dry run" }).click();
  await expect(page).toHaveURL(/\/bulk\/[0-9a-f]+$/);
  await expect(page.getByRole("status")).toContainText("Dry run: nothing has been written.");
  const item = (name: string) => page.locator("table.bulk tbody tr").filter({ hasText: name });
  // Two kinds of project cannot: no key-… in the demo accounts, and a login that fails.
  await expect(item("Acme Video")).toContainText("Cannot: the account has no public key whose name starts with key-");
  await expect(item("Tailspin Toys (wrong token)")).toContainText("20003");
  const gen8 = page.locator('table.bulk tbody tr[data-project="gen-0008"]');
  await expect(gen8).toContainText("Encryption: off \u2192 on");
  await expect(page.getByRole("region", { name: "Apply" })).toContainText("Encryption: new compositions can only be decrypted");

  // One ticked confirmation for the batch.
  const apply = page.getByRole("button", { name: /^Apply to \d+ projects?$/ });
  await apply.click();
  await expect(page.getByRole("alert")).toContainText("Tick the box to confirm");
  await page.getByLabel(/^I understand: apply this change to/).check();
  await apply.click();
  await expect(page.getByRole("status")).toContainText("Done.", { timeout: 30_000 });
  await expect(gen8).toContainText("Changed");
  await expect(item("Acme Video")).toContainText("Cannot be changed");

  // The project now follows the template, and its drift is gone.
  await open(page, "/projects/gen-0008/template", "Template");
  await expect(page.getByRole("region", { name: "Composition settings" })).toContainText("As the template says");
});

test("a viewer's fleet offers no bulk change", async ({ browser, baseURL }) => {
  const context = await browser.newContext({ baseURL, storageState: { cookies: [], origins: [] } });
  const response = await context.request.post("/api/auth/sign-in", {
    headers: { Origin: baseURL!, Accept: "application/json" },
    form: { "input[name]": "viewer", "input[password]": process.env.E2E_VIEWER_PASSWORD! },
  });
  expect(response.status()).toBe(200);
  const page = await context.newPage();
  await open(page, "/fleet", "Fleet");
  await expect(page.getByText("Change many projects")).toHaveCount(0);
  await expect(page.getByRole("checkbox", { name: /^Select / })).toHaveCount(0);
  const refused = await context.request.post("/api/bulk/plan", {
    headers: { Origin: baseURL!, Accept: "application/json" },
    form: { "plan[kind]": "composition", "plan[change]": "encryption-off", "plan[ids][0]": "demo-acme" },
  });
  expect(refused.status()).toBe(403);
  await context.close();
});
