import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeDb } from './support/db.js';
import { findSqlWrites, scanLiterals } from './support/sql-writes.js';

/**
 * One owner per table: a module owns its tables, only it writes them, and others call
 * its services (README, Design notes: One owner per table). Each table and the folder whose code may write it.
 * A new table needs a line here (the test below fails until it has one).
 */
const OWNERS: Record<string, string> = {
  accounts: 'src/modules/accounts/',
  users: 'src/modules/accounts/',
  memberships: 'src/modules/accounts/',
  invitations: 'src/modules/accounts/',
  sessions: 'src/modules/accounts/',
  api_tokens: 'src/modules/accounts/',
  auth_throttles: 'src/modules/accounts/',
  account_closures: 'src/modules/accounts/',
  programs: 'src/modules/programs/',
  event_types: 'src/modules/programs/',
  template_terms: 'src/modules/programs/',
  contracts: 'src/modules/contracts/',
  tracking_links: 'src/modules/tracking/',
  clicks: 'src/modules/tracking/',
  click_credits: 'src/modules/tracking/',
  click_credit_cursor: 'src/modules/tracking/',
  conversions: 'src/modules/conversions/',
  actions: 'src/modules/actions/',
  action_modifications: 'src/modules/actions/',
  ledger_accounts: 'src/modules/ledger/',
  ledger_transfers: 'src/modules/ledger/',
  audit_events: 'src/modules/audit/',
  statements: 'src/modules/billing/',
  statement_lines: 'src/modules/billing/',
  brand_payments: 'src/modules/billing/',
  action_corrections: 'src/modules/billing/',
  withdrawal_settings: 'src/modules/payouts/',
  payout_schedule_states: 'src/modules/payouts/',
  payout_runs: 'src/modules/payouts/',
  payout_run_holds: 'src/modules/payouts/',
  payout_files: 'src/modules/payouts/',
  payout_file_chunks: 'src/modules/payouts/',
  paystubs: 'src/modules/payouts/',
  balance_forfeits: 'src/modules/payouts/',
  returns_batches: 'src/modules/returns/',
  returns_batch_content: 'src/modules/returns/',
  returns_batch_rows: 'src/modules/returns/',
  sftp_accounts: 'src/modules/sftp-access/',
  sftp_keys: 'src/modules/sftp-access/',
  sftp_hidden_batches: 'src/modules/sftp-access/',
  returns_email_messages: 'src/modules/returns/',
  returns_email_batches: 'src/modules/returns/',
  returns_pull_connections: 'src/channels/pull/',
  returns_pull_runs: 'src/channels/pull/',
  returns_pulled_files: 'src/channels/pull/',
  salesforce_connections: 'src/channels/salesforce/',
  salesforce_messages: 'src/channels/salesforce/',
  salesforce_notifications: 'src/channels/salesforce/',
  tickets: 'src/modules/tickets/',
  ticket_accounts: 'src/modules/tickets/',
  ticket_actions: 'src/modules/tickets/',
  ticket_messages: 'src/modules/tickets/',
  ticket_attachments: 'src/modules/tickets/',
  outbox_events: 'src/outbox/',
  outbox_emails: 'src/outbox/',
  outbox_coverage: 'src/outbox/',
  work_items: 'src/worker/',
  webhook_endpoints: 'src/modules/webhooks/',
  webhook_deliveries: 'src/modules/webhooks/',
  webhook_attempts: 'src/modules/webhooks/',
  webhook_cursor: 'src/modules/webhooks/',
  report_exports: 'src/modules/reports/',
  report_export_chunks: 'src/modules/reports/',
  report_schedules: 'src/modules/reports/',
  report_schedule_runs: 'src/modules/reports/',
  report_pins: 'src/modules/pins/',
  // The database layer's own: which migrations ran, and the installation's settings (the
  // click address hash key), which only migrations write.
  schema_migrations: 'src/db/',
  instance_settings: 'src/db/',
};

