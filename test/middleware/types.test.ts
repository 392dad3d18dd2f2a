// Type test (checked by `tsc --noEmit`, which covers test/): the declaration merging of
// middleware/types.ts types `req.cognito` on Express's Request, and the options types refuse mistakes.
import { strict as assert } from 'node:assert';
import type { NextFunction, Request, Response } from 'express';
import type { CognitoContext } from '../../middleware/types';
import { requireCognito, type RequireCognitoOptions } from '../../middleware/require-cognito';
import type { CognitoLogoutOptions } from '../../middleware/cognito-logout';
import type { CognitoRefusal } from '../../middleware/refusal';

function handler(req: Request): string {
  const ctx: CognitoContext | undefined = req.cognito;
  if (!ctx) return 'anonymous';
  // @ts-expect-error an app client's context (machine-to-machine token) has no username: narrow on principal
  const unnarrowed: string = ctx.username;
  const who: string = ctx.principal === 'user' ? ctx.username : ctx.clientId;
  const use: 'access' | 'id' = ctx.tokenUse;
  const source: 'bearer' | 'session' = ctx.source;
  const groups: string[] = ctx.groups;
  const sub: string = ctx.claims.sub;
  // @ts-expect-error req.cognito is read-only data, not a function
  ctx.username();
  return `${use} ${source} ${groups.join()} ${sub} ${who} ${unnarrowed}`;
}

describe('middleware/types (compile-time)', function () {
  it('types req.cognito through declaration merging', function () {
    assert.equal(handler({} as Request), 'anonymous');
    const req = { cognito: { tokenUse: 'access', source: 'bearer', groups: ['a'], claims: { sub: 's' }, username: 'u', sub: 's', scopes: [] } } as unknown as Request;
    assert.throws(() => handler(req), TypeError);
  });

  it('refuses misspelt options at compile time', function () {
    // @ts-expect-error tokenUse is 'access' | 'id'
    const bad: RequireCognitoOptions = { tokenUse: 'refresh' };
    // @ts-expect-error methods is an array
    const badLogout: CognitoLogoutOptions = { methods: 'POST' };
    assert.ok(bad && badLogout);
    // onRefusal: an Express app may annotate req/res with Express's types; the refusal is typed.
    const expressHandler = (_req: Request, res: Response, _next: NextFunction, refusal: CognitoRefusal): void => {
      const status: 401 | 403 | 503 = refusal.status;
      res.status(status).set(refusal.headers).send(refusal.message);
    };
    const withHandler: RequireCognitoOptions = { onRefusal: expressHandler };
    // @ts-expect-error the refusal's status is 401 | 403 | 503, not any number
    const wrongStatus: RequireCognitoOptions = { onRefusal: (_q, _s, _n, r: { status: 200 }) => r };
    assert.ok(withHandler && wrongStatus);
    assert.equal(typeof requireCognito, 'function');
  });
});
