import { expect, test } from "@playwright/test";
import { createServer, Server } from "node:http";
import { AddressInfo } from "node:net";
import { DEMO_ACCOUNT_SID } from "./helpers";

const PROJECT = "demo-acme";

// An attacker's page on another local port: it posts a form to the console
// as soon as it loads, hoping the operator's browser carries it through.
const CONSOLE = process.env.BASE_URL ?? "http://127.0.0.1:3000";
const FAKE = process.env.FAKE_URL ?? "http://127.0.0.1:4010";
const DEMO_AUTH = "Basic " + Buffer.from(`${DEMO_ACCOUNT_SID}:demo0000000000000000000000000001`).toString("base64");

function attackerPage(action: string, fields: Record<string, string>): string {
  const inputs = Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${name}" value="${value}">`)
    .join("");
  return `<!DOCTYPE html><html><body>
    <form id="f" method="post" action="${CONSOLE}${action}">${inputs}</form>
    <script>document.getElementById("f").submit();</script>
  </body></html>`;
}

let server: Server;
let attacker = "";
const pages: Record<string, string> = {};

test.beforeAll(async () => {
  server = createServer((req, res) => {
    res.writeHead(200, { "Content-Type": "text/html" });
    res.end(pages[req.url ?? "/"] ?? "");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  attacker = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

test.afterAll(async () => {
  server.close();
});

async function storedName(request: import("@playwright/test").APIRequestContext): Promise<string> {
  const response = await request.get(`${FAKE}/v1/CompositionSettings/Default`, {
    headers: { Authorization: DEMO_AUTH },
  });
  expect(response.status()).toBe(200);
  return (await response.json()).friendly_name;
}

test("a page on another port that auto-submits a save changes nothing", async ({ page, request }) => {
  const before = await storedName(request);
  pages["/save"] = attackerPage("/api/settings/save", {
    project: PROJECT,
    kind: "Composition",
    "input[friendly_name]": "Owned by another site",
    "input[aws_storage_enabled]": "true",
    "input[aws_credentials_sid]": "CR00000000000000000000000000de0b01",
    "input[aws_s3_url]": "https://attacker.s3.amazonaws.com/loot",
    "original[friendly_name]": before,
    "original[encryption_enabled]": "false",
    "original[aws_storage_enabled]": "false",
    confirm: "true",
  });
  const refused = page.waitForResponse((r) => r.url().startsWith(`${CONSOLE}/api/`));
  await page.goto(`${attacker}/save`);
  expect((await refused).status()).toBe(403);
  await expect(page.getByRole("heading", { name: /came from another site/ })).toBeVisible();
  expect(await storedName(request)).toBe(before);
});

async function awsSids(request: import("@playwright/test").APIRequestContext): Promise<string[]> {
  const list = await request.get(`${FAKE}/v1/Credentials/AWS`, { headers: { Authorization: DEMO_AUTH } });
  expect(list.status()).toBe(200);
  return (await list.json()).credentials.map((c: { sid: string }) => c.sid);
}

test("a page on another port cannot delete a credential", async ({ page, request }) => {
  // Earlier tests may have added or removed credentials: use what is there.
  const before = await awsSids(request);
  const target = before[0] ?? "CR00000000000000000000000000de0b01";
  pages["/delete"] = attackerPage("/api/credentials/delete", { project: PROJECT, kind: "aws", sid: target, confirm: "true" });
  const refused = page.waitForResponse((r) => r.url().startsWith(`${CONSOLE}/api/`));
  await page.goto(`${attacker}/delete`);
  expect((await refused).status()).toBe(403);
  expect(await awsSids(request)).toEqual(before);
});

test("the console cannot be framed", async ({ page }) => {
  pages["/frame"] = `<!DOCTYPE html><iframe src="${CONSOLE}/projects/demo-acme" width="800" height="600"></iframe>`;
  const framed = page.waitForResponse((r) => r.url() === `${CONSOLE}/projects/demo-acme`);
  await page.goto(`${attacker}/frame`);
  const response = await framed;
  expect(response.headers()["x-frame-options"]).toBe("DENY");
  // The frame stays empty: Chromium blocks it (frame-ancestors 'none').
  const frame = page.frames().find((f) => f.url().startsWith(CONSOLE));
  const heading = frame ? await frame.locator("h1").count() : 0;
  expect(heading).toBe(0);
});
