import { expect, test } from '@playwright/test';
import { actionDetail, actionRow, apiSession, detailsPanel, pickAction } from './actions-support.js';
import { logIn, switchAccount } from './support.js';

/**
 * Issue 17 item 3: one date for both parties. The brand (in New York) and the partner (in
 * Denver) read an action's locking date in the program's time zone, named, so they read
 * the same day; the time in the viewer's own zone is in the tooltip and the details. An
 * approved action shows when it locked.
 */
test('brand and partner see the same locking date, in the program’s time zone; an approved row shows when it locked', async ({ browser, playwright, baseURL }) => {
  const brandApi = await apiSession(playwright, baseURL, 'brand@acme.test');
  const acme = await brandApi.accountId('Acme Outdoor');
  const action = await pickAction(brandApi.request, acme, (a) => a.EventKind === 'SALE' && a.MediaPartnerName === 'Trail Blog' && a.OrderId !== null);
  expect(action.ProgramTimeZone).toMatch(/^America\//);

  const brandContext = await browser.newContext({ timezoneId: 'America/New_York' });
  const brand = await brandContext.newPage();
  await logIn(brand, 'brand@acme.test');
  await brand.goto(`/transactions/pending-payouts?actionId=${action.Id}`);
  const brandCell = actionRow(brand, action.Id).locator('[data-column="LockingDate"]');
  await expect(brandCell).toContainText(action.ProgramTimeZone);

  const partnerContext = await browser.newContext({ timezoneId: 'America/Denver' });
  const partner = await partnerContext.newPage();
  await logIn(partner, 'partner@trail.test');
  await switchAccount(partner, 'Trail Blog');
  await partner.goto(`/transactions/actions?orderId=${encodeURIComponent(action.OrderId!)}`);
  const partnerCell = actionRow(partner, action.Id).locator('[data-column="LockingDate"]');
  await expect(partnerCell).toContainText(action.ProgramTimeZone);

  // The same words for both, e.g. "28 Jan 2027" over "America/New_York".
  const brandText = (await brandCell.textContent())!.trim();
  expect((await partnerCell.textContent())!.trim()).toBe(brandText);
  const day = new Intl.DateTimeFormat('en-GB', { timeZone: action.ProgramTimeZone, day: 'numeric', month: 'short', year: 'numeric' }).format(new Date(action.LockingDate));
  expect(brandText).toContain(day);
  // The tooltip gives the time in the program's zone and, for the partner, in its own.
  expect(await partnerCell.locator('.contract-date').getAttribute('title')).toMatch(/\(America\/New_York\) · .* your time \(America\/Denver\)$/);
  expect(await brandCell.locator('.contract-date').getAttribute('title')).not.toContain('your time');
  // The details panel: the time in the program's zone, and the partner's own under it.
  await actionRow(partner, action.Id).getByRole('button', { name: `Open action ${action.Id}` }).click();
  await expect(detailsPanel(partner)).toContainText(`(${action.ProgramTimeZone})`);
  await expect(detailsPanel(partner)).toContainText('your time (America/Denver)');

  // Approved early, the row shows when it locked (now), not only its planned date.
  await brandApi.request.post(`/api/v1/actions/${action.Id}/approve`, { headers: { 'lockstep-account': String(acme) }, data: {} });
  const approved = await actionDetail(brandApi.request, acme, action.Id);
  expect(approved.LockedDate).not.toBeNull();
  await brand.goto(`/transactions/pending-payouts?actionId=${action.Id}&status=APPROVED`);
  const lockedDay = new Intl.DateTimeFormat('en-GB', { timeZone: action.ProgramTimeZone, day: 'numeric', month: 'short', year: 'numeric' }).format(new Date(approved.LockedDate!));
  await expect(actionRow(brand, action.Id).getByTestId('locked-date')).toContainText(`Locked ${lockedDay}`);
  await brand.screenshot({ path: '/tmp/lockstep-contract-dates.png' });

  await brandApi.request.dispose();
  await brandContext.close();
  await partnerContext.close();
});

/**
 * Contract History too: the brand (Bonjour Mode, Paris) and the partner (Trail Blog,
 * Denver) read the end of their expired contract on the same day, in the program's time
 * zone, named, with the time in their own zone in the tooltip.
 */
test('Contract History shows a contract’s end date in the program’s time zone, the same day for brand and partner', async ({ browser, playwright, baseURL }) => {
  const partnerApi = await apiSession(playwright, baseURL, 'partner@trail.test');
  const trail = await partnerApi.accountId('Trail Blog');
  const list = (await (
    await partnerApi.request.get('/api/v1/contracts?status=EXPIRED&pageSize=100', { headers: { 'lockstep-account': String(trail) } })
  ).json()) as { Items: Array<{ Id: number; BrandName: string; CampaignName: string; ProgramTimeZone: string; EndDate: string | null }> };
  const contract = list.Items.find((c) => c.BrandName === 'Bonjour Mode' && c.EndDate);
  expect(contract, 'the demo has an expired Trail Blog contract with Bonjour Mode').toBeTruthy();
  expect(contract!.ProgramTimeZone).toBe('Europe/Paris');
  const day = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', day: 'numeric', month: 'short', year: 'numeric' }).format(new Date(contract!.EndDate!));

  const texts: string[] = [];
  for (const [email, account, timezoneId] of [
    ['partner@trail.test', 'Trail Blog', 'America/Denver'],
    ['brand@bonjour.test', 'Bonjour Mode', 'Europe/Paris'],
  ] as const) {
    const context = await browser.newContext({ timezoneId });
    const page = await context.newPage();
    await logIn(page, email);
    await switchAccount(page, account);
    await page.goto('/reports/contract-history?status=EXPIRED');
    const row = page.getByRole('row').filter({ hasText: contract!.CampaignName }).filter({ has: page.getByTestId('contract-end') }).first();
    const end = row.getByTestId('contract-end');
    await expect(end).toContainText(day);
    await expect(end).toContainText('Europe/Paris');
    if (timezoneId === 'America/Denver') expect(await end.getAttribute('title')).toMatch(/your time \(America\/Denver\)$/);
    texts.push((await end.textContent())!.trim());
    await context.close();
  }
  expect(texts[0]).toBe(texts[1]);
  await partnerApi.request.dispose();
});
