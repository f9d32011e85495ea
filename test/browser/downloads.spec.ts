import fs from 'node:fs/promises';
import { expect, test, type Page } from '@playwright/test';
import { eventTypeId, listActions, type ApiAction } from './actions-support.js';
import { readWorkbook } from '../support/files.js';
import { accountIdOf, apiAs, logIn, mainNav, switchAccount, parseCsv } from './support.js';
import type { Page as ApiPage } from '../../src/http/contract/common.js';
import type { Contract } from '../../src/http/contract/contracts.js';
import type { Program } from '../../src/http/contract/programs.js';
import type { ActionPage } from '../../src/http/contract/actions.js';


/** Clicks a download button (by its label) and returns the file the browser saved, with the name it was given. */
async function downloadVia(page: Page, button: string): Promise<{ filename: string; file: string }> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: button }).click()]);
  return { filename: download.suggestedFilename(), file: await download.path() };
}

/** Clicks Download CSV and reads the file the browser saved. */
async function downloadCsv(page: Page): Promise<{ filename: string; header: string[]; rows: Array<Record<string, string>> }> {
  const { filename, file } = await downloadVia(page, 'Download CSV');
  return { filename, ...parseCsv(await fs.readFile(file, 'utf8')) };
}

/**
 * Logs in as Acme's brand user and opens Pending Payouts filtered to Trail Blog's pending
 * Online Sale actions of Acme Outdoor US, sorted by event type; returns what the API lists for that filter.
 */
async function openFilteredPendingPayouts(page: Page): Promise<{ acme: number; onlineSale: number; partnerId: string; expected: ApiAction[] }> {
  await logIn(page, 'brand@acme.test');
  const acme = await accountIdOf(page.request, 'Acme Outdoor');
  await mainNav(page).getByRole('link', { name: 'Transactions' }).click();
  await page.getByRole('main').getByRole('link', { name: /^Pending Payouts/ }).click();
  await expect(page.getByRole('heading', { name: 'Pending Payouts' })).toBeVisible();

  const onlineSale = await eventTypeId(page.request, acme, 'Acme Outdoor US', 'Online Sale');
  await page.getByLabel('Partner').selectOption({ label: 'Trail Blog' });
  await page.getByLabel('Event Type').selectOption(String(onlineSale));
  await page.getByTestId('actions-table').getByRole('columnheader', { name: 'Event Type' }).getByRole('button').click();
  await expect(page).toHaveURL(/sort=EventTypeName/);
  const partnerId = new URL(page.url()).searchParams.get('partnerId')!;
  const expected = await listActions(page.request, acme, { state: 'PENDING', partnerId, actionTrackerId: String(onlineSale) });
  expect(expected.length).toBeGreaterThan(1);
  await expect(page.getByTestId('row-count')).toHaveText(`${expected.length} actions`);
  return { acme, onlineSale, partnerId, expected };
}

test('a brand downloads Pending Payouts as CSV: the file holds exactly the actions of the filters applied', async ({ page }) => {
  // Trail Blog's pending Online Sale actions of Acme Outdoor US, sorted by event type.
  const { acme, onlineSale, expected } = await openFilteredPendingPayouts(page);

  const csv = await downloadCsv(page);
  expect(csv.filename).toMatch(/^actions-\d{4}-\d{2}-\d{2}\.csv$/);
  expect(csv.header).toEqual(expect.arrayContaining(['Id', 'CampaignName', 'ActionTrackerId', 'EventTypeName', 'MediaPartnerName', 'State', 'StatusDetail', 'Amount', 'Payout', 'Currency', 'OrderId', 'EventDate', 'LockingDate']));
  expect(csv.rows.map((r) => r.Id).sort()).toEqual(expected.map((a) => a.Id).sort());
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
  expect(csv.rows.find((r) => r.Id === first.Id)).toMatchObject({ Amount: first.Amount, Payout: first.Payout, OrderId: first.OrderId ?? '' });
  await page.screenshot({ path: '/tmp/lockstep-pending-payouts-download.png' });

  // The Reversed view downloads the reversed actions only.
  await page.getByRole('navigation', { name: 'Pending Payouts views' }).getByRole('link', { name: 'Reversed' }).click();
  await expect(page.getByTestId('row-count')).toBeVisible();
  const reversed = await downloadCsv(page);
  const total = await apiAs<ActionPage>(page.request, acme, 'GET', '/api/v1/actions?state=REVERSED&pageSize=1');
  expect(reversed.rows).toHaveLength(total.Total);
  for (const row of reversed.rows) expect(row.State).toBe('REVERSED');
});

