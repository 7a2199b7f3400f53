// The browser bundle's size budget, against bundle-budget.json. The release
// build is split (`cargo leptos build --split`): a main wasm (the framework,
// the shared components and the settings pages) and, per lazily loaded page,
// the chunks its route needs (__wasm_split_manifest.*.json). Checked, by
// their brotli copies: the main wasm, the JS (main glue and split loader),
// and the largest page's own chunks; and the stylesheet. Prints every page's first-load bytes
// and fails, naming each size, when one is over its budget.
// Usage: node scripts/check-bundle-size.mjs [site dir, default target/site]
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

const site = process.argv[2] ?? "target/site";
const pkg = join(site, "pkg");
const budget = JSON.parse(readFileSync(new URL("../bundle-budget.json", import.meta.url)));
const names = readdirSync(pkg);

const one = (pattern, what) => {
  const found = names.filter((n) => pattern.test(n));
  if (found.length !== 1) throw new Error(`expected one ${what} in ${pkg}, found ${found.length}: run scripts/bundle-budget`);
  return found[0];
};
const size = (name) => statSync(join(pkg, name)).size;

const mainWasm = size(one(/^composition-admin\..*\.wasm\.br$/, "main .wasm.br"));
const js = size(one(/^composition-admin\..*\.js\.br$/, "main .js.br")) + size(one(/^__wasm_split\..*\.js\.br$/, "split loader .js.br"));
const manifest = JSON.parse(readFileSync(join(pkg, one(/^__wasm_split_manifest\..*\.json$/, "split manifest")), "utf8"));

// Route names look like `__credentials_route_view_<hash>`.
const pages = Object.entries(manifest).map(([key, chunks]) => ({
  page: key.replace(/^__/, "").replace(/_route_view_\d+$/, ""),
  chunks: chunks.reduce((sum, chunk) => sum + size(`${chunk}.wasm.br`), 0),
}));
pages.sort((a, b) => b.chunks - a.chunks);
console.log(`first load (brotli wasm + JS): settings pages ${mainWasm + js} bytes (main only)`);
for (const { page, chunks } of pages) {
  console.log(`  ${page}: ${mainWasm + js + chunks} bytes (main + ${chunks} of its own chunks)`);
}

let over = false;
const check = (what, value, key) => {
  const limit = budget[key];
  const bad = typeof limit !== "number" || value > limit;
  const verdict = typeof limit !== "number" ? "NO BUDGET" : bad ? "OVER BUDGET" : "ok";
  console.log(`bundle ${what}: ${value} bytes brotli, budget ${limit} (${key}): ${verdict}`);
  if (bad) over = true;
};
check("main wasm", mainWasm, "main_wasm_brotli_bytes");
check("js", js, "js_brotli_bytes");
check(`largest page's chunks (${pages[0]?.page ?? "none"})`, pages[0]?.chunks ?? 0, "page_chunks_brotli_bytes");
// The fleet page (issue 23) has a budget of its own.
const fleet = pages.find((p) => p.page === "fleet");
if (!fleet) {
  console.log("bundle: the fleet page's chunks were not found in the split manifest");
  over = true;
}
check("fleet page's chunks", fleet?.chunks ?? 0, "fleet_chunks_brotli_bytes");
check("stylesheet", size(one(/^composition-admin\..*\.css\.br$/, "stylesheet .css.br")), "css_brotli_bytes");
if (over) {
  console.log("# fail 1\nThe bundle grew past bundle-budget.json: make it smaller, or raise the budget in the same change and say why.");
  process.exit(1);
}
console.log("# pass 1");
