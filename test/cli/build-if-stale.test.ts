import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';

/**
 * `npm start`'s prestart (scripts/build-if-stale.mjs) in a project of its own: a copy of
 * the script and a `build` script that writes the two outputs and counts its runs.
 */
const script = path.resolve('scripts/build-if-stale.mjs');
const dirs: string[] = [];

function project(): { root: string; start(): string; builds(): number } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-prestart-'));
  dirs.push(root);
  fs.mkdirSync(path.join(root, 'scripts'));
  fs.copyFileSync(script, path.join(root, 'scripts', 'build-if-stale.mjs'));
  const build = `node -e "const fs=require('fs');fs.mkdirSync('dist/src/cli',{recursive:true});fs.mkdirSync('dist/web',{recursive:true});fs.writeFileSync('dist/src/cli/index.js','');fs.writeFileSync('dist/web/index.html','');fs.appendFileSync('builds','x')"`;
  fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'p', private: true, scripts: { build } }));
  fs.mkdirSync(path.join(root, 'src'));
  fs.writeFileSync(path.join(root, 'src', 'a.ts'), 'export const a = 1;\n');
  fs.mkdirSync(path.join(root, 'web', 'src'), { recursive: true });
  fs.writeFileSync(path.join(root, 'web', 'src', 'b.tsx'), 'export const b = 2;\n');
  return {
    root,
    start: () => execFileSync('node', [path.join(root, 'scripts', 'build-if-stale.mjs')], { cwd: root, encoding: 'utf8' }),
    builds: () => (fs.existsSync(path.join(root, 'builds')) ? fs.readFileSync(path.join(root, 'builds'), 'utf8').length : 0),
  };
}

afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

it('builds on the first start, skips the build while its inputs are unchanged, and builds again after a change', () => {
  const p = project();
  p.start();
  expect(p.builds()).toBe(1);
  expect(p.start()).toMatch(/Build is current/);
  expect(p.builds()).toBe(1);
  // Touching a file changes its time, not its content: still current.
  const later = new Date(Date.now() + 60_000);
  fs.utimesSync(path.join(p.root, 'src', 'a.ts'), later, later);
  p.start();
  expect(p.builds()).toBe(1);
  // An edit of the server, a new file of the web UI, each a build.
  fs.writeFileSync(path.join(p.root, 'src', 'a.ts'), 'export const a = 3;\n');
  p.start();
  expect(p.builds()).toBe(2);
  fs.writeFileSync(path.join(p.root, 'web', 'src', 'c.tsx'), 'export const c = 4;\n');
  p.start();
  expect(p.builds()).toBe(3);
  p.start();
  expect(p.builds()).toBe(3);
  // A build output removed: built again.
  fs.rmSync(path.join(p.root, 'dist', 'web', 'index.html'));
  p.start();
  expect(p.builds()).toBe(4);
});
