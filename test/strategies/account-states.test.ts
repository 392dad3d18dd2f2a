// CognitoStrategy: accounts that cannot sign in yet get fail() outcomes an app can route on —
// unconfirmed → the confirm page, reset required → the reset page — and only with the right password.
import { strict as assert } from 'node:assert';
import { AdminResetUserPasswordCommand, SignUpCommand } from '@aws-sdk/client-cognito-identity-provider';
import request from 'supertest';
import { EXPRESS_FLAVORS, startApp, type TestApp } from '../support/app';
import { startTestPool, type TestPool } from '../support/pool';

const PASSWORD = 'Corr3ct-horse!';

describe('CognitoStrategy: unconfirmed and reset-required accounts', function () {
  this.timeout(30_000);
  let pool: TestPool;
  let web: TestApp;
  before(async () => {
    pool = await startTestPool({ poolOptions: { AutoVerifiedAttributes: ['email'] } });
    web = await startApp(EXPRESS_FLAVORS[1], { pool });
  });
  after(async () => {
    await web.close();
    await pool.stop();
  });

  it('unconfirmed: 403 ERR_COGNITO_USER_NOT_CONFIRMED with the right password; a wrong one stays bad credentials', async () => {
    await pool.sdk.send(new SignUpCommand({
      ClientId: pool.clientId, Username: 'una', Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: 'una@example.com' }],
    }));
    const res = await request(web.server).post('/login').send({ username: 'una', password: PASSWORD }).expect(403);
    assert.equal(res.body.code, 'ERR_COGNITO_USER_NOT_CONFIRMED');
    const wrong = await request(web.server).post('/login').send({ username: 'una', password: 'Wr0ng-pass!' }).expect(401);
    assert.equal(wrong.body.code, 'ERR_COGNITO_BAD_CREDENTIALS');
  });

  it('reset required: 403 ERR_COGNITO_PASSWORD_RESET_REQUIRED', async () => {
    await pool.createUser('ray', PASSWORD, { attributes: { email: 'ray@example.com', email_verified: 'true' } });
    await pool.sdk.send(new AdminResetUserPasswordCommand({ UserPoolId: pool.poolId, Username: 'ray' }));
    const res = await request(web.server).post('/login').send({ username: 'ray', password: PASSWORD }).expect(403);
    assert.equal(res.body.code, 'ERR_COGNITO_PASSWORD_RESET_REQUIRED');
  });
});
