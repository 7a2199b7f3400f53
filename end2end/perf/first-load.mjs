// Cold and warm loads of the settings page in Chromium with the network
// emulated: bytes on the wire and time until the page is hydrated.
// The time is the page's own clock (Navigation Timing: from the start of the
// navigation to the moment the body is marked hydrated), as browsers,
// DevTools and Lighthouse count it. Playwright's wall time around the same
// load is printed beside it: it also counts opening the tab and sending the
// navigation command, about 300 ms on these machines.
// Usage: node end2end/perf/first-load.mjs [console URL, default http://127.0.0.1:4140/]
import { chromium } from "@playwright/test";

const url = process.argv[2] ?? "http://127.0.0.1:4140/projects/demo-acme";
const links = [
  // Chrome DevTools' "Fast 3G" preset, as the issue defines it.
  { name: "Fast 3G", down: 1.6e6, up: 750e3, rtt: 150 },
  { name: "10 Mbps", down: 10e6, up: 10e6, rtt: 40 },
];
const targets = { coldBytes: 250 * 1024, coldMs: 2000, warmBytes: 20 * 1024 };

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

/** A browser context signed in with the session cookie measure-load got. */
async function signedIn() {
  const context = await browser.newContext();
  // Notes the page's clock when hydration marks the body.
  await context.addInitScript(() => {
    new MutationObserver((_, observer) => {
      if (document.body?.dataset.hydrated === "true") {
        window.__hydratedAt = performance.now();
        observer.disconnect();
      }
    }).observe(document, { attributes: true, subtree: true, attributeFilter: ["data-hydrated"] });
  });
  const [name, value] = (process.env.CONSOLE_COOKIE ?? "").split("=");
  if (name && value) await context.addCookies([{ name, value, url }]);
  return context;
}

/** One navigation: bytes received (headers and bodies, as sent), ms to
 * hydration on the page's clock, and ms as Playwright saw it. */
async function load(context, link) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false,
    latency: link.rtt,
    downloadThroughput: link.down / 8,
    uploadThroughput: link.up / 8,
  });
  let bytes = 0;
  const files = [];
  const urls = new Map();
  cdp.on("Network.responseReceived", (e) => urls.set(e.requestId, e.response.url));
  cdp.on("Network.loadingFinished", (e) => {
    bytes += e.encodedDataLength;
    files.push(`${urls.get(e.requestId)?.replace(/^https?:\/\/[^/]+/, "")} ${e.encodedDataLength}`);
  });
  const started = Date.now();
  await page.goto(url, { waitUntil: "commit" });
  await page.waitForSelector('body[data-hydrated="true"]', { timeout: 60_000 });
  const wallMs = Date.now() - started;
  const ms = Math.round(await page.waitForFunction(() => window.__hydratedAt).then((h) => h.jsonValue()));
  // Let the last loadingFinished events arrive.
  await page.waitForTimeout(200);
  await page.close();
  return { bytes, ms, wallMs, files };
}

let missed = 0;
for (const link of links) {
  const context = await signedIn();
  const cold = await load(context, link);
  const warm = await load(context, link);
  await context.close();
  console.log(`${link.name} (${link.down / 1e6} Mbps down, ${link.up / 1e3} kbps up, ${link.rtt} ms RTT)`);
  console.log(`  cold: ${(cold.bytes / 1024).toFixed(1)} KB on the wire, hydrated after ${cold.ms} ms (${cold.wallMs} ms wall)`);
  for (const f of cold.files) console.log(`        ${f}`);
  console.log(`  warm: ${(warm.bytes / 1024).toFixed(1)} KB on the wire, hydrated after ${warm.ms} ms (${warm.wallMs} ms wall)`);
  for (const f of warm.files) console.log(`        ${f}`);
  if (link.name === "Fast 3G") {
    const checks = [
      [`cold load ≤ ${targets.coldBytes / 1024} KB`, cold.bytes <= targets.coldBytes],
      [`cold load hydrated in ≤ ${targets.coldMs} ms`, cold.ms <= targets.coldMs],
      [`warm load ≤ ${targets.warmBytes / 1024} KB`, warm.bytes <= targets.warmBytes],
    ];
    for (const [what, met] of checks) {
      console.log(`  target ${what}: ${met ? "met" : "MISSED"}`);
      if (!met) missed += 1;
    }
  }
}
await browser.close();
process.exit(missed ? 1 : 0);
