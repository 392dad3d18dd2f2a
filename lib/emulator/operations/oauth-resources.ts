/**
 * The hosted UI's control plane: user pool domains (CreateUserPoolDomain, DescribeUserPoolDomain,
 * UpdateUserPoolDomain, DeleteUserPoolDomain) and resource servers with custom scopes
 * (CreateResourceServer, DescribeResourceServer, UpdateResourceServer, DeleteResourceServer,
 * ListResourceServers).
 *
 * The emulator serves every domain on its own origin, under `/domain/<domain>/` (see
 * {@link domainBaseUrl}): no DNS is needed, and each domain's managed-login cookie stays on its path.
 */
import { createHash } from 'node:crypto';
import type { EmulatorContext, OperationSpec } from '../context';
import { WireError, invalidParameter, resourceNotFound } from '../errors';
import { paginate } from '../pagination';
import { optionalInteger, optionalObject, optionalString, requireString, type Params } from '../protocol';
import type { DomainRecord, PoolRecord, ResourceServerRecord } from '../store';

const PREFIX = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const FQDN = /^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const RESERVED = ['aws', 'amazon', 'cognito'];
const IDENTIFIER = /^[\x21\x23-\x5B\x5D-\x7E]{1,256}$/;
const SERVER_NAME = /^[\w\s+=,.@-]{1,256}$/;
const SCOPE_NAME = /^[\x21\x23-\x2E\x30-\x5B\x5D-\x7E]{1,256}$/;
const MAX_SCOPES = 100;

/**
 * Where the emulator serves a pool domain's endpoints (`/oauth2/authorize`, `/login`, `/logout`, …).
 *
 * @example
 * domainBaseUrl('http://127.0.0.1:9229', 'myapp'); // 'http://127.0.0.1:9229/domain/myapp'
 */
export function domainBaseUrl(endpoint: string, domain: string): string {
  return `${endpoint}/domain/${domain}`;
}

/** The pool domain the emulator serves endpoints for first: the custom domain, else the prefix. */
export function primaryDomain(pool: PoolRecord): DomainRecord | undefined {
  return pool.domains.find((d) => d.certificateArn !== undefined) ?? pool.domains[0];
}

function certificateOf(params: Params): string | undefined {
  const config = optionalObject(params, 'CustomDomainConfig');
  if (config === undefined) return undefined;
  const arn = config.CertificateArn;
  if (typeof arn !== 'string' || !/^arn:[\w+=/,.@-]+:acm:us-east-1:\d{12}:certificate\/[\w-]+$/.test(arn)) {
    throw invalidParameter('CustomDomainConfig.CertificateArn must be the ARN of an ACM certificate in us-east-1.');
  }
  return arn;
}

function loginVersionOf(params: Params): number | undefined {
  const version = optionalInteger(params, 'ManagedLoginVersion');
  if (version !== undefined && version !== 1 && version !== 2) throw invalidParameter('ManagedLoginVersion must be 1 or 2.');
  return version;
}

// A stable, made-up CloudFront host for a custom domain, as Cognito returns one to point DNS at.
function cloudFrontOf(domain: string): string {
  return `d${createHash('sha256').update(domain).digest('hex').slice(0, 13)}.cloudfront.net`;
}

function createUserPoolDomain(ctx: EmulatorContext, params: Params): object {
  const domain = requireString(params, 'Domain');
  const pool = ctx.store.pool(requireString(params, 'UserPoolId'));
  const certificateArn = certificateOf(params);
  const managedLoginVersion = loginVersionOf(params) ?? 1;
  if (certificateArn === undefined) {
    if (!PREFIX.test(domain)) throw invalidParameter(`Invalid domain prefix ${domain.slice(0, 80)}: lower-case letters, numbers and hyphens.`);
    const reserved = RESERVED.find((word) => domain.includes(word));
    if (reserved !== undefined) throw invalidParameter(`Domain cannot contain reserved word: ${reserved}`);
  } else if (!FQDN.test(domain)) {
    throw invalidParameter(`Invalid custom domain ${domain.slice(0, 80)}: a fully-qualified domain name such as auth.example.com.`);
  }
  if (ctx.store.domains.has(domain)) throw invalidParameter('Domain already associated with another user pool.');
  const custom = certificateArn !== undefined;
  if (pool.domains.some((d) => (d.certificateArn !== undefined) === custom)) {
    throw invalidParameter(custom ? 'User pool already has a custom domain configured.' : 'User pool already has a domain configured.');
  }
  const record: DomainRecord = { domain, managedLoginVersion, ...(custom ? { certificateArn } : {}), createdAt: ctx.clock.now() };
  pool.domains.push(record);
  ctx.store.domains.set(domain, pool.id);
  return { ManagedLoginVersion: managedLoginVersion, ...(custom ? { CloudFrontDomain: cloudFrontOf(domain) } : {}) };
}

