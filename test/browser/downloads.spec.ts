import fs from 'node:fs/promises';
import { expect, test, type Page } from '@playwright/test';
import { eventTypeId, listActions } from './actions-support.js';
import { accountIdOf, apiAs, logIn, mainNav, switchAccount } from './support.js';

/** A CSV file as header + rows of fields (RFC 4180: quoted fields may hold commas, quotes and line breaks). */
function parseCsv(text: string): { header: string[]; rows: Array<Record<string, string>> } {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  const body = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (quoted) {
      if (ch === '"' && body[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      record.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && body[i + 1] === '\n') i++;
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || record.length) {
    record.push(field);
    records.push(record);
  }
  const [header = [], ...rows] = records;
  return { header, rows: rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? '']))) };
}

/** Clicks Download CSV and reads the file the browser saved. */
async function downloadCsv(page: Page): Promise<{ filename: string; header: string[]; rows: Array<Record<string, string>> }> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
  const file = await download.path();
  return { filename: download.suggestedFilename(), ...parseCsv(await fs.readFile(file, 'utf8')) };
}

test('a brand downloads Pending Payouts as CSV: the file holds exactly the actions of the filters applied', async ({ page }) => {
  await logIn(page, 'brand@acme.test');
  const acme = await accountIdOf(page.request, 'Acme Outdoor');
  await mainNav(page).getByRole('link', { name: 'Transactions' }).click();
  await page.getByRole('main').getByRole('link', { name: /^Pending Payouts/ }).click();
  await expect(page.getByRole('heading', { name: 'Pending Payouts' })).toBeVisible();

  // Trail Blog's pending Online Sale actions of Acme Outdoor US, sorted by event type.
  const onlineSale = await eventTypeId(page.request, acme, 'Acme Outdoor US', 'Online Sale');
  await page.getByLabel('Partner').selectOption({ label: 'Trail Blog' });
  await page.getByLabel('Event Type').selectOption(String(onlineSale));
  await page.getByTestId('actions-table').getByRole('columnheader', { name: 'Event Type' }).getByRole('button').click();
  await expect(page).toHaveURL(/sort=EventTypeName/);
  const partnerId = new URL(page.url()).searchParams.get('partnerId')!;
  const expected = await listActions(page.request, acme, { state: 'PENDING', partnerId, actionTrackerId: String(onlineSale) });
  expect(expected.length).toBeGreaterThan(1);
  await expect(page.getByTestId('row-count')).toHaveText(`${expected.length} actions`);

  const csv = await downloadCsv(page);
  expect(csv.filename).toMatch(/^actions-\d{4}-\d{2}-\d{2}\.csv$/);
  expect(csv.header).toEqual(expect.arrayContaining(['Id', 'CampaignName', 'ActionTrackerId', 'EventTypeName', 'MediaPartnerName', 'State', 'StatusDetail', 'Amount', 'Payout', 'Currency', 'OrderId', 'EventDate', 'LockingDate']));
  expect(csv.rows.map((r) => r['Id']).sort()).toEqual(expected.map((a) => a.Id).sort());
  for (const row of csv.rows) {
    expect(row).toMatchObject({
      CampaignName: 'Acme Outdoor US',
      ActionTrackerId: String(onlineSale),
      EventTypeName: 'Online Sale',
      MediaPartnerName: 'Trail Blog',
      State: 'PENDING',
      StatusDetail: 'Pending',
      Currency: 'USD',
    });
  }
  // The amounts are the list's, as decimal strings.
  const first = expected[0]!;
  expect(csv.rows.find((r) => r['Id'] === first.Id)).toMatchObject({ Amount: first.Amount, Payout: first.Payout, OrderId: first.OrderId ?? '' });
  await page.screenshot({ path: '/tmp/lockstep-pending-payouts-download.png' });

  // The Reversed view downloads the reversed actions only.
  await page.getByRole('navigation', { name: 'Pending Payouts views' }).getByRole('link', { name: 'Reversed' }).click();
  await expect(page.getByTestId('row-count')).toBeVisible();
  const reversed = await downloadCsv(page);
  const total = await apiAs<{ total: number }>(page.request, acme, 'GET', '/api/v1/actions?state=REVERSED&pageSize=1');
  expect(reversed.rows).toHaveLength(total.total);
  for (const row of reversed.rows) expect(row['State']).toBe('REVERSED');
});

