import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * A folder that ships with Mailroom at the project root (migrations/, training/seed/), found from
 * this file whether it runs from src/ (tsx) or from dist/src/ (built).
 */
export function projectFolder(name: string): string {
  for (const up of ['../../', '../../../']) {
    const folder = fileURLToPath(new URL(`${up}${name}/`, import.meta.url));
    if (existsSync(folder)) return folder;
  }
  throw new Error(`${name}/ not found next to the Mailroom installation; reinstall it (the folder ships with the package)`);
}