function findDomain(ctx: EmulatorContext, domain: string): { pool: PoolRecord; record: DomainRecord } | undefined {
  const poolId = ctx.store.domains.get(domain);
  const pool = poolId === undefined ? undefined : ctx.store.pools.get(poolId);
  const record = pool?.domains.find((d) => d.domain === domain);
  return pool && record ? { pool, record } : undefined;
}

function describeUserPoolDomain(ctx: EmulatorContext, params: Params): object {
  const found = findDomain(ctx, requireString(params, 'Domain'));
  // Cognito answers an unknown domain with an empty description, not an error.
  if (found === undefined) return { DomainDescription: {} };
  const { pool, record } = found;
  return {
    DomainDescription: {
      UserPoolId: pool.id,
      AWSAccountId: '000000000000',
      Domain: record.domain,
      S3Bucket: `aws-cognito-prod-${ctx.region}-assets`,
      CloudFrontDistribution: record.certificateArn === undefined ? `${record.domain}.auth.${ctx.region}.amazoncognito.com` : cloudFrontOf(record.domain),
      Version: '20250101000000',
      Status: 'ACTIVE',
      ...(record.certificateArn !== undefined ? { CustomDomainConfig: { CertificateArn: record.certificateArn } } : {}),
      ManagedLoginVersion: record.managedLoginVersion,
    },
  };
}

function domainOfPool(ctx: EmulatorContext, params: Params): { pool: PoolRecord; record: DomainRecord } {
  const domain = requireString(params, 'Domain');
  const pool = ctx.store.pool(requireString(params, 'UserPoolId'));
  const found = findDomain(ctx, domain);
  if (found === undefined || found.pool !== pool) throw invalidParameter('No such domain or user pool exists.');
  return found;
}

function updateUserPoolDomain(ctx: EmulatorContext, params: Params): object {
  const { record } = domainOfPool(ctx, params);
  const version = loginVersionOf(params);
  const certificateArn = certificateOf(params);
  if (certificateArn !== undefined && record.certificateArn === undefined) {
    throw invalidParameter('CustomDomainConfig can only be updated for a custom domain.');
  }
  if (version !== undefined) record.managedLoginVersion = version;
  if (certificateArn !== undefined) record.certificateArn = certificateArn;
  return {
    ManagedLoginVersion: record.managedLoginVersion,
    ...(record.certificateArn !== undefined ? { CloudFrontDomain: cloudFrontOf(record.domain) } : {}),
  };
}

function deleteUserPoolDomain(ctx: EmulatorContext, params: Params): object {
  const { pool, record } = domainOfPool(ctx, params);
  pool.domains = pool.domains.filter((d) => d !== record);
  ctx.store.domains.delete(record.domain);
  return {};
}

function scopesOf(params: Params): ResourceServerRecord['scopes'] {
  const raw = params.Scopes;
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw invalidParameter('Scopes must be a list.');
  if (raw.length > MAX_SCOPES) throw invalidParameter(`A resource server can have at most ${MAX_SCOPES} scopes.`);
  const seen = new Set<string>();
  return raw.map((entry: unknown) => {
    const s = (entry ?? {}) as Record<string, unknown>;
    const name = s.ScopeName;
    const description = s.ScopeDescription;
    if (typeof name !== 'string' || !SCOPE_NAME.test(name)) throw invalidParameter('Each scope needs a ScopeName of 1 to 256 characters without "/".');
    if (typeof description !== 'string' || description.length < 1 || description.length > 256) {
      throw invalidParameter(`Scope ${name} needs a ScopeDescription of 1 to 256 characters.`);
    }
    if (seen.has(name)) throw invalidParameter(`Scope ${name} is listed twice.`);
    seen.add(name);
    return { ScopeName: name, ScopeDescription: description };
  });
}

function serverFields(params: Params): { name: string; scopes: ResourceServerRecord['scopes'] } {
  const name = requireString(params, 'Name');
  if (!SERVER_NAME.test(name)) throw invalidParameter('Name must be 1 to 256 letters, numbers, spaces or +=,.@-.');
  return { name, scopes: scopesOf(params) };
}

