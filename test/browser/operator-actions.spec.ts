import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { apiSession, expectHistoryEntry, untouched, type ApiAction, type ApiActionDetail } from './actions-support.js';
import { logIn, mainNav, toast, unique } from './support.js';
import type { Page as ApiPage } from '../../src/http/contract/common.js';
import type { ActionPage } from '../../src/http/contract/actions.js';
import type { Contract } from '../../src/http/contract/contracts.js';

type ApiContract = Contract;

/** Operators act for no account: their API calls carry no Lockstep-Account header. */
async function asOperator<T>(request: APIRequestContext, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const response = await request.fetch(path, { method, ...(body === undefined ? {} : { data: body }) });
  if (!response.ok()) throw new Error(`${method} ${path} answered ${response.status()}: ${await response.text()}`);
  return (await response.json()) as T;
}

/**
 * Pending actions no other test touches: untouched (see actions-support.ts), newest first,
 * where the brands' tests pick the oldest first.
 */
async function newestUntouched(request: APIRequestContext, query: Record<string, string>, predicate: (a: ApiAction) => boolean): Promise<ApiAction> {
  const params = new URLSearchParams({ state: 'PENDING', pageSize: '200', sort: 'Id', order: 'desc', ...query });
  const page = await asOperator<ActionPage>(request, 'GET', `/api/v1/actions?${params}`);
  const found = page.Items.find((a) => untouched(a) && predicate(a));
  if (!found) throw new Error(`The demo data has no untouched pending action of the kind this test needs (${params}).`);
  return found;
}

async function findAction(page: Page, id: string): Promise<void> {
  await page.getByLabel('Action Id').fill(id);
  await page.getByRole('button', { name: 'Find action' }).click();
  await expect(page.getByRole('heading', { name: `Action ${id}` })).toBeVisible();
}

function historyRow(page: Page, operation: string) {
  return page.getByTestId('operator-action').getByTestId('modification-history').locator(`tbody tr[data-operation="${operation}"]`).first();
}

test('an operator reverses a pending cost-per-click action with a reason, after a confirmation', async ({ page }) => {
  await logIn(page, 'operator@lockstep.test');
  const action = await newestUntouched(page.request, {}, (a) => a.EventKind === 'CLICK');

  await mainNav(page).getByRole('link', { name: 'Actions' }).click();
  await expect(page).toHaveURL(/\/operator\/actions$/);
  await expect(page.getByRole('heading', { name: 'Actions', exact: true })).toBeVisible();
  await findAction(page, action.Id);
  await expect(page).toHaveURL(new RegExp(`id=${action.Id}`));
  const card = page.getByTestId('operator-action');
  await expect(card).toContainText(`${action.CampaignName} · ${action.EventTypeName} · ${action.MediaPartnerName}`);
  await expect(card.getByTestId('detail-status')).toContainText('Pending');

  await card.getByRole('button', { name: 'Reverse CPC…' }).click();
  const dialog = page.getByRole('dialog', { name: `Reverse CPC action ${action.Id}` });
  // A reason first: without one the dialog says so and stays on the first step.
  await dialog.getByRole('button', { name: 'Continue' }).click();
  await expect(dialog).toBeVisible();
  await dialog.getByLabel('Reason').selectOption('CONS_FRAUD');
  await expect(dialog).toContainText('The partner sees the action as Reversed: Customer fraud (Reversed/CONS_FRAUD).');
  await dialog.getByRole('button', { name: 'Continue' }).click();
  await expect(dialog.getByTestId('reverse-cpc-review')).toContainText(`Reverse cost-per-click action ${action.Id} of ${action.MediaPartnerName} with reason CONS_FRAUD?`);
  await page.screenshot({ path: '/tmp/lockstep-operator-reverse-cpc.png' });
  await dialog.getByRole('button', { name: 'Reverse CPC action' }).click();
  await expect(dialog).toBeHidden();
  await expect(toast(page, `Action ${action.Id} reversed: Reversed: Customer fraud`)).toBeVisible();

  // Reversed now: the status, the history entry, and nothing more to do.
  await expect(card.getByTestId('detail-status')).toContainText('Reversed: Customer fraud');
  const after = await asOperator<ApiActionDetail>(page.request, 'GET', `/api/v1/actions/${action.Id}`);
  expect(after.State).toBe('REVERSED');
  const m = after.Modifications.find((x) => x.Operation === 'REVERSE_CPC')!;
  expect(m).toMatchObject({ Reason: 'CONS_FRAUD', StateBefore: 'PENDING', StateAfter: 'REVERSED' });
  const entry = historyRow(page, 'REVERSE_CPC');
  await expectHistoryEntry(entry, m, action.Currency, 'Olivia Operator');
  await expect(entry.locator('[data-column="state"]')).toHaveText('Pending → Reversed');
  await expect(card.getByRole('button', { name: 'Reverse CPC…' })).toBeDisabled();
  await expect(card.getByRole('button', { name: 'Re-attribute…' })).toBeDisabled();
  await expect(card.getByTestId('operations-blocked')).toContainText('Reversed: only pending actions');
  await page.screenshot({ path: '/tmp/lockstep-operator-action.png', fullPage: true });
});

