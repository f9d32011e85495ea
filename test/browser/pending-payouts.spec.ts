import { expect, test, type Page } from '@playwright/test';
import {
  actionDetail,
  actionRow,
  detailsPanel,
  eventTypeId,
  expectHistoryEntry,
  historyEntry,
  money,
  moreMenu,
  pickAction,
  pickActions,
  type ApiAction,
} from './actions-support.js';
import { accountIdOf, apiAs, logIn, mainNav, toast } from './support.js';
import type { ActionPage } from '../../src/http/contract/actions.js';
import type { Page as ApiPage } from '../../src/http/contract/common.js';
import type { Conversion } from '../../src/http/contract/conversions.js';

/** Logs in as Acme Outdoor's admin (USD, America/New_York) and returns the account id. */
async function asAcme(page: Page): Promise<number> {
  await logIn(page, 'brand@acme.test');
  return accountIdOf(page.request, 'Acme Outdoor');
}

const saleWithoutItems = (a: ApiAction) => a.EventKind === 'SALE' && a.Items.length === 0;

test('Pending Payouts lists the pending actions with filters, sorting and the row count', async ({ page }) => {
  const acme = await asAcme(page);
  await mainNav(page).getByRole('link', { name: 'Transactions' }).click();
  await page.getByRole('main').getByRole('link', { name: /^Pending Payouts/ }).click();
  await expect(page.getByRole('heading', { name: 'Pending Payouts' })).toBeVisible();
  const table = page.getByTestId('actions-table');
  const count = page.getByTestId('row-count');
  const pending = await apiAs<ActionPage>(page.request, acme, 'GET', '/api/v1/actions?state=PENDING&pageSize=1');
  await expect(count).toHaveText(`1–25 of ${pending.Total} actions`);
  await expect(table.locator('tbody tr [data-column="State"]').first()).toHaveText('Pending');

  // Partner and event type filters narrow the list (Trail Blog, Online Sale of Acme Outdoor US).
  const onlineSale = await eventTypeId(page.request, acme, 'Acme Outdoor US', 'Online Sale');
  await page.getByLabel('Partner').selectOption({ label: 'Trail Blog' });
  await page.getByLabel('Event Type').selectOption(String(onlineSale));
  await expect(page).toHaveURL(/partnerId=\d+.*actionTrackerId=|actionTrackerId=.*partnerId=\d+/);
  const partnerId = new URL(page.url()).searchParams.get('partnerId')!;
  const trail = await apiAs<ActionPage>(page.request, acme, 'GET', `/api/v1/actions?state=PENDING&pageSize=1&partnerId=${partnerId}&actionTrackerId=${onlineSale}`);
  await expect(count).toHaveText(`${trail.Total} actions`);
  for (const cell of await table.locator('tbody [data-column="MediaPartnerName"]').allTextContents()) expect(cell).toBe('Trail Blog');

  // Sorted by sale amount, one way then the other (the header shows the direction).
  const amountHeader = table.getByRole('columnheader', { name: 'Sale Amount' });
  const amounts = async () => (await table.locator('tbody [data-column="Amount"]').allTextContents()).map((t) => Number(t.replace(/[^0-9.]/g, '')));
  const sortedBy = async (direction: string | null) => {
    const a = await amounts();
    const asc = a.every((v, i) => i === 0 || a[i - 1]! <= v);
    const desc = a.every((v, i) => i === 0 || a[i - 1]! >= v);
    return a.length > 1 && (direction === 'ascending' ? asc : desc);
  };
  for (const direction of ['ascending', 'descending']) {
    if ((await amountHeader.getAttribute('aria-sort')) !== direction) await amountHeader.getByRole('button').click();
    await expect(amountHeader).toHaveAttribute('aria-sort', direction);
    await expect(page).toHaveURL(new RegExp(`order=${direction === 'ascending' ? 'asc' : 'desc'}`));
    await expect.poll(() => sortedBy(direction)).toBe(true);
  }

  // Order Id finds one action; a date range that excludes it finds none.
  const [one] = await pickActions(page.request, acme, 1, (a) => a.MediaPartnerName === 'Trail Blog' && a.ActionTrackerId === onlineSale && !!a.OrderId);
  await page.getByLabel('Order Id').fill(one!.OrderId!);
  await page.getByLabel('Order Id').press('Enter');
  await expect(count).toHaveText('1 action');
  await expect(actionRow(page, one!.Id)).toBeVisible();
  await page.getByLabel('Event date to').fill('2020-01-31');
  await expect(count).toHaveText('0 actions');
  await expect(page.getByTestId('table-empty')).toHaveText('No actions match these filters.');
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await expect(count).toHaveText(`1–25 of ${pending.Total} actions`);
  await page.screenshot({ path: '/tmp/lockstep-pending-payouts.png' });
});

