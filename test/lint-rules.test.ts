/**
 * The module import rule (biome.json, overrides: noRestrictedImports on src/modules/**)
 * fails the build: `npm test` runs `npm run lint` (biome lint .), which exits non-zero on
 * an error. Here Biome lints small files laid out as src/modules/actions/… under a
 * temporary folder holding a copy of the project's biome.json, so the files are judged by
 * the project's own rules without touching the source tree. (Biome's stdin mode,
 * --stdin-file-path, prints no diagnostics by design, so files it is.)
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');
const BIOME = path.join(ROOT, 'node_modules/.bin/biome');
const RULE = 'lint/style/noRestrictedImports';

/** A file of the actions module importing `from`, and using what it imports. */
const importing = (from: string, name: string) => `import { ${name} } from '${from}';\n\nexport const used = ${name};\n`;

const PROBES = {
  // Another module's operation: an operation spanning modules is a flow (src/flows).
  operation: { file: 'src/modules/actions/probe-operation.ts', text: importing('../contracts/expire-contract.js', 'expireContract') },
  // Another module's queries, and a service published for other modules' transactions.
  queries: { file: 'src/modules/actions/probe-queries.ts', text: importing('../contracts/queries.js', 'getContractOrThrow') },
  postings: { file: 'src/modules/actions/probe-postings.ts', text: importing('../ledger/post-transfers.js', 'postTransfers') },
};

interface Diagnostic {
  severity: string;
  category: string;
  message: string;
  location: { path: string; start: { line: number } };
}

const execFileAsync = promisify(execFile);

/** `biome lint` of the given files of the temporary tree: its exit code and diagnostics. */
async function lint(files: string[]): Promise<{ code: number; diagnostics: Diagnostic[] }> {
  let stdout: string;
  let code = 0;
  try {
    ({ stdout } = await execFileAsync(BIOME, ['lint', '--reporter=json', '--max-diagnostics=none', '--colors=off', ...files], { cwd: dir }));
  } catch (error) {
    const failed = error as { code?: number; stdout?: string };
    if (typeof failed.code !== 'number' || failed.stdout === undefined) throw error;
    code = failed.code;
    stdout = failed.stdout;
  }
  const report = JSON.parse(stdout) as { diagnostics: Diagnostic[] };
  return { code, diagnostics: report.diagnostics };
}

let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-lint-rules-'));
  fs.copyFileSync(path.join(ROOT, 'biome.json'), path.join(dir, 'biome.json'));
  for (const probe of Object.values(PROBES)) {
    fs.mkdirSync(path.join(dir, path.dirname(probe.file)), { recursive: true });
    fs.writeFileSync(path.join(dir, probe.file), probe.text);
  }
});

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('the module import rule (biome.json)', () => {
  it('the files the probes import exist, so the probes mean what they say', () => {
    for (const file of ['src/modules/contracts/expire-contract.ts', 'src/modules/contracts/queries.ts', 'src/modules/ledger/post-transfers.ts']) {
      expect(fs.existsSync(path.join(ROOT, file)), file).toBe(true);
    }
  });

  it("a module importing another module's operation is an error naming noRestrictedImports, and lint fails", async () => {
    const { code, diagnostics } = await lint([PROBES.operation.file]);
    expect(code).not.toBe(0);
    expect(diagnostics.map((d) => ({ severity: d.severity, category: d.category, path: d.location.path, line: d.location.start.line }))).toEqual([
      { severity: 'error', category: RULE, path: PROBES.operation.file, line: 1 },
    ]);
    expect(diagnostics[0]!.message).toMatch(/flow in src\/flows/);
  });

  it("importing another module's queries, or the ledger's postings, passes", async () => {
    const { code, diagnostics } = await lint([PROBES.queries.file, PROBES.postings.file]);
    expect(diagnostics).toEqual([]);
    expect(code).toBe(0);
  });
});
