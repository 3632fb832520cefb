// Removes web/dist before a build, so nothing stale survives into the committed output.
import { rmSync } from 'node:fs';
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
