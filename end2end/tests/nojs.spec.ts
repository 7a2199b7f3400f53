import { expect, test } from "@playwright/test";
import {
  DEMO_PROJECT,
  DEMO_PUBLIC_KEY_SID,
  UNKNOWN_SID,
  awsPicker,
  keyPaste,
  keyPicker,
  openSettings,
  saveConfirming,
  saveReviewed,
  uniqueName,
  PARENT,
  PARENT_TOKEN,
  removeImported,
  sub,
  csvWithTwoBadRows,
} from "./helpers";

// The same flows as plain HTML form posts: this project runs with JavaScript off.

test("saves without JavaScript and confirms after the redirect", async ({ page }) => {
  await openSettings(page, { hydrated: false });
  const name = uniqueName("No-JS save");
  await page.getByLabel("Friendly name").fill(name);
  await page.getByLabel("Encryption enabled").check();
  await keyPicker(page).selectOption(DEMO_PUBLIC_KEY_SID);
  await page.getByLabel("External storage enabled").uncheck();
  await saveConfirming(page);

  await expect(page.getByRole("status")).toContainText("Saved");
  await expect(page.getByLabel("Friendly name")).toHaveValue(name);
  await expect(page.getByLabel("Encryption enabled")).toBeChecked();

  await page.goto(DEMO_PROJECT);
  await expect(page.getByLabel("Friendly name")).toHaveValue(name);
  await expect(keyPicker(page)).toHaveValue(DEMO_PUBLIC_KEY_SID);

  // A change without risks still shows what will change before saving.
  await page.getByLabel("Encryption enabled").uncheck();
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByRole("alert").getByRole("row", { name: /Encryption/ })).toContainText("off");
  await expect(page.getByLabel("Encryption enabled")).not.toBeChecked();
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByRole("status")).toContainText("Saved");
  await expect(page.getByLabel("Encryption enabled")).not.toBeChecked();
});

test("the server names the invalid field and keeps the input", async ({ page }) => {
  await openSettings(page, { hydrated: false });
  await page.getByLabel("Friendly name").fill("   ");
  await page.getByLabel("External storage enabled").check();
  await awsPicker(page).selectOption("");
  await page.getByLabel("S3 URL").fill("http://bucket.s3.amazonaws.com");
  await page.getByRole("button", { name: "Save settings" }).click();

  await expect(page.getByText("Friendly name is required")).toBeVisible();
  await expect(page.getByText("S3 URL must start with https://")).toBeVisible();
  await expect(page.getByText("AWS credential is required when external storage is enabled")).toBeVisible();
  await expect(page.getByLabel("S3 URL")).toHaveValue("http://bucket.s3.amazonaws.com");
  await expect(page.getByLabel("External storage enabled")).toBeChecked();
  await expect(page.getByRole("status")).not.toContainText("Saved");
});

test("a Twilio error reaches the page without JavaScript", async ({ page }) => {
  await openSettings(page, { hydrated: false });
  await page.getByLabel("Friendly name").fill("No-JS unknown key");
  await page.getByLabel("Encryption enabled").check();
  await keyPaste(page).fill(UNKNOWN_SID);
  await saveConfirming(page);

  await expect(page.getByRole("alert")).toContainText("Twilio error 20001");
  await expect(keyPicker(page)).toHaveValue(UNKNOWN_SID);
  // The picker flags the SID the account does not have.
  await expect(page.getByText(`${UNKNOWN_SID} is not one of this account's public keys`)).toBeVisible();
});

test("recording settings save without JavaScript and come back to their tab", async ({ page }) => {
  await page.goto(`${DEMO_PROJECT}/recording`);
  await expect(page.getByRole("heading", { name: "Recording settings" })).toBeVisible();
  const name = uniqueName("No-JS recordings");
  await page.getByLabel("Friendly name").fill(name);
  await saveReviewed(page);
  await expect(page).toHaveURL(/\/projects\/demo-acme\/recording\?saved=recording&__sig=[0-9]+\.[A-Za-z0-9_-]+$/);
  await expect(page.getByRole("status")).toContainText("Saved");
  await expect(page.getByLabel("Friendly name")).toHaveValue(name);
});