test('approve (More → Approve): the action locks, leaves the pending list, and its history shows the approval', async ({ page }) => {
  const acme = await asAcme(page);
  const action = await pickAction(page.request, acme, saleWithoutItems);
  await page.goto(`/transactions/pending-payouts?actionId=${action.Id}`);
  const row = actionRow(page, action.Id);
  await expect(row.locator('[data-column="State"]')).toHaveText('Pending');
  await expect(row.locator('[data-column="Payout"]')).toHaveText(money(action.Payout, 'USD'));

  await moreMenu(page, action.Id, 'Approve');
  const dialog = page.getByRole('dialog', { name: `Approve action ${action.Id}?` });
  await expect(dialog).toContainText('Approving locks it now');
  await page.screenshot({ path: '/tmp/lockstep-approve-dialog.png' });
  await dialog.getByRole('button', { name: 'Approve' }).click();
  await expect(dialog).toBeHidden();
  await expect(toast(page, `Action ${action.Id} approved`)).toBeVisible();

  // Gone from the pending list…
  await expect(row).toHaveCount(0);
  await expect(page.getByTestId('row-count')).toHaveText('0 actions');

  // …and listed as locked, read-only: no checkbox, every change disabled.
  const after = await actionDetail(page.request, acme, action.Id);
  expect(after.State).toBe('APPROVED');
  await page.getByLabel('Status Detail').selectOption('APPROVED');
  await expect(row.locator('[data-column="State"]')).toHaveText(after.StatusDetail);
  await expect(row.getByRole('checkbox')).toHaveCount(0);
  await row.hover();
  await page.getByTestId(`more-${action.Id}`).click();
  await expect(page.getByRole('menuitem', { name: /Reverse/ })).toHaveAttribute('aria-disabled', 'true');
  await expect(page.getByRole('menuitem', { name: /Reverse/ })).toContainText('Locked (approved)');
  await page.keyboard.press('Escape');

  // Double-click opens the details: the approval in the history, no operations offered.
  await row.locator('[data-column="EventDate"]').dblclick();
  const details = detailsPanel(page);
  await expect(details.getByTestId('detail-status')).toContainText(after.StatusDetail);
  await expect(details).toContainText('This action is locked (approved)');
  await expect(details.getByRole('button', { name: 'Approve' })).toHaveCount(0);
  await expectHistoryEntry(historyEntry(page, 'APPROVE'), after.Modifications.find((m) => m.Operation === 'APPROVE')!, 'USD', 'Alex Acme');
});

