/**
 * Issue 17, items 1, 2 and 11: every main page at 1360, 800 and 390 px. At each width the
 * page does not scroll sideways (wide tables scroll inside their own frame), its heading
 * and main content are visible, and its title names it; below 960 px the main navigation
 * folds into the Menu button. A screenshot of each page at each width is kept as a test
 * artifact (test-results/<test>/<page>-<width>.png, attached to the report). The
 * accessibility check (axe, WCAG 2.1 A and AA rules) runs on every page at 1360 and
 * 390 px and fails on any serious or critical violation.
 */
import { AxeBuilder } from '@axe-core/playwright';
import { expect, type Page, type TestInfo, test } from '@playwright/test';
import { logIn, switchAccount } from './support.js';

interface MainPage {
  path: string;
  /** The page's own heading. */
  heading: string | RegExp;
  /** The document title's first part. */
  title: string;
  /** The page's main content (a table or a region), by test id. */
  content?: string;
}

interface Persona {
  login: string;
  account?: string;
  accountName: string;
  pages: MainPage[];
}

const PERSONAS: Persona[] = [
  {
    login: 'brand@acme.test',
    accountName: 'Acme Outdoor',
    pages: [
      { path: '/home', heading: /Welcome/, title: 'Home' },
      { path: '/transactions/pending-payouts', heading: 'Pending Payouts', title: 'Pending Payouts', content: 'actions-table' },
      { path: '/reports/contract-history', heading: 'Contract History', title: 'Contract History', content: 'contract-history' },
      { path: '/reports/schedules', heading: 'Schedules', title: 'Schedules', content: 'schedules-table' },
      { path: '/finance/statements', heading: 'Statements', title: 'Statements' },
      { path: '/settings/programs', heading: 'Programs', title: 'Programs' },
      { path: '/settings/users', heading: 'Users', title: 'Users' },
      { path: '/settings/credentials', heading: 'API credentials', title: 'API credentials' },
      { path: '/settings/account', heading: /Acme Outdoor|Account/, title: 'Account' },
    ],
  },
  {
    login: 'partner@trail.test',
    account: 'Trail Blog',
    accountName: 'Trail Blog',
    pages: [
      { path: '/home', heading: /Welcome/, title: 'Home' },
      { path: '/transactions/actions', heading: 'Actions', title: 'Actions' },
      { path: '/transactions/links', heading: 'Links', title: 'Links', content: 'links-table' },
      { path: '/reports/contract-history', heading: 'Contract History', title: 'Contract History', content: 'contract-history' },
      { path: '/finance/withdrawals', heading: 'Withdrawals', title: 'Withdrawals' },
      { path: '/settings/withdrawal-settings', heading: 'Withdrawal settings', title: 'Withdrawal settings' },
      { path: '/help/tickets', heading: 'Tickets', title: 'Tickets' },
      { path: '/settings/account/close', heading: 'Close partner accounts', title: 'Close accounts' },
    ],
  },
  {
    login: 'operator@lockstep.test',
    accountName: 'Operator console',
    pages: [
      { path: '/operator/accounts', heading: 'Accounts', title: 'Accounts', content: 'operator-accounts' },
      { path: '/operator/actions', heading: /Actions/, title: 'Actions' },
      { path: '/operator/work-items', heading: 'Work items', title: 'Work items' },
      { path: '/operator/statements', heading: 'Statements', title: 'Statements' },
      { path: '/operator/payout-runs', heading: 'Payout runs', title: 'Payout runs' },
      { path: '/operator/tickets', heading: 'Tickets', title: 'Tickets' },
    ],
  },
];

const WIDTHS = [1360, 800, 390] as const;

async function pageWidth(page: Page): Promise<{ scrollWidth: number; innerWidth: number }> {
  // Run in the page; typed here without the DOM library, which the server's code must not see.
  return page.evaluate(() => {
    const view = globalThis as unknown as { document: { scrollingElement: { scrollWidth: number } }; innerWidth: number };
    return { scrollWidth: view.document.scrollingElement.scrollWidth, innerWidth: view.innerWidth };
  });
}

async function screenshot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const file = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  await testInfo.attach(name, { path: file, contentType: 'image/png' });
}

/** axe's WCAG 2.1 A/AA rules on the page as it is; a serious or critical violation fails, listed with its elements. */
async function expectAccessible(page: Page, where: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const report = bad.map((v) => `${v.id} (${v.impact}): ${v.help}\n${v.nodes.slice(0, 5).map((n) => `    ${n.target.join(' ')}: ${n.failureSummary?.split('\n').slice(1).join(' ')}`).join('\n')}`);
  // Soft: one run lists every page's violations, and the test still fails on any.
  expect.soft(report, `accessibility violations on ${where}`).toEqual([]);
}