test("credentials are added and deleted without JavaScript", async ({ page }) => {
  await page.goto(`${DEMO_PROJECT}/credentials`);
  await expect(page.getByRole("heading", { name: "Keys and credentials" })).toBeVisible();
  // The file picker needs JavaScript; pasting is offered instead.
  await expect(page.getByLabel("Or load a PEM file")).toHaveCount(0);
  const name = uniqueName("no-js writer");
  await page.getByLabel("Credential name").fill(name);
  await page.getByLabel("Access key ID").fill("AKIAIOSFODNN7EXAMPLE");
  await page.getByLabel("Secret access key").fill("short");
  await page.getByRole("button", { name: "Add AWS credential" }).click();
  await expect(page.getByText("Secret access key must be 40 characters A-Z, a-z, 0-9, / and + (found 5 characters)")).toBeVisible();
  await expect(page.getByLabel("Access key ID")).toHaveValue("AKIAIOSFODNN7EXAMPLE");
  await expect(page.getByLabel("Secret access key")).toHaveValue("");

  await page.getByLabel("Secret access key").fill("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
  await page.getByRole("button", { name: "Add AWS credential" }).click();
  await expect(page.getByRole("status")).toContainText("Done: the AWS credential was added.");
  await expect(page.getByRole("row", { name: new RegExp(name) })).toBeVisible();

  await page.getByRole("button", { name: `Delete ${name}` }).click();
  await expect(page.getByRole("status")).toContainText("Done: the AWS credential was deleted.");
  await expect(page.getByRole("row", { name: new RegExp(name) })).toHaveCount(0);
});

test("a rename to an empty name says why, without JavaScript", async ({ page }) => {
  await page.goto(`${DEMO_PROJECT}/credentials`);
  await page.getByLabel("New name for prod-2026").fill("  ");
  await page.getByRole("button", { name: "Rename prod-2026" }).click();
  await expect(page.getByRole("alert")).toContainText(
    "\u2018prod-2026\u2019 was not renamed: Friendly name is required, so the credential can be recognised in the pickers.",
  );
  await expect(page.getByRole("row", { name: /prod-2026/ })).toBeVisible();
});

test("a project is added without JavaScript, after a wrong secret is refused", async ({ page }) => {
  await page.goto("/projects");
  const name = uniqueName("Fourth Coffee");
  await page.getByLabel("Project name").fill(name);
  await page.getByLabel("Account SID").fill("AC00000000000000000000000000de0007");
  await page.getByLabel("API key", { exact: true }).check();
  await page.getByLabel("API key SID").fill("SK00000000000000000000000000de0007");
  await page.getByLabel("Secret", { exact: true }).fill("wrong-secret-wrong-secret-00007");
  await page.getByRole("button", { name: "Test connection and add project" }).click();
  await expect(page.getByRole("alert")).toContainText("20003");
  // The form keeps what was typed, except the secret.
  await expect(page.getByLabel("Project name")).toHaveValue(name);
  await expect(page.getByLabel("Secret", { exact: true })).toHaveValue("");
  await expect(page.getByRole("link", { name, exact: true })).toHaveCount(0);

  await page.getByLabel("Secret", { exact: true }).fill("demoKeySecret000000000000000007");
  await page.getByRole("button", { name: "Test connection and add project" }).click();
  await expect(page).toHaveURL(/\/projects\/[a-z0-9]+\?done=project-added&__sig=/);
  await expect(page.getByRole("status").filter({ hasText: "Project added" })).toBeVisible();
  await expect(page.locator(".project-name")).toHaveText(name);
  await expect(page.getByRole("heading", { name: "Composition settings" })).toBeVisible();
});

test.describe("signed out", () => {
  test.use({ storageState: { cookies: [], origins: [] } });

  test("staff sign in and out without JavaScript", async ({ page }) => {
    await page.goto("/projects");
    await expect(page).toHaveURL(/\/sign-in$/);
    await page.getByLabel("Name").fill("viewer");
    await page.getByLabel("Password").fill("wrong password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("alert")).toContainText("That name and password do not match a staff account.");
    await page.getByLabel("Name").fill("viewer");
    await page.getByLabel("Password").fill(process.env.E2E_VIEWER_PASSWORD!);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/projects$/);
    await expect(page.getByText("Signed in as")).toContainText("viewer");
    await page.getByRole("link", { name: "Acme Video", exact: true }).click();
    await expect(page.getByLabel("Friendly name")).toBeDisabled();
    await expect(page.getByRole("button", { name: "Save settings" })).toHaveCount(0);
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/sign-in$/);
  });
});

