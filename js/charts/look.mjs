// Every chart of a run as a reader's browser draws it: each SVG opened in headless Chromium and
// saved as a PNG beside the others, to be looked at before a chart is called done.
//
//   node js/charts/look.mjs docs/results/charts /tmp/charts    # a PNG per chart
//
// Exit 0 with a line per chart, 2 when the folder or Chromium is missing.

import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

import { CHROMIUM_ARGS, chromiumPath } from "../chromium.mjs";

const [from, to] = process.argv.slice(2).map((p) => resolve(p));
if (!from || !to || !existsSync(from)) {
  console.error("charts: usage: node js/charts/look.mjs CHARTS_DIR OUT_DIR");
  process.exit(2);
}
const executable = chromiumPath();
if (!executable) {
  console.error("charts: no chromium: install it with scripts/js.sh (or set CHROMIUM to its path)");
  process.exit(2);
}
const { chromium } = await import("playwright-core");
const browser = await chromium.launch({ executablePath: executable, headless: true, args: CHROMIUM_ARGS });
const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
mkdirSync(to, { recursive: true });
for (const name of readdirSync(from).filter((n) => n.endsWith(".svg")).sort()) {
  // An SVG document of its own cannot be shot whole; an image on a page can.
  const html = join(to, name.replace(/\.svg$/, ".html"));
  writeFileSync(html, `<body style="margin:0;background:#fff"><img src="${pathToFileURL(join(from, name)).href}"></body>`);
  await page.goto(pathToFileURL(html).href);
  await page.waitForLoadState("load");
  const out = join(to, name.replace(/\.svg$/, ".png"));
  await page.locator("img").screenshot({ path: out });
  console.log(`charts: ${out}`);
}
await browser.close();
