import { expect, test, type Page } from '@playwright/test';
import { accountIdOf, apiAs, logIn, mainNav, toast, unique } from './support.js';
import type { EventType, Program, TemplateTerms } from '../../src/http/contract/programs.js';

/** A Bonjour Mode program of this test's own, with terms Deal Hunter Media has accepted (other tests keep theirs). */
async function programWithPartner(brandPage: Page, partnerPage: Page, site: string): Promise<Program> {
  const bonjour = await accountIdOf(brandPage.request, 'Bonjour Mode');
  const program = await apiAs<Program>(brandPage.request, bonjour, 'POST', '/api/v1/programs', {
    Name: `Outlet ${site}`,
    Currency: 'EUR',
    TimeZone: 'Europe/Paris',
    WebsiteUrl: `https://www.${site}/`,
  });
  expect(program.LandingDomains).toEqual([`www.${site}`]);
  const sale = await apiAs<EventType>(brandPage.request, bonjour, 'POST', `/api/v1/programs/${program.Id}/event-types`, { Name: 'Sale', Kind: 'SALE' });
  const terms = await apiAs<TemplateTerms>(brandPage.request, bonjour, 'POST', `/api/v1/programs/${program.Id}/terms`, {
    Name: 'Outlet terms',
    Terms: {
      Payouts: [{ EventTypeId: sale.Id, Payout: { Kind: 'PERCENT', Percent: '10' } }],
      Locking: { Form: 'DAYS', Days: 14 },
      Payment: { Months: 0, Days: 19 },
    },
  });
  const deals = await accountIdOf(partnerPage.request, 'Deal Hunter Media');
  await apiAs(partnerPage.request, deals, 'POST', '/api/v1/contracts', { TemplateTermsId: terms.Id });
  return program;
}

test("a brand edits a program's landing domains; the partner sees them as a hint, gets the refusal, and a link outside them stops", async ({
  page,
  browser,
}) => {
  const site = `outlet-${unique()}.example`;
  await logIn(page, 'brand@bonjour.test');
  const partnerContext = await browser.newContext();
  const partner = await partnerContext.newPage();
  try {
    await logIn(partner, 'partner@deals.test');
    const program = await programWithPartner(page, partner, site);
    await partner.reload(); // the contract was made through the API, after the page loaded its contracts

    // The brand's program page shows the website and its host as the one allowed domain.
    await page.goto(`/settings/programs/${program.Id}`);
    const card = page.getByTestId('landing-domains-card');
    await expect(card.getByTestId('program-website')).toHaveText(`https://www.${site}/`);
    await expect(card.getByTestId('program-landing-domains').getByRole('listitem')).toHaveText([`www.${site}`]);

    // The partner makes a link to the website while it is allowed.
    await mainNav(partner).getByRole('link', { name: 'Transactions' }).click();
    await partner.getByRole('main').getByRole('link', { name: /^Links/ }).click();
    const form = partner.getByTestId('create-link');
    await form.getByLabel('Program').selectOption({ label: `${program.Name} (Bonjour Mode)` });
    await expect(form.getByTestId('landing-domains-hint')).toContainText(`www.${site}`);
    const oldLabel = `Old page ${unique()}`;
    await form.getByLabel('Landing URL').fill(`https://www.${site}/old`);
    await form.getByLabel('Label').fill(oldLabel);
    await form.getByRole('button', { name: 'Create link' }).click();
    await expect(toast(partner, `Link “${oldLabel}” created for ${program.Name}.`)).toBeVisible();
    const oldUrl = await partner.getByTestId('new-link-url').inputValue();
    expect((await partner.request.get(oldUrl, { maxRedirects: 0 })).status()).toBe(302);

    // The brand edits the list: the server's refusals are shown as they are.
    await card.getByRole('button', { name: 'Edit landing domains' }).click();
    const dialog = page.getByRole('dialog', { name: 'Website and landing domains' });
    const editor = dialog.getByTestId('landing-domains-editor');
    const entry = editor.getByLabel('Allowed landing domains', { exact: true });
    await entry.fill('*.example');
    await entry.press('Enter');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect(dialog.getByTestId('error-message')).toContainText('"*.example" would allow every site under .example');
    await editor.getByRole('button', { name: 'Remove *.example' }).click();
    await entry.fill(`https://shop.${site}/`);
    await entry.press('Enter');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect(dialog.getByTestId('error-message')).toContainText(`is a URL; write only its host name: shop.${site}`);
    await editor.getByRole('button', { name: `Remove https://shop.${site}/` }).click();
    // Only subdomains of the site, without www.: the wildcard does not cover the bare domain.
    await editor.getByRole('button', { name: `Remove www.${site}` }).click();
    await entry.fill(`*.shop.${site}`);
    await editor.getByRole('button', { name: 'Add' }).click();
    await expect(editor.getByRole('listitem')).toHaveText([`*.shop.${site}×`]); // the × removes it
    await page.screenshot({ path: '/tmp/lockstep-landing-domains.png' });
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect(toast(page, `Landing domains of ${program.Name} saved.`)).toBeVisible();
    await expect(dialog).toBeHidden();
    await expect(card.getByTestId('program-landing-domains').getByRole('listitem')).toHaveText([`*.shop.${site}`]);

    // The partner sees the new list as a hint, and the refusal naming it.
    await partner.reload();
    await form.getByLabel('Program').selectOption({ label: `${program.Name} (Bonjour Mode)` });
    await expect(form.getByTestId('landing-domains-hint')).toContainText(`*.shop.${site}`);
    await form.getByLabel('Landing URL').fill(`https://shop.${site}/spring`);
    await form.getByRole('button', { name: 'Create link' }).click();
    await expect(form.getByTestId('error-message')).toContainText(
      `The landing URL's host shop.${site} is not among the allowed landing domains of program ${program.Id}: *.shop.${site}.`,
    );
    const label = `Spring ${unique()}`;
    await form.getByLabel('Landing URL').fill(`https://eu.shop.${site}/spring`);
    await form.getByLabel('Label').fill(label);
    await form.getByRole('button', { name: 'Create link' }).click();
    await expect(toast(partner, `Link “${label}” created for ${program.Name}.`)).toBeVisible();
    const newUrl = await partner.getByTestId('new-link-url').inputValue();
    expect((await partner.request.get(newUrl, { maxRedirects: 0 })).status()).toBe(302);

    // The link to the host no longer allowed is shown as blocked and answers "Link not found" (within the link cache's seconds).
    const oldRow = partner.getByTestId('links-table').getByRole('row').filter({ hasText: oldLabel });
    await expect(oldRow.locator('[data-column="Status"] .badge')).toHaveText('Blocked');
    await expect.poll(async () => (await partner.request.get(oldUrl, { maxRedirects: 0 })).status()).toBe(404);
    await partner.screenshot({ path: '/tmp/lockstep-links-blocked.png' });
  } finally {
    await partnerContext.close();
  }
});
