/**
 * The user pool's OpenID discovery document (`<issuer>/.well-known/openid-configuration`), fetched
 * once per issuer and kept; a failed fetch is not kept, so the next call tries again.
 */
import type { ResolvedConfig } from './config';
import { ServiceUnavailableError } from './errors';

/** The members of the discovery document this package reads. */
export interface DiscoveryDocument {
  issuer: string;
  authorization_endpoint?: string;
  token_endpoint?: string;
  userinfo_endpoint?: string;
  revocation_endpoint?: string;
  end_session_endpoint?: string;
  jwks_uri?: string;
}

const documents = new Map<string, Promise<DiscoveryDocument>>();

async function fetchDocument(config: ResolvedConfig): Promise<DiscoveryDocument> {
  const url = `${config.issuer}/.well-known/openid-configuration`;
  let body: unknown;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(config.requestTimeoutMs), redirect: 'error' });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    body = await res.json();
  } catch (cause) {
    throw new ServiceUnavailableError('The user pool\'s discovery document could not be fetched.', { cause });
  }
  const doc = body as Partial<DiscoveryDocument> | null;
  if (typeof doc !== 'object' || doc === null || doc.issuer !== config.issuer) {
    throw new ServiceUnavailableError('The user pool\'s discovery document is not this pool\'s.');
  }
  return doc as DiscoveryDocument;
}

/**
 * The discovery document of the configured pool.
 *
 * @throws ServiceUnavailableError (`ERR_COGNITO_UNAVAILABLE`) when it cannot be fetched, or names another issuer.
 * @example
 * const { token_endpoint } = await discoveryDocument(config);
 */
export function discoveryDocument(config: ResolvedConfig): Promise<DiscoveryDocument> {
  let pending = documents.get(config.issuer);
  if (pending === undefined) {
    pending = fetchDocument(config);
    documents.set(config.issuer, pending);
    pending.catch(() => documents.delete(config.issuer));
  }
  return pending;
}