test('an operator re-attributes a pending sale to another partner; a partner without a contract is refused with the server’s detail', async ({ page, playwright }) => {
  await logIn(page, 'operator@lockstep.test');
  // Acme Outdoor US: Trail Blog and Deal Hunter Media both have an active contract (demo data).
  const contracts = await asOperator<ApiPage<ApiContract>>(page.request, 'GET', '/api/v1/contracts?status=ACTIVE&pageSize=500');
  const contractOf = (partner: string) => contracts.Items.find((c) => c.CampaignName === 'Acme Outdoor US' && c.MediaPartnerName === partner);
  const trail = contractOf('Trail Blog');
  const deals = contractOf('Deal Hunter Media');
  if (!trail || !deals) throw new Error('The demo data has no active Acme Outdoor US contracts of Trail Blog and Deal Hunter Media.');
  // A sale of Trail Blog dated when Deal Hunter Media's contract was already in force.
  const action = await newestUntouched(
    page.request,
    { programId: String(trail.CampaignId), partnerId: String(trail.MediaPartnerId) },
    (a) => a.EventKind === 'SALE' && Date.parse(a.EventDate) >= Date.parse(deals.StartDate),
  );
  // A partner with no contract at all, to see the refusal.
  const stranger = `No Contract Media ${unique()}`;
  await asOperator(page.request, 'POST', '/api/v1/operator/accounts', {
    Kind: 'PARTNER',
    Name: stranger,
    TimeZone: 'UTC',
    Currency: 'USD',
    Admin: { Email: `${unique()}@nocontract.test`, Name: 'Nico Contract' },
  });

  await page.goto(`/operator/actions?id=${action.Id}`);
  const card = page.getByTestId('operator-action');
  await expect(card.getByTestId('detail-partner')).toHaveText(`Trail Blog (${trail.MediaPartnerId})`);
  // A sale is not reversed by support: the brand does that.
  await expect(card.getByRole('button', { name: 'Reverse CPC…' })).toBeDisabled();

  await card.getByRole('button', { name: 'Re-attribute…' }).click();
  const dialog = page.getByRole('dialog', { name: `Re-attribute action ${action.Id}` });
  // The partner credited now cannot be chosen.
  await dialog.getByLabel('Search partners').fill('Trail Blog');
  await expect(dialog.getByRole('radio', { name: /Trail Blog/ })).toBeDisabled();
  await dialog.getByLabel('Search partners').fill(stranger);
  await dialog.getByRole('radio', { name: new RegExp(stranger) }).check();
  await dialog.getByLabel('Reason').selectOption('PUB_ACT_DISPUTE');
  await dialog.getByRole('button', { name: 'Continue' }).click();
  await dialog.getByRole('button', { name: 'Re-attribute', exact: true }).click();
  await expect(dialog.getByTestId('error-message')).toContainText('had no contract with program');
  await page.screenshot({ path: '/tmp/lockstep-operator-reattribute-refused.png' });

  // Back to the choice: Deal Hunter Media, which has a contract in force at the event date.
  await dialog.getByRole('button', { name: 'Back' }).click();
  await dialog.getByLabel('Search partners').fill('Deal Hunter');
  await dialog.getByRole('radio', { name: /Deal Hunter Media/ }).check();
  await expect(dialog.getByLabel('Reason')).toHaveValue('PUB_ACT_DISPUTE');
  await dialog.getByRole('button', { name: 'Continue' }).click();
  await expect(dialog.getByTestId('reattribute-review')).toContainText(`Credit action ${action.Id} to Deal Hunter Media instead of Trail Blog?`);
  await page.screenshot({ path: '/tmp/lockstep-operator-reattribute.png' });
  await dialog.getByRole('button', { name: 'Re-attribute', exact: true }).click();
  await expect(dialog).toBeHidden();
  await expect(toast(page, `Action ${action.Id} re-attributed to Deal Hunter Media`)).toBeVisible();

  // The action is Deal Hunter Media's now, under its contract, still pending.
  await expect(card.getByTestId('detail-partner')).toHaveText(`Deal Hunter Media (${deals.MediaPartnerId})`);
  await expect(card.getByTestId('detail-status')).toContainText('Pending');
  const after = await asOperator<ApiActionDetail>(page.request, 'GET', `/api/v1/actions/${action.Id}`);
  expect(after).toMatchObject({ State: 'PENDING', MediaPartnerName: 'Deal Hunter Media', ContractId: deals.Id });
  const m = after.Modifications.find((x) => x.Operation === 'REATTRIBUTE')!;
  expect(m.Reason).toBe('PUB_ACT_DISPUTE');
  const entry = historyRow(page, 'REATTRIBUTE');
  await expectHistoryEntry(entry, m, action.Currency, 'Olivia Operator');
  await expect(entry.locator('[data-column="reattribution"]')).toHaveText('Trail Blog → Deal Hunter Media');

  // A reload names both partners too (the history gives their account ids).
  await page.reload();
  await expect(historyRow(page, 'REATTRIBUTE').locator('[data-column="reattribution"]')).toHaveText('Trail Blog → Deal Hunter Media');
  await page.screenshot({ path: '/tmp/lockstep-operator-reattributed.png', fullPage: true });

  // The brand sees the action under its new partner.
  const brand = await apiSession(playwright, test.info().project.use.baseURL, 'brand@acme.test');
  try {
    const acme = await brand.accountId('Acme Outdoor');
    const seen = await brand.request.get(`/api/v1/actions/${action.Id}`, { headers: { 'Lockstep-Account': String(acme) } });
    expect(((await seen.json()) as { MediaPartnerName: string }).MediaPartnerName).toBe('Deal Hunter Media');
  } finally {
    await brand.request.dispose();
  }
});