test('reverse (More → Reverse): a reason is required; the action moves to the Reversed list with its reason', async ({ page }) => {
  const acme = await asAcme(page);
  const action = await pickAction(page.request, acme, saleWithoutItems);
  await page.goto(`/transactions/pending-payouts?actionId=${action.Id}`);
  const row = actionRow(page, action.Id);
  await expect(row).toBeVisible();

  await moreMenu(page, action.Id, 'Reverse');
  const dialog = page.getByRole('dialog', { name: `Reverse action ${action.Id}` });
  const reason = dialog.getByLabel('Reason');
  await expect(reason).toHaveValue('');
  // Without a reason the dialog does not submit.
  await dialog.getByRole('button', { name: 'Reverse' }).click();
  await expect(dialog).toBeVisible();
  expect(await reason.evaluate((el) => (el as unknown as { validity: { valueMissing: boolean } }).validity.valueMissing)).toBe(true);
  await reason.selectOption('CONS_FRAUD');
  await expect(dialog).toContainText('The partner sees the action as Reversed: Customer fraud (Reversed/CONS_FRAUD)');
  await page.screenshot({ path: '/tmp/lockstep-reverse-dialog.png' });
  await dialog.getByRole('button', { name: 'Reverse' }).click();
  await expect(dialog).toBeHidden();
  await expect(toast(page, `Action ${action.Id} reversed: Reversed: Customer fraud`)).toBeVisible();
  await expect(row).toHaveCount(0);

  // The Reversed list shows it with its reason.
  await page.getByRole('navigation', { name: 'Pending Payouts views' }).getByRole('link', { name: 'Reversed' }).click();
  await page.getByLabel('Action Id').fill(action.Id);
  await page.getByLabel('Action Id').press('Enter');
  await expect(row.locator('[data-column="State"]')).toHaveText('Reversed: Customer fraud');
  await page.getByLabel('Status Detail').selectOption('CONS_FRAUD');
  await expect(row).toBeVisible();

  await row.getByRole('button', { name: `Expand action ${action.Id}` }).click();
  const after = await actionDetail(page.request, acme, action.Id);
  const entry = historyEntry(page, 'REVERSE');
  await expectHistoryEntry(entry, after.Modifications.find((m) => m.Operation === 'REVERSE')!, 'USD', 'Alex Acme');
  await expect(entry.locator('[data-column="reason"]')).toHaveText('Customer fraud');
  await expect(entry.locator('[data-column="state"]')).toHaveText('Pending → Reversed');
});

test('modify sales amount: "Modify Item Details" sets a new amount with a reason; the payout is recomputed', async ({ page }) => {
  const acme = await asAcme(page);
  const action = await pickAction(page.request, acme, (a) => saleWithoutItems(a) && Number(a.Amount) > 150);
  await page.goto(`/transactions/pending-payouts?actionId=${action.Id}`);
  const row = actionRow(page, action.Id);
  await row.locator('[data-column="EventDate"]').dblclick();
  const details = detailsPanel(page);
  await expect(details.getByTestId('detail-amount')).toHaveText(money(action.Amount, 'USD'));
  await details.getByRole('button', { name: 'Modify' }).click();

  const dialog = page.getByRole('dialog', { name: 'Modify Item Details' });
  await expect(dialog.getByRole('heading', { name: 'Modify Sales Amount' })).toBeVisible();
  const amount = dialog.getByLabel('New sale amount (USD)');
  await expect(amount).toHaveValue(action.Amount);
  // The amount it already has is explained, not refused (issue 17 item 6).
  await expect(dialog.getByTestId('modify-unchanged')).toContainText(`${money(action.Amount, 'USD')} is the sale amount the action already has`);
  // A bad amount is explained before anything is sent.
  await amount.fill('12.345');
  await dialog.getByLabel('Reason for Modification/Rejection').selectOption('ORDER_UPDATE');
  await dialog.getByRole('button', { name: 'Modify' }).click();
  await expect(dialog).toContainText('USD amounts have at most 2 decimal places.');
  await amount.fill('120.50');
  // The new payout before saving, from the server's dry run with the contract's terms; nothing saved by it.
  const preview = dialog.getByTestId('modify-preview');
  await expect(preview).toContainText('After this change: sale amount $120.50, payout');
  const previewed = (await preview.textContent())!.match(/payout (\$[\d,.]+)/)![1]!;
  expect((await actionDetail(page.request, acme, action.Id)).Modifications).toHaveLength(action.ModificationCount);
  await page.screenshot({ path: '/tmp/lockstep-modify-amount.png' });
  await dialog.getByRole('button', { name: 'Modify' }).click();
  await expect(dialog).toBeHidden();
  await expect(toast(page, `Action ${action.Id} modified`)).toBeVisible();

  const after = await actionDetail(page.request, acme, action.Id);
  expect(after.Amount).toBe('120.50');
  expect(after.Payout).not.toBe(action.Payout);
  expect(money(after.Payout, 'USD')).toBe(previewed);
  // The list and the details show the new amount and payout…
  await expect(row.locator('[data-column="Amount"]')).toHaveText('$120.50');
  await expect(row.locator('[data-column="Payout"]')).toHaveText(money(after.Payout, 'USD'));
  await expect(details.getByTestId('detail-amount')).toHaveText('$120.50');
  await expect(details.getByTestId('detail-payout')).toHaveText(money(after.Payout, 'USD'));
  await expect(details).toContainText(`was ${money(action.Amount, 'USD')}`);
  // …and the history has the modification, with the amounts before and after.
  const m = after.Modifications.find((x) => x.Operation === 'MODIFY_AMOUNT')!;
  expect(m).toMatchObject({ Reason: 'ORDER_UPDATE', AmountBefore: action.Amount, AmountAfter: '120.50', PayoutBefore: action.Payout });
  await expectHistoryEntry(historyEntry(page, 'MODIFY_AMOUNT'), m, 'USD', 'Alex Acme');
  await page.screenshot({ path: '/tmp/lockstep-action-details.png' });
});

