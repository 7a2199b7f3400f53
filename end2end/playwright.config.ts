import { defineConfig } from "@playwright/test";

// Debian's Chromium, never a downloaded browser. The flags keep it off the
// network (this machine has none) and let it run as root.
const chromium = {
  browserName: "chromium" as const,
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
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
  // One fake account is shared: tests run one at a time, in order.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? [["list"]] : [["list"], ["html", { open: "never" }]],
  use: {
    baseURL: process.env.BASE_URL ?? "http://127.0.0.1:3000",
    storageState: "test-results/signed-in.json",
    // A trace recorded for every test made the run a quarter slower (75 s
    // against 57 s on 2 cores; 65 s without its screenshots). A failure
    // keeps a screenshot and Playwright's snapshot of the page in
    // end2end/test-results/; to trace, `bash scripts/end-to-end --trace on`.
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