test('a partner downloads Contract History as CSV with the report’s filters', async ({ page }) => {
  await logIn(page, 'partner@trail.test');
  await switchAccount(page, 'Trail Blog');
  const trail = await accountIdOf(page.request, 'Trail Blog');
  await mainNav(page).getByRole('link', { name: 'Reports' }).click();
  await page.getByRole('link', { name: 'Contract History' }).first().click();
  await expect(page.getByRole('heading', { name: 'Contract History' })).toBeVisible();

  // Everything first: one row per contract of the report.
  const all = await apiAs<{ total: number; items: Array<{ id: number; programName: string; brandName: string; status: string; terminationReason: string }> }>(
    page.request,
    trail,
    'GET',
    '/api/v1/contracts?status=ALL&pageSize=500',
  );
  await expect(page.getByTestId('row-count')).toHaveText(`${all.total} contract${all.total === 1 ? '' : 's'}`);
  const everything = await downloadCsv(page);
  expect(everything.filename).toMatch(/^contract-history-\d{4}-\d{2}-\d{2}\.csv$/);
  expect(everything.header).toEqual(expect.arrayContaining(['ContractId', 'Program', 'Brand', 'Partner', 'Status', 'StartDate', 'EndDate', 'TerminationReason']));
  expect(everything.rows.map((r) => Number(r['ContractId'])).sort((a, b) => a - b)).toEqual(all.items.map((c) => c.id).sort((a, b) => a - b));
  for (const row of everything.rows) expect(row['Partner']).toBe('Trail Blog');

  // Current active contracts only: the file follows the filter.
  await page.getByLabel('Contract Status').selectOption({ label: 'Current active contracts only' });
  const active = all.items.filter((c) => c.status === 'ACTIVE');
  await expect(page.getByTestId('row-count')).toHaveText(`${active.length} contract${active.length === 1 ? '' : 's'}`);
  const current = await downloadCsv(page);
  expect(current.rows.map((r) => Number(r['ContractId'])).sort((a, b) => a - b)).toEqual(active.map((c) => c.id).sort((a, b) => a - b));
  for (const row of current.rows) {
    const contract = active.find((c) => c.id === Number(row['ContractId']))!;
    expect(row).toMatchObject({ Status: 'ACTIVE', Program: contract.programName, Brand: contract.brandName, TerminationReason: contract.terminationReason });
  }
  const acmeUs = current.rows.find((r) => r['Program'] === 'Acme Outdoor US');
  expect(acmeUs?.['Brand']).toBe('Acme Outdoor');
  await page.screenshot({ path: '/tmp/lockstep-contract-history-download.png' });
});

test('a partner downloads its actions with the filters applied; a refused download shows the server’s detail', async ({ page }) => {
  await logIn(page, 'partner@trail.test');
  await switchAccount(page, 'Trail Blog');
  const trail = await accountIdOf(page.request, 'Trail Blog');
  await page.goto('/transactions/actions');
  await expect(page.getByRole('heading', { name: 'Actions', exact: true })).toBeVisible();

  const programs = await apiAs<Array<{ id: number; name: string }>>(page.request, trail, 'GET', '/api/v1/programs');
  const canada = programs.find((p) => p.name === 'Acme Outdoor Canada')!;
  await page.getByLabel('Program').selectOption(String(canada.id));
  await page.getByLabel('Status Detail').selectOption('Pending');
  const expected = await listActions(page.request, trail, { programId: String(canada.id), statusDetail: 'Pending' });
  expect(expected.length).toBeGreaterThan(0);
  await expect(page.getByTestId('row-count')).toContainText(`${expected.length} action`);

  const csv = await downloadCsv(page);
  expect(csv.rows.map((r) => r['Id']).sort()).toEqual(expected.map((a) => a.Id).sort());
  for (const row of csv.rows) expect(row).toMatchObject({ CampaignName: 'Acme Outdoor Canada', StatusDetail: 'Pending', Currency: 'CAD' });

  // When the server refuses the export, its problem detail is shown.
  await page.route('**/api/v1/actions/export.csv**', (route) =>
    route.fulfill({
      status: 403,
      contentType: 'application/problem+json',
      body: JSON.stringify({ type: 'about:blank', title: 'Forbidden', status: 403, detail: 'You are not a member of account 3.' }),
    }),
  );
  await page.getByRole('button', { name: 'Download CSV' }).click();
  await expect(page.getByTestId('toast').filter({ hasText: 'The download failed: You are not a member of account 3.' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Download CSV' })).toBeEnabled();
});