function describeServer(poolId: string, server: ResourceServerRecord): object {
  return { UserPoolId: poolId, Identifier: server.identifier, Name: server.name, Scopes: server.scopes.map((s) => ({ ...s })) };
}

function serverOf(ctx: EmulatorContext, params: Params): { pool: PoolRecord; server: ResourceServerRecord } {
  const pool = ctx.store.pool(requireString(params, 'UserPoolId'));
  const identifier = requireString(params, 'Identifier');
  const server = pool.resourceServers.get(identifier);
  if (server === undefined) throw resourceNotFound(`Resource server ${identifier.slice(0, 256)} does not exist.`);
  return { pool, server };
}

function describeResourceServer(ctx: EmulatorContext, params: Params): object {
  const { pool, server } = serverOf(ctx, params);
  return { ResourceServer: describeServer(pool.id, server) };
}

function createResourceServer(ctx: EmulatorContext, params: Params): object {
  const pool = ctx.store.pool(requireString(params, 'UserPoolId'));
  const identifier = requireString(params, 'Identifier');
  if (!IDENTIFIER.test(identifier)) throw invalidParameter('Identifier must be 1 to 256 printable characters without quotes or backslashes.');
  const fields = serverFields(params);
  if (pool.resourceServers.has(identifier)) throw invalidParameter(`A resource server with identifier ${identifier} already exists.`);
  const server: ResourceServerRecord = { identifier, ...fields };
  pool.resourceServers.set(identifier, server);
  return { ResourceServer: describeServer(pool.id, server) };
}

/** UpdateResourceServer: name and scopes are replaced; scopes no longer defined leave every client. */
function updateResourceServer(ctx: EmulatorContext, params: Params): object {
  const { pool, server } = serverOf(ctx, params);
  const fields = serverFields(params);
  server.name = fields.name;
  server.scopes = fields.scopes;
  dropUndefinedScopes(pool, server.identifier);
  return { ResourceServer: describeServer(pool.id, server) };
}

function deleteResourceServer(ctx: EmulatorContext, params: Params): object {
  const { pool, server } = serverOf(ctx, params);
  pool.resourceServers.delete(server.identifier);
  dropUndefinedScopes(pool, server.identifier);
  return {};
}

function dropUndefinedScopes(pool: PoolRecord, identifier: string): void {
  const server = pool.resourceServers.get(identifier);
  const kept = new Set(server?.scopes.map((s) => `${identifier}/${s.ScopeName}`) ?? []);
  for (const client of pool.clients.values()) {
    client.oauth.scopes = client.oauth.scopes.filter((s) => !s.startsWith(`${identifier}/`) || kept.has(s));
  }
}

function listResourceServers(ctx: EmulatorContext, params: Params): object {
  const pool = ctx.store.pool(requireString(params, 'UserPoolId'));
  const limit = optionalInteger(params, 'MaxResults');
  if (limit === undefined) throw new WireError('InvalidParameterException', 'MaxResults is required.');
  if (limit < 1 || limit > 50) throw invalidParameter('MaxResults must be between 1 and 50.');
  const token = optionalString(params, 'NextToken');
  const page = paginate(pool.resourceServers.values(), { scope: `ListResourceServers/${pool.id}`, limit, ...(token ? { token } : {}) });
  return { ResourceServers: page.items.map((s) => describeServer(pool.id, s)), ...(page.next ? { NextToken: page.next } : {}) };
}

/** Domain and resource-server operations by name; all need AWS credentials. */
export const oauthResourceOperations: Record<string, OperationSpec> = {
  CreateUserPoolDomain: { handler: createUserPoolDomain, signed: true },
  DescribeUserPoolDomain: { handler: describeUserPoolDomain, signed: true },
  UpdateUserPoolDomain: { handler: updateUserPoolDomain, signed: true },
  DeleteUserPoolDomain: { handler: deleteUserPoolDomain, signed: true },
  CreateResourceServer: { handler: createResourceServer, signed: true },
  DescribeResourceServer: { handler: describeResourceServer, signed: true },
  UpdateResourceServer: { handler: updateResourceServer, signed: true },
  DeleteResourceServer: { handler: deleteResourceServer, signed: true },
  ListResourceServers: { handler: listResourceServers, signed: true },
};
