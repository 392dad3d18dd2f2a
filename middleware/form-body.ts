/**
 * The body of a form post for the package's own routes: what the app's body parser made of it
 * (`req.body`), or — when the app has none in front — the request read here (JSON or urlencoded, at
 * most 16 KB). A malformed or oversized body is a 400 (`ERR_COGNITO_INVALID_FIELD`), never a crash.
 */
import type { IncomingMessage } from 'node:http';
import { CognitoError } from '../lib/errors';

/** Largest body read here, in bytes. */
export const MAX_FORM_BODY_BYTES = 16 * 1024;

/**
 * `req.body` if a parser set it, else the body read and parsed here.
 *
 * @throws CognitoError `ERR_COGNITO_INVALID_FIELD` (400) for a body too large or not JSON / a form.
 * @example
 * const body = await readBody(req);
 */
export async function readBody(req: IncomingMessage & { body?: unknown }): Promise<unknown> {
  if (req.body !== undefined) return req.body;
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BODY_BYTES) throw malformed('The request body is too large.');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  let body: unknown = {};
  if (text !== '' && type === 'application/json') {
    try {
      body = JSON.parse(text);
    } catch {
      throw malformed('The request body is not JSON.');
    }
  } else if (text !== '' && type === 'application/x-www-form-urlencoded') {
    body = Object.fromEntries(new URLSearchParams(text));
  }
  req.body = body;
  return body;
}

function malformed(message: string): CognitoError {
  return new CognitoError(message, 'ERR_COGNITO_INVALID_FIELD', 400);
}
