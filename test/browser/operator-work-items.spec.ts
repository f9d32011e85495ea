import { expect, test } from '@playwright/test';
import { logIn, mainNav, toast } from './support.js';

interface ApiWorkItem {
  Id: string;
  Kind: string;
  State: string;
  Attempts: number;
  LastError: string | null;
}

/**
 * The demo data has two dead runs of periodic jobs (src/demo/seed-work-items.ts). The
 * operator finds them with their errors, retries the prune-work-items one (harmless: it
 * deletes done items older than a week), sees it leave the list of what needs them, and
 * sees the server's worker run it to DONE.
 */
test('an operator sees failed and dead work items with their errors, and retries one, which the worker then runs', async ({ page }) => {
  await logIn(page, 'operator@lockstep.test');
  await mainNav(page).getByRole('link', { name: 'Work items' }).click();
  await expect(page).toHaveURL(/\/operator\/work-items$/);
  await expect(page.getByRole('heading', { name: 'Work items', exact: true })).toBeVisible();

  const listed = (await (await page.request.get('/api/v1/operator/work-items')).json()) as { Items: ApiWorkItem[] };
  const prune = listed.Items.find((item) => item.Kind === 'prune-work-items' && item.State === 'DEAD');
  const credit = listed.Items.find((item) => item.Kind === 'credit-clicks' && item.State === 'DEAD');
  if (!prune || !credit) throw new Error(`The demo data has no dead prune-work-items and credit-clicks runs: ${JSON.stringify(listed.Items)}`);

  const table = page.getByTestId('operator-work-items');
  const pruneRow = table.getByTestId(`work-item-row-${prune.Id}`);
  const creditRow = table.getByTestId(`work-item-row-${credit.Id}`);
  await expect(pruneRow.locator('[data-column="State"]')).toHaveText('DEAD');
  await expect(pruneRow.locator('[data-column="Attempts"]')).toHaveText('2 of 2');
  await expect(pruneRow.locator('[data-column="LastError"]')).toHaveText('canceling statement due to statement timeout');
  await expect(creditRow.locator('[data-column="LastError"]')).toContainText('Connection terminated unexpectedly');
  await expect(creditRow.locator('[data-column="details"]')).toContainText('progress {"done":1200}');
  await page.screenshot({ path: '/tmp/lockstep-operator-work-items.png' });

  await pruneRow.getByRole('button', { name: `Retry work item ${prune.Id}` }).click();
  await expect(toast(page, `Work item ${prune.Id} (prune-work-items) is queued again, with its attempts from 0.`)).toBeVisible();
  // No longer something that needs an operator; the other dead item still does.
  await expect(pruneRow).toBeHidden();
  await expect(creditRow).toBeVisible();

  // The server's worker runs it at once (the retry wakes it).
  await page.getByLabel('State').selectOption({ label: 'Done' });
  await expect(table.getByTestId(`work-item-row-${prune.Id}`).locator('[data-column="State"]')).toHaveText('DONE', { timeout: 15_000 });
  await expect(table.getByTestId(`work-item-row-${prune.Id}`).locator('[data-column="Attempts"]')).toHaveText('1 of 2');
  await expect(table.getByTestId(`work-item-row-${prune.Id}`).getByRole('button', { name: /Retry/ })).toHaveCount(0);
  const after = (await (await page.request.get(`/api/v1/operator/work-items?state=DONE&kind=prune-work-items`)).json()) as { Items: ApiWorkItem[] };
  expect(after.Items.find((item) => item.Id === prune.Id)).toMatchObject({ State: 'DONE', Attempts: 1 });
});

test('a brand cannot open the operator console’s work items, and the API refuses it', async ({ page }) => {
  await logIn(page, 'brand@acme.test');
  await page.goto('/operator/work-items');
  await expect(page).toHaveURL(/\/home$/);
  const response = await page.request.get('/api/v1/operator/work-items');
  expect(response.status()).toBe(403);
});