test("the audit trail lists changes and filters them without JavaScript", async ({ page }) => {
  await page.goto("/audit");
  await expect(page.getByRole("heading", { name: "Audit trail" })).toBeVisible();
  await page.getByLabel("Action").selectOption("project-added");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/action=project-added/);
  const rows = page.getByRole("row").filter({ hasText: "Project added" });
  await expect(rows.first()).toContainText("Fourth Coffee");
  await expect(page.getByRole("row").filter({ hasText: "Settings saved" })).toHaveCount(0);
  await expect(page.getByRole("link", { name: "Export as CSV" })).toHaveAttribute("href", /action=project-added&format=csv/);
});

test("the fleet refreshes without JavaScript, reloading itself until the refresh ends", async ({ page, request }) => {
  const faults = process.env.FAKE_FAULTS_URL ?? "http://127.0.0.1:4010/__fake/faults";
  // Fabrikam answers slowly, so the refresh is still running after the redirect.
  const slow = { account: "AC00000000000000000000000000de0004", route: null, method: "GET", fault: { kind: "latency", ms: 2000 }, times: 2 };
  expect((await request.post(faults, { data: slow })).status()).toBe(201);
  try {
    await page.goto("/fleet");
    await expect(page.getByRole("heading", { name: "Fleet", exact: true })).toBeVisible();
    await page.getByRole("button", { name: /^Refresh \d+ projects$/ }).click();
    await expect(page).toHaveURL(/\/fleet$/);
    await expect(page.getByRole("status").filter({ hasText: "Refreshing" })).toBeVisible();
    // The page reloads itself every few seconds until the refresh has ended.
    const fabrikam = page.locator("table.fleet tbody tr").filter({ hasText: "Fabrikam Studio" });
    await expect(fabrikam).toContainText("On: studio-key", { timeout: 20_000 });
    await expect(page.getByRole("status").filter({ hasText: "Refreshing" })).toHaveCount(0);
    const tailspin = page.locator("table.fleet tbody tr").filter({ hasText: "Tailspin Toys" });
    await expect(tailspin).toContainText("20003");
    // The filters are a plain form.
    await page.getByLabel("Has a problem").check();
    await page.getByRole("button", { name: "Apply" }).click();
    await expect(page).toHaveURL(/only=problem/);
    await expect(page.locator("table.fleet tbody tr").filter({ hasText: "Fabrikam Studio" })).toHaveCount(0);
  } finally {
    await request.delete(faults);
  }
});

test("templates are made and followed without JavaScript", async ({ page }) => {
  const name = uniqueName("No-JS template");
  await page.goto("/templates");
  await page.getByLabel("Template name").fill(name);
  await page.getByLabel("Storage", { exact: true }).selectOption("s3");
  await page.getByLabel("S3 URL pattern").fill("http://archive.s3.amazonaws.com/{account_sid}");
  await page.getByLabel("AWS credential name").fill("archive-writer");
  await page.getByRole("button", { name: "Save template" }).click();
  // The server's message, and what was typed is kept.
  await expect(page.getByText("S3 URL pattern cannot work")).toBeVisible();
  await expect(page.getByLabel("Template name")).toHaveValue(name);
  await page.getByLabel("S3 URL pattern").fill("https://archive.s3.amazonaws.com/{account_sid}");
  await page.getByRole("button", { name: "Save template" }).click();
  await expect(page).toHaveURL(/\/templates\?done=template-saved&__sig=[^&]+$/);
  await expect(page.getByRole("status")).toContainText("Template saved.");
  await expect(page.locator("table.templates tbody tr").filter({ hasText: name })).toContainText(
    "Storage: S3 at https://archive.s3.amazonaws.com/{account_sid}, with the AWS credential named archive-writer",
  );

  await page.goto("/projects/demo-contoso/template");
  const compositions = page.getByRole("region", { name: "Composition settings" });
  await compositions.getByLabel("Template for Composition settings").selectOption({ label: name });
  await compositions.getByRole("button", { name: "Follow" }).click();
  await expect(page).toHaveURL(/\/projects\/demo-contoso\/template\?done=template-assigned&__sig=[^&]+$/);
  await expect(page.getByRole("status")).toContainText("Saved.");
  await expect(async () => {
    await page.reload();
    await expect(compositions.getByRole("row", { name: /S3 URL/ })).toContainText(
      "https://archive.s3.amazonaws.com/AC",
      { timeout: 1_000 },
    );
  }).toPass({ timeout: 20_000 });
});

