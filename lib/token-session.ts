/**
 * @internal The token half of a `Cognito` instance: verifying the tokens it holds, deciding expiry by
 * the injectable clock, and renewing them (single-flight per instance; a refused refresh token clears
 * them).
 */
import type { CognitoCore } from './cognito-core';
import { isCognitoError, TokenVerificationError } from './errors';
import { renewalDue, unverifiedClaims } from './cognito-rules';
import { renewSession } from './renewal';
import type { AccessTokenClaims, IdTokenClaims } from './token-verifier';

/** @internal */
export class TokenSession {
  readonly #core: CognitoCore;
  #renewing: Promise<void> | undefined;

  constructor(core: CognitoCore) {
    this.#core = core;
  }

  async verifyAll(): Promise<void> {
    const o = this.#core.owner;
    const { idToken, accessToken } = o;
    if (idToken === undefined && accessToken === undefined) throw new TypeError('"idToken" or "accessToken" is required');
    const verifier = this.#core.verifier();
    const [idClaims, accessClaims] = await Promise.all([
      idToken === undefined ? undefined : verifier.verify(idToken, 'id', accessToken === undefined ? {} : { accessToken }),
      accessToken === undefined ? undefined : verifier.verify(accessToken, 'access'),
    ]);
    if (idClaims !== undefined && accessClaims !== undefined && idClaims.sub !== accessClaims.sub) {
      throw new TokenVerificationError('ERR_COGNITO_TOKEN_CLAIM', 'the ID and access tokens are of different users', { claim: 'sub' });
    }
    if (idClaims !== undefined) o.idClaims = idClaims;
    if (accessClaims !== undefined) {
      o.accessClaims = accessClaims;
      o.expiresAt = accessClaims.exp * 1000;
    }
  }

  async verifyOne(token: string, idName: string, tokenUse: string): Promise<IdTokenClaims | AccessTokenClaims> {
    if (!((idName === 'id_token' && tokenUse === 'id') || (idName === 'access_token' && tokenUse === 'access'))) {
      throw new TypeError('"idName" and "tokenUse" must be "id_token" and "id", or "access_token" and "access"');
    }
    if (typeof token !== 'string' || token.length === 0) throw new TypeError('"token" must be a non-empty string');
    const o = this.#core.owner;
    const verifier = this.#core.verifier();
    if (tokenUse === 'id') {
      const claims = await verifier.verify(token, 'id', o.accessToken === undefined ? {} : { accessToken: o.accessToken });
      o.idToken = token;
      o.idClaims = claims;
      return claims;
    }
    const claims = await verifier.verify(token, 'access');
    o.accessToken = token;
    o.accessClaims = claims;
    o.expiresAt = claims.exp * 1000;
    return claims;
  }

  /** Expired, or expiring within the leeway; an access token that cannot be decoded counts as expired. */
  expired(): boolean {
    const token = this.#core.requireAccessToken();
    const { clock, leewaySeconds } = this.#core.config;
    return renewalDue(unverifiedClaims(token)?.exp, clock(), leewaySeconds);
  }

  renew(): Promise<void> {
    this.#renewing ??= this.#renew().finally(() => {
      this.#renewing = undefined;
    });
    return this.#renewing;
  }

  async #renew(): Promise<void> {
    const core = this.#core;
    const o = core.owner;
    const refreshToken = core.requireRefreshToken();
    try {
      const renewed = await renewSession({ config: core.config, service: core.service, verifier: core.verifier() }, {
        refreshToken, idToken: o.idToken, accessToken: o.accessToken, username: o.username, deviceKey: o.deviceKey, rotation: core.rotation,
      });
      core.rotation ||= renewed.rotated;
      core.keep(renewed);
    } catch (e) {
      if (isCognitoError(e) && e.code === 'ERR_COGNITO_REFRESH_REJECTED' && o.refreshToken === refreshToken) core.clearTokens();
      throw e;
    }
  }
}
