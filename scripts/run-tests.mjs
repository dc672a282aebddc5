#!/usr/bin/env node
// Runs every test/**/*.test.ts with Node's own test runner (through tsx), or only the files or
// folders given as arguments. Node 20's --test does not expand globs, so we find the files here.
// --unit keeps the files that need no real component (no database, Dovecot, process or corpus):
// the quick check while working; `npm test` runs everything.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const NEEDS_COMPONENTS = /support\/(databases|dovecot|run-cli|webhook-receiver)\.js|shared\/corpus|\.\.\/\.\.\/bench\/|spawn\(/;

function collect(path, out) {
  if (statSync(path).isDirectory()) {
    for (const entry of readdirSync(path).sort()) {
      if (entry === 'node_modules' || entry === 'support') continue;
      collect(join(path, entry), out);
    }
  } else if (path.endsWith('.test.ts')) {
    out.push(path);
  }
  return out;
}

const args = process.argv.slice(2);
const unit = args.includes('--unit');
const roots = args.filter((a) => a !== '--unit');
let files = (roots.length > 0 ? roots : ['test']).flatMap((root) => collect(resolve(root), []));
if (unit) files = files.filter((file) => !NEEDS_COMPONENTS.test(readFileSync(file, 'utf8')));
if (files.length === 0) {
  console.error(`no test files under ${roots.join(', ') || 'test'}`);
  process.exit(2);
}
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