test("a bulk change without JavaScript: a dry run page, a confirmed apply, a page that reloads until done", async ({ page }) => {
  await page.goto("/fleet");
  const total = Number((await page.locator("p.count").innerText()).match(/^(\d+) project/)![1]);
  await page.getByRole("button", { name: `Refresh ${total} projects` }).click();
  // The page reloads itself until the refresh has ended.
  await expect(page.getByRole("status").filter({ hasText: "Refreshing" })).toHaveCount(0, { timeout: 30_000 });
  await page.getByText("Change many projects").click();
  await page.getByLabel("Change", { exact: true }).selectOption("storage-cloud");
  await page.getByLabel("Settings", { exact: true }).selectOption("recording");
  await page.getByRole("checkbox", { name: "Select Contoso Archive (S3)" }).check();
  await page.getByRole("button", { name: "Dry run" }).click();
  await expect(page).toHaveURL(/\/bulk\/[0-9a-f]+$/);
  const contoso = page.locator("table.bulk tbody tr").filter({ hasText: "Contoso Archive (S3)" });
  await expect(contoso).toContainText("External storage: on \u2192 off");
  await page.getByLabel("I understand: apply this change to 1 project").check();
  await page.getByRole("button", { name: "Apply to 1 project" }).click();
  await expect(page.getByRole("status")).toContainText("Done.", { timeout: 30_000 });
  await expect(contoso).toContainText("Changed");
});

test("imports subaccounts of a parent with plain forms", async ({ page }) => {
  await page.goto("/imports");
  await page.getByLabel("Parent account SID").fill(PARENT);
  await page.getByLabel("Auth token or key secret").fill(PARENT_TOKEN);
  await page.getByRole("button", { name: "List subaccounts" }).click();
  await expect(page).toHaveURL(/\/imports\/[0-9a-f]+$/);
  await expect(page.getByRole("status")).toContainText("30 subaccounts found");
  // Keep three ticked.
  const boxes = page.getByRole("checkbox");
  const count = await boxes.count();
  for (let i = 0; i < count; i++) await boxes.nth(i).uncheck();
  const row = (i: number) => page.getByRole("row").filter({ hasText: sub(i) });
  for (const i of [5, 6, 7]) await row(i).getByRole("checkbox").check();
  await page.getByRole("button", { name: "Import the ticked subaccounts" }).click();
  // The page reloads itself until the import is done.
  await expect(page.getByRole("status")).toContainText("Done: 3 imported, 0 failed, of 3 chosen.", { timeout: 20_000 });
  await expect(row(5)).toContainText("Imported: its new key works");
  await expect(row(8)).toContainText("Not yet a project");
  await page.goto("/projects?q=Globex");
  await expect(page.locator(".count")).toContainText("3 of");
  await removeImported(page);
});

test("keeps a parent login, finds its new subaccounts and forgets it with plain forms", async ({ page }) => {
  await page.goto("/imports");
  await page.getByLabel("Parent account SID").fill(PARENT);
  await page.getByLabel("Auth token or key secret").fill(PARENT_TOKEN);
  await page.getByLabel("Keep the parent's login to find new subaccounts later").check();
  await page.getByRole("button", { name: "List subaccounts" }).click();
  await expect(page.getByRole("status")).toContainText("30 subaccounts found");
  await page.goto("/imports");
  await expect(page.getByRole("region", { name: "Kept parent logins" })).toContainText("27 active subaccounts are not yet projects");
  await page.getByRole("button", { name: "Find new subaccounts of Globex Holdings" }).click();
  await expect(page).toHaveURL(/\/imports\/[0-9a-f]+$/);
  await expect(page.getByRole("status")).toContainText("27 subaccounts found");
  await page.goto("/imports");
  await page.getByRole("button", { name: "Forget the login of Globex Holdings" }).click();
  await expect(page).toHaveURL(/\/imports$/);
  await expect(page.getByRole("region", { name: "Kept parent logins" })).toHaveCount(0);
});

test("imports a CSV file with plain forms: preview, then confirmation", async ({ page }) => {
  await page.goto("/imports");
  await page.getByLabel("Projects file (CSV or JSON)").fill(csvWithTwoBadRows);
  await page.getByRole("button", { name: "Preview the file" }).click();
  await expect(page).toHaveURL(/\/imports\/file\/[0-9a-f]+$/);
  await expect(page.getByRole("status")).toContainText("Preview: 2 of 4 rows can be stored");
  await expect(page.getByRole("row").filter({ hasText: "Bad, row" })).toContainText("Not stored: Account SID");
  await page.getByRole("button", { name: "Store the 2 valid projects" }).click();
  await expect(page.getByRole("status")).toContainText("Done: 2 projects stored.");
  await page.goto("/projects?q=Globex%20File");
  await expect(page.locator(".count")).toContainText("2 of");
  await removeImported(page);
});
