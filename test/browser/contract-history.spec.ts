import { expect, test } from '@playwright/test';
import { accountIdOf, apiAs, logIn, mainNav, switchAccount, toast } from './support.js';
import type { Contract } from '../../src/http/contract/contracts.js';
import type { Program, TemplateTerms } from '../../src/http/contract/programs.js';

test('a partner expires a current contract from Contract History (View → Actions → Expire)', async ({ page }) => {
  await logIn(page, 'partner@trail.test');
  await switchAccount(page, 'Trail Blog');

  // A contract of this test's own (Trail Blog's Bonjour contract is expired in the demo
  // data, so it can join that program again); other tests keep their contracts.
  const trail = await accountIdOf(page.request, 'Trail Blog');
  const programs = await apiAs<Program[]>(page.request, trail, 'GET', '/api/v1/programs');
  const bonjour = programs.find((p) => p.Name === 'Bonjour Mode France')!;
  const terms = await apiAs<TemplateTerms[]>(page.request, trail, 'GET', `/api/v1/programs/${bonjour.Id}/terms`);
  const contract = await apiAs<Contract>(page.request, trail, 'POST', '/api/v1/contracts', {
    TemplateTermsId: terms.find((t) => t.Status === 'ACTIVE')!.Id,
  });

  await mainNav(page).getByRole('link', { name: 'Reports' }).click();
  await page.getByRole('link', { name: 'Contract History' }).first().click();
  await expect(page.getByRole('heading', { name: 'Contract History' })).toBeVisible();

  await page.getByLabel('Contract Status').selectOption({ label: 'Show only current active contracts' });
  await page.getByLabel('Program').selectOption({ value: String(bonjour.Id) });
  const row = page.getByTestId(`contract-row-${contract.Id}`);
  await expect(row).toBeVisible();
  await expect(row.locator('[data-column="Status"]')).toHaveText('Active');
  await expect(row.locator('[data-column="TerminationReason"]')).toHaveText('Contract is still Active');

  await page.getByTestId(`view-menu-${contract.Id}`).click();
  await page.getByRole('menuitem', { name: 'Actions' }).click();
  await page.getByRole('menuitem', { name: 'Expire' }).click();

  const dialog = page.getByRole('dialog', { name: `Expire contract ${contract.Id}` });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByLabel('Expire now')).toBeChecked();
  await page.screenshot({ path: '/tmp/lockstep-expire-dialog.png' });
  await dialog.getByRole('button', { name: 'Expire contract' }).click();
  await expect(dialog).toBeHidden();
  await expect(toast(page, `Contract ${contract.Id} expired: Expired by the partner`)).toBeVisible();

  // Expired now: it leaves the current-contracts view…
  await expect(row).toHaveCount(0);

  // …and is listed under All, as EXPIRED with the partner's reason.
  await page.getByLabel('Contract Status').selectOption({ label: 'All' });
  await expect(row).toBeVisible();
  await expect(row.locator('[data-column="Status"]')).toHaveText('Expired');
  await expect(row.locator('[data-column="TerminationReason"]')).toHaveText('Expired by the partner');
  await expect(row.locator('[data-column="EndDate"]')).not.toHaveText('—');

  // The Termination Reason filter finds it too, and it cannot be expired twice.
  await page.getByLabel('Termination Reason').selectOption('EXPIRED_BY_PARTNER');
  await expect(row).toBeVisible();
  await expect(page.getByTestId('row-count')).not.toHaveText('0 contracts');
  await page.getByTestId(`view-menu-${contract.Id}`).click();
  await page.getByRole('menuitem', { name: 'Actions' }).click();
  await expect(page.getByRole('menuitem', { name: /Expire/ })).toHaveAttribute('aria-disabled', 'true');
  await page.keyboard.press('Escape');

  // The filters live in the URL: a reload shows the same report.
  await page.reload();
  await expect(page.getByLabel('Termination Reason')).toHaveValue('EXPIRED_BY_PARTNER');
  await expect(row).toBeVisible();
  await page.screenshot({ path: '/tmp/lockstep-contract-history.png', fullPage: true });
});

test('a brand schedules the expiry of a contract on a date; the server error detail is shown for a past date', async ({ page }) => {
  await logIn(page, 'brand@bonjour.test');
  await page.goto('/reports/contract-history?status=ACTIVE');
  // Deal Hunter Media's contract with Bonjour Mode France (demo data).
  const row = page.getByRole('row').filter({ hasText: 'Deal Hunter Media' }).first();
  await expect(row).toBeVisible();
  const id = (await row.getAttribute('data-row-id'))!;

  await page.getByTestId(`view-menu-${id}`).click();
  await page.getByRole('menuitem', { name: 'Actions' }).click();
  await page.getByRole('menuitem', { name: 'Expire' }).click();
  const dialog = page.getByRole('dialog', { name: `Expire contract ${id}` });
  await dialog.getByLabel('Expire on a date').check();

  // A date in the past: the browser's min is bypassed by typing; the server says why not.
  const dateInput = dialog.getByLabel('Expiry date');
  await dateInput.evaluate((el) => el.removeAttribute('min'));
  await dateInput.fill('2020-01-01');
  await dialog.getByRole('button', { name: 'Expire contract' }).click();
  await expect(dialog.getByTestId('error-message')).toContainText('is in the past; choose today');

  const nextYear = new Date().getUTCFullYear() + 1;
  await dateInput.fill(`${nextYear}-06-30`);
  await dialog.getByRole('button', { name: 'Expire contract' }).click();
  await expect(dialog).toBeHidden();
  await expect(toast(page, `will expire at the end of ${nextYear}-06-30: Expired by the brand`)).toBeVisible();

  // Still a current contract until then, with its end date and the brand's reason.
  const scheduled = page.getByTestId(`contract-row-${id}`);
  await expect(scheduled.locator('[data-column="Status"]')).toHaveText('Active');
  // In the program's time zone (Bonjour Mode France: Paris, the brand's own too), named.
  await expect(scheduled.locator('[data-column="EndDate"]')).toContainText(`30 Jun ${nextYear}`);
  await expect(scheduled.locator('[data-column="EndDate"]')).toContainText('Europe/Paris');
  await expect(scheduled.locator('[data-column="TerminationReason"]')).toHaveText('Expired by the brand');
});
