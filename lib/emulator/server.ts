/**
 * The HTTP face of the emulator: AWS JSON 1.1 on `POST /`, the JWKS and OpenID configuration on
 * `GET /<poolId>/.well-known/…`, faults, call counting and CORS, and the developer page on `GET /`
 * (JSON at `/_dev/state.json`; `/_dev` redirects to `/`). Errors never leak a stack.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { EmulatorContext } from './context';
import { DEV_PAGE_PATH, DEV_STATE_PATH, renderDevPage } from './dev-page';
import { devState } from './dev-state';
import { WireError } from './errors';
import { faultApplies, type EmulatorFaults } from './faults';
import { handleHosted, hostedEndpoints, isHostedPath } from './hosted/router';
import { operations } from './operations/registry';
import { CONTENT_TYPE, errorBody, MAX_BODY_BYTES, operationFromTarget, parseBody } from './protocol';
import { jwksOf } from './signing-keys';

/** The emulator's URL, which the hosted-UI endpoints sit under. */
function endpointOf(ctx: EmulatorContext): string {
  return ctx.endpoint?.() ?? ctx.issuer('').slice(0, -1);
}

/** What the request listener needs besides the context. */
export interface ServerDeps {
  ctx: EmulatorContext;
  faults(): Readonly<EmulatorFaults>;
  count(operation: string): void;
  /** Waits `ms` (a timer the emulator can cancel on stop). */
  delay(ms: number): Promise<void>;
  /**
   * With a data folder only: writes the state after `operation` (an API operation name, or `'hosted'`),
   * resolving once it is on disk; the response waits for it.
   */
  save?(operation: string): Promise<void>;
}

const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': '*',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-expose-headers': 'x-amzn-RequestId, x-amzn-ErrorType, x-amzn-ErrorMessage, Date',
  'access-control-max-age': '600',
};

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  if (res.writableEnded || res.destroyed || res.headersSent) return;
  res.writeHead(status, {
    ...CORS_HEADERS,
    'content-type': CONTENT_TYPE,
    'content-length': String(Buffer.byteLength(body)),
    'x-amzn-requestid': randomUUID(),
    ...headers,
  });
  res.end(body);
}

function sendError(res: ServerResponse, status: number, type: string, message: string, headers: Record<string, string> = {}): void {
  send(res, status, errorBody(type, message), { 'x-amzn-errortype': type, ...headers });
}