/**
 * Code that may write any table: the migrations (schema changes and data repairs) and the
 * demo data loader, which fills an empty database as a user would see it. Tests are not
 * under src/ and are not scanned.
 */
const EXEMPT = ['src/db/migrations/', 'src/demo/'];

/**
 * Writes whose table the caller names: Db.copyRows builds its COPY from its table
 * argument, so the call (`db.copyRows('clicks', …)`) is held to the owner instead.
 */
// scrub.ts replaces erased values in the table its caller names: each caller is the table's owner module.
const GENERIC_WRITERS = new Set(['src/db/connection.ts', 'src/db/scrub.ts']);

const ROOT = path.resolve(import.meta.dirname, '..');

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const relative = `${dir}/${entry.name}`;
    if (entry.isDirectory()) out.push(...sourceFiles(relative));
    else if (/\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name)) out.push(relative);
  }
  return out;
}

interface Finding {
  file: string;
  line: number;
  table: string | null;
  excerpt: string;
}

/** The writes in `files` (path → source) that break ownership, as "file:line: …" lines. */
function ownershipViolations(files: ReadonlyMap<string, string>): string[] {
  const problems: string[] = [];
  for (const [file, source] of files) {
    if (EXEMPT.some((prefix) => file.startsWith(prefix))) continue;
    for (const write of findSqlWrites(source)) {
      const at = `${file}:${write.line}`;
      if (write.table === null) {
        if (GENERIC_WRITERS.has(file)) continue;
        problems.push(`${at}: "${write.excerpt}" writes a table the code fills in; name the table in the SQL so its owner can be checked.`);
        continue;
      }
      const owner = OWNERS[write.table];
      if (!owner) {
        problems.push(`${at}: "${write.excerpt}" writes ${write.table}, which has no owner in test/architecture.test.ts.`);
      } else if (!file.startsWith(owner)) {
        problems.push(`${at}: "${write.excerpt}" writes ${write.table}, which ${owner} owns; call a service of that module instead.`);
      }
    }
  }
  return problems;
}

function readSources(): Map<string, string> {
  return new Map(sourceFiles('src').map((file) => [file, fs.readFileSync(path.join(ROOT, file), 'utf8')]));
}

