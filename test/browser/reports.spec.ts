import fs from 'node:fs';
import { AxeBuilder } from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { accountIdOf, apiAs, logIn, switchAccount, toast, unique } from './support.js';

/**
 * Issue 16, "Shows it works": the brand pins Pending Payouts with a program filter and sees
 * its first rows on Home; exports the same report via the API from the page (a job, followed
 * until COMPLETED) and downloads the file, which holds the rows of that program; and Home's
 * chart of the last 30 days renders with its axes and links to Pending Payouts with the dates.
 */

interface Program {
  Id: number;
  Name: string;
  Currency: string;
}

async function acmeProgram(page: Page): Promise<{ acme: number; program: Program }> {
  const acme = await accountIdOf(page.request, 'Acme Outdoor');
  const programs = await apiAs<Program[]>(page.request, acme, 'GET', '/api/v1/programs');
  const program = programs.find((p) => p.Currency === 'USD') ?? programs[0]!;
  return { acme, program };
}

test('pin Pending Payouts with a program filter and see its first rows on Home; reorder and remove it there', async ({ page }) => {
  await logIn(page, 'brand@acme.test');
  const { program } = await acmeProgram(page);
  await page.goto(`/transactions/pending-payouts?programId=${program.Id}`);
  await expect(page.getByTestId('actions-table')).toBeVisible();

  const title = `Pending of ${program.Name} ${unique()}`;
  await page.getByTestId('report-actions').click();
  await page.getByTestId('pin-to-home').click();
  const dialog = page.getByTestId('pin-dialog');
  await expect(dialog).toContainText(`programId = ${program.Id}`);
  await dialog.getByLabel('Title on Home').fill(title);
  await dialog.getByRole('button', { name: 'Pin' }).click();
  await expect(toast(page, `${title} is pinned to your Home.`)).toBeVisible();
  // A second pin, to reorder against.
  await page.goto('/reports/contract-history?status=ACTIVE');
  await page.getByTestId('report-actions').click();
  await page.getByTestId('pin-to-home').click();
  const secondTitle = `Active contracts ${unique()}`;
  await page.getByTestId('pin-dialog').getByLabel('Title on Home').fill(secondTitle);
  await page.getByTestId('pin-dialog').getByRole('button', { name: 'Pin' }).click();
  await expect(toast(page, `${secondTitle} is pinned to your Home.`)).toBeVisible();

  await page.goto('/home');
  const pins = page.getByTestId('pinned-reports');
  const card = pins.locator('.pin-card', { hasText: title });
  await expect(card).toContainText('Pending Payouts Actions');
  // Its first rows: the program's actions only, at most five.
  const rows = card.locator('tbody tr');
  await expect(rows.first()).toBeVisible();
  const count = await rows.count();
  expect(count).toBeGreaterThan(0);
  expect(count).toBeLessThanOrEqual(5);
  const programColumn = (await card.locator('thead th').allTextContents()).indexOf('CampaignName');
  expect(programColumn).toBeGreaterThanOrEqual(0);
  for (const text of await rows.locator(`td:nth-child(${programColumn + 1})`).allTextContents()) expect(text).toBe(program.Name);
  await expect(card.getByRole('link', { name: 'Open' })).toHaveAttribute('href', `/transactions/pending-payouts?programId=${program.Id}`);

  // Moved below the contracts, then removed: both pins are gone at the end.
  const titles = () => pins.locator('.pin-card .card-title').allTextContents();
  await card.getByRole('button', { name: `Move ${title} down` }).click();
  await expect.poll(async () => (await titles()).findIndex((t) => t.includes(title)) > (await titles()).findIndex((t) => t.includes(secondTitle))).toBe(true);
  await page.reload();
  await expect.poll(async () => (await titles()).findIndex((t) => t.includes(title)) > (await titles()).findIndex((t) => t.includes(secondTitle))).toBe(true);
  for (const each of [title, secondTitle]) {
    await pins.getByRole('button', { name: `Remove ${each} from Home` }).click();
    await expect(page.locator('.pin-card', { hasText: each })).toHaveCount(0);
  }
});

