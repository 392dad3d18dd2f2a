// strategies/mfa-setup: the TOTP key kept with a pending MFA_SETUP, and repeated on a failed answer.
import { strict as assert } from 'node:assert';
import type { Request } from 'express';
import { pendingTotpKey, withPendingTotpKey } from '../../strategies/mfa-setup';
import type { PendingChallenge } from '../../middleware/session-tokens';
import type { CognitoFailureInfo } from '../../strategies/types';

const SECRET = 'JBSWY3DPEHPK3PXP';
const pending = (extra: Partial<PendingChallenge> = {}): PendingChallenge =>
  ({ name: 'MFA_SETUP', state: {}, username: 'dave', expiresAt: 0, ...extra });
const requestWith = (challenge: PendingChallenge): Request =>
  ({ sessionID: 'sid', session: { cognito: { challenge: { ...challenge, sid: 'sid' } } } }) as unknown as Request;

describe('strategies/mfa-setup', function () {
  it('pendingTotpKey: none before a key was handed out; the stored URI, or one rebuilt from the secret', function () {
    assert.equal(pendingTotpKey(pending(), 'App'), undefined);
    assert.deepEqual(pendingTotpKey(pending({ secretCode: SECRET, otpauthUri: 'otpauth://totp/stored' }), 'App'),
      { secretCode: SECRET, otpauthUri: 'otpauth://totp/stored' });
    const rebuilt = pendingTotpKey(pending({ secretCode: SECRET, username: 'a:b' }), 'My App');
    assert.equal(rebuilt?.otpauthUri, `otpauth://totp/My%20App:a_b?secret=${SECRET}&issuer=My%20App&algorithm=SHA1&digits=6&period=30`);
  });

  it('withPendingTotpKey: adds the key to a failed MFA_SETUP answer only while that step is pending in the session', function () {
    const req = requestWith(pending({ secretCode: SECRET, otpauthUri: 'otpauth://totp/stored' }));
    const mismatch: CognitoFailureInfo = { code: 'ERR_COGNITO_CODE_MISMATCH', message: 'The code is not valid; try again.', challenge: 'MFA_SETUP' };
    assert.deepEqual(withPendingTotpKey(req, mismatch, 'App'), { ...mismatch, secretCode: SECRET, otpauthUri: 'otpauth://totp/stored' });
    const ended: CognitoFailureInfo = { code: 'ERR_COGNITO_CHALLENGE_EXPIRED', message: 'expired' };
    assert.equal(withPendingTotpKey(req, ended, 'App'), ended, 'no challenge left: nothing to show');
    const otherStep = requestWith(pending({ name: 'SOFTWARE_TOKEN_MFA', secretCode: SECRET }));
    assert.equal(withPendingTotpKey(otherStep, mismatch, 'App'), mismatch);
    const anotherSession = { sessionID: 'other', session: (req as unknown as { session: unknown }).session } as unknown as Request;
    assert.equal(withPendingTotpKey(anotherSession, mismatch, 'App'), mismatch, 'a challenge of another session id is not this one');
  });
});