describe('one owner per table', () => {
  it('only the owning module writes each table (SQL in src/, migrations and demo data exempt)', () => {
    expect(ownershipViolations(readSources())).toEqual([]);
  });

  it('finds the writes it checks, so a scanner that found nothing would fail here', () => {
    const found: Finding[] = [];
    for (const [file, source] of readSources()) {
      for (const write of findSqlWrites(source)) found.push({ file, ...write });
    }
    const writers = (table: string) => [...new Set(found.filter((f) => f.table === table).map((f) => f.file))].sort();
    expect(writers('actions')).toContain('src/modules/actions/insert-actions.ts');
    expect(writers('actions')).toContain('src/modules/actions/lock-due-actions.ts');
    expect(writers('ledger_transfers').filter((file) => !file.startsWith('src/db/migrations/'))).toEqual([
      'src/modules/ledger/post-transfers-set-based.ts',
      'src/modules/ledger/post-transfers.ts',
    ]);
    expect(writers('ledger_accounts').filter((file) => !file.startsWith('src/db/migrations/'))).toEqual(['src/modules/ledger/post-transfers.ts']);
    expect(writers('clicks')).toContain('src/modules/tracking/click-recorder.ts');
    expect(found.length).toBeGreaterThan(40);
  });

  it('reports a write to another module’s table with its file and line', () => {
    const files = new Map([
      [
        'src/modules/conversions/record-conversions.ts',
        [
          "import x from 'y';",
          '// insert into actions, in a comment, is prose',
          'await tx.query(`insert into conversions (id) values ($1)`);',
          'await tx.query(',
          '  `with upd as (update actions a set state = $1 where a.id = $2 returning a.id)',
          '   insert into ledger_transfers (action_id) select id from upd`,',
          ');',
        ].join('\n'),
      ],
      ['src/http/routes/actions.ts', "await ctx.db.query('delete from sessions where id_hash = $1', [hash]);"],
      ['src/modules/actions/credit-clicks.ts', "await tx.query(`update clicks c set credit_status = 'CREDITED'`);\nawait db.copyRows('clicks', rows);"],
      // biome-ignore lint/suspicious/noTemplateCurlyInString: source text under test, not a template
      ['src/modules/tracking/anything.ts', 'await tx.query(`insert into ${table} (a) values (1)`);\nawait tx.query(`insert into work_queue (a) values (1)`);'],
      ['src/db/migrations/0009-repair.ts', 'export const sql = `update actions set state = 1`;'],
      ['src/demo/seed.ts', "await db.query('insert into actions (id) values (1)');"],
    ]);
    expect(ownershipViolations(files)).toEqual([
      'src/modules/conversions/record-conversions.ts:5: "update actions a set" writes actions, which src/modules/actions/ owns; call a service of that module instead.',
      'src/modules/conversions/record-conversions.ts:6: "insert into ledger_transfers" writes ledger_transfers, which src/modules/ledger/ owns; call a service of that module instead.',
      'src/http/routes/actions.ts:1: "delete from sessions" writes sessions, which src/modules/accounts/ owns; call a service of that module instead.',
      'src/modules/actions/credit-clicks.ts:1: "update clicks c set" writes clicks, which src/modules/tracking/ owns; call a service of that module instead.',
      'src/modules/actions/credit-clicks.ts:2: ".copyRows(\'clicks\'" writes clicks, which src/modules/tracking/ owns; call a service of that module instead.',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: source text under test, not a template
      'src/modules/tracking/anything.ts:1: "insert into ${…}" writes a table the code fills in; name the table in the SQL so its owner can be checked.',
      'src/modules/tracking/anything.ts:2: "insert into work_queue" writes work_queue, which has no owner in test/architecture.test.ts.',
    ]);
  });

  it('reads SQL only from literals: comments, row locks, upserts and regular expressions are not writes', () => {
    const source = [
      '/* The update is a compare-and-set: update actions set state … */',
      "const re = /'[^']*'/g; const half = total / 2; // delete from actions",
      'await tx.query(`select id from actions where id = $1 for update of a skip locked`);',
      "await tx.query(`insert into auth_throttles as t (k) values ($1) on conflict (k) do update set failures = t.failures + 1`);",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: source text under test, not a template
      'await tx.query(`select * from ${name} ${lock ? `for update` : \'\'}`);',
      "const message = 'You cannot undo this.';",
      'await tx.query(\n  `update\n     ledger_accounts la\n   set d = 1`,\n);',
      'await tx.query(`copy clicks (a, b) from stdin with (format binary)`);',
    ].join('\n');
    expect(findSqlWrites(source).map((w) => `${w.line} ${w.verb} ${w.table}`)).toEqual([
      '4 insert auth_throttles',
      '8 update ledger_accounts',
      '12 copy clicks',
    ]);
    // Template interpolations keep their length, so lines after them are right.
    // biome-ignore lint/suspicious/noTemplateCurlyInString: source text under test, not a template
    expect(scanLiterals('`a ${b} c`').literals.map((l) => l.text)).toEqual(['a \u0000    c']);
  });
});

describeDb(
  'every table has an owner',
  (ctx) => {
    it('lists exactly the tables the migrations create', async () => {
      const { db } = ctx();
      const { rows } = await db.query<{ name: string }>(
        `select table_name as name from information_schema.tables
          where table_schema = current_schema() and table_type = 'BASE TABLE' order by 1`,
      );
      const tables = rows.map((row) => row.name);
      expect(tables.filter((table) => !(table in OWNERS)), 'tables without an owner in OWNERS').toEqual([]);
      expect(Object.keys(OWNERS).filter((table) => !tables.includes(table)), 'owners of tables that do not exist').toEqual([]);
    });
  },
  { kinds: ['pglite'] },
);