test('reject item: one item of an order is rejected with a reason; the action stays pending at the lower amount', async ({ page }) => {
  const acme = await asAcme(page);
  const action = await pickAction(page.request, acme, (a) => a.EventKind === 'SALE' && a.Items.length >= 2);
  await page.goto(`/transactions/pending-payouts?actionId=${action.Id}`);
  const row = actionRow(page, action.Id);
  await moreMenu(page, action.Id, 'Modify');

  const dialog = page.getByRole('dialog', { name: 'Modify Item Details' });
  await expect(dialog.getByTestId(/^modify-item-/)).toHaveCount(action.Items.length);
  await dialog.getByLabel('Reject item 1').check();
  await expect(dialog.getByLabel('New amount of item 1')).toBeDisabled();
  await dialog.getByLabel('Reason for Modification/Rejection').selectOption('ITEM_RETURNED');
  await page.screenshot({ path: '/tmp/lockstep-reject-item.png' });
  await dialog.getByRole('button', { name: 'Modify' }).click();
  await expect(dialog).toBeHidden();
  await expect(toast(page, `Action ${action.Id} modified (item 1 rejected)`)).toBeVisible();

  const after = await actionDetail(page.request, acme, action.Id);
  expect(after.State).toBe('PENDING');
  expect(after.Items[0]!.Rejected).toBe(true);
  await expect(row.locator('[data-column="State"]')).toHaveText('Pending');
  await expect(row.locator('[data-column="Amount"]')).toHaveText(money(after.Amount, 'USD'));

  await row.getByRole('button', { name: `Expand action ${action.Id}` }).click();
  const items = detailsPanel(page).getByTestId('action-items');
  // Items are numbered from 1, as in the API and in files (Sku1 is item 1).
  await expect(items.getByTestId('item-1').locator('[data-column="status"]')).toHaveText('Rejected');
  await expect(items.getByTestId('item-1').locator('[data-column="quantity"]')).toHaveText(`0 of ${action.Items[0]!.Quantity}`);
  await expect(items.getByTestId('item-2').locator('[data-column="status"]')).toHaveText('Accepted');
  expect(after.Items.map((i) => i.Index)).toEqual(action.Items.map((_, n) => n + 1));
  const m = after.Modifications.find((x) => x.Operation === 'REJECT_ITEM')!;
  expect(m.Reason).toBe('ITEM_RETURNED');
  await expectHistoryEntry(historyEntry(page, 'REJECT_ITEM'), m, 'USD', 'Alex Acme');
});

