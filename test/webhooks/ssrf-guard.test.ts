import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkWebhookUrl, forbiddenAddressReason, type ResolveHost, WebhookUrlRefusedError } from '../../src/webhooks/ssrf-guard.js';

const strict = { allowHttp: false, allowPrivateNetworks: false };
const fakeDns =
  (table: Record<string, string[]>): ResolveHost =>
  async (hostname) => {
    const addresses = table[hostname];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

for (const host of [
  '127.0.0.1',
  '10.0.0.1',
  '169.254.169.254',
  '[::1]',
  '[::ffff:127.0.0.1]',
  '[fd00:ec2::254]',
  '100.64.0.1',
  '0.0.0.0',
  '[fe80::1]',
  '192.168.1.10',
  '[::127.0.0.1]',
  '[64:ff9b::a00:1]',
]) {
  test(`refuses https://${host}/ with allow_private_networks false`, async () => {
    await assert.rejects(checkWebhookUrl(`https://${host}/hook`, strict), (error: Error) => {
      assert.ok(error instanceof WebhookUrlRefusedError, error.message);
      assert.match(error.message, /refusing https:\/\//);
      return true;
    });
  });
}

for (const target of ['127.0.0.1', '10.0.0.1', '169.254.169.254', '::1', '::ffff:127.0.0.1']) {
  test(`refuses a host name resolving to ${target}`, async () => {
    const resolveHost = fakeDns({ 'hooks.example.com': [target] });
    await assert.rejects(checkWebhookUrl('https://hooks.example.com/x', { ...strict, resolveHost }), (error: Error) => {
      assert.ok(error instanceof WebhookUrlRefusedError);
      assert.match(error.message, new RegExp(`hooks\\.example\\.com resolves to ${target.replace(/[.]/g, '\\.')}`));
      return true;
    });
  });
}

test('one private address among public ones is enough to refuse (the order of answers may change)', async () => {
  const resolveHost = fakeDns({ 'mixed.example.com': ['93.184.216.34', '10.1.2.3'] });
  await assert.rejects(checkWebhookUrl('https://mixed.example.com/', { ...strict, resolveHost }), WebhookUrlRefusedError);
});

test('localhost is refused through the real resolver', async () => {
  await assert.rejects(checkWebhookUrl('https://localhost:9/', strict), WebhookUrlRefusedError);
});

test('a public address passes and is the one to connect to', async () => {
  const resolveHost = fakeDns({ 'hooks.example.com': ['93.184.216.34'] });
  const checked = await checkWebhookUrl('https://hooks.example.com/in?x=1', { ...strict, resolveHost });
  assert.equal(checked.address, '93.184.216.34');
  assert.equal(checked.hostname, 'hooks.example.com');
  assert.equal(forbiddenAddressReason('::ffff:8.8.8.8'), null);
  assert.equal(forbiddenAddressReason('2606:4700:4700::1111'), null);
});

test('plain http is refused unless allow_http, and then says how to allow it', async () => {
  const resolveHost = fakeDns({ 'hooks.example.com': ['93.184.216.34'] });
  await assert.rejects(checkWebhookUrl('http://hooks.example.com/', { ...strict, resolveHost }), /not an https URL \(set webhooks\.allow_http: true/);
  await checkWebhookUrl('http://hooks.example.com/', { allowHttp: true, allowPrivateNetworks: false, resolveHost });
  await assert.rejects(checkWebhookUrl('ftp://hooks.example.com/', { allowHttp: true, allowPrivateNetworks: true }), WebhookUrlRefusedError);
});

test('allow_private_networks admits loopback and private targets but never a metadata address', async () => {
  const open = { allowHttp: true, allowPrivateNetworks: true };
  await checkWebhookUrl('http://127.0.0.1:8080/', open);
  await checkWebhookUrl('http://10.0.0.1/', open);
  await assert.rejects(checkWebhookUrl('http://169.254.169.254/latest/meta-data', open), /cloud metadata/);
  await assert.rejects(checkWebhookUrl('http://[fd00:ec2::254]/', open), /cloud metadata/);
});

test('a name that does not resolve is an ordinary error, not a refusal (retry may help)', async () => {
  const error = await checkWebhookUrl('https://nowhere.example/', { ...strict, resolveHost: fakeDns({}) }).catch((e: Error) => e);
  assert.ok(error instanceof Error && !(error instanceof WebhookUrlRefusedError));
  assert.match(error.message, /cannot resolve nowhere\.example/);
});

// Security (issue 17, finding 6): metadata and credential services stay refused with private networks allowed.
for (const host of [
  '169.254.170.2',
  '169.254.169.253',
  '192.0.0.192',
  '169.254.0.1',
  '169.254.255.254',
  '[fd00:ec2::23]',
  '[fd00:ec2:1::1]',
  '[fe80::a9fe:a9fe]',
  '[::ffff:169.254.170.2]',
  '168.63.129.16',
]) {
  test(`refuses http://${host}/ even with allow_private_networks`, async () => {
    await assert.rejects(checkWebhookUrl(`http://${host}/v2/credentials`, { allowHttp: true, allowPrivateNetworks: true }), (error: Error) => {
      assert.ok(error instanceof WebhookUrlRefusedError, error.message);
      assert.match(error.message, /metadata|link-local|AWS service/);
      return true;
    });
  });
}

test('a host name resolving to the container credentials address is refused with private networks allowed', async () => {
  const resolveHost = fakeDns({ 'creds.internal': ['10.0.0.8', '169.254.170.2'] });
  await assert.rejects(checkWebhookUrl('http://creds.internal/', { allowHttp: true, allowPrivateNetworks: true, resolveHost }), /169\.254\.170\.2/);
});
