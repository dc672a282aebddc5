import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isVip, policyVersion } from '../../src/decide/policy.js';

describe('isVip', () => {
  const vip = { addresses: ['Boss@Partner.example'], domains: ['bigclient.example', '@other.example', '*.wild.example', 'bücher.example'] };
  test('exact domain and subdomains', () => {
    assert.equal(isVip('anna@bigclient.example', vip), true);
    assert.equal(isVip('anna@EU.BigClient.Example', vip), true);
    assert.equal(isVip('anna@a.b.bigclient.example', vip), true);
    assert.equal(isVip('anna@bigclient.example.', vip), true, 'trailing dot of a fully-qualified name');
  });
  test('lookalikes are not VIP', () => {
    for (const a of ['anna@bigclient.example.evil.test', 'anna@evilbigclient.example', 'anna@bigclient.examples', 'anna@bigclient-example.test', 'bigclient.example@evil.test', 'anna@example']) {
      assert.equal(isVip(a, vip), false, a);
    }
  });
  test('exact address, case-insensitive; only that address', () => {
    assert.equal(isVip('boss@partner.example', vip), true);
    assert.equal(isVip('intern@partner.example', vip), false);
  });
  test('domains written with "@" or "*." in the config', () => {
    assert.equal(isVip('x@other.example', vip), true);
    assert.equal(isVip('x@sub.wild.example', vip), true);
    assert.equal(isVip('x@wild.example', vip), true);
  });
  test('international domains match in Unicode or punycode', () => {
    assert.equal(isVip('x@bücher.example', vip), true);
    assert.equal(isVip('x@xn--bcher-kva.example', vip), true);
  });
  test('no address, empty lists', () => {
    assert.equal(isVip(null, vip), false);
    assert.equal(isVip('', vip), false);
    assert.equal(isVip('anna@bigclient.example', { addresses: [], domains: [] }), false);
    assert.equal(isVip('anna@bigclient.example', { addresses: [], domains: [''] }), false);
  });
});

describe('policyVersion', () => {
  const policy = { threshold: 0.7, draftsEnabled: true };
  const vip = { addresses: ['a@x.example'], domains: ['bigclient.example', 'other.example'] };
  test('short and stable', () => {
    const v = policyVersion(policy, vip);
    assert.match(v, /^r\d+-[0-9a-f]{12}$/);
    assert.equal(policyVersion({ ...policy }, { addresses: [...vip.addresses], domains: [...vip.domains] }), v);
  });
  test('order and case of the VIP lists do not matter', () => {
    assert.equal(policyVersion(policy, { addresses: ['A@X.example'], domains: ['Other.example', 'bigclient.example'] }), policyVersion(policy, vip));
  });
  test('every setting changes it', () => {
    const base = policyVersion(policy, vip);
    const variants = [
      policyVersion({ ...policy, threshold: 0.71 }, vip),
      policyVersion({ ...policy, draftsEnabled: false }, vip),
      policyVersion(policy, { ...vip, addresses: [] }),
      policyVersion(policy, { ...vip, domains: ['bigclient.example'] }),
    ];
    assert.equal(new Set([base, ...variants]).size, 5);
  });
});
