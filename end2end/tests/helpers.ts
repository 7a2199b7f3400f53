import { expect, Page, Request, test } from "@playwright/test";

// The demo project of the built-in Twilio fake, and its pages.
export const DEMO_PROJECT = "/projects/demo-acme";
export const DEMO_ACCOUNT_SID = "AC00000000000000000000000000de0001";
export const DEMO_PUBLIC_KEY_SID = "CR00000000000000000000000000de0a01";
export const DEMO_AWS_CREDENTIAL_SID = "CR00000000000000000000000000de0b01";
// Well formed, but no such credential exists in the demo account.
export const UNKNOWN_SID = "CR0000000000000000000000000000dead";

/** Opens the settings page; with JavaScript, waits until it is hydrated. */
export async function openSettings(page: Page, opts: { hydrated: boolean }) {
  await page.goto(DEMO_PROJECT);
  if (opts.hydrated) {
    await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  }
  await expect(page.getByRole("heading", { name: "Composition settings" })).toBeVisible();
}

/** A name no earlier run has saved, so a passing test proves this save. */
export function uniqueName(prefix: string): string {
  return `${prefix} ${Date.now().toString(36)}`;
}

/** Saves a change that switches storage or encryption on: the first press
 *  shows the consequences, the second (after consenting) saves. */
export async function saveConfirming(page: Page) {
  // Asking for consent changed nothing, so the settings are not read again:
  // the form rebuilt from that read would clear a box already ticked (it
  // did, now and then, between this tick and the press below).
  const reads: string[] = [];
  const onRequest = (request: Request) => {
    if (new URL(request.url()).pathname === "/api/settings/fetch") reads.push(request.method());
  };
  page.on("request", onRequest);
  await page.getByRole("button", { name: "Save settings" }).click();
  const alert = page.getByRole("alert");
  await expect(alert).toContainText("Please confirm this change; nothing has been saved yet.");
  // The consent box takes the focus, so a keyboard user can tick it at once.
  const consent = page.getByLabel("I understand; save these settings");
  await expect(consent).toBeFocused();
  await consent.press("Space");
  await expect(consent).toBeChecked();
  page.off("request", onRequest);
  expect(reads, "settings read again after a save that only asked for consent").toEqual([]);
  await page.getByRole("button", { name: "Save settings" }).click();
}

/** Without JavaScript the first press shows what will change and saves
 *  nothing; the second saves. */
export async function saveReviewed(page: Page) {
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByRole("alert")).toContainText("Review what will change; nothing has been saved yet.");
  await page.getByRole("button", { name: "Save settings" }).click();
}

/** The pickers and the boxes to paste a SID into instead. */
export const keyPicker = (page: Page) => page.getByLabel("Encryption key", { exact: true });
export const awsPicker = (page: Page) => page.getByLabel("AWS credential", { exact: true });
export const keyPaste = (page: Page) => page.getByLabel("Or paste a public key SID");

// The demo parent account, whose thirty subaccounts are not yet projects.
export const PARENT = "AC00000000000000000000000000de0100";
export const PARENT_TOKEN = "demo0000000000000000000000000100";
/** Subaccount i's own auth token, as the demo seeds it. */
export const subToken = (i: number) => (0xde1000 * 3 + i).toString(16).padStart(32, "0");
export const sub = (i: number) => `AC${(0xde1000 + i).toString(16).padStart(32, "0")}`;

/** Forgets the projects an import made, so other tests see the demo as it was. */
export async function removeImported(page: Page) {
  const origin = new URL(test.info().project.use.baseURL ?? "http://127.0.0.1:3000").origin;
  const headers = { Origin: origin, Accept: "application/json" };
  const listed = await page.request.post("/api/projects/list", { headers, form: { search: "Globex" } });
  expect(listed.status()).toBe(200);
  const found = await listed.json();
  for (const project of found.projects) {
    const removed = await page.request.post("/api/projects/remove", {
      headers,
      form: { project: project.id, confirm: "true" },
    });
    expect(removed.status()).toBe(200);
  }
}

/** Forgets the demo parent's kept login, if a test kept it. */
export async function forgetParent(page: Page) {
  const origin = new URL(test.info().project.use.baseURL ?? "http://127.0.0.1:3000").origin;
  const forgot = await page.request.post("/api/parents/forget", {
    headers: { Origin: origin, Accept: "application/json" },
    form: { parent: PARENT },
  });
  expect([200, 404]).toContain(forgot.status());
}

/** A CSV of two good rows (subaccounts 11 and 12) and two bad ones. */
export const csvWithTwoBadRows = [
  "name,account_sid,login,api_key_sid,secret",
  `Globex File Eleven,${sub(11)},auth_token,,${subToken(11)}`,
  `"Bad, row",AB12,auth_token,,x`,
  `Globex File Twice,${sub(11)},auth_token,,${subToken(11)}`,
  `"Globex File Zwölf, GmbH",${sub(12)},auth_token,,${subToken(12)}`,
].join("\r\n");
