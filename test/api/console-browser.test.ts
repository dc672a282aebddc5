import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import type { Browser, Page } from 'playwright-core';
import { browserSkip, launchChromium, screenshotFolder } from '../support/browser.js';
import { describeEachDatabase } from '../support/databases.js';
import { replies, startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';
import { apiConfig, seedDelivery, seedEmail, type TestServer, TOKEN, testServer } from './fixtures.js';

const skip = browserSkip();

/** Every label-able control a person can reach has a label (or an aria-label). */
async function unlabelledControls(page: Page): Promise<string[]> {
  // A string, evaluated in the page: the tests are compiled without the DOM's types.
  return page.evaluate(`[...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
    .filter((e) => !e.labels?.length && !e.getAttribute('aria-label') && !e.closest('label'))
    .map((e) => e.outerHTML.slice(0, 80))`);
}

describeEachDatabase('Console in headless Chromium', (getDb, { kind }) => {
  let browser: Browser;
  let server: TestServer;
  let origin: string;
  let receiver: WebhookReceiver;
  let shots: string;
  const requests: string[] = [];

  before(async () => {
    if (skip) return;
    const db = getDb();
    await seedEmail(db, { id: 'em_LOGIN', action: 'ticket', subject: 'Cannot log in since Monday', decidedAt: '2026-11-23T09:00:00Z' });
    await seedEmail(db, { id: 'em_REFUND', action: 'review', subject: 'Refund for a double charge', decidedAt: '2026-11-23T10:00:00Z' });
    await seedEmail(db, { id: 'em_NEWS', action: 'ignore', subject: 'Weekly newsletter', decidedAt: '2026-11-23T11:00:00Z' });
    await sql`update messages set parsed = ${JSON.stringify({ version: 2, newestText: 'Hello, I cannot log in since Monday.', hiddenText: '', attachments: [] })}::jsonb
                where id = 'em_LOGIN'`.execute(db);
    await seedDelivery(db, { id: 'dlv_FAILED', emailId: 'em_LOGIN', status: 'failed' });
    // No https public_url: the session cookie is not Secure on this plain-http loopback listener.
    server = testServer(db, { config: apiConfig({ api: { public_url: undefined } }) });
    await server.app.listen({ host: '127.0.0.1', port: 0 });
    const address = server.app.server.address() as { port: number };
    origin = `http://127.0.0.1:${address.port}`;
    receiver = await startWebhookReceiver({ respond: replies.ok(), clock: server.clock });
    browser = await launchChromium();
    shots = screenshotFolder(`console-${kind}`);
    console.log(`console screenshots (${kind}): ${shots}`);
  });

  after(async () => {
    await browser?.close();
    await receiver?.close();
    await server?.app.close();
  });

  test('sign in, filter decisions, open an email, replay a delivery, add a subscription and see its secret once, sign out', { skip }, async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    page.on('request', (r) => requests.push(r.url()));
    const shot = (name: string) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });

    // Signed out, every page leads to the sign-in form; the first Tab reaches the skip link.
    await page.goto(`${origin}/decisions`);
    assert.match(page.url(), /\/login\?next=%2Fdecisions$/);
    await shot('sign-in');
    await page.getByLabel('API token').fill('wrong-token-0123456789');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('That token is not one of api.tokens.').waitFor();
    await page.getByLabel('API token').fill(TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${origin}/decisions`);
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate('document.activeElement?.textContent'), 'Skip to content');

    // Decisions: newest first, each with its reasons in words; filter by action, then by words.
    const subjects = () => page.locator('tbody tr td[data-label=Subject]').allTextContents();
    assert.deepEqual(await subjects(), ['Weekly newsletter', 'Refund for a double charge', 'Cannot log in since Monday']);
    await page.getByText('A support request the model is sure about').first().waitFor();
    await page.getByLabel('Action').selectOption('review');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/action=review/);
    assert.deepEqual(await subjects(), ['Refund for a double charge']);
    await page.getByRole('link', { name: 'Clear' }).click();
    await page.getByLabel('Sender or subject').fill('log in');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/q=log\+in/);
    assert.deepEqual(await subjects(), ['Cannot log in since Monday']);
    assert.deepEqual(await unlabelledControls(page), []);
    await shot('decisions');

    // The email: cleaned text, classification with its versions, deliveries with attempts, raw download.
    await page.getByRole('link', { name: 'Cannot log in since Monday' }).click();
    await page.waitForURL(`${origin}/emails/em_LOGIN`);
    await page.getByText('Hello, I cannot log in since Monday.').waitFor();
    const facts = await page.locator('dl.facts').last().textContent();
    assert.match(facts ?? '', /Modelgpt-4o-mini/);
    assert.match(facts ?? '', /Prompt versionp1/);
    await page.getByText('1 attempt').click();
    await page.getByRole('cell', { name: 'HTTP 500' }).first().waitFor();
    // Correct it: the decision stays, the correction is stored beside it under the token's name.
    await page.getByLabel('Note (optional)').fill('a question, not a bug');
    await page.getByRole('button', { name: 'Should be review' }).click();
    await page.getByText('Corrected to review.').waitFor();
    const corrections = await getDb().selectFrom('corrections').select(['email_id', 'from_action', 'to_action', 'note', 'via']).execute();
    assert.deepEqual(corrections, [{ email_id: 'em_LOGIN', from_action: 'ticket', to_action: 'review', note: 'a question, not a bug', via: 'api' }]);
    assert.equal((await getDb().selectFrom('decisions').select('action').where('email_id', '=', 'em_LOGIN').executeTakeFirstOrThrow()).action, 'ticket');
    const raw = await page.request.get(`${origin}/emails/em_LOGIN/raw`);
    assert.equal(raw.status(), 200);
    assert.match(await raw.text(), /Body of em_LOGIN/);
    await shot('email');

    // Replay one delivery, with a confirmation first.
    await page.getByRole('link', { name: 'Deliveries' }).click();
    await page.waitForURL(`${origin}/deliveries`);
    await shot('deliveries');
    await page.getByRole('link', { name: 'Replay…' }).first().click();
    await page.getByRole('heading', { name: 'Replay this delivery?' }).waitFor();
    await shot('replay-confirm');
    assert.equal((await getDb().selectFrom('webhook_deliveries').select('status').where('id', '=', 'dlv_FAILED').executeTakeFirstOrThrow()).status, 'failed');
    await page.getByRole('button', { name: 'Replay now' }).click();
    await page.getByText('Delivery dlv_FAILED is queued to be sent again now.').waitFor();
    assert.equal((await getDb().selectFrom('webhook_deliveries').select('status').where('id', '=', 'dlv_FAILED').executeTakeFirstOrThrow()).status, 'pending');

    // A change without the CSRF token is refused, even from a signed-in browser.
    const forged = await page.request.post(`${origin}/deliveries/replay-failed`, { form: { since: '2026-01-01' } });
    assert.equal(forged.status(), 403);

    // Add a subscription: the secret is shown once, with a copy button and a verification snippet.
    await page.getByRole('link', { name: 'Subscriptions' }).click();
    await page.getByLabel('Endpoint URL').fill(receiver.url);
    await page.getByLabel('Description').fill('Browser test receiver');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByRole('heading', { name: 'Subscription added' }).waitFor();
    const secret = await page.getByLabel('Signing secret').inputValue();
    assert.match(secret, /^whsec_[A-Za-z0-9+/]+=*$/);
    await page.getByText("import { Webhook } from 'standardwebhooks';").waitFor();
    await page.getByRole('button', { name: 'Copy' }).click();
    await page.getByText('Copied to the clipboard.').waitFor();
    await shot('subscription-secret');
    await page.getByRole('link', { name: /back to subscriptions/ }).click();
    assert.doesNotMatch(await page.content(), new RegExp(secret.slice(6, 30).replace(/[+/]/g, '\\$&')), 'the list never shows the secret again');
    receiver.secrets = [secret];
    const row = page.locator('tr', { hasText: 'Browser test receiver' });
    await row.getByRole('button', { name: 'Send test ping' }).click();
    await page.getByText(/Test ping to sub_\w+: HTTP 200 in \d+ ms\./).waitFor();
    const [ping] = await receiver.waitForRequests(1);
    assert.deepEqual(ping!.verifiedBy, [true], ping!.verifyError ?? 'the ping is signed with the secret shown');
    await row.getByLabel('Reason').fill('maintenance window');
    await row.getByRole('button', { name: 'Disable' }).click();
    await page.getByText('disabled through the API: maintenance window').waitFor();
    assert.deepEqual(await unlabelledControls(page), []);
    await shot('subscriptions');

    await page.getByRole('link', { name: 'Overview' }).click();
    await page.getByRole('heading', { name: 'Decisions per day by action' }).waitFor();
    assert.equal(await page.locator('svg.chart').count(), 4);
    await shot('overview');

    // Sign out: the session is gone, pages lead to the sign-in form again.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${origin}/login`);
    await page.goto(`${origin}/deliveries`);
    assert.match(page.url(), /\/login/);
    await context.close();

    const elsewhere = requests.filter((url) => !url.startsWith(`${origin}/`) && !url.startsWith('data:'));
    assert.deepEqual(elsewhere, [], 'no request leaves the machine');
  });

  test('phone width without JavaScript: the read-only pages read, nothing scrolls sideways', { skip }, async () => {
    const context = await browser.newContext({ viewport: { width: 375, height: 800 }, javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${origin}/login`);
    await page.getByLabel('API token').fill(TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    for (const path of ['/', '/decisions', '/emails/em_LOGIN', '/deliveries', '/subscriptions']) {
      await page.goto(`${origin}${path}`);
      assert.equal(await page.locator('main h1').count(), 1, path);
      const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
      assert.ok(overflow <= 0, `${path} is ${overflow} px wider than a phone`);
      await page.screenshot({ path: join(shots, `phone-${path === '/' ? 'overview' : path.slice(1).replaceAll('/', '-')}.png`), fullPage: true });
    }
    await page.goto(`${origin}/decisions`);
    assert.equal(await page.locator('tbody tr').count(), 3);
    await context.close();
  });
});
