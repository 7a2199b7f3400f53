import { request, FullConfig } from "@playwright/test";

// Every test starts signed in as the demo admin (scripts/end-to-end reads
// the password the console printed); sign-in itself is tested on its own.
export default async function globalSetup(config: FullConfig) {
  const baseURL = config.projects[0].use.baseURL ?? "http://127.0.0.1:3000";
  const password = process.env.E2E_ADMIN_PASSWORD;
  if (!password) throw new Error("E2E_ADMIN_PASSWORD is not set: run the tests with scripts/end-to-end");
  const context = await request.newContext({ baseURL });
  const response = await context.post("/api/auth/sign-in", {
    headers: { Origin: baseURL, Accept: "application/json" },
    form: { "input[name]": "admin", "input[password]": password },
  });
  if (response.status() !== 200) throw new Error(`demo admin sign-in: ${response.status()} ${await response.text()}`);
  await context.storageState({ path: process.env.E2E_STATE ?? "test-results/signed-in.json" });
  await context.dispose();
}
