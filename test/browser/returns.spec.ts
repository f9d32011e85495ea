import fs from 'node:fs';
import { expect, test } from '@playwright/test';
import { apiSession, eventTypeId, pickActions } from './actions-support.js';
import { apiAs, logIn, parseCsv, switchAccount, toast } from './support.js';
import type { ActionDetail } from '../../src/http/contract/actions.js';
import type { BrandEventTypeDetail } from '../../src/http/contract/event-types.js';

/**
 * Returns processing end to end (issue 13, "Shows it works"): Acme Outdoor's admin sets an
 * event type's Returns Processing in Settings → Event types (a refusal shown at its field,
 * then saved, audited and listed), uploads an order-level CSV against demo actions on
 * Transactions → Returns batches, follows the batch to Done, reads its outcomes, filters
 * the rows by outcome, opens an action from a row, downloads the result file and checks
 * its rows, and the actions changed as the file said.
 */
test('an event type’s Returns Processing, an order-level file uploaded, its progress, outcomes and result', async ({ page, playwright, baseURL }) => {
  const api = await apiSession(playwright, baseURL, 'brand@acme.test');
  const acme = await api.accountId('Acme Outdoor');
  const saleId = await eventTypeId(api.request, acme, 'Acme Outdoor Canada', 'Online Sale');
  const [modified, reversed] = await pickActions(api.request, acme, 2, (a) => a.ActionTrackerId === saleId && a.OrderId !== null && a.EventKind === 'SALE' && Number(a.Amount) >= 20);
  const newAmount = (Number(modified!.Amount) / 2).toFixed(2);

  await logIn(page, 'brand@acme.test');
  await switchAccount(page, 'Acme Outdoor');

  // --- Settings → Event types → More → Edit Returns Processing ------------------------------
  await page.goto('/settings/event-types');
  const row = page.getByTestId(`event-type-${saleId}`);
  await expect(row).toContainText('Acme Outdoor Canada');
  await row.hover();
  await page.getByTestId(`event-type-more-${saleId}`).click();
  await page.getByRole('menuitem', { name: 'View / Edit' }).click();
  await expect(page).toHaveURL(new RegExp(`/settings/event-types/${saleId}$`));
  await expect(page.getByTestId('returns-processing-value')).toContainText('API');
  await page.getByTestId('returns-processing-value').getByRole('button', { name: 'Edit' }).click();
  const dialog = page.getByTestId('returns-processing-dialog');
  await expect(dialog.getByRole('radio')).toHaveCount(5);
  await dialog.getByRole('radio', { name: /Pull from the brand's server/ }).check();
  // The pull channel runs (issue 14 item 2); its credentials and Test connection come once the settings are saved.
  await expect(dialog).not.toContainText('This channel is not running yet');
  await expect(dialog.getByTestId('pull-panel-hint')).toBeVisible();
  await dialog.getByLabel('Host', { exact: true }).fill('not a host');
  await dialog.getByLabel('Username', { exact: true }).fill('acme');
  await dialog.getByLabel('Folder', { exact: true }).fill('/home/acme/returns');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog.getByTestId('pull-settings').getByRole('alert')).toHaveText(/Host "not a host" is not a host name/);
  await expect(dialog.getByTestId('error-message')).toHaveText('Fix the fields marked above, then save again.');
  await dialog.getByLabel('Host', { exact: true }).fill('sftp.acme.example');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();
  await expect(toast(page, /Returns Processing of Online Sale/)).toBeVisible();
  await expect(page.getByTestId('returns-processing-value')).toContainText("Pull from the brand's server");
  await expect(page.getByTestId('returns-processing-value')).not.toContainText('not running yet');
  await expect(page.getByTestId('returns-processing-history')).toContainText('Method: API → SFTP_PULL');
  await expect(page.getByTestId('returns-processing-history')).toContainText('Host: (none) → sftp.acme.example');

  // Back to API (the channel that runs today), through the same dialog.
  await page.getByTestId('returns-processing-value').getByRole('button', { name: 'Edit' }).click();
  await dialog.getByRole('radio', { name: /^API/ }).check();
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('returns-processing-value')).not.toContainText('not running yet');
  const detail = await apiAs<BrandEventTypeDetail>(api.request, acme, 'GET', `/api/v1/event-types/${saleId}`);
  expect(detail.ReturnsProcessing.Method).toBe('API');
  expect(detail.ReturnsProcessingHistory.slice(0, 2).map((h) => h.Method)).toEqual(['API', 'SFTP_PULL']);

  // --- Transactions → Returns batches: upload an order-level CSV ----------------------------
  const fileName = `Batch_Mods_Reversals_${Date.now()}.csv`;
  const csv = [
    'Oid,ActionTrackerId,Amount,Reason',
    `${modified!.OrderId},${saleId},${newAmount},ITEM_RETURNED`,
    `${reversed!.OrderId},${saleId},0,CONS_FRAUD`,
    `NO-SUCH-ORDER-${Date.now()},${saleId},10.00,ORDER_UPDATE`,
  ].join('\r\n');
  await page.goto('/transactions/returns-batches');
  await page.getByTestId('upload-open').click();
  const upload = page.getByTestId('upload-dialog');
  await upload.getByTestId('upload-event-type').selectOption(String(saleId));
  await upload.getByTestId('upload-file').setInputFiles({ name: fileName, mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await upload.getByRole('button', { name: 'Upload' }).click();
  await expect(toast(page, `${fileName} received`)).toBeVisible();
  await expect(page).toHaveURL(/\/transactions\/returns-batches\/\d+$/);
  const batchId = page.url().split('/').pop()!;

  // Its status: a progress bar while it runs (polled), then Done with its counts.
  const status = page.getByTestId(`batch-status-${batchId}`).first();
  await expect(status).toHaveAttribute('data-status', /RECEIVED|RUNNING|DONE/);
  await expect(status).toHaveAttribute('data-status', 'DONE', { timeout: 30_000 });
  await expect(page.getByTestId(`batch-progress-${batchId}`)).toHaveCount(0);
  await expect(page.getByTestId('outcome-filter-APPLIED')).toHaveText('Applied 2');
  await expect(page.getByTestId('outcome-filter-NOT_FOUND')).toHaveText('Not found 1');
  await expect(page.getByTestId('batch-rows-table').locator('tbody tr')).toHaveCount(3);

  // Filter by outcome: only the row whose order does not exist.
  await page.getByTestId('outcome-filter-NOT_FOUND').click();
  await expect(page.getByTestId('batch-rows-table').locator('tbody tr')).toHaveCount(1);
  await expect(page.getByTestId('batch-row-3')).toContainText('Not found');
  await page.getByTestId('outcome-filter-NOT_FOUND').click();
  await expect(page.getByTestId('batch-rows-table').locator('tbody tr')).toHaveCount(3);

  // A row's action opens in the details panel, reversed as the file said.
  await page.getByTestId(`row-action-${reversed!.Id}`).click();
  await expect(page.getByTestId('detail-status')).toContainText('Reversed');
  await page.keyboard.press('Escape');

  // The list shows the batch with its channel, event type and counts.
  await page.goto('/transactions/returns-batches');
  const listed = page.getByTestId(`batch-${batchId}`);
  await expect(listed).toContainText(fileName);
  await expect(listed).toContainText('Browser upload');
  await expect(listed).toContainText('Online Sale');
  await expect(listed.getByTestId('count-APPLIED')).toHaveText('Applied 2');

  // --- The result file: every input column plus Outcome, ActionId, Message -----------------
  await listed.getByTestId(`batch-link-${batchId}`).click();
  const downloading = page.waitForEvent('download');
  await page.getByTestId('download-result').click();
  const download = await downloading;
  expect(download.suggestedFilename()).toContain('result_');
  const result = parseCsv(fs.readFileSync((await download.path())!, 'utf8'));
  expect(result.header).toEqual(expect.arrayContaining(['Oid', 'ActionTrackerId', 'Amount', 'Reason', 'Outcome', 'ActionId', 'Message']));
  expect(result.rows.map((r) => [r.Oid, r.Outcome, r.ActionId])).toEqual([
    [modified!.OrderId, 'APPLIED', modified!.Id],
    [reversed!.OrderId, 'APPLIED', reversed!.Id],
    [expect.stringMatching(/^NO-SUCH-ORDER-/), 'NOT_FOUND', ''],
  ]);

  // And the actions are as the file said: a new sale amount, and a reversal with its reason.
  const after1 = await apiAs<ActionDetail>(api.request, acme, 'GET', `/api/v1/actions/${modified!.Id}`);
  expect(after1).toMatchObject({ State: 'PENDING', Amount: newAmount });
  const after2 = await apiAs<ActionDetail>(api.request, acme, 'GET', `/api/v1/actions/${reversed!.Id}`);
  expect(after2).toMatchObject({ State: 'REVERSED', ReversalReason: 'CONS_FRAUD' });
  await api.request.dispose();
});
