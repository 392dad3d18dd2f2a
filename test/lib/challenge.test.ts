/**
 * lib/challenge: challenge responses as typed errors whose tokens carry the flow and the internal
 * username, checks of saved challenges, and the answer command for each flow.
 */
import assert from 'node:assert/strict';
import { AdminRespondToAuthChallengeCommand, RespondToAuthChallengeCommand } from '@aws-sdk/client-cognito-identity-provider';
import { answerCommand, challengeError, challengeUsername, pendingChallenge, type MfaTokens } from '../../lib/challenge';
import {
  ChallengeError,
  ForceChangePasswordError,
  MFAChallengeError,
  MFASetupRequiredError,
  SMSMFAChallengeError,
  SoftwareTokenMFAChallengeError,
} from '../../lib/errors';

describe('lib/challenge', () => {
  it('challengeError: the typed error per challenge, tokens with AuthFlow and the internal Username', () => {
    const cases: Array<[string, new (...args: never[]) => ChallengeError]> = [
      ['NEW_PASSWORD_REQUIRED', ForceChangePasswordError],
      ['SOFTWARE_TOKEN_MFA', SoftwareTokenMFAChallengeError],
      ['SMS_MFA', SMSMFAChallengeError],
      ['SELECT_MFA_TYPE', MFAChallengeError],
      ['MFA_SETUP', MFASetupRequiredError],
      ['CUSTOM_CHALLENGE', ChallengeError],
    ];
    for (const [name, type] of cases) {
      const error = challengeError({ ChallengeName: name, Session: 'SESSION-SECRET', ChallengeParameters: { USER_ID_FOR_SRP: 'internal' } }, 'ADMIN_USER_PASSWORD_AUTH', 'typed@example.com');
      assert.ok(error instanceof type, name);
      const tokens = error.getTokens();
      assert.deepEqual(tokens, {
        ChallengeName: name, Session: 'SESSION-SECRET', ChallengeParameters: { USER_ID_FOR_SRP: 'internal' }, AuthFlow: 'ADMIN_USER_PASSWORD_AUTH', Username: 'internal',
      });
      assert.deepEqual(JSON.parse(JSON.stringify(tokens)), tokens);
      assert.ok(!error.message.includes('SESSION-SECRET') && !error.stack!.includes('SESSION-SECRET'), 'the session is not in the message');
    }
    const noId = challengeError({ ChallengeName: 'SMS_MFA', Session: 's' }, 'USER_SRP_AUTH', 'bob').getTokens();
    assert.equal(noId.Username, 'bob');
    assert.equal(noId.AuthFlow, 'USER_SRP_AUTH');
  });

  it('pendingChallenge: the given tokens, else the remembered ones, checked', () => {
    const remembered: MfaTokens = { ChallengeName: 'SMS_MFA', Session: 'r', ChallengeParameters: {} };
    const given: MfaTokens = { ChallengeName: 'SMS_MFA', Session: 'g', ChallengeParameters: { a: 'b' }, AuthFlow: 'USER_SRP_AUTH', Username: 'u' };
    assert.equal(pendingChallenge(undefined, remembered, ['SMS_MFA']).Session, 'r');
    assert.deepEqual(pendingChallenge(given, remembered, ['SMS_MFA']), given);
    assert.notEqual(pendingChallenge(given, undefined, ['SMS_MFA']), given, 'a copy');
    const bad: Array<[unknown, RegExp]> = [
      [undefined, /no challenge is pending/],
      ['x', /must be an object/],
      [{ ChallengeName: 'SOFTWARE_TOKEN_MFA', Session: 's' }, /SMS_MFA challenge/],
      [{ ChallengeName: 'SMS_MFA' }, /Session/],
      [{ ChallengeName: 'SMS_MFA', Session: 's', AuthFlow: 'USER_PASSWORD_AUTH' }, /AuthFlow/],
      [{ ChallengeName: 'SMS_MFA', Session: 's', Username: '' }, /Username/],
      [{ ChallengeName: 'SMS_MFA', Session: 's', ChallengeParameters: [] }, /ChallengeParameters/],
    ];
    for (const [tokens, pattern] of bad) {
      assert.throws(() => pendingChallenge(tokens as MfaTokens, undefined, ['SMS_MFA']), (e: unknown) => e instanceof TypeError && pattern.test(e.message));
    }
  });

  it('challengeUsername: recorded, else USER_ID_FOR_SRP, else the instance\'s', () => {
    const t = (extra: Partial<MfaTokens>): MfaTokens => ({ ChallengeName: 'SMS_MFA', Session: 's', ChallengeParameters: {}, ...extra });
    assert.equal(challengeUsername(t({ Username: 'a', ChallengeParameters: { USER_ID_FOR_SRP: 'b' } }), 'c'), 'a');
    assert.equal(challengeUsername(t({ ChallengeParameters: { USER_ID_FOR_SRP: 'b' } }), 'c'), 'b');
    assert.equal(challengeUsername(t({}), 'c'), 'c');
    assert.throws(() => challengeUsername(t({}), undefined), TypeError);
  });

  it('answerCommand: the admin API after an admin sign-in', () => {
    const input = { userPoolId: 'eu-west-1_X', clientId: 'c', challengeName: 'SMS_MFA', session: 's', responses: { USERNAME: 'u' } };
    const plain = answerCommand({ ...input, flow: 'USER_SRP_AUTH' });
    assert.ok(plain instanceof RespondToAuthChallengeCommand);
    assert.equal((plain.input as { UserPoolId?: string }).UserPoolId, undefined);
    const admin = answerCommand({ ...input, flow: 'ADMIN_USER_PASSWORD_AUTH', clientMetadata: { k: 'v' } });
    assert.ok(admin instanceof AdminRespondToAuthChallengeCommand);
    assert.equal(admin.input.UserPoolId, 'eu-west-1_X');
    assert.deepEqual(admin.input.ClientMetadata, { k: 'v' });
    assert.equal(admin.input.Session, 's');
  });
});
