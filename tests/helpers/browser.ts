// Headless Chromium for the dashboard's tests: Debian's `chromium` package (CHROMIUM_PATH
// overrides), driven by playwright-core. Screenshots go to test-artifacts/ (gitignored).
import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const ARTIFACTS = fileURLToPath(new URL("../../test-artifacts/dashboard/", import.meta.url));

export async function launchBrowser(): Promise<Browser> {
  // Chromium's own sandbox refuses to run as root (containers, CI); as a user it stays on.
  return chromium.launch({ executablePath: CHROMIUM, headless: true, chromiumSandbox: process.getuid?.() !== 0 });
}

/** A 1280 × 800 page (the size the dashboard is made for) in `scheme`. */
export async function dashboardPage(browser: Browser, scheme: "light" | "dark" = "light"): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: scheme });
  return context.newPage();
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
}