test('Modify Item Details with several changes saves them together, and a refused save keeps none of them', async ({ page }) => {
  const acme = await asAcme(page);
  const [action, lockedMeanwhile] = await pickActions(page.request, acme, 2, (a) => a.EventKind === 'SALE' && a.Items.length >= 2);
  const fill = async (id: string) => {
    await page.goto(`/transactions/pending-payouts?actionId=${id}`);
    await moreMenu(page, id, 'Modify');
    const dialog = page.getByRole('dialog', { name: 'Modify Item Details' });
    await dialog.getByLabel('Reject item 1').check();
    await dialog.getByLabel('New amount of item 2').fill('1.25');
    await dialog.getByLabel('Reason for Modification/Rejection').selectOption('ITEM_RETURNED');
    return dialog;
  };

  const dialog = await fill(action!.Id);
  await expect(dialog.getByTestId('modify-preview')).toContainText('After this change:');
  await dialog.getByRole('button', { name: 'Modify' }).click();
  await expect(dialog).toBeHidden();
  await expect(toast(page, `Action ${action!.Id} modified (item 1 rejected, item 2 re-priced)`)).toBeVisible();
  const after = await actionDetail(page.request, acme, action!.Id);
  expect(after.Items.map((i) => [i.Rejected, i.Amount])).toEqual([[true, '0.00'], [false, '1.25'], ...after.Items.slice(2).map((i) => [i.Rejected, i.Amount])]);
  expect(after.Modifications.slice(-2).map((m) => [m.Operation, m.Reason])).toEqual([
    ['REJECT_ITEM', 'ITEM_RETURNED'],
    ['MODIFY_AMOUNT', 'ITEM_RETURNED'],
  ]);
  await actionRow(page, action!.Id).getByRole('button', { name: `Expand action ${action!.Id}` }).click();
  await expectHistoryEntry(historyEntry(page, 'REJECT_ITEM'), after.Modifications.at(-2)!, 'USD', 'Alex Acme');
  await expectHistoryEntry(historyEntry(page, 'MODIFY_AMOUNT'), after.Modifications.at(-1)!, 'USD', 'Alex Acme');

  // Someone approves the other action while the dialog is open: the save is refused as a whole.
  const second = await fill(lockedMeanwhile!.Id);
  await apiAs(page.request, acme, 'POST', `/api/v1/actions/${lockedMeanwhile!.Id}/approve`, {});
  await second.getByRole('button', { name: 'Modify' }).click();
  await expect(second.getByRole('alert')).toContainText('locked');
  const unchanged = await actionDetail(page.request, acme, lockedMeanwhile!.Id);
  expect(unchanged.Modifications.map((m) => m.Operation)).toEqual(['CREATE', 'APPROVE']);
  expect(unchanged.Items.map((i) => i.Amount)).toEqual(lockedMeanwhile!.Items.map((i) => i.Amount));
});

test('restore: Approve on the Reversed list overrides a reversal; the action is pending again', async ({ page }) => {
  const acme = await asAcme(page);
  const action = await pickAction(page.request, acme, saleWithoutItems);
  await apiAs(page.request, acme, 'POST', `/api/v1/actions/${action.Id}/reverse`, { Reason: 'TEST_ACTION' });

  await page.goto('/transactions/pending-payouts/reversed');
  await page.getByLabel('Action Id').fill(action.Id);
  await page.getByLabel('Action Id').press('Enter');
  const row = actionRow(page, action.Id);
  await expect(row.locator('[data-column="State"]')).toHaveText('Reversed: Test action');
  await moreMenu(page, action.Id, /^Approve/);
  const dialog = page.getByRole('dialog', { name: `Approve reversed action ${action.Id}?` });
  await expect(dialog).toContainText('overrides the reversal');
  await dialog.getByRole('button', { name: 'Approve' }).click();
  await expect(toast(page, `Action ${action.Id} restored: Pending`)).toBeVisible();
  await expect(row).toHaveCount(0);

  // Pending again in the Actions list.
  await page.goto(`/transactions/pending-payouts?actionId=${action.Id}`);
  await expect(row.locator('[data-column="State"]')).toHaveText('Pending');
  await row.getByRole('button', { name: `Expand action ${action.Id}` }).click();
  const after = await actionDetail(page.request, acme, action.Id);
  const entry = historyEntry(page, 'RESTORE');
  await expectHistoryEntry(entry, after.Modifications.find((m) => m.Operation === 'RESTORE')!, 'USD', 'Alex Acme');
  await expect(entry.locator('[data-column="state"]')).toHaveText('Reversed → Pending');
  // The earlier reversal stays in the history.
  await expect(historyEntry(page, 'REVERSE').locator('[data-column="reason"]')).toHaveText('Test action');
});

