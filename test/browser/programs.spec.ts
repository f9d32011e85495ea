import { expect, test } from '@playwright/test';
import { logIn, mainNav, toast, unique } from './support.js';

test('a brand creates a program, adds event types and publishes template terms', async ({ page }) => {
  const programName = `Bonjour Outlet ${unique()}`;
  await logIn(page, 'brand@bonjour.test');
  await mainNav(page).getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('navigation', { name: 'Settings pages' }).getByRole('link', { name: 'Programs' }).click();

  await page.getByRole('button', { name: 'New program' }).click();
  const create = page.getByRole('dialog', { name: 'New program' });
  await create.getByLabel('Program name').fill(programName);
  await expect(create.getByLabel('Currency')).toHaveValue('EUR');
  await expect(create.getByLabel('Time zone')).toHaveValue('Europe/Paris');
  await create.getByRole('button', { name: 'Create program' }).click();
  await expect(page.getByRole('heading', { name: programName })).toBeVisible();

  // Event types.
  for (const [name, kind] of [
    ['Online Sale', 'SALE'],
    ['Newsletter', 'LEAD'],
  ] as const) {
    await page.getByRole('button', { name: 'Add event type' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add event type' });
    await dialog.getByLabel('Event type name').fill(name);
    await dialog.getByLabel('Kind').selectOption(kind);
    await dialog.getByRole('button', { name: 'Add event type' }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByTestId('event-types-table').getByRole('cell', { name, exact: true })).toBeVisible();
  }

  // Template terms: payouts per event type, a payout group, the locking rule (days form) and the payment schedule.
  await page.getByRole('link', { name: 'Publish terms' }).first().click();
  await expect(page.getByRole('heading', { name: 'Publish template terms' })).toBeVisible();
  await page.getByLabel('Terms name').fill('Launch terms');
  await page.getByLabel('Online Sale: percent').fill('150');
  await page.getByRole('button', { name: '+ Payout group' }).first().click();
  await page.getByLabel('Online Sale group 1: name').fill('Clearance');
  await page.getByLabel('Online Sale group 1: values').fill('Clearance, Outlet');
  await page.getByLabel('Online Sale group 1: percent').fill('4');
  await page.getByLabel('Newsletter: amount in EUR').fill('1.50');
  await page.getByRole('radio', { name: /after the end of the day they are tracked/ }).check();
  await page.getByLabel('Locking days after the day').fill('14');
  await page.getByLabel('Payment months').fill('1');
  await page.getByLabel('Payment days').fill('5');
  await expect(page.getByText('Locked 14 days after the end of the day they are tracked.')).toBeVisible();
  await expect(page.getByText('Paid 1 month and 5 days after the end of the month they lock.')).toBeVisible();

  // The server's validation detail is shown as it is.
  await page.getByRole('button', { name: 'Publish terms' }).click();
  await expect(page.getByTestId('error-message')).toContainText('percent');
  await page.screenshot({ path: '/tmp/lockstep-terms-editor.png', fullPage: true });

  await page.getByLabel('Online Sale: percent').fill('12.5');
  await page.getByRole('button', { name: 'Publish terms' }).click();
  await expect(toast(page, 'Terms “Launch terms” published')).toBeVisible();
  await expect(page.getByRole('heading', { name: programName })).toBeVisible();
  const card = page.locator('[data-testid^="terms-"]').filter({ hasText: 'Launch terms' });
  await expect(card).toContainText('12.5%');
  await expect(card).toContainText('Clearance');
  await expect(card).toContainText('1.50 EUR');
  await expect(card).toContainText('Locked 14 days after the end of the day they are tracked.');
  await expect(card).toContainText('Paid 1 month and 5 days after the end of the month they lock.');

  // The brand's Home lists the new program with its event types and terms.
  await mainNav(page).getByRole('link', { name: 'Home' }).click();
  await expect(page.getByRole('heading', { name: programName })).toBeVisible();
});

test('a partner joins a program from Home: picks template terms, confirms, and has a new contract', async ({ page }) => {
  await logIn(page, 'partner@deals.test');
  await expect(page.getByRole('heading', { name: /Welcome back/ })).toBeVisible();
  const programs = page.getByTestId('joinable-programs');
  const canada = programs.getByRole('row').filter({ hasText: 'Acme Outdoor Canada' });
  await canada.getByRole('button', { name: 'Join Acme Outdoor Canada' }).click();

  const dialog = page.getByRole('dialog', { name: 'Join Acme Outdoor Canada' });
  await dialog.getByRole('radio', { name: /Canada launch/ }).check();
  await dialog.getByRole('button', { name: 'Continue' }).click();
  const review = page.getByRole('dialog', { name: 'Review and accept' });
  await expect(review).toContainText('Canada launch');
  await review.getByRole('button', { name: 'Accept terms and join' }).click();
  await expect(toast(page, /Contract \d+ created: you joined Acme Outdoor Canada/)).toBeVisible();

  await expect(canada.getByRole('button', { name: 'Change terms of Acme Outdoor Canada' })).toBeVisible();
  await expect(page.getByTestId('active-contracts').getByRole('cell', { name: 'Acme Outdoor Canada' })).toBeVisible();
});