test('a brand downloads Pending Payouts as an Excel workbook: the filtered actions, amounts as numbers', async ({ page }) => {
  const { onlineSale, partnerId, expected } = await openFilteredPendingPayouts(page);
  await expect(page.getByTestId('download-xlsx')).toHaveAttribute('title', 'Download the actions matching the filters as an Excel workbook');

  const [request, xlsx] = await Promise.all([page.waitForRequest(/\/api\/v1\/actions\/export\.xlsx/), downloadVia(page, 'Download Excel')]);
  // The same filters as the list, asking for a workbook (or a problem).
  expect(request.headers().accept).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet, application/problem+json');
  const sent = new URL(request.url()).searchParams;
  expect({ state: sent.get('state'), partnerId: sent.get('partnerId'), actionTrackerId: sent.get('actionTrackerId') }).toEqual({
    state: 'PENDING',
    partnerId,
    actionTrackerId: String(onlineSale),
  });

  expect(xlsx.filename).toMatch(/^actions-\d{4}-\d{2}-\d{2}\.xlsx$/);
  const sheet = (await readWorkbook(xlsx.file)).sheet();
  expect(sheet.header).toEqual(expect.arrayContaining(['Id', 'CampaignName', 'EventTypeName', 'MediaPartnerName', 'State', 'Amount', 'Payout', 'Currency']));
  expect(sheet.records.map((r) => String(r.Id)).sort()).toEqual(expected.map((a) => a.Id).sort());
  for (const row of sheet.records) expect(row).toMatchObject({ CampaignName: 'Acme Outdoor US', MediaPartnerName: 'Trail Blog', State: 'PENDING', Currency: 'USD' });
  // Money is a number cell (so a column can be summed), equal to the list's decimal string.
  for (const action of expected) {
    const row = sheet.records.find((r) => String(r.Id) === action.Id)!;
    expect({ Amount: row.Amount, Payout: row.Payout }).toEqual({ Amount: Number(action.Amount), Payout: Number(action.Payout) });
  }
});

test('a brand downloads Pending Payouts as a PDF document, with a spinner while it is prepared', async ({ page }) => {
  await openFilteredPendingPayouts(page);
  const button = page.getByTestId('download-pdf');
  await expect(button).toHaveAttribute('title', 'Download the actions matching the filters as a PDF document');

  // Hold the request so the pending state can be seen, then let it through.
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let accept: string | undefined;
  await page.route('**/api/v1/actions/export.pdf**', async (route) => {
    accept = route.request().headers().accept;
    await held;
    await route.continue();
  });
  const downloading = page.waitForEvent('download');
  await button.click();
  await expect(button).toHaveText('Preparing…');
  await expect(button).toBeDisabled();
  await expect(page.getByTestId('download-csv')).toBeEnabled();
  release();
  const download = await downloading;
  await expect(button).toHaveText('Download PDF');
  await expect(button).toBeEnabled();

  expect(accept).toBe('application/pdf, application/problem+json');
  expect(download.suggestedFilename()).toMatch(/^actions-\d{4}-\d{2}-\d{2}\.pdf$/);
  const bytes = await fs.readFile(await download.path());
  expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  expect(bytes.subarray(-16).toString('latin1')).toMatch(/%%EOF\r?\n?$/);
});

/** Trail Blog's Contract History page; returns the account id. */
async function openContractHistoryAsTrail(page: Page): Promise<number> {
  await logIn(page, 'partner@trail.test');
  await switchAccount(page, 'Trail Blog');
  const trail = await accountIdOf(page.request, 'Trail Blog');
  await mainNav(page).getByRole('link', { name: 'Reports' }).click();
  await page.getByRole('link', { name: 'Contract History' }).first().click();
  await expect(page.getByRole('heading', { name: 'Contract History' })).toBeVisible();
  return trail;
}

test('a partner downloads Contract History as CSV with the report’s filters', async ({ page }) => {
  const trail = await openContractHistoryAsTrail(page);

  // Everything first: one row per contract of the report.
  const all = await apiAs<ApiPage<Contract>>(
    page.request,
    trail,
    'GET',
    '/api/v1/contracts?status=ALL&pageSize=500',
  );
  await expect(page.getByTestId('row-count')).toHaveText(`${all.Total} contract${all.Total === 1 ? '' : 's'}`);
  const everything = await downloadCsv(page);
  expect(everything.filename).toMatch(/^contract-history-\d{4}-\d{2}-\d{2}\.csv$/);
  expect(everything.header).toEqual(expect.arrayContaining(['Id', 'CampaignName', 'BrandName', 'MediaPartnerName', 'Status', 'StartDate', 'EndDate', 'TerminationReason']));
  expect(everything.rows.map((r) => Number(r.Id)).sort((a, b) => a - b)).toEqual(all.Items.map((c) => c.Id).sort((a, b) => a - b));
  for (const row of everything.rows) expect(row.MediaPartnerName).toBe('Trail Blog');

  // Current active contracts only: the file follows the filter.
  await page.getByLabel('Contract Status').selectOption({ label: 'Show only current active contracts' });
  const active = all.Items.filter((c) => c.Status === 'ACTIVE');
  await expect(page.getByTestId('row-count')).toHaveText(`${active.length} contract${active.length === 1 ? '' : 's'}`);
  const current = await downloadCsv(page);
  expect(current.rows.map((r) => Number(r.Id)).sort((a, b) => a - b)).toEqual(active.map((c) => c.Id).sort((a, b) => a - b));
  for (const row of current.rows) {
    const contract = active.find((c) => c.Id === Number(row.Id))!;
    expect(row).toMatchObject({ Status: 'ACTIVE', CampaignName: contract.CampaignName, BrandName: contract.BrandName, TerminationReason: contract.TerminationReason });
  }
  const acmeUs = current.rows.find((r) => r.CampaignName === 'Acme Outdoor US');
  expect(acmeUs?.BrandName).toBe('Acme Outdoor');
  await page.screenshot({ path: '/tmp/lockstep-contract-history-download.png' });
});

