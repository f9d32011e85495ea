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

/**
 * The types a file declares (`interface X {`, `type X = {`), each with the members its
 * braces list at their top level. A text scan, not a parser: enough for declarations
 * written one per statement, as the web UI's are.
 */
function typeDeclarations(text: string): Array<{ name: string; line: number; members: string[] }> {
  const opens = (c: string) => '{([<'.includes(c);
  const closes = (c: string, i: number) => '})]>'.includes(c) && text[i - 1] !== '='; // not the > of =>
  const out: Array<{ name: string; line: number; members: string[] }> = [];
  for (const m of text.matchAll(/^[ \t]*(?:export\s+)?(interface|type)\s+([A-Z]\w*)/gm)) {
    // The body's brace: past the type parameters (which may hold braces of their own).
    let i = m.index + m[0].length;
    let depth = 0;
    for (; i < text.length; i++) {
      const c = text[i]!;
      if (depth === 0 && (c === '{' || c === ';' || (c === '=' && text[i + 1] !== '>'))) break;
      if (opens(c)) depth++;
      else if (closes(c, i)) depth--;
    }
    if (m[1] === 'type') {
      if (text[i] !== '=') continue;
      i = text.slice(i + 1).search(/\S/) + i + 1;
    }
    if (text[i] !== '{') continue; // type X = A | B: no body of its own
    let top = '';
    depth = 1;
    for (i += 1; i < text.length && depth > 0; i++) {
      const c = text[i]!;
      if (opens(c)) depth++;
      else if (closes(c, i)) depth--;
      if (depth === 1) top += c;
    }
    const members = [...top.matchAll(/(?:^|[;,\n])\s*(?:readonly\s+)?([A-Za-z_$][\w$]*)\??\s*:/g)].map((member) => member[1]!);
    out.push({ name: m[2]!, line: text.slice(0, m.index + m[0].search(/\S/)).split('\n').length, members });
  }
  return out;
}

/** The type names the contract exports (`export type X`, `export interface X`). */
function contractTypeNames(): Set<string> {
  const names = new Set<string>();
  for (const file of filesUnder(CONTRACT, /\.ts$/)) {
    for (const m of fs.readFileSync(file, 'utf8').matchAll(/^export\s+(?:type|interface)\s+([A-Z]\w*)/gm)) names.add(m[1]!);
  }
  return names;
}

/**
 * A web file's declarations that copy the wire: a type named like one of the contract's,
 * or one with a PascalCase member (the wire's resources are PascalCase, the UI's own
 * types camelCase). The UI imports the wire's types from @contract instead.
 */
function wireCopies(file: string, text: string, wireNames: ReadonlySet<string>): string[] {
  const wrong: string[] = [];
  for (const { name, line, members } of typeDeclarations(text)) {
    if (wireNames.has(name)) wrong.push(`${file}:${line}: declares ${name}, a type of the wire contract; import it from @contract`);
    const pascal = members.filter((member) => /^[A-Z]/.test(member));
    if (pascal.length) wrong.push(`${file}:${line}: ${name} has the wire's PascalCase fields (${pascal.join(', ')}); import the type from @contract`);
  }
  return wrong;
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

  it('the web UI declares no wire type of its own: none named like a contract type, none with PascalCase fields', () => {
    const wireNames = contractTypeNames();
    expect(wireNames).toContain('Action');
    expect(wireNames).toContain('Problem');
    const wrong: string[] = [];
    let declarations = 0;
    for (const file of filesUnder(path.join(ROOT, 'web/src'), /\.tsx?$/)) {
      const text = fs.readFileSync(file, 'utf8');
      declarations += typeDeclarations(text).length;
      wrong.push(...wireCopies(path.relative(ROOT, file), text, wireNames));
    }
    expect(wrong).toEqual([]);
    // The scan finds the UI's own types (props, drafts), so a scan that found nothing fails here.
    expect(declarations).toBeGreaterThan(20);
  });

  it('reports a copied wire type, by its name or by its PascalCase fields, with file and line', () => {
    const text = [
      "import type { Page } from '@contract/common';",
      'export interface Problem {',
      '  type: string;',
      '  detail: string;',
      '}',
      'type ActionRow = {',
      '  readonly Id: string;',
      '  CampaignName?: string;',
      '  onOpen: (row: { Id: string }) => void;',
      '};',
      'interface RowProps<T extends { Id: string }> {',
      '  row: T;',
      '  items: Array<{ Amount: string }>;',
      '}',
    ].join('\n');
    expect(wireCopies('web/src/x.ts', text, new Set(['Problem', 'Action']))).toEqual([
      'web/src/x.ts:2: declares Problem, a type of the wire contract; import it from @contract',
      "web/src/x.ts:6: ActionRow has the wire's PascalCase fields (Id, CampaignName); import the type from @contract",
    ]);
  });
});
