#!/usr/bin/env node
/**
 * `npm start`'s prestart: builds the server and the web UI unless the build is current.
 * The build is current when dist/ holds both outputs and the SHA-256 of every input (each
 * file's path and content: src/, web/ without its build output, the TypeScript and Vite
 * configurations, package.json and package-lock.json) equals the one the last build wrote
 * into dist/.build-inputs. Contents rather than modification times, so a checkout, a
 * copy or `touch` does not trigger a build, and an edit reverted to what was built does not
 * either. Hashing the inputs takes tens of milliseconds; a build about 2.5 s on this
 * project's machine. `npm run build` always builds (and leaves the stamp as it was, so the
 * next start checks again).
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const stamp = path.join(root, 'dist', '.build-inputs');
const outputs = [path.join(root, 'dist', 'src', 'cli', 'index.js'), path.join(root, 'dist', 'web', 'index.html')];
const inputFiles = ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json'];
const inputDirs = ['src', 'web'];
const skipDirs = new Set(['node_modules', 'dist']);

function walk(dir, out) {
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!skipDirs.has(entry.name)) walk(full, out);
    } else if (entry.isFile()) {
      out.push(full);
    }
  }
}

function inputsHash() {
  const files = [];
  for (const file of inputFiles) {
    const full = path.join(root, file);
    if (fs.existsSync(full)) files.push(full);
  }
  for (const dir of inputDirs) walk(path.join(root, dir), files);
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(path.relative(root, file));
    hash.update('\0');
    hash.update(fs.readFileSync(file));
    hash.update('\0');
  }
  return `${hash.digest('hex')} ${files.length}`;
}

const current = inputsHash();
const built = fs.existsSync(stamp) ? fs.readFileSync(stamp, 'utf8').trim() : '';
if (built === current && outputs.every((file) => fs.existsSync(file))) {
  process.stdout.write('Build is current (its inputs are unchanged since it was built): not rebuilding. `npm run build` forces one.\n');
  process.exit(0);
}
const result = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
if (result.status !== 0) process.exit(result.status ?? 1);
fs.writeFileSync(stamp, `${current}\n`);