test('a partner downloads Contract History as an Excel workbook with the report’s filter', async ({ page }) => {
  const trail = await openContractHistoryAsTrail(page);

  await page.getByLabel('Contract Status').selectOption({ label: 'Show only current active contracts' });
  const all = await apiAs<ApiPage<Contract>>(
    page.request,
    trail,
    'GET',
    '/api/v1/contracts?status=ALL&pageSize=500',
  );
  const active = all.Items.filter((c) => c.Status === 'ACTIVE');
  expect(active.length).toBeGreaterThan(0);
  await expect(page.getByTestId('row-count')).toHaveText(`${active.length} contract${active.length === 1 ? '' : 's'}`);

  const xlsx = await downloadVia(page, 'Download Excel');
  expect(xlsx.filename).toMatch(/^contract-history-\d{4}-\d{2}-\d{2}\.xlsx$/);
  const sheet = (await readWorkbook(xlsx.file)).sheet();
  expect(sheet.header).toEqual(expect.arrayContaining(['Id', 'CampaignName', 'BrandName', 'MediaPartnerName', 'Status']));
  expect(sheet.records.map((r) => Number(r.Id)).sort((a, b) => a - b)).toEqual(active.map((c) => c.Id).sort((a, b) => a - b));
  for (const row of sheet.records) {
    const contract = active.find((c) => c.Id === Number(row.Id))!;
    expect(row).toMatchObject({ Status: 'ACTIVE', MediaPartnerName: 'Trail Blog', CampaignName: contract.CampaignName, BrandName: contract.BrandName });
  }
});

test('a partner downloads its actions with the filters applied; a refused download shows the server’s detail', async ({ page }) => {
  await logIn(page, 'partner@trail.test');
  await switchAccount(page, 'Trail Blog');
  const trail = await accountIdOf(page.request, 'Trail Blog');
  await page.goto('/transactions/actions');
  await expect(page.getByRole('heading', { name: 'Actions', exact: true })).toBeVisible();

  const programs = await apiAs<Program[]>(page.request, trail, 'GET', '/api/v1/programs');
  const canada = programs.find((p) => p.Name === 'Acme Outdoor Canada')!;
  await page.getByLabel('Program').selectOption(String(canada.Id));
  await page.getByLabel('Status Detail').selectOption('Pending');
  const expected = await listActions(page.request, trail, { programId: String(canada.Id), statusDetail: 'Pending' });
  expect(expected.length).toBeGreaterThan(0);
  await expect(page.getByTestId('row-count')).toContainText(`${expected.length} action`);

  const csv = await downloadCsv(page);
  expect(csv.rows.map((r) => r.Id).sort()).toEqual(expected.map((a) => a.Id).sort());
  for (const row of csv.rows) expect(row).toMatchObject({ CampaignName: 'Acme Outdoor Canada', StatusDetail: 'Pending', Currency: 'CAD' });

  // When the server refuses the export, in any format, its problem detail is shown.
  await page.route(/\/api\/v1\/actions\/export\.(csv|xlsx|pdf)/, (route) =>
    route.fulfill({
      status: 403,
      contentType: 'application/problem+json',
      body: JSON.stringify({ type: 'about:blank', title: 'Forbidden', status: 403, detail: 'You are not a member of account 3.' }),
    }),
  );
  await page.getByRole('button', { name: 'Download CSV' }).click();
  await expect(page.getByTestId('toast').filter({ hasText: 'The download failed: You are not a member of account 3.' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Download CSV' })).toBeEnabled();
  const refused = page.getByTestId('toast').filter({ hasText: 'The download failed: You are not a member of account 3.' });
  await refused.getByRole('button', { name: 'Dismiss' }).click();
  await expect(refused).toHaveCount(0);
  await page.getByRole('button', { name: 'Download Excel' }).click();
  await expect(refused).toBeVisible();
  await expect(page.getByRole('button', { name: 'Download Excel' })).toBeEnabled();
});
