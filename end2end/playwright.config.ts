import { defineConfig } from "@playwright/test";
import { existsSync } from "node:fs";

// Debian's Chromium, never a downloaded browser: its headless shell, the
// same engine without the desktop browser around it, as Playwright's own
// headless runs use. These tests took 39 s in it (43 s of CPU) where the
// full browser took 54 s (84 s of CPU), on 2 cores. The flags keep it off
// the network (this machine has none) and let it run as root.
const shell = "/usr/lib/chromium/chromium-headless-shell";
const chromium = {
  browserName: "chromium" as const,
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? (existsSync(shell) ? shell : "/usr/bin/chromium"),
    args: [
      "--no-sandbox",
      "--headless",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  },
};

export default defineConfig({
  testDir: "./tests",
  globalSetup: "./global-setup.ts",
  // A console's fake account is shared: its tests run one at a time, in
  // order. scripts/end-to-end runs two consoles, with one Playwright each.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? [["list"]] : [["list"], ["html", { open: "never" }]],
  use: {
    baseURL: process.env.BASE_URL ?? "http://127.0.0.1:3000",
    // global-setup.ts signs in; one file per console.
    storageState: process.env.E2E_STATE ?? "test-results/signed-in.json",
    // A trace recorded for every test made the run a quarter slower (75 s
    // against 57 s on 2 cores; 65 s without its screenshots). A failure
    // keeps a screenshot and Playwright's snapshot of the page in
    // end2end/test-results/ (group-0/ or group-1/ when scripts/end-to-end
    // runs both groups); to trace, `bash scripts/end-to-end --trace on`.
    trace: "off",
    screenshot: "only-on-failure",
  },
  projects: [
    {
      name: "js",
      testIgnore: /nojs\.spec\.ts/,
      use: { ...chromium, javaScriptEnabled: true },
    },
    {
      name: "nojs",
      testMatch: /nojs\.spec\.ts/,
      use: { ...chromium, javaScriptEnabled: false },
    },
  ],
});
