// The system's Chromium, headless, as every script here starts it: where it is, and the flags
// that keep it from reaching for a network this machine (like many) does not have.

import { existsSync } from "node:fs";

/** The browser's path: $CHROMIUM, else the system's; undefined where there is none. */
export function chromiumPath() {
  return [process.env.CHROMIUM, "/usr/bin/chromium", "/usr/bin/chromium-browser"].find(
    (path) => path && existsSync(path),
  );
}

/** Chromium's flags: no GPU, no QUIC, and no background traffic. */
export const CHROMIUM_ARGS = [
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
