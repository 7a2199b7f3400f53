import { expect, test } from "@playwright/test";
import { DEMO_PUBLIC_KEY_SID, UNKNOWN_SID, openSettings, saveConfirming, uniqueName } from "./helpers";

// The same flows as plain HTML form posts: this project runs with JavaScript off.

test("saves without JavaScript and confirms after the redirect", async ({ page }) => {
  await openSettings(page, { hydrated: false });
  const name = uniqueName("No-JS save");
  await page.getByLabel("Friendly name").fill(name);
  await page.getByLabel("Encryption enabled").check();
  await page.getByLabel("Encryption key SID").fill(DEMO_PUBLIC_KEY_SID);
  await page.getByLabel("External storage enabled").uncheck();
  await saveConfirming(page);

  await expect(page.getByRole("status")).toContainText("Saved");
  await expect(page.getByLabel("Friendly name")).toHaveValue(name);
  await expect(page.getByLabel("Encryption enabled")).toBeChecked();

  await page.goto("/");
  await expect(page.getByLabel("Friendly name")).toHaveValue(name);
  await expect(page.getByLabel("Encryption key SID")).toHaveValue(DEMO_PUBLIC_KEY_SID);

  await page.getByLabel("Encryption enabled").uncheck();
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByRole("status")).toContainText("Saved");
  await expect(page.getByLabel("Encryption enabled")).not.toBeChecked();
});

test("the server names the invalid field and keeps the input", async ({ page }) => {
  await openSettings(page, { hydrated: false });
  await page.getByLabel("Friendly name").fill("   ");
  await page.getByLabel("External storage enabled").check();
  await page.getByLabel("AWS credentials SID").fill("");
  await page.getByLabel("S3 URL").fill("http://bucket.s3.amazonaws.com");
  await page.getByRole("button", { name: "Save settings" }).click();

  await expect(page.getByText("Friendly name is required")).toBeVisible();
  await expect(page.getByText("S3 URL must start with https://")).toBeVisible();
  await expect(page.getByText("AWS credentials SID is required when external storage is enabled")).toBeVisible();
  await expect(page.getByLabel("S3 URL")).toHaveValue("http://bucket.s3.amazonaws.com");
  await expect(page.getByLabel("External storage enabled")).toBeChecked();
  await expect(page.getByRole("status")).not.toContainText("Saved");
});

test("a Twilio error reaches the page without JavaScript", async ({ page }) => {
  await openSettings(page, { hydrated: false });
  await page.getByLabel("Friendly name").fill("No-JS unknown key");
  await page.getByLabel("Encryption enabled").check();
  await page.getByLabel("Encryption key SID").fill(UNKNOWN_SID);
  await saveConfirming(page);

  await expect(page.getByRole("alert")).toContainText("Twilio error 20001");
  await expect(page.getByLabel("Encryption key SID")).toHaveValue(UNKNOWN_SID);
});

test("recording settings save without JavaScript and come back to their tab", async ({ page }) => {
  await page.goto("/recording");
  await expect(page.getByRole("heading", { name: "Recording settings" })).toBeVisible();
  const name = uniqueName("No-JS recordings");
  await page.getByLabel("Friendly name").fill(name);
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page).toHaveURL(/\/recording\?saved=recording$/);
  await expect(page.getByRole("status")).toContainText("Saved");
  await expect(page.getByLabel("Friendly name")).toHaveValue(name);
});