test('export Pending Payouts via the API from the page: the job completes and its file downloads with the program’s rows', async ({ page }) => {
  await logIn(page, 'brand@acme.test');
  const { acme, program } = await acmeProgram(page);
  const totals = await apiAs<{ Totals: Array<{ Count: number }> }>(page.request, acme, 'GET', `/api/v1/actions/totals?state=PENDING&programId=${program.Id}`);
  const expected = totals.Totals.reduce((n, t) => n + t.Count, 0);
  expect(expected).toBeGreaterThan(0);

  await page.goto(`/transactions/pending-payouts?programId=${program.Id}`);
  await page.getByTestId('report-actions').click();
  await page.getByTestId('export-via-api').click();
  const dialog = page.getByTestId('export-dialog');
  await expect(dialog).toContainText(`programId = ${program.Id}`);
  await dialog.getByLabel('CSV').check();
  await dialog.getByRole('button', { name: 'Export' }).click();
  const job = dialog.getByTestId('export-job');
  await expect(job).toContainText('Completed', { timeout: 30_000 });
  await expect(job).toContainText(`${expected.toLocaleString('en-US')} ${expected === 1 ? 'row' : 'rows'}`);
  const [download] = await Promise.all([page.waitForEvent('download'), job.getByRole('button', { name: /^Download pending-payouts-actions-.*\.csv$/ }).click()]);
  expect(download.suggestedFilename()).toMatch(/^pending-payouts-actions-\d{4}-\d{2}-\d{2}\.csv$/);
  const lines = fs.readFileSync((await download.path())!, 'utf8').trim().split(/\r?\n/);
  expect(lines[0]).toMatch(/^\uFEFF?Id,CampaignId,CampaignName,/);
  expect(lines).toHaveLength(expected + 1);
  for (const line of lines.slice(1)) expect(line.split(',')[1]).toBe(String(program.Id));
  await dialog.getByRole('button', { name: 'Close' }).first().click();

  // The job is among Reports → All Reports' recent exports, with its file.
  await page.goto('/reports');
  await expect(page).toHaveURL(/\/reports\/all$/);
  await expect(page.getByRole('heading', { name: 'All Reports' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Contracts' })).toBeVisible();
  await page.getByTestId('report-search').fill('contract');
  await expect(page.getByTestId('report-contract-history')).toBeVisible();
  await expect(page.getByTestId('report-pending-payouts-actions')).toHaveCount(0);
  await page.getByTestId('report-contract-history').getByRole('link', { name: 'Contract History', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Contract History' })).toBeVisible();
  await page.goto('/reports');
  const recent = page.getByTestId('recent-exports');
  await expect(recent.locator('tbody tr').first()).toContainText('Pending Payouts Actions');
  await expect(recent.locator('tbody tr').first()).toContainText('Completed');
  await page.screenshot({ path: '/tmp/lockstep-all-reports.png', fullPage: true });
});

test('brand Home charts the last 30 days with axes, the currency and a link to Pending Payouts with the dates', async ({ page }) => {
  await logIn(page, 'brand@acme.test');
  await page.goto('/home');
  const chart = page.getByTestId('chart-daily-figure');
  // The x axis names days ("7 Nov"), the left axis money in the currency ("CA$250"), the right one the actions.
  await expect(chart.locator('.recharts-xAxis')).toHaveCount(1);
  await expect(chart.locator('.recharts-yAxis')).toHaveCount(2);
  await expect(chart.locator('text', { hasText: /^\d{1,2} [A-Z][a-z]{2}$/ }).first()).toBeVisible();
  await expect(chart.locator('text', { hasText: /^[A-Z]{0,2}\$\d/ }).first()).toBeVisible();
  await expect(chart.locator('text', { hasText: /^Actions$/ })).toBeVisible();
  await expect(chart.locator('.recharts-line')).toHaveCount(2);
  await expect(chart.locator('.recharts-bar-rectangle').first()).toBeAttached();
  await expect(chart).toContainText(/Sale amount \([A-Z]{3}\)/);
  await expect(chart).toContainText(/Payout \([A-Z]{3}\)/);
  await expect(page.getByTestId('chart-daily-party-figure').locator('.recharts-bar-rectangle').first()).toBeAttached();
  // Home with its charts has no serious or critical accessibility violation (axe, WCAG 2.1 A and AA).
  const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help}`)).toEqual([]);
  const link = page.getByTestId('chart-daily-report');
  await expect(link).toHaveAttribute('href', /^\/transactions\/pending-payouts\?from=\d{4}-\d{2}-\d{2}&to=\d{4}-\d{2}-\d{2}&programId=\d+$/);
  const href = (await link.getAttribute('href'))!;
  await link.click();
  await expect(page).toHaveURL(href);
  await expect(page.getByTestId('actions-table')).toBeVisible();
  await page.screenshot({ path: '/tmp/lockstep-reports-home.png' });
});

test('partner Home charts earnings per day and by brand, linking to its Actions with the dates', async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await logIn(page, 'partner@trail.test');
  await switchAccount(page, 'Trail Blog');
  await page.goto('/home');
  const chart = page.getByTestId('chart-earnings-figure');
  await expect(chart.locator('.recharts-yAxis')).toHaveCount(2);
  await expect(chart).toContainText(/Earnings \([A-Z]{3}\)/);
  await expect(page.getByTestId('chart-earnings-party-figure').locator('.recharts-bar-rectangle').first()).toBeAttached();
  await expect(page.getByTestId('chart-earnings-report')).toHaveAttribute('href', /^\/transactions\/actions\?from=\d{4}-\d{2}-\d{2}&to=\d{4}-\d{2}-\d{2}$/);
  // On a phone the page does not scroll sideways.
  expect(await page.evaluate(() => (globalThis as unknown as { document: { scrollingElement: { scrollWidth: number } } }).document.scrollingElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.screenshot({ path: '/tmp/lockstep-reports-partner-phone.png', fullPage: true });
  await context.close();
});
