/**
 * Facts about the pool's hosted UI (managed login) that the web layer needs: where its `/logout` is.
 */
import type { ResolvedConfig } from './config';
import { discoveryDocument } from './discovery';
import { ServiceUnavailableError } from './errors';

/**
 * The pool domain's `/logout` URL: the discovery document's `end_session_endpoint`, or, from a
 * document without it, the authorization endpoint's sibling.
 *
 * @throws ServiceUnavailableError when the document cannot be fetched or names no hosted UI (the pool has no domain).
 * @example
 * const logout = await endSessionEndpoint(config); // 'https://myapp.auth.eu-west-1.amazoncognito.com/logout'
 */
export async function endSessionEndpoint(config: ResolvedConfig): Promise<string> {
  const doc = await discoveryDocument(config);
  if (typeof doc.end_session_endpoint === 'string') return doc.end_session_endpoint;
  if (typeof doc.authorization_endpoint === 'string' && doc.authorization_endpoint.endsWith('/oauth2/authorize')) {
    return `${doc.authorization_endpoint.slice(0, -'/oauth2/authorize'.length)}/logout`;
  }
  throw new ServiceUnavailableError('The user pool has no hosted UI (no domain): its discovery document names no logout endpoint.');
}
