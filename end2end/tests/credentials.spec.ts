import { expect, Page, test } from "@playwright/test";
import * as fs from "node:fs";
import * as path from "node:path";
import { DEMO_PROJECT, keyPicker, uniqueName } from "./helpers";

const TESTDATA = path.join(__dirname, "..", "..", "src", "domain", "testdata");
const PEM = fs.readFileSync(path.join(TESTDATA, "rsa2048.pub.pem"), "utf8");
const FAULTS = process.env.FAKE_FAULTS_URL ?? "http://127.0.0.1:4010/__fake/faults";
const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

async function openCredentials(page: Page) {
  await page.goto(`${DEMO_PROJECT}/credentials`);
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await expect(page.getByRole("heading", { name: "Keys and credentials" })).toBeVisible();
}

const keysTable = (page: Page) => page.getByRole("region", { name: "Public keys" }).getByRole("table");
const awsTable = (page: Page) => page.getByRole("region", { name: "AWS credentials" }).getByRole("table");

async function addKey(page: Page, name: string) {
  await page.getByLabel("Key name").fill(name);
  await page.getByLabel("Public key (PEM)").fill(PEM);
  await page.getByRole("button", { name: "Add public key" }).click();
  await expect(page.getByRole("status")).toContainText(`Public key \u2018${name}\u2019`);
}

test.afterEach(async ({ request }) => {
  await request.delete(FAULTS);
});

test("a pasted public key is added, listed, and offered in the settings picker", async ({ page }) => {
  await openCredentials(page);
  const name = uniqueName("key");
  await addKey(page, name);
  const row = keysTable(page).getByRole("row", { name: new RegExp(name) });
  await expect(row).toContainText(/CR[0-9a-f]{32}/);
  await expect(page.getByLabel("Key name")).toHaveValue("");

  await page.getByRole("link", { name: "Composition settings" }).click();
  await expect(keyPicker(page).getByRole("option", { name: new RegExp(`^${name} — CR`) })).toHaveCount(1);
});

test("a key loaded from a file is checked in the browser before anything is sent", async ({ page }) => {
  await openCredentials(page);
  const sent: string[] = [];
  page.on("request", (r) => {
    if (r.method() === "POST") sent.push(r.url());
  });
  await page.getByLabel("Key name").fill(uniqueName("ec key"));
  await page.getByLabel("Or load a PEM file").setInputFiles(path.join(TESTDATA, "ec-p256.pub.pem"));
  await expect(page.getByLabel("Public key (PEM)")).toHaveValue(/BEGIN PUBLIC KEY/);
  await page.getByRole("button", { name: "Add public key" }).click();
  const field = page.getByLabel("Public key (PEM)");
  await expect(page.getByText(/^Public key \(PEM\) is not an RSA key \(its algorithm is elliptic curve\)/)).toBeVisible();
  await expect(field).toHaveAttribute("aria-invalid", "true");
  await expect(field).toBeFocused();

  await page.getByLabel("Or load a PEM file").setInputFiles(path.join(TESTDATA, "rsa1024.pub.pem"));
  await page.getByRole("button", { name: "Add public key" }).click();
  await expect(page.getByText("Public key (PEM) is a 1024-bit key; Twilio needs exactly 2048 bits")).toBeVisible();
  expect(sent).toEqual([]);
});

test("an AWS credential is checked, added, and its secret never shown", async ({ page }) => {
  await openCredentials(page);
  const name = uniqueName("writer");
  await page.getByLabel("Credential name").fill(name);
  await page.getByLabel("Access key ID").fill("akia-lowercase");
  await page.getByLabel("Secret access key").fill(SECRET);
  await page.getByRole("button", { name: "Add AWS credential" }).click();
  await expect(page.getByText(/^Access key ID must be 20 characters A-Z and 0-9/)).toBeVisible();
  await expect(page.getByLabel("Access key ID")).toBeFocused();

  await page.getByLabel("Access key ID").fill("AKIAIOSFODNN7EXAMPLE");
  await page.getByRole("button", { name: "Add AWS credential" }).click();
  await expect(page.getByRole("status")).toContainText(`AWS credential \u2018${name}\u2019`);
  await expect(awsTable(page).getByRole("row", { name: new RegExp(name) })).toBeVisible();
  await expect(page.getByLabel("Secret access key")).toHaveValue("");
  expect(await page.content()).not.toContain(SECRET);
});

test("a credential is renamed in place", async ({ page }) => {
  await openCredentials(page);
  const before = uniqueName("old");
  await addKey(page, before);
  const after = uniqueName("new");
  await page.getByLabel(`New name for ${before}`).fill(after);
  await page.getByRole("button", { name: `Rename ${before}` }).click();
  await expect(page.getByRole("status")).toContainText(`Renamed to \u2018${after}\u2019`);
  await expect(keysTable(page).getByRole("row", { name: new RegExp(after) })).toBeVisible();
  await expect(keysTable(page).getByRole("row", { name: new RegExp(before) })).toHaveCount(0);
});

test("deleting a key the settings use is refused until confirmed", async ({ page }) => {
  await openCredentials(page);
  const name = uniqueName("in use");
  await addKey(page, name);

  // Recording settings name the key, with encryption left off.
  await page.goto(`${DEMO_PROJECT}/recording`);
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  const option = keyPicker(page).getByRole("option", { name: new RegExp(`^${name}`) });
  await keyPicker(page).selectOption((await option.getAttribute("value"))!);
  await page.getByLabel("Friendly name").fill(uniqueName("Recordings naming a key"));
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByRole("status")).toContainText("Saved");

  await page.getByRole("link", { name: "Keys and credentials", exact: true }).click();
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await page.getByRole("button", { name: `Delete ${name}` }).click();
  const alert = page.getByRole("alert");
  await expect(alert).toContainText(`\u2018${name}\u2019 is still in use; nothing was deleted.`);
  await expect(alert).toContainText("Recording settings still name this public key");
  await expect(keysTable(page).getByRole("row", { name: new RegExp(name) })).toBeVisible();

  const anyway = page.getByRole("button", { name: `Delete \u2018${name}\u2019 anyway` });
  await expect(anyway).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("status")).toContainText("Deleted.");
  await expect(keysTable(page).getByRole("row", { name: new RegExp(name) })).toHaveCount(0);
});

test("creating a key is not retried when Twilio is busy; the user's retry works", async ({ page, request }) => {
  await openCredentials(page);
  const fault = { account: null, route: "/v1/Credentials/PublicKeys", method: "POST", fault: { kind: "status", status: 503 }, times: 1 };
  expect((await request.post(FAULTS, { data: fault })).status()).toBe(201);
  const name = uniqueName("busy");
  await page.getByLabel("Key name").fill(name);
  await page.getByLabel("Public key (PEM)").fill(PEM);
  await page.getByRole("button", { name: "Add public key" }).click();
  const alert = page.getByRole("alert");
  await expect(alert).toContainText("The public key was not added.");
  await expect(alert).toContainText("Twilio error 20503");
  await expect(page.getByLabel("Key name")).toHaveValue(name);
  await expect(keysTable(page).getByRole("row", { name: new RegExp(name) })).toHaveCount(0);

  await page.getByRole("button", { name: "Add public key" }).click();
  await expect(page.getByRole("status")).toContainText(`Public key \u2018${name}\u2019`);
  await expect(keysTable(page).getByRole("row", { name: new RegExp(name) })).toHaveCount(1);
});
