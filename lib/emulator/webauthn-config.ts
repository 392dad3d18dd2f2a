/**
 * A pool's passkey (WebAuthn) settings: `WebAuthnConfiguration` of SetUserPoolMfaConfig checked as
 * Cognito checks it, the relying party a ceremony runs against (the configured RP ID, else the
 * pool's domain), and which origins a credential may have been collected at.
 */
import type { EmulatorContext } from './context';
import { WireError, invalidParameter, notInEnum } from './errors';
import type { Params } from './protocol';
import type { PoolRecord, WebAuthnPoolConfig } from './store';

const USER_VERIFICATION = ['required', 'preferred'] as const;
const FACTOR_CONFIGURATION = ['SINGLE_FACTOR', 'MULTI_FACTOR_WITH_USER_VERIFICATION'] as const;
const MEMBERS = new Set(['RelyingPartyId', 'UserVerification', 'FactorConfiguration']);
// A DNS name: labels of letters, digits and hyphens, not starting or ending with a hyphen.
const DOMAIN_NAME = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*$/;

/** The tier of a pool (`UserPoolTier`); Cognito's default for new pools is ESSENTIALS. */
export function poolTier(pool: PoolRecord): string {
  return typeof pool.extra.UserPoolTier === 'string' ? pool.extra.UserPoolTier : 'ESSENTIALS';
}

function lengthMessage(field: string, value: string): string {
  return `1 validation error detected: Value '${value}' at 'webAuthnConfiguration.${field}' failed to satisfy constraint: ` +
    'Member must have length less than or equal to 127';
}

/**
 * Checks SetUserPoolMfaConfig's `WebAuthnConfiguration` and returns what to store (`undefined` when
 * the request has none). `UserVerification` defaults to `preferred`, `FactorConfiguration` to
 * `SINGLE_FACTOR`; without `RelyingPartyId` the pool's domain is the relying party.
 *
 * @throws WireError InvalidParameterException for a malformed member; FeatureUnavailableInTierException
 *   on the LITE tier (passkeys need Essentials or Plus).
 * @example
 * parseWebAuthnConfiguration(pool, { WebAuthnConfiguration: { RelyingPartyId: 'localhost', UserVerification: 'required' } });
 */
export function parseWebAuthnConfiguration(pool: PoolRecord, params: Params): WebAuthnPoolConfig | undefined {
  const value = params.WebAuthnConfiguration;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new WireError('SerializationException', 'Member WebAuthnConfiguration must be a structure.');
  }
  const given = value as Record<string, unknown>;
  const unknown = Object.keys(given).find((key) => !MEMBERS.has(key));
  if (unknown !== undefined) throw invalidParameter(`Unknown member ${unknown} in WebAuthnConfiguration.`);
  const config: WebAuthnPoolConfig = { userVerification: 'preferred', factorConfiguration: 'SINGLE_FACTOR' };
  const rpId = given.RelyingPartyId;
  if (rpId !== undefined && rpId !== null) {
    if (typeof rpId !== 'string') throw new WireError('SerializationException', 'Member RelyingPartyId must be a string.');
    if (rpId.length === 0) {
      throw invalidParameter("1 validation error detected: Value at 'webAuthnConfiguration.relyingPartyId' failed to satisfy constraint: " +
        'Member must have length greater than or equal to 1');
    }
    if (rpId.length > 127) throw invalidParameter(lengthMessage('relyingPartyId', rpId));
    if (!DOMAIN_NAME.test(rpId)) throw invalidParameter(`Relying party ID ${rpId} is not a valid domain name.`);
    config.relyingPartyId = rpId.toLowerCase();
  }
  const uv = given.UserVerification;
  if (uv !== undefined && uv !== null) {
    if (typeof uv !== 'string' || !(USER_VERIFICATION as readonly string[]).includes(uv)) {
      throw notInEnum('WebAuthnConfiguration.UserVerification', JSON.stringify(uv), USER_VERIFICATION);
    }
    config.userVerification = uv as WebAuthnPoolConfig['userVerification'];
  }
  const factor = given.FactorConfiguration;
  if (factor !== undefined && factor !== null) {
    if (typeof factor !== 'string' || !(FACTOR_CONFIGURATION as readonly string[]).includes(factor)) {
      throw notInEnum('WebAuthnConfiguration.FactorConfiguration', JSON.stringify(factor), FACTOR_CONFIGURATION);
    }
    config.factorConfiguration = factor as WebAuthnPoolConfig['factorConfiguration'];
  }
  if (poolTier(pool) === 'LITE') {
    throw new WireError('FeatureUnavailableInTierException', 'Passkey authentication is not available in the Lite tier.');
  }
  return config;
}

