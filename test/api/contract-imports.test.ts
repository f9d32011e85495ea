/**
 * The wire contract (src/http/contract) is shared with the web UI, so it may import only
 * what a browser bundle can take: zod, its own files, and leaf type files of the modules
 * (and the worker): enums and limits without imports of their own. And the web UI takes the wire's
 * types from it, type-only, and its values from @contract/enums alone, so that neither
 * zod nor any server code ends up in the bundle.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CONTRACT = path.join(ROOT, 'src/http/contract');

/** `import … from 'x'` and `export … from 'x'` specifiers of a file, with whether the statement is type-only. */
function importsOf(file: string): Array<{ from: string; typeOnly: boolean }> {
  const text = fs.readFileSync(file, 'utf8');
  return [...text.matchAll(/^(import|export)\s+(type\s+)?[^'";]*?from\s+'([^']+)'/gm)].map((m) => ({ from: m[3]!, typeOnly: Boolean(m[2]) }));
}

function filesUnder(dir: string, pattern: RegExp): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => pattern.test(f)).map((f) => path.join(dir, f));
}

/** A module file the contract may import: one that imports nothing itself. */
function isLeaf(file: string): boolean {
  return importsOf(file).every((i) => i.typeOnly && /^\.\.?\//.test(i.from) && isLeaf(path.resolve(path.dirname(file), i.from.replace(/\.js$/, '.ts'))));
}

describe('the wire contract', () => {
  it('imports only zod, its own files and leaf type files (enums, limits)', () => {
    const wrong: string[] = [];
    for (const file of filesUnder(CONTRACT, /\.ts$/)) {
      for (const { from } of importsOf(file)) {
        if (from === 'zod' || /^\.\/[\w-]+\.js$/.test(from)) continue;
        const target = path.resolve(path.dirname(file), from.replace(/\.js$/, '.ts'));
        const inSrc = target.startsWith(path.join(ROOT, 'src') + path.sep);
        if (!inSrc || !isLeaf(target)) wrong.push(`${path.relative(ROOT, file)} imports ${from}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('enums.ts, the one file the web UI imports values from, does not import zod', () => {
    expect(importsOf(path.join(CONTRACT, 'enums.ts')).map((i) => i.from)).not.toContain('zod');
  });

  it('the web UI imports the contract type-only, but for @contract/enums, and has no copy of the wire types', () => {
    const wrong: string[] = [];
    for (const file of filesUnder(path.join(ROOT, 'web/src'), /\.tsx?$/)) {
      for (const { from, typeOnly } of importsOf(file)) {
        if (from.startsWith('@contract/') && from !== '@contract/enums' && !typeOnly) wrong.push(`${path.relative(ROOT, file)}: ${from} (not type-only)`);
        if (/\/api\/types$/.test(from)) wrong.push(`${path.relative(ROOT, file)}: ${from} (a copy of the wire types)`);
      }
    }
    expect(wrong).toEqual([]);
    expect(fs.existsSync(path.join(ROOT, 'web/src/api/types.ts'))).toBe(false);
  });
});
