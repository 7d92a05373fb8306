// The built book as a reader's browser shows it: every chapter opened in headless Chromium (the
// system's, driven by playwright-core), and checked for what a reader would trip over.
//
//   mdbook build docs/book && node js/book/check.mjs              # target/book
//   node js/book/check.mjs target/book --screenshots /tmp/book    # and a PNG of each chapter
//
// A page fails when it is wider than its viewport (a table or a block cut off at the right), when
// a flag reads `–threads` (typographic dashes where `--threads` was typed), or when a code block
// has a play button (none of the book's code runs on the Rust playground). Exit 0 when every
// page passes, 1 naming each failure, 2 when the book or Chromium is missing.

import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

import { CHROMIUM_ARGS, chromiumPath } from "../chromium.mjs";

const args = process.argv.slice(2);
const at = args.indexOf("--screenshots");
const screenshots = at >= 0 ? args[at + 1] : undefined;
const book = resolve(args.find((a, i) => !a.startsWith("--") && args[i - 1] !== "--screenshots") ?? "target/book");

function fail(message) {
  console.error(`book: ${message}`);
  process.exit(2);
}

if (!existsSync(join(book, "index.html"))) {
  fail(`no built book at ${book}: run mdbook build docs/book first`);
}
const executable = chromiumPath();
if (!executable) {
  fail("no chromium: install it with scripts/js.sh (or set CHROMIUM to its path)");
}
const { chromium } = await import("playwright-core");

// The chapters, as mdBook writes them; print.html repeats them all, and the rest are its own.
const pages = readdirSync(book, { recursive: true })
  .filter((name) => name.endsWith(".html"))
  .filter((name) => !["print.html", "404.html", "toc.html"].includes(name))
  .sort();

const browser = await chromium.launch({
  executablePath: executable,
  headless: true,
  args: CHROMIUM_ARGS,
});
const viewport = { width: 1280, height: 900 };
const page = await browser.newPage({ viewport });
if (screenshots) {
  mkdirSync(screenshots, { recursive: true });
}

const problems = [];
for (const name of pages) {
  await page.goto(pathToFileURL(join(book, name)).href);
  // book.js adds its buttons once the page has loaded.
  await page.waitForLoadState("load");
  const seen = await page.evaluate(() => {
    const main = document.querySelector("main") ?? document.body;
    const wide = [...main.querySelectorAll("table, pre, img, svg")]
      .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
      .filter((e) => !e.closest("table") || e.tagName === "TABLE")
      .map((e) => `${e.tagName.toLowerCase()} at ${Math.round(e.getBoundingClientRect().right)} px`);
    return {
      width: document.documentElement.scrollWidth,
      wide,
      dashed: (main.innerText.match(/[\u2013\u2014]threads\b/g) ?? []).length,
      play: document.querySelectorAll(".play-button").length,
    };
  });
  if (seen.width > viewport.width) {
    problems.push(`${name}: ${seen.width} px wide in a ${viewport.width} px viewport`);
  }
  for (const what of seen.wide) {
    problems.push(`${name}: a ${what}, past the viewport's right edge`);
  }
  if (seen.dashed > 0) {
    problems.push(`${name}: ${seen.dashed} flag(s) shown as a dash and "threads", not --threads`);
  }
  if (seen.play > 0) {
    problems.push(`${name}: ${seen.play} play button(s) on code the playground cannot run`);
  }
  if (screenshots) {
    await page.screenshot({ path: join(screenshots, name.replace(/\.html$/, ".png").replaceAll("/", "-")), fullPage: true });
  }
}
await browser.close();

if (problems.length > 0) {
  for (const problem of problems) {
    console.error(`book: ${problem}`);
  }
  process.exit(1);
}
console.log(
  `book: ${pages.length} chapters in Chromium at ${viewport.width} px: none wider than the page, ` +
    "every flag as typed, no play button",
);
