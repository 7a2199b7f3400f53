import { expect, test } from "@playwright/test";
import {
  DEMO_ACCOUNT_SID,
  DEMO_AWS_CREDENTIAL_SID,
  DEMO_PUBLIC_KEY_SID,
  UNKNOWN_SID,
  awsPicker,
  keyPaste,
  keyPicker,
  openSettings,
  saveConfirming,
  uniqueName,
} from "./helpers";

test("shows the project's settings with its read-only identity", async ({ page }) => {
  await openSettings(page, { hydrated: true });
  await expect(page.getByLabel("Account SID")).toHaveValue(DEMO_ACCOUNT_SID);
  await expect(page.getByLabel("Account SID")).not.toBeEditable();
  await expect(page.getByLabel("Resource URL")).toHaveValue(
    "https://video.twilio.com/v1/CompositionSettings/Default",
  );
  await expect(page.getByLabel("Friendly name")).not.toHaveValue("");
});

test("saves every field, confirms, and shows the saved values after reload", async ({ page }) => {
  await openSettings(page, { hydrated: true });
  const name = uniqueName("Encrypted to S3");
  const url = "https://media-archive.s3.us-east-1.amazonaws.com/compositions";
  await page.getByLabel("Friendly name").fill(name);
  await page.getByLabel("Encryption enabled").check();
  // The pickers offer the account's credentials by name, SID and date.
  await expect(keyPicker(page).getByRole("option", { name: /^prod-2026 — CR\w{32} — created \d{4}-\d\d-\d\d$/ })).toHaveCount(1);
  await keyPicker(page).selectOption(DEMO_PUBLIC_KEY_SID);
  await page.getByLabel("External storage enabled").check();
  await awsPicker(page).selectOption(DEMO_AWS_CREDENTIAL_SID);
  await page.getByLabel("S3 URL").fill(url);
  // What will change is shown before anything is sent.
  const summary = page.getByRole("region", { name: "What will change" });
  await expect(summary.getByRole("row", { name: /Friendly name/ })).toContainText(name);
  await expect(summary.getByRole("row", { name: /Encryption key/ })).toContainText(DEMO_PUBLIC_KEY_SID);
  await expect(summary.getByRole("row", { name: /S3 URL/ })).toContainText(url);
  await page.getByRole("button", { name: "Save settings" }).click();

  // Switching storage and encryption on asks first, saying what will change.
  const alert = page.getByRole("alert");
  await expect(alert).toContainText("Twilio will stop keeping new compositions in its cloud");
  await expect(alert).toContainText("if that key is lost, so are they");
  await expect(alert.getByRole("row", { name: /S3 URL/ })).toContainText(url);
  await expect(page.getByRole("status")).not.toContainText("Saved");
  await page.getByLabel("I understand; save these settings").check();
  await page.getByRole("button", { name: "Save settings" }).click();

  const status = page.getByRole("status");
  await expect(status).toContainText("Saved");
  await expect(status).toContainText(name);
  await expect(status).toContainText(`encrypted with key \u2018prod-2026\u2019 (${DEMO_PUBLIC_KEY_SID})`);
  await expect(status).toContainText(`with AWS credential \u2018media-bucket-writer\u2019 (${DEMO_AWS_CREDENTIAL_SID})`);
  await expect(status).toContainText(`stored in Amazon S3 at ${url}`);

  await page.reload();
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await expect(page.getByLabel("Friendly name")).toHaveValue(name);
  await expect(page.getByLabel("Encryption enabled")).toBeChecked();
  await expect(keyPicker(page)).toHaveValue(DEMO_PUBLIC_KEY_SID);
  await expect(page.getByLabel("External storage enabled")).toBeChecked();
  await expect(awsPicker(page)).toHaveValue(DEMO_AWS_CREDENTIAL_SID);
  await expect(page.getByText(/^Now: .*encrypted with key \u2018prod-2026\u2019/)).toBeVisible();
  await expect(page.getByLabel("S3 URL")).toHaveValue(url);

  // And back to Twilio's cloud, unencrypted.
  await page.getByLabel("Encryption enabled").uncheck();
  await page.getByLabel("External storage enabled").uncheck();
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByRole("status")).toContainText("not encrypted, stored in Twilio's cloud");
});