/** GetUserPoolMfaConfig's `WebAuthnConfiguration` for a pool, or `{}` when it was never set. */
export function describeWebAuthnConfiguration(pool: PoolRecord): Record<string, unknown> {
  const config = pool.webAuthn;
  if (config === undefined) return {};
  return {
    WebAuthnConfiguration: {
      ...(config.relyingPartyId !== undefined ? { RelyingPartyId: config.relyingPartyId } : {}),
      UserVerification: config.userVerification,
      FactorConfiguration: config.factorConfiguration,
    },
  };
}

/** What a passkey ceremony of a pool runs against. */
export interface RelyingParty {
  id: string;
  /** Shown by the browser: the pool's name. */
  name: string;
  userVerification: WebAuthnPoolConfig['userVerification'];
}

/**
 * The relying party of a pool's passkeys: the configured RP ID, else its custom domain, else its
 * prefix domain (`<prefix>.auth.<region>.amazoncognito.com`).
 *
 * @throws WireError WebAuthnNotEnabledException on the LITE tier or when the sign-in policy
 *   (`AllowedFirstAuthFactors`) does not include WEB_AUTHN; WebAuthnConfigurationMissingException
 *   when the pool has neither an RP ID nor a domain.
 */
export function relyingPartyOf(ctx: EmulatorContext, pool: PoolRecord): RelyingParty {
  if (poolTier(pool) === 'LITE' || !(pool.allowedFirstAuthFactors ?? []).includes('WEB_AUTHN')) {
    throw new WireError('WebAuthnNotEnabledException', 'Passkey authentication is not enabled for this user pool.');
  }
  const config = pool.webAuthn;
  const custom = pool.domains.find((d) => d.certificateArn !== undefined);
  const prefix = pool.domains.find((d) => d.certificateArn === undefined);
  const id = config?.relyingPartyId
    ?? custom?.domain
    ?? (prefix !== undefined ? `${prefix.domain}.auth.${ctx.region}.amazoncognito.com` : undefined);
  if (id === undefined) {
    throw new WireError('WebAuthnConfigurationMissingException', 'The user pool has no relying party ID and no domain.');
  }
  return { id, name: pool.name, userVerification: config?.userVerification ?? 'preferred' };
}

/**
 * Whether a credential collected at `origin` may be used with relying party `rpId`: the origin must be
 * a serialised origin (`scheme://host[:port]`, no path) whose host is the RP ID or one of its
 * subdomains, over https on any port; plain http only when the host is `localhost` (or under
 * `.localhost`), the one insecure origin browsers let WebAuthn run on. These are the origins a
 * browser would produce a credential at for that RP ID.
 *
 * @example
 * originAllowed('http://localhost:3000', 'localhost'); // true
 * originAllowed('https://evil.example', 'example.com'); // false
 */
export function originAllowed(origin: string, rpId: string): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.origin !== origin) return false;
  const host = url.hostname.toLowerCase();
  if (host !== rpId && !host.endsWith(`.${rpId}`)) return false;
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && (host === 'localhost' || host.endsWith('.localhost'));
}
