import { APIRequestContext, expect, test } from "@playwright/test";
import { DEMO_PROJECT, openSettings, uniqueName } from "./helpers";

// The console's demo fake listens here in the test run (scripts/test), and the
// console gives up on Twilio after 3 seconds (TWILIO_REQUEST_TIMEOUT=3).
const FAULTS = process.env.FAKE_FAULTS_URL ?? "http://127.0.0.1:4010/__fake/faults";

type Fault =
  | { kind: "status"; status: number; retry_after?: number }
  | { kind: "hang" }
  | { kind: "drop" }
  | { kind: "malformed" }
  | { kind: "store_then_hang" }
  | { kind: "store_then_drop" };

async function inject(request: APIRequestContext, method: string, fault: Fault, times: number | null) {
  const response = await request.post(FAULTS, {
    data: { account: null, route: "/v1/CompositionSettings", method, fault, times },
  });
  expect(response.status()).toBe(201);
}

test.afterEach(async ({ request }) => {
  await request.delete(FAULTS);
});

test("a 503 while loading is retried without the user noticing", async ({ page, request }) => {
  await inject(request, "GET", { kind: "status", status: 503 }, 2);
  await openSettings(page, { hydrated: true });
  await expect(page.getByLabel("Friendly name")).not.toHaveValue("");
  await expect(page.getByRole("alert")).toHaveCount(0);
});

test("a save Twilio keeps refusing with 429 shows its code and keeps the input", async ({ page, request }) => {
  await openSettings(page, { hydrated: true });
  await inject(request, "POST", { kind: "status", status: 429, retry_after: 60 }, null);
  const name = uniqueName("Rate limited");
  await page.getByLabel("Friendly name").fill(name);
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByRole("alert")).toContainText("Twilio error 20429: Too Many Requests");
  await expect(page.getByLabel("Friendly name")).toHaveValue(name);
  await expect(page.getByRole("button", { name: "Save settings" })).toBeEnabled();
});

test("a save Twilio never answers ends in a clear message, not a spinner", async ({ page, request }) => {
  await openSettings(page, { hydrated: true });
  await inject(request, "POST", { kind: "hang" }, 1);
  const name = uniqueName("Hung");
  await page.getByLabel("Friendly name").fill(name);
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByRole("button", { name: "Saving…" })).toBeDisabled();
  await expect(page.getByRole("alert")).toContainText("Twilio did not answer within 3 seconds");
  // The console checked: the hang came before Twilio stored anything.
  await expect(page.getByRole("alert")).toContainText("the change was not made");
  await expect(page.getByRole("button", { name: "Save settings" })).toBeEnabled();
  await expect(page.getByLabel("Friendly name")).toHaveValue(name);
});

test("a dropped connection is checked and the user told the change was not made", async ({ page, request }) => {
  await openSettings(page, { hydrated: true });
  await inject(request, "POST", { kind: "drop" }, 1);
  await page.getByLabel("Friendly name").fill(uniqueName("Dropped"));
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByRole("alert")).toContainText("broke off before its answer was complete");
  await expect(page.getByRole("alert")).toContainText("the change was not made");
});

test("an answer lost after Twilio stored the save is checked and shown as saved", async ({ page, request }) => {
  await openSettings(page, { hydrated: true });
  await inject(request, "POST", { kind: "store_then_drop" }, 1);
  const name = uniqueName("Stored");
  await page.getByLabel("Friendly name").fill(name);
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByRole("status")).toContainText("Saved");
  await expect(page.getByRole("alert")).toHaveCount(0);
  await expect(page.getByLabel("Friendly name")).toHaveValue(name);
});

test("an unreadable answer while loading shows an error page, not a crash", async ({ page, request }) => {
  await inject(request, "GET", { kind: "malformed" }, null);
  const response = await page.goto(DEMO_PROJECT);
  expect(response?.status()).toBe(503);
  await expect(page.getByRole("alert")).toContainText("The settings could not be read from Twilio.");
  await expect(page.getByRole("alert")).toContainText("could not be read");
});