function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_BODY_BYTES) {
      req.resume();
      resolve('too-large');
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      if (!tooLarge) chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

async function handleApi(deps: ServerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const target = req.headers['x-amz-target'];
  const name = operationFromTarget(Array.isArray(target) ? target[0] : target);
  if (name) deps.count(name);
  const body = await readBody(req);
  if (body === 'too-large') {
    sendError(res, 413, 'RequestEntityTooLargeException', 'Request body exceeds 1 MiB.', { connection: 'close' });
    return;
  }
  const faults = deps.faults();
  if (name && faultApplies(faults, name)) {
    if (faults.latencyMs) await deps.delay(faults.latencyMs);
    if (faults.throttle) return sendError(res, 400, 'TooManyRequestsException', 'Rate exceeded');
    if (faults.serverError) return sendError(res, 500, 'InternalErrorException', 'Internal server error.');
  }
  const spec = name ? operations[name] : undefined;
  if (!name || !spec) return sendError(res, 400, 'UnknownOperationException', 'Unknown operation.');
  if (spec.signed && !req.headers.authorization) {
    return sendError(res, 403, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
  }
  const params = parseBody(body);
  let result: object;
  try {
    result = await spec.handler(deps.ctx, params);
  } finally {
    // A refused call may have changed state too (a wrong password counts towards the lockout).
    if (deps.save) await deps.save(name);
  }
  send(res, 200, JSON.stringify(result));
}

async function handleWellKnown(deps: ServerDeps, res: ServerResponse, poolId: string, document: string): Promise<void> {
  const operation = document === 'jwks.json' ? 'jwks' : 'openid-configuration';
  deps.count(operation);
  const faults = deps.faults();
  if (faultApplies(faults, operation)) {
    if (faults.latencyMs) await deps.delay(faults.latencyMs);
    if (faults.throttle) return sendError(res, 429, 'TooManyRequestsException', 'Rate exceeded');
    if (faults.serverError) return sendError(res, 500, 'InternalErrorException', 'Internal server error.');
  }
  const json = { 'content-type': 'application/json' };
  if (faults.jwksDown) return send(res, 503, JSON.stringify({ message: 'Service Unavailable' }), json);
  const pool = deps.ctx.store.pools.get(poolId);
  if (!pool) return send(res, 404, JSON.stringify({ message: `User pool ${poolId} does not exist.` }), json);
  if (operation === 'jwks') return send(res, 200, JSON.stringify(jwksOf(pool.keyRing)), json);
  const issuer = deps.ctx.issuer(pool.id);
  const configuration = {
    issuer,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    response_types_supported: ['code', 'token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    scopes_supported: ['openid', 'email', 'phone', 'profile'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    ...hostedEndpoints(endpointOf(deps.ctx), pool),
  };
  send(res, 200, JSON.stringify(configuration), json);
}

// The developer page carries live codes: no CORS headers (another origin's script cannot read it),
// no script, no framing, nothing cached.
const DEV_HEADERS = {
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};
const DEV_REDIRECTS = new Set(['/_dev', '/_dev/']);

/** Whether the client asks for JSON rather than HTML (a browser's Accept names text/html). */
function wantsJson(req: IncomingMessage): boolean {
  const accept = req.headers.accept ?? '';
  return /\bapplication\/json\b/i.test(accept) && !/\btext\/html\b/i.test(accept);
}

function sendDev(res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}): void {
  if (res.writableEnded || res.destroyed) return;
  res.writeHead(status, {
    ...DEV_HEADERS,
    'content-type': type,
    'content-length': String(Buffer.byteLength(body)),
    ...headers,
  });
  res.end(body);
}

/** `GET`/`HEAD` of the developer page, its JSON form, or the `/_dev` redirect; anything else there is a 405. */
function handleDevPage(deps: ServerDeps, req: IncomingMessage, res: ServerResponse, path: string, query: string): void {
  req.resume();
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    const allow = path === DEV_PAGE_PATH ? 'GET, HEAD, POST, OPTIONS' : 'GET, HEAD, OPTIONS';
    sendDev(res, 405, 'application/json', JSON.stringify({ message: 'Method Not Allowed' }), { allow });
    return;
  }
  if (DEV_REDIRECTS.has(path)) {
    sendDev(res, 302, 'text/plain; charset=utf-8', `See ${DEV_PAGE_PATH}\n`, { location: `${DEV_PAGE_PATH}${query}` });
    return;
  }
  const poolId = new URLSearchParams(query).get('pool') || undefined;
  const state = devState(deps.ctx, poolId === undefined ? {} : { poolId });
  const status = poolId !== undefined && !deps.ctx.store.pools.has(poolId) ? 404 : 200;
  const vary: Record<string, string> = path === DEV_PAGE_PATH ? { vary: 'Accept' } : {};
  if (path === DEV_STATE_PATH || wantsJson(req)) {
    sendDev(res, status, 'application/json; charset=utf-8', JSON.stringify(state, null, 2), vary);
    return;
  }
  const pools = [...deps.ctx.store.pools.values()].map((p) => ({ id: p.id, name: p.name }));
  sendDev(res, status, 'text/html; charset=utf-8', renderDevPage(state, pools), vary);
}

const DEV_PATHS = new Set([DEV_PAGE_PATH, DEV_STATE_PATH, ...DEV_REDIRECTS]);

// The hosted pages answer from many places: hold their response's end (headers go out with it) until
// the state is written; a failed write drops the connection rather than acknowledge what is not kept.
function endAfterSave(res: ServerResponse, save: (operation: string) => Promise<void>): void {
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  let ending = false;
  res.end = ((...args: unknown[]) => {
    if (ending) return res;
    ending = true;
    save('hosted').then(() => end(...args), () => res.destroy());
    return res;
  }) as ServerResponse['end'];
}

/**
 * Builds the `node:http` request listener of an emulator.
 */
export function createRequestListener(deps: ServerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    const path = queryAt < 0 ? url : url.slice(0, queryAt);
    const wellKnown = /^\/([\w-]+)\/\.well-known\/(jwks\.json|openid-configuration)$/.exec(path);
    let work: Promise<void>;
    if (req.method === 'OPTIONS') {
      work = Promise.resolve(send(res, 204, '', {}));
    } else if (req.method === 'POST' && path === '/') {
      work = handleApi(deps, req, res);
    } else if ((req.method === 'GET' || req.method === 'HEAD') && wellKnown) {
      work = handleWellKnown(deps, res, wellKnown[1], wellKnown[2]);
    } else if (isHostedPath(path)) {
      if (deps.save) endAfterSave(res, (operation) => deps.save!(operation));
      work = handleHosted(deps.ctx, endpointOf(deps.ctx), req, res);
    } else if (DEV_PATHS.has(path)) {
      // Inside the chain, so that a throw becomes the 500 below rather than an uncaught exception.
      work = Promise.resolve().then(() => handleDevPage(deps, req, res, path, queryAt < 0 ? '' : url.slice(queryAt)));
    } else {
      req.resume();
      work = Promise.resolve(send(res, 404, JSON.stringify({ message: 'Not Found' }), { 'content-type': 'application/json' }));
    }
    work.catch((error: unknown) => {
      if (error instanceof WireError) sendError(res, error.status, error.type, error.message);
      else sendError(res, 500, 'InternalErrorException', 'Internal server error.');
    });
  };
}
