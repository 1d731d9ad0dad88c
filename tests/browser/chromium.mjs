// Debian's Chromium, headless, driven by playwright-core, with the flags that work on these
// machines (../shared/TOOLCHAIN.md): no background networking, so a closed network sees no
// requests but the page's own. `extra`: more flags (e.g. --allow-file-access-from-files).
import { chromium } from '../../web/node_modules/playwright-core/index.mjs';

export function launch(extra = []) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', ...extra],
  });
}
