// The stylesheet's colour pairs against WCAG 2.1 AA, in the light and the
// dark scheme: the tokens are read from style/main.css (its `:root` and the
// `prefers-color-scheme: dark` block), each pair below is text on a
// background the console draws. axe-core checks the light pages as they
// render; this checks the dark scheme too, which the browser tests do not
// show. Usage: node scripts/check-contrast.mjs [stylesheet]
import { readFileSync } from "node:fs";

const css = readFileSync(process.argv[2] ?? new URL("../style/main.css", import.meta.url), "utf8");
const tokens = (block) => Object.fromEntries([...block.matchAll(/--([a-z-]+):\s*(#[0-9a-f]{6})/gi)].map((m) => [m[1], m[2]]));
const light = tokens(css.slice(0, css.indexOf("@media (prefers-color-scheme: dark)")));
const darkStart = css.indexOf("@media (prefers-color-scheme: dark)");
const dark = { ...light, ...tokens(css.slice(darkStart, css.indexOf("@media", darkStart + 10))) };

// [text, background, minimum]: 4.5 for text, 3 for borders of controls
// and focus outlines (WCAG 1.4.11).
const pairs = [
  ["ink", "paper", 4.5], ["ink", "wash", 4.5], ["muted", "paper", 4.5], ["muted", "wash", 4.5],
  ["accent", "paper", 4.5], ["accent", "wash", 4.5], ["on-accent", "accent", 4.5], ["on-accent", "accent-strong", 4.5],
  ["on-accent", "danger", 4.5], ["on-accent", "danger-strong", 4.5], ["danger", "paper", 4.5], ["danger", "danger-wash", 4.5],
  ["ok", "ok-wash", 4.5], ["warn", "warn-wash", 4.5], ["info", "info-wash", 4.5],
  ["bar-ink", "bar", 4.5], ["bar-muted", "bar", 4.5], ["bar-ink", "bar-current", 4.5], 
  ["field-line", "paper", 3], ["focus", "paper", 3], ["focus", "wash", 3],
];

const luminance = (hex) => {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
    .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
};
const ratio = (a, b) => {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
};

let failed = 0;
for (const [scheme, t] of [["light", light], ["dark", dark]]) {
  for (const [fg, bg, min] of pairs) {
    if (!t[fg] || !t[bg]) {
      console.log(`${scheme}: --${fg} or --${bg} is not defined`);
      failed++;
      continue;
    }
    const r = ratio(t[fg], t[bg]);
    if (r < min) {
      console.log(`${scheme}: --${fg} ${t[fg]} on --${bg} ${t[bg]} is ${r.toFixed(2)}:1, below ${min}:1`);
      failed++;
    }
  }
}
console.log(`${pairs.length * 2 - failed} colour pairs pass WCAG 2.1 AA, ${failed} fail`);
console.log(failed ? `# fail ${failed}` : "# pass 1");
process.exit(failed ? 1 : 0);
