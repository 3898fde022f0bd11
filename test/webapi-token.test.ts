import assert from 'node:assert/strict';
import { digestHash, newClientNonce } from '../src/webapi';
import { localExpiry, readTokenTimes, tokenExpiry } from '../src/webapi/jwt';

function fakeJwt(payload: unknown): string {
  const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part(payload)}.c2lnbmF0dXJl`;
}

describe('webapi: digest login material', () => {
  it('computes md5(md5(usr:rlm:pwd):nnc:cnnc) in lower-case hex', () => {
    // Worked out independently: md5("owner:eGauge Administration:default") = 97289c90…
    const hash = digestHash(
      'owner',
      'eGauge Administration',
      'default',
      '5f2b1c0e9a',
      '0123456789abcdef0123456789abcdef',
    );
    assert.equal(hash, '8eaffaf94c640de33ffb922aedb575e7');
  });

  it('makes a fresh 32-hex-digit client nonce every time', () => {
    const nonces = new Set(Array.from({ length: 100 }, () => newClientNonce()));
    assert.equal(nonces.size, 100);
    for (const nonce of nonces) assert.match(nonce, /^[0-9a-f]{32}$/);
  });
});

describe('webapi: token lifetime', () => {
  it('reads beg + ltm as numbers', () => {
    assert.equal(tokenExpiry(fakeJwt({ usr: 'owner', beg: 1_700_000_000, ltm: 600 })), 1_700_000_600_000);
  });

  it('reads beg and ltm given as numeric strings', () => {
    assert.equal(tokenExpiry(fakeJwt({ beg: '1700000000', ltm: 600 })), 1_700_000_600_000);
    assert.equal(tokenExpiry(fakeJwt({ beg: 1_700_000_000, ltm: '600' })), 1_700_000_600_000);
    assert.deepEqual(readTokenTimes(fakeJwt({ beg: '1700000000.5', ltm: '10' })), {
      beginMs: 1_700_000_000_500,
      lifetimeMs: 10_000,
    });
  });

  it('refuses tokens without a readable lifetime', () => {
    assert.equal(tokenExpiry('not-a-token'), undefined);
    assert.equal(tokenExpiry(fakeJwt({ usr: 'owner', exp: 1_700_000_600 })), undefined);
    assert.equal(tokenExpiry(fakeJwt({ beg: 'soon', ltm: 600 })), undefined);
    assert.equal(tokenExpiry(fakeJwt({ beg: 1_700_000_000, ltm: -5 })), undefined);
    assert.equal(tokenExpiry(fakeJwt({ beg: 1_700_000_000, ltm: 0 })), undefined);
    assert.equal(tokenExpiry(fakeJwt([1, 2])), undefined);
    assert.equal(tokenExpiry('a.!!!.c'), undefined);
  });

  it('counts the lifetime from arrival when the meter clock is far off', () => {
    const times = { beginMs: 1_000_000, lifetimeMs: 600_000 };
    assert.equal(localExpiry(times, 1_010_000), 1_600_000, 'close clocks: the meter decides');
    assert.equal(
      localExpiry(times, 50_000_000),
      50_600_000,
      'a meter clock hours behind must not expire every token at once',
    );
  });
});
