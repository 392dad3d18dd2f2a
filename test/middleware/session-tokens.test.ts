import { strict as assert } from 'node:assert';
import {
  SESSION_KEY, clearPendingChallenge, clearSessionTokens, getPendingChallenge, getSessionTokens, hasSession,
  regenerateWithTokens, setPendingChallenge, setSessionTokens, storeTokensAtRegeneration, toSessionTokens,
} from '../../middleware/session-tokens';

function fakeJwt(payload: Record<string, unknown>): string {
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${enc({ alg: 'RS256', kid: 'k' })}.${enc(payload)}.c2ln`;
}

// The part of express-session's Session that matters: regenerate() replaces req.session.
interface FakeReq { session?: Record<string, unknown>; sessionID?: string }
function withSession(req: FakeReq, sid: string): FakeReq {
  const session: Record<string, unknown> = {};
  Object.defineProperty(session, 'regenerate', {
    enumerable: false,
    configurable: true,
    writable: true,
    value: (cb: (err?: unknown) => void) => {
      setImmediate(() => {
        withSession(req, `${sid}-new`);
        cb();
      });
    },
  });
  req.session = session;
  req.sessionID = sid;
  return req;
}

describe('middleware/session-tokens', function () {
  const idToken = fakeJwt({ sub: 's', 'cognito:username': 'internal-name', token_use: 'id', exp: 2000 });
  const accessToken = fakeJwt({ sub: 's', username: 'internal-name', token_use: 'access', exp: 1999, device_key: 'dk' });

  it('toSessionTokens takes expiry, username and device key from the tokens, and keeps what a refresh did not bring', function () {
    const first = toSessionTokens({ idToken, accessToken, refreshToken: 'r1' });
    assert.deepEqual(first, { idToken, accessToken, refreshToken: 'r1', expiresAt: 1999, username: 'internal-name', deviceKey: 'dk' });
    const renewed = toSessionTokens({ idToken, accessToken: fakeJwt({ exp: 5000 }) }, first);
    assert.equal(renewed.refreshToken, 'r1');
    assert.equal(renewed.expiresAt, 5000);
    assert.equal(renewed.deviceKey, 'dk');
    assert.throws(() => toSessionTokens({ idToken, accessToken: fakeJwt({}) }), /exp/);
  });

  it('stores, reads and clears tokens under req.session.cognito', function () {
    const req = withSession({}, 'sid-1');
    assert.equal(hasSession(req), true);
    assert.equal(getSessionTokens(req), undefined);
    const tokens = toSessionTokens({ idToken, accessToken, refreshToken: 'r' });
    setSessionTokens(req, tokens);
    assert.deepEqual(getSessionTokens(req), tokens);
    assert.ok(SESSION_KEY in req.session!);
    clearSessionTokens(req);
    assert.equal(getSessionTokens(req), undefined);
    assert.equal(SESSION_KEY in req.session, false, 'an empty record is removed');
  });

  it('ignores malformed records and requests without a session', function () {
    const req = withSession({}, 'sid');
    req.session![SESSION_KEY] = { tokens: { accessToken: 1 } };
    assert.equal(getSessionTokens(req), undefined);
    assert.equal(getSessionTokens({}), undefined);
    assert.equal(hasSession({}), false);
    assert.throws(() => setSessionTokens({}, toSessionTokens({ idToken, accessToken })), /req\.session/);
    clearSessionTokens({});
    clearPendingChallenge({});
  });

  it('binds a pending challenge to the session id it was started in', function () {
    const req = withSession({}, 'sid-A');
    setPendingChallenge(req, { name: 'SMS_MFA', state: { Session: 'x' }, username: 'u', expiresAt: 1 });
    assert.equal(getPendingChallenge(req)?.name, 'SMS_MFA');
    assert.equal(getPendingChallenge(req)?.sid, 'sid-A');
    const copied: FakeReq = { session: req.session!, sessionID: 'sid-B' };
    assert.equal(getPendingChallenge(copied), undefined, 'a record copied into another session is ignored');
    clearPendingChallenge(req);
    assert.equal(getPendingChallenge(req), undefined);
  });

  it('storeTokensAtRegeneration puts the tokens in the regenerated session only, and drops the old state', async function () {
    const req = withSession({}, 'old');
    setPendingChallenge(req, { name: 'SMS_MFA', state: {}, username: 'u', expiresAt: 1 });
    const old = req.session!;
    const tokens = toSessionTokens({ idToken, accessToken, refreshToken: 'r' });
    assert.equal(storeTokensAtRegeneration(req, tokens), true);
    assert.equal(SESSION_KEY in old, false);
    assert.equal(JSON.stringify(old), '{}', 'the hook is invisible to the session store');
    await new Promise<void>((resolve) => (old.regenerate as (cb: () => void) => void)(resolve));
    assert.notEqual(req.session, old);
    assert.deepEqual(getSessionTokens(req), tokens);
    assert.equal(getSessionTokens({ session: old }), undefined);
    assert.equal(storeTokensAtRegeneration({}, tokens), false);
  });

  it('regenerateWithTokens regenerates now and stores the tokens in the new session', async function () {
    const req = withSession({}, 'old');
    const old = req.session;
    const tokens = toSessionTokens({ idToken, accessToken });
    await regenerateWithTokens(req, tokens);
    assert.notEqual(req.session, old);
    assert.equal(req.sessionID, 'old-new');
    assert.deepEqual(getSessionTokens(req), tokens);
    await assert.rejects(regenerateWithTokens({}, tokens), /req\.session/);
  });
});