test('reset: a modified action goes back to its original amount and payout', async ({ page }) => {
  const acme = await asAcme(page);
  const action = await pickAction(page.request, acme, saleWithoutItems);
  await apiAs(page.request, acme, 'POST', `/api/v1/actions/${action.Id}/modify`, { Reason: 'ORDER_ERROR', Amount: '1.00' });

  await page.goto(`/transactions/pending-payouts?actionId=${action.Id}`);
  const row = actionRow(page, action.Id);
  await expect(row.locator('[data-column="Amount"]')).toHaveText('$1.00');
  await moreMenu(page, action.Id, 'Reset');
  const dialog = page.getByRole('dialog', { name: `Reset action ${action.Id}?` });
  await expect(dialog).toContainText(`sale amount ${money(action.Amount, 'USD')} (now $1.00)`);
  await dialog.getByRole('button', { name: 'Reset' }).click();
  await expect(toast(page, `Action ${action.Id} reset`)).toBeVisible();

  await expect(row.locator('[data-column="Amount"]')).toHaveText(money(action.Amount, 'USD'));
  await expect(row.locator('[data-column="Payout"]')).toHaveText(money(action.Payout, 'USD'));
  await row.locator('[data-column="EventDate"]').dblclick();
  const after = await actionDetail(page.request, acme, action.Id);
  const m = after.Modifications.find((x) => x.Operation === 'RESET')!;
  expect(m).toMatchObject({ AmountBefore: '1.00', AmountAfter: action.Amount, PayoutAfter: action.Payout });
  await expectHistoryEntry(historyEntry(page, 'RESET'), m, 'USD', 'Alex Acme');
  await expect(historyEntry(page, 'MODIFY_AMOUNT').locator('[data-column="reason"]')).toHaveText('Order error');
  // Nothing left to reset.
  await expect(detailsPanel(page).getByRole('button', { name: 'Reset' })).toBeDisabled();
});