for (const persona of PERSONAS) {
  for (const width of WIDTHS) {
  test(`${persona.login}: every main page at ${width} px fits the screen, names itself${width === 800 ? '' : ' and passes the accessibility check'}`, async ({ page }, testInfo) => {
    test.setTimeout(180_000);
    await page.setViewportSize({ width, height: width < 500 ? 844 : 900 });
    await logIn(page, persona.login);
    if (persona.account) await switchAccount(page, persona.account);
    {
      for (const p of persona.pages) {
        const where = `${p.path} at ${width} px`;
        await page.goto(p.path);
        await expect(page.getByRole('heading', { level: 1, name: p.heading }).first(), where).toBeVisible();
        if (p.content) {
          const content = page.getByTestId(p.content);
          await expect(content, where).toBeVisible();
          // The table's first column header is on screen, whatever the width.
          const firstHeader = content.locator('table thead th').first();
          if (await firstHeader.count()) await expect(firstHeader, where).toBeInViewport();
        }
        // The account the page acts for, as the switcher names it (operators: the console).
        const accountName = persona.account ? ((await page.getByTestId('current-account').textContent()) ?? '').trim() : persona.accountName;
        await expect(page, where).toHaveTitle(`${p.title} · ${accountName} · Lockstep`);
        // Let late content (counts, balances) settle before measuring.
        await page.waitForLoadState('networkidle');
        const { scrollWidth, innerWidth } = await pageWidth(page);
        expect(scrollWidth, `${where}: the page scrolls sideways`).toBeLessThanOrEqual(innerWidth);
        await expect(page.getByTestId('user-menu'), where).toBeInViewport();
        await screenshot(page, testInfo, `${p.path.slice(1).replaceAll('/', '-')}-${width}`);
        if (width !== 800) await expectAccessible(page, where);
      }
      // The main navigation: links in the bar when wide, behind the Menu button below 960 px.
      const nav = page.getByRole('navigation', { name: 'Main' });
      const toggle = page.getByRole('button', { name: 'Menu', exact: true });
      if (width >= 960) {
        await expect(toggle).toBeHidden();
        await expect(nav.getByRole('link').first()).toBeVisible();
      } else {
        await expect(toggle).toBeVisible();
        await expect(nav).toBeHidden();
        await toggle.click();
        await expect(toggle).toHaveAttribute('aria-expanded', 'true');
        const links = nav.getByRole('link');
        await expect(links.first()).toBeVisible();
        for (const link of await links.all()) await expect(link).toBeInViewport();
        await screenshot(page, testInfo, `menu-open-${width}`);
        // Escape closes it and gives the focus back to the button.
        await page.keyboard.press('Escape');
        await expect(nav).toBeHidden();
        await expect(toggle).toBeFocused();
        // A link in it navigates and closes it.
        await toggle.click();
        await links.last().click();
        await expect(nav).toBeHidden();
        expect((await pageWidth(page)).scrollWidth).toBeLessThanOrEqual(width);
      }
    }
  });
  }
}

test('at 390 px a wide table scrolls inside its frame with its first column fixed, and a dialog fits the screen', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await logIn(page, 'brand@acme.test');
  await page.goto('/reports/contract-history');
  const table = page.getByTestId('contract-history');
  const frame = table.locator('.table-scroll');
  await expect(table.locator('tbody tr').first()).toBeVisible();
  const sizes = await frame.evaluate((el) => ({ scrollWidth: el.scrollWidth, clientWidth: el.clientWidth }));
  expect(sizes.scrollWidth).toBeGreaterThan(sizes.clientWidth);
  const firstCell = table.locator('tbody tr').first().locator('td').first();
  const before = await firstCell.boundingBox();
  await frame.evaluate((el) => el.scrollBy({ left: 400 }));
  await expect.poll(() => frame.evaluate((el) => el.scrollLeft)).toBeGreaterThan(0);
  const after = await firstCell.boundingBox();
  expect(after!.x).toBeCloseTo(before!.x, 0);
  expect((await pageWidth(page)).scrollWidth).toBeLessThanOrEqual(390);

  // The View menu of the row, then the contract's details: the dialog is within the screen.
  const row = table.locator('tbody tr').first();
  await row.getByRole('button', { name: /View contract/ }).click();
  await page.getByRole('menuitem', { name: 'Contract details' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toBeVisible();
  const box = (await dialog.boundingBox())!;
  expect(box.x).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width).toBeLessThanOrEqual(390);
  expect(box.height).toBeLessThanOrEqual(844);
  await expectAccessible(page, 'the contract details dialog at 390 px');
});

test('/docs carries the product name', async ({ page }) => {
  await page.goto('/docs');
  await expect(page).toHaveTitle('Lockstep API reference');
  // Swagger UI renders the whole API document first: give it time on a loaded machine.
  await expect(page.getByRole('heading', { level: 1, name: /Lockstep API/ })).toBeVisible({ timeout: 45_000 });
  // The top bar's mark is the product's, not Swagger's.
  const logo = page.getByRole('banner').locator('img').first();
  await expect(logo).toBeVisible();
  const src = (await logo.getAttribute('src')) ?? '';
  const svg = src.startsWith('data:') ? Buffer.from(src.split(',')[1] ?? '', 'base64').toString('utf8') : await (await page.request.get(new URL(src, page.url()).href)).text();
  expect(svg).toContain('Lockstep');
});
