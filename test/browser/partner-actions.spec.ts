import { expect, test } from '@playwright/test';
import { actionRow, apiSession, detailsPanel, historyEntry, money, pickAction } from './actions-support.js';
import { accountIdOf, apiAs, logIn, mainNav, switchAccount, toast, unique } from './support.js';
import type { Balances } from '../../src/http/contract/ledger.js';
import type { ActionPage } from '../../src/http/contract/actions.js';

test('a partner sees its actions by status detail, balances on top, and an action the brand reversed as Reversed/<reason>', async ({ page, playwright }) => {
  // The brand reverses one of Trail Blog's pending actions, with a reason the partner will see.
  const brand = await apiSession(playwright, test.info().project.use.baseURL, 'brand@acme.test');
  let reversedId: string;
  try {
    const acme = await brand.accountId('Acme Outdoor');
    const action = await pickAction(brand.request, acme, (a) => a.EventKind === 'SALE' && a.MediaPartnerName === 'Trail Blog');
    await apiAs(brand.request, acme, 'POST', `/api/v1/actions/${action.Id}/reverse`, { Reason: 'PUB_ACT_DISPUTE' });
    reversedId = action.Id;
  } finally {
    await brand.request.dispose();
  }

  await logIn(page, 'partner@trail.test');
  await switchAccount(page, 'Trail Blog');
  const trail = await accountIdOf(page.request, 'Trail Blog');
  await mainNav(page).getByRole('link', { name: 'Transactions' }).click();
  await page.getByRole('main').getByRole('link', { name: /^Actions/ }).click();
  await expect(page.getByRole('heading', { name: 'Actions', exact: true })).toBeVisible();

  // Balances per currency: pending (estimated) and payment pending.
  const { Balances: balances } = await apiAs<Balances>(
    page.request,
    trail,
    'GET',
    '/api/v1/balances',
  );
  const usd = balances.find((b) => b.Currency === 'USD')!;
  await expect(page.getByTestId('balance-USD-pending')).toHaveText(money(usd.Pending, 'USD'));
  await expect(page.getByTestId('balance-USD-payment-pending')).toHaveText(money(usd.PaymentPending, 'USD'));

  // Every status detail filter shows only that status.
  const table = page.getByTestId('partner-actions');
  const statusFilter = page.getByLabel('Status Detail');
  for (const detail of ['Pending', 'Approved/Overdue', 'Approved/Payment Pending']) {
    const expected = await apiAs<ActionPage>(page.request, trail, 'GET', `/api/v1/actions?pageSize=1&statusDetail=${encodeURIComponent(detail)}`);
    await statusFilter.selectOption(detail);
    if (expected.Total === 0) {
      await expect(page.getByTestId('table-empty')).toBeVisible();
      continue;
    }
    await expect(page.getByTestId('row-count')).toContainText(`${expected.Total} action`);
    const statuses = await table.locator('tbody [data-column="State"]').allTextContents();
    expect(statuses.length).toBeGreaterThan(0);
    for (const s of statuses) expect(s).toBe(detail);
  }

  // The reversed action reads Reversed/<reason>.
  await statusFilter.selectOption('Reversed/PUB_ACT_DISPUTE');
  const row = actionRow(page, reversedId);
  await expect(row.locator('[data-column="State"]')).toHaveText('Reversed: Partner disputes the action');
  await page.screenshot({ path: '/tmp/lockstep-partner-actions.png' });

  // Its details and history are read-only; the partner sees that the brand reversed it and why, not who.
  await row.locator('[data-column="EventDate"]').dblclick();
  const details = detailsPanel(page);
  await expect(details.getByTestId('detail-status')).toContainText('Reversed: Partner disputes the action');
  await expect(details).toContainText('Not earned: the action is reversed');
  await expect(details.getByRole('button', { name: /Approve|Reverse|Modify|Reset/ })).toHaveCount(0);
  const entry = historyEntry(page, 'REVERSE');
  await expect(entry.locator('[data-column="reason"]')).toHaveText('Partner disputes the action');
  await expect(entry.locator('[data-column="state"]')).toHaveText('Pending → Reversed');
  await expect(entry.locator('[data-column="actor"]')).toHaveText('Brand');
  await page.screenshot({ path: '/tmp/lockstep-partner-action-details.png' });
});

test('a partner creates a tracking link, copies its URL, sees its click counted, and disables it', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await logIn(page, 'partner@trail.test');
  await switchAccount(page, 'Trail Blog');
  await mainNav(page).getByRole('link', { name: 'Transactions' }).click();
  await page.getByRole('main').getByRole('link', { name: /^Links/ }).click();
  await expect(page.getByRole('heading', { name: 'Links', exact: true })).toBeVisible();

  const label = `Spring guide ${unique()}`;
  // A page on the program's allowed landing domains (the demo's Acme Outdoor US: acme-outdoor.example and its subdomains).
  const landing = `https://www.acme-outdoor.example/spring?ref=${unique()}`;
  const form = page.getByTestId('create-link');
  await form.getByLabel('Program').selectOption({ label: 'Acme Outdoor US (Acme Outdoor)' });
  await form.getByLabel('Landing URL').fill(landing);
  await form.getByLabel('Label').fill(label);
  await form.getByRole('button', { name: 'Create link' }).click();
  await expect(toast(page, `Link “${label}” created for Acme Outdoor US.`)).toBeVisible();

  // The new link's URL, ready to copy.
  const urlField = page.getByTestId('new-link-url');
  const url = await urlField.inputValue();
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/c\/[A-Za-z0-9_-]+$/);
  await page.getByTestId('new-link').getByRole('button', { name: 'Copy' }).click();
  await expect(page.getByTestId('new-link').getByRole('button', { name: 'Copied' })).toBeVisible();
  expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(url);
  await page.screenshot({ path: '/tmp/lockstep-links.png' });

  // It is listed with its URL and no clicks yet; the row's Copy button copies the same URL.
  const row = page.getByTestId('links-table').getByRole('row').filter({ hasText: label });
  await expect(row.getByRole('textbox', { name: `Tracking URL of ${label}` })).toHaveValue(url);
  await expect(row.locator('[data-column="ClickCount"]')).toHaveText('0');
  await expect(row.locator('[data-column="Status"] .badge')).toHaveText('Active');
  await page.evaluate("navigator.clipboard.writeText('')");
  await row.getByRole('button', { name: `Copy tracking URL of ${label}` }).click();
  expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(url);

  // A visit is redirected to the landing page and counted.
  const visit = await page.request.get(url, { maxRedirects: 0 });
  expect(visit.status()).toBe(302);
  expect(visit.headers().location).toContain('www.acme-outdoor.example/spring');
  await expect
    .poll(async () => {
      await page.reload();
      return row.locator('[data-column="ClickCount"]').textContent();
    })
    .toBe('1');

  // Disable it: final; visits get the "not found" page.
  await row.getByRole('button', { name: `Disable link ${label}` }).click();
  const dialog = page.getByRole('dialog', { name: `Disable “${label}”?` });
  await dialog.getByRole('button', { name: 'Disable link' }).click();
  await expect(toast(page, `Link “${label}” disabled.`)).toBeVisible();
  await expect(row.locator('[data-column="Status"] .badge')).toHaveText('Disabled');
  await expect(row.locator('[data-column="Status"]')).toContainText('clicks are not recorded');
  await expect(row.getByRole('button', { name: /Disable/ })).toHaveCount(0);
  expect((await page.request.get(url, { maxRedirects: 0 })).status()).toBe(404);
});