test('bulk approve: selected actions are approved together, with an outcome per action', async ({ page }) => {
  const acme = await asAcme(page);
  // Three untouched Online Sale actions of Trail Blog in Acme Outdoor US.
  const onlineSale = await eventTypeId(page.request, acme, 'Acme Outdoor US', 'Online Sale');
  const picked = await pickActions(page.request, acme, 3, (a) => a.MediaPartnerName === 'Trail Blog' && a.ActionTrackerId === onlineSale);
  await page.goto('/transactions/pending-payouts?pageSize=100');
  await page.getByLabel('Partner').selectOption({ label: 'Trail Blog' });
  await page.getByLabel('Event Type').selectOption(String(onlineSale));
  // Select once the filtered list is shown (a new list starts with nothing selected).
  const filteredTotal = await apiAs<ActionPage>(
    page.request,
    acme,
    'GET',
    `/api/v1/actions?state=PENDING&pageSize=1&partnerId=${picked[0]!.MediaPartnerId}&actionTrackerId=${onlineSale}`,
  );
  await expect(page.getByTestId('row-count')).toHaveText(`${filteredTotal.Total} actions`);
  for (const a of picked) await page.getByRole('checkbox', { name: `Select action ${a.Id}` }).check();
  const bar = page.getByTestId('bulk-bar');
  await expect(bar.getByTestId('selected-count')).toHaveText('3 selected');

  // Meanwhile one of them gets approved elsewhere: the bulk operation reports it as refused.
  const [early, ...rest] = picked;
  await apiAs(page.request, acme, 'POST', `/api/v1/actions/${early!.Id}/approve`, {});

  await bar.getByRole('button', { name: 'Approve selected' }).click();
  const dialog = page.getByRole('dialog', { name: 'Approve 3 selected actions?' });
  await dialog.getByRole('button', { name: 'Approve 3' }).click();
  await expect(dialog).toBeHidden();
  const outcome = page.getByTestId('bulk-outcome');
  await expect(outcome.getByTestId('bulk-summary')).toHaveText('2 approved, 1 refused:');
  await expect(outcome.getByTestId(`bulk-refusal-${early!.Id}`)).toContainText('locked');
  await page.screenshot({ path: '/tmp/lockstep-bulk-outcome.png' });
  await expect(bar).toHaveCount(0);

  // All three are locked now.
  await page.getByLabel('Status Detail').selectOption('APPROVED');
  for (const a of picked) await expect(actionRow(page, a.Id).locator('[data-column="State"]')).toHaveText(/^Approved\//);
  await actionRow(page, rest[0]!.Id).getByRole('button', { name: `Expand action ${rest[0]!.Id}` }).click();
  const after = await actionDetail(page.request, acme, rest[0]!.Id);
  await expectHistoryEntry(historyEntry(page, 'APPROVE'), after.Modifications.find((m) => m.Operation === 'APPROVE')!, 'USD', 'Alex Acme');
});

test('a cost-per-click action cannot be reversed by the brand: the UI says it needs support, and the server agrees', async ({ page }) => {
  const acme = await asAcme(page);
  const action = await pickAction(page.request, acme, (a) => a.EventKind === 'CLICK');
  await page.goto(`/transactions/pending-payouts?actionId=${action.Id}`);
  const row = actionRow(page, action.Id);
  await expect(row.locator('[data-column="EventTypeName"]')).toContainText('CPC');

  await row.hover();
  await page.getByTestId(`more-${action.Id}`).click();
  const reverse = page.getByRole('menuitem', { name: /Reverse/ });
  await expect(reverse).toHaveAttribute('aria-disabled', 'true');
  await expect(reverse).toContainText('Reversing a cost-per-click action needs support');
  await page.screenshot({ path: '/tmp/lockstep-cpc-menu.png' });
  await page.keyboard.press('Escape');

  await row.getByRole('button', { name: `Expand action ${action.Id}` }).click();
  const details = detailsPanel(page);
  await expect(details.getByTestId('cpc-note')).toContainText('needs support');
  await expect(details.getByRole('button', { name: 'Reverse' })).toBeDisabled();
  await details.getByRole('button', { name: 'Close details' }).click();
  await expect(details).toHaveCount(0);

  // A bulk reversal asks the server anyway, which refuses with its explanation.
  await page.getByRole('checkbox', { name: `Select action ${action.Id}` }).check();
  await page.getByTestId('bulk-bar').getByRole('button', { name: 'Reverse selected' }).click();
  const dialog = page.getByRole('dialog', { name: 'Reverse 1 selected action' });
  await dialog.getByLabel('Reason').selectOption('CONS_FRAUD');
  await dialog.getByRole('button', { name: 'Reverse 1' }).click();
  const outcome = page.getByTestId('bulk-outcome');
  await expect(outcome.getByTestId('bulk-summary')).toHaveText('0 reversed, 1 refused:');
  await expect(outcome.getByTestId(`bulk-refusal-${action.Id}`)).toContainText('cpc_needs_operator');
  await expect(outcome.getByTestId(`bulk-refusal-${action.Id}`)).toContainText('reversing it needs support');
  await expect(row.locator('[data-column="State"]')).toHaveText('Pending');
});

test('rejected conversions are listed with their reason, so none is dropped silently', async ({ page }) => {
  const acme = await asAcme(page);
  const rejected = await apiAs<ApiPage<Conversion>>(
    page.request,
    acme,
    'GET',
    '/api/v1/conversions?status=REJECTED&pageSize=100',
  );
  expect(rejected.Total).toBeGreaterThan(0);
  await page.goto('/transactions/pending-payouts');
  await page.getByRole('navigation', { name: 'Pending Payouts views' }).getByRole('link', { name: 'Rejected conversions' }).click();
  const table = page.getByTestId('rejected-conversions');
  await expect(page.getByTestId('row-count')).toContainText(`${rejected.Total} rejected conversion`);
  const first = rejected.Items[0]!;
  const row = table.getByTestId(`conversion-row-${first.Id}`);
  await expect(row.locator('[data-column="RejectReason"]')).toContainText(first.RejectReason!);
  await expect(row.locator('[data-column="OrderId"]')).toHaveText(first.OrderId);

  const unknown = rejected.Items.find((c) => c.RejectReason === 'UNKNOWN_CLICK');
  if (unknown) {
    await page.getByLabel('Reject Reason').selectOption('UNKNOWN_CLICK');
    await expect(table.getByTestId(`conversion-row-${unknown.Id}`)).toContainText('The click id is not one of this program’s clicks.');
  }
  await page.screenshot({ path: '/tmp/lockstep-rejected-conversions.png' });
});
