/**
 * Where the browser tests find Chromium: CHROMIUM_PATH, else Debian's `chromium` package
 * (/usr/bin/chromium), else `chromium-browser`. Playwright never downloads a browser here
 * (playwright-core only); CI installs Debian's (`apt-get install chromium`).
 */
import { existsSync } from 'node:fs';

export function findChromium(env: Record<string, string | undefined> = process.env): string | undefined {
  return [env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p): p is string => !!p && existsSync(p));
}
