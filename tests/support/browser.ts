/**
 * The real browser for the web-app tests: Debian's chromium (scripts/install-chromium.sh) driven by
 * playwright-core — nothing downloads a browser. Flags keep it off the network it must not reach
 * (background, component-update and sync connections the closed network would refuse); playwright's
 * `launch` gives every browser a fresh temporary profile. Also: full-page screenshots into the test
 * output folder, and axe's serious/critical violations of a page.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { AxeBuilder } from "@axe-core/playwright";
import { type Browser, chromium, type Page } from "playwright-core";
import { REPO_ROOT } from "../../localnet/index.js";

export const CHROMIUM = "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
/** Screenshots and other artefacts of the browser tests. */
export const APP_TEST_OUTPUT = join(REPO_ROOT, ".fedstr/test-output/app");

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `${CHROMIUM} is missing: install it with \`bash scripts/install-chromium.sh\` (part of \`make setup\`)`,
    );
  return await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/**
 * Collects what the page logged as errors and its uncaught exceptions, for failure messages.
 * Requests to anything but loopback are aborted and listed (`offsite`): the app must not need them.
 */
export async function watchPage(page: Page): Promise<{ errors: string[]; offsite: string[] }> {
  const errors: string[] = [];
  const offsite: string[] = [];
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console: ${m.text()}`);
  });
  await page.route(/^(?!(https?|wss?):\/\/(127\.0\.0\.1|localhost)[:/])(https?|wss?):/, async (route) => {
    offsite.push(route.request().url());
    await route.abort("blockedbyclient");
  });
  return { errors, offsite };
}

/** Write a full-page screenshot `<name>.png` into APP_TEST_OUTPUT; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(APP_TEST_OUTPUT, { recursive: true });
  const path = join(APP_TEST_OUTPUT, `${name.replace(/[^A-Za-z0-9._-]+/g, "-")}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** axe-core's serious and critical violations on the page as it is now (or in the part `include` selects), one readable line each. */
export async function seriousA11yViolations(page: Page, include?: string): Promise<string[]> {
  const axe = new AxeBuilder({ page });
  if (include) axe.include(include);
  const { violations } = await axe.analyze();
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map(
      (v) =>
        `${v.impact} ${v.id}: ${v.help} — ${v.nodes
          .slice(0, 3)
          .map((n) => n.target.join(" "))
          .join("; ")}${v.nodes.length > 3 ? ` (+${v.nodes.length - 3} more)` : ""}`,
    );
}
