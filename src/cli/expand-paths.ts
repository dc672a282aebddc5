import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Turns the triage arguments into files: a file stays itself, a folder gives every `.eml` below it
 * (sorted), and a pattern with * or ? (when the shell did not expand it) matches file names in its
 * folder. A path that does not exist is kept, so the caller reports it as that file's error.
 */
export function expandPaths(args: string[]): string[] {
  const out: string[] = [];
  for (const arg of args) {
    if (/[*?]/.test(arg)) {
      out.push(...expandPattern(arg));
      continue;
    }
    let isDirectory = false;
    try {
      isDirectory = statSync(arg).isDirectory();
    } catch {
      // reported later as "no such file"
    }
    if (isDirectory) out.push(...walkEml(arg));
    else out.push(arg);
  }
  return out;
}

function walkEml(folder: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) found.push(...walkEml(path));
    else if (entry.isFile() && entry.name.toLowerCase().endsWith('.eml')) found.push(path);
  }
  return found;
}

/** Expands one pattern segment by segment: `corpus/raw/*\/*.eml`. */
function expandPattern(pattern: string): string[] {
  const parts = pattern.split('/');
  let bases = [parts[0] === '' ? '/' : '.'];
  const start = parts[0] === '' ? 1 : 0;
  for (let i = start; i < parts.length; i++) {
    const part = parts[i]!;
    const last = i === parts.length - 1;
    const next: string[] = [];
    for (const base of bases) {
      if (!/[*?]/.test(part)) {
        next.push(join(base, part));
        continue;
      }
      const regex = new RegExp(`^${part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
      let entries: string[] = [];
      try {
        entries = readdirSync(base).sort();
      } catch {
        continue;
      }
      for (const name of entries) {
        if (!regex.test(name)) continue;
        const path = join(base, name);
        try {
          const stat = statSync(path);
          if (last ? stat.isFile() : stat.isDirectory()) next.push(path);
        } catch {
          // vanished between readdir and stat
        }
      }
    }
    bases = next;
  }
  return bases.length > 0 ? bases : [pattern];
}