test("flags an invalid field before sending anything", async ({ page }) => {
  await openSettings(page, { hydrated: true });
  const before = await page.getByLabel("Friendly name").inputValue();
  const sent: string[] = [];
  page.on("request", (r) => {
    if (r.method() === "POST") sent.push(r.url());
  });

  await page.getByLabel("Friendly name").fill("Broken URL attempt");
  await page.getByLabel("External storage enabled").check();
  await awsPicker(page).selectOption(DEMO_AWS_CREDENTIAL_SID);
  await page.getByLabel("S3 URL").fill("AwsS3Url=https://bucket.s3.amazonaws.com/x");
  await page.getByRole("button", { name: "Save settings" }).click();

  const urlField = page.getByLabel("S3 URL");
  await expect(page.getByText('S3 URL contains the parameter name "AwsS3Url="')).toBeVisible();
  await expect(urlField).toHaveAttribute("aria-invalid", "true");
  await expect(urlField).toBeFocused();
  expect(sent).toEqual([]);

  await page.reload();
  await expect(page.getByLabel("Friendly name")).toHaveValue(before);
});

test("shows Twilio's error with code and link, keeping what was typed", async ({ page }) => {
  await openSettings(page, { hydrated: true });
  const name = uniqueName("Unknown key");
  await page.getByLabel("Friendly name").fill(name);
  await page.getByLabel("Encryption enabled").check();
  await keyPaste(page).fill(UNKNOWN_SID);
  // Flagged before anything is sent.
  await expect(page.getByText(`${UNKNOWN_SID} is not one of this account's public keys; Twilio will refuse it.`)).toBeVisible();
  await saveConfirming(page);

  const alert = page.getByRole("alert");
  await expect(alert).toContainText("The settings were not saved.");
  await expect(alert).toContainText("Twilio error 20001");
  await expect(alert).toContainText(`${UNKNOWN_SID} is not a Public Key credential of this account`);
  await expect(alert.getByRole("link", { name: "More about error 20001" })).toHaveAttribute(
    "href",
    "https://www.twilio.com/docs/errors/20001",
  );
  await expect(page.getByLabel("Friendly name")).toHaveValue(name);
  await expect(page.getByLabel("Encryption enabled")).toBeChecked();
  await expect(keyPicker(page)).toHaveValue(UNKNOWN_SID);
  // Twilio's message names the parameter, so the field is marked too.
  await expect(keyPicker(page)).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByText(/^Encryption key was refused by Twilio: Invalid EncryptionKeySid/)).toBeVisible();
  await expect(page.getByRole("status")).not.toContainText("Saved");
});

test("recording settings are their own tab with their own values", async ({ page }) => {
  await openSettings(page, { hydrated: true });
  const compositionName = await page.getByLabel("Friendly name").inputValue();
  await page.getByRole("link", { name: "Recording settings" }).click();
  await expect(page.getByRole("heading", { name: "Recording settings" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Recording settings" })).toHaveAttribute("aria-current", "page");
  await expect(page.getByLabel("Resource URL")).toHaveValue(
    "https://video.twilio.com/v1/RecordingSettings/Default",
  );
  const name = uniqueName("Recordings");
  await page.getByLabel("Friendly name").fill(name);
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByRole("status")).toContainText(name);

  await page.reload();
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await expect(page.getByLabel("Friendly name")).toHaveValue(name);
  await expect(page.getByText(`Now: \u201c${name}\u201d: not encrypted, stored in Twilio's cloud.`)).toBeVisible();
  await page.getByRole("link", { name: "Composition settings" }).click();
  await expect(page.getByRole("heading", { name: "Composition settings" })).toBeVisible();
  await expect(page.getByLabel("Friendly name")).toHaveValue(compositionName);
});

test("a change made meanwhile elsewhere is caught; both versions shown; saving again wins", async ({ page }) => {
  await openSettings(page, { hydrated: true });
  // A colleague renames the settings in another tab after this page loaded.
  const other = await page.context().newPage();
  await openSettings(other, { hydrated: true });
  const theirs = uniqueName("Colleague");
  await other.getByLabel("Friendly name").fill(theirs);
  await other.getByRole("button", { name: "Save settings" }).click();
  await expect(other.getByRole("status")).toContainText("Saved");
  await other.close();

  // The page re-reads the settings after the conflict; saving again must
  // win even before that read is back (it once conflicted again).
  await page.route("**/api/settings/fetch", async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 3000));
    await route.continue();
  });
  const mine = uniqueName("Mine");
  await page.getByLabel("Friendly name").fill(mine);
  await page.getByRole("button", { name: "Save settings" }).click();
  const alert = page.getByRole("alert");
  await expect(alert).toContainText("Someone else changed these settings since you opened them. Nothing was saved.");
  const row = alert.getByRole("row", { name: /Friendly name/ });
  await expect(row).toContainText(mine);
  await expect(row).toContainText(theirs);
  await expect(page.getByLabel("Friendly name")).toHaveValue(mine);
  await expect(page.getByRole("status")).not.toContainText("Saved");

  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByRole("status")).toContainText(`Saved. Twilio now holds \u201c${mine}\u201d`);
});
