// The browser bundle's size budget: the brotli size of the release wasm and
// JS, as scripts/precompress.mjs wrote them, against bundle-budget.json.
// Fails naming each size when one is over its budget.
// Usage: node scripts/check-bundle-size.mjs [site dir, default target/site]
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

const site = process.argv[2] ?? "target/site";
const pkg = join(site, "pkg");
const budget = JSON.parse(readFileSync(new URL("../bundle-budget.json", import.meta.url)));

const sizeOf = (ext) => {
  const files = readdirSync(pkg).filter((n) => n.endsWith(`.${ext}.br`));
  if (files.length !== 1) throw new Error(`expected one .${ext}.br in ${pkg}, found ${files.length}: run scripts/precompress.mjs after a release build`);
  return statSync(join(pkg, files[0])).size;
};

let over = false;
for (const ext of ["wasm", "js"]) {
  const size = sizeOf(ext);
  const limit = budget[`${ext}_brotli_bytes`];
  const verdict = size > limit ? "OVER BUDGET" : "ok";
  console.log(`bundle ${ext}: ${size} bytes brotli, budget ${limit}: ${verdict}`);
  if (size > limit) over = true;
}
if (over) {
  console.log("# fail 1\nThe bundle grew past bundle-budget.json: make it smaller, or raise the budget in the same change and say why.");
  process.exit(1);
}
console.log("# pass 1");
