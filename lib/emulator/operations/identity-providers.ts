/**
 * Federated identity providers of a pool: CreateIdentityProvider, DescribeIdentityProvider,
 * UpdateIdentityProvider, DeleteIdentityProvider, ListIdentityProviders and
 * GetIdentityProviderByIdentifier. Every type is stored and described; OIDC providers are the ones
 * the hosted UI signs in through (offline, against an upstream on loopback).
 */
import type { EmulatorContext, OperationSpec } from '../context';
import { WireError, invalidParameter, notInEnum, resourceNotFound } from '../errors';
import { paginate } from '../pagination';
import { epochSeconds, optionalInteger, optionalString, optionalStringList, requireString, type Params } from '../protocol';
import type { IdentityProviderRecord, PoolRecord } from '../store';

const TYPES = ['SAML', 'Facebook', 'Google', 'LoginWithAmazon', 'SignInWithApple', 'OIDC'] as const;
type ProviderType = (typeof TYPES)[number];
// Social providers have one name each: their type's.
const SOCIAL: readonly ProviderType[] = ['Facebook', 'Google', 'LoginWithAmazon', 'SignInWithApple'];
const REQUIRED_DETAILS: Record<ProviderType, readonly string[]> = {
  SAML: [],
  Facebook: ['client_id', 'client_secret', 'authorize_scopes'],
  Google: ['client_id', 'client_secret', 'authorize_scopes'],
  LoginWithAmazon: ['client_id', 'client_secret', 'authorize_scopes'],
  SignInWithApple: ['client_id', 'team_id', 'key_id', 'private_key', 'authorize_scopes'],
  OIDC: ['client_id', 'attributes_request_method', 'oidc_issuer', 'authorize_scopes'],
};
const NAME = /^[^_\s][^\s]{0,30}[^_\s]$|^[^_\s]$/u;
const IDP_IDENTIFIER = /^[\w\s+=.@-]{1,40}$/;
const MAX_IDENTIFIERS = 50;

function stringMapOf(params: Params, member: string): Record<string, string> | undefined {
  const raw = params[member];
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw invalidParameter(`${member} must be a map of strings.`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof v !== 'string') throw invalidParameter(`${member}.${k.slice(0, 64)} must be a string.`);
    out[k] = v;
  }
  return out;
}

function checkDetails(type: ProviderType, details: Record<string, string>): void {
  if (type === 'SAML' && details.MetadataFile === undefined && details.MetadataURL === undefined) {
    throw invalidParameter('ProviderDetails needs MetadataFile or MetadataURL for a SAML provider.');
  }
  const missing = REQUIRED_DETAILS[type].filter((key) => !details[key]);
  if (missing.length > 0) throw invalidParameter(`ProviderDetails of a ${type} provider needs ${missing.join(', ')}.`);
  if (type === 'OIDC') {
    if (details.attributes_request_method !== 'GET' && details.attributes_request_method !== 'POST') {
      throw invalidParameter('attributes_request_method must be GET or POST.');
    }
    for (const key of ['oidc_issuer', 'authorize_url', 'token_url', 'attributes_url', 'jwks_uri']) {
      const url = details[key];
      if (url !== undefined && !/^https?:\/\/[^\s]+$/.test(url)) throw invalidParameter(`ProviderDetails.${key} must be an http(s) URL.`);
    }
  }
}

function identifiersOf(pool: PoolRecord, params: Params, except?: string): string[] | undefined {
  const list = optionalStringList(params, 'IdpIdentifiers');
  if (list === undefined) return undefined;
  if (list.length > MAX_IDENTIFIERS) throw invalidParameter(`IdpIdentifiers can have at most ${MAX_IDENTIFIERS} entries.`);
  for (const id of list) {
    if (!IDP_IDENTIFIER.test(id)) throw invalidParameter('Each of IdpIdentifiers must be 1 to 40 letters, numbers, spaces or +=.@-.');
    for (const other of pool.identityProviders.values()) {
      if (other.name !== except && other.idpIdentifiers.includes(id)) throw new WireError('DuplicateProviderException', `Duplicate identifier ${id}.`);
    }
  }
  if (new Set(list).size !== list.length) throw new WireError('DuplicateProviderException', 'Duplicate identifier in IdpIdentifiers.');
  return list;
}

/** The `IdentityProviderType` structure. */
export function describeProvider(poolId: string, p: IdentityProviderRecord): object {
  return {
    UserPoolId: poolId,
    ProviderName: p.name,
    ProviderType: p.type,
    ProviderDetails: { ...p.details },
    AttributeMapping: { ...p.attributeMapping },
    IdpIdentifiers: [...p.idpIdentifiers],
    LastModifiedDate: epochSeconds(p.updatedAt),
    CreationDate: epochSeconds(p.createdAt),
  };
}

function createIdentityProvider(ctx: EmulatorContext, params: Params): object {
  const pool = ctx.store.pool(requireString(params, 'UserPoolId'));
  const name = requireString(params, 'ProviderName');
  const typeName = requireString(params, 'ProviderType');
  if (!(TYPES as readonly string[]).includes(typeName)) throw notInEnum('providerType', typeName, TYPES);
  const type = typeName as ProviderType;
  if (name === 'COGNITO' || !NAME.test(name)) throw invalidParameter(`Invalid ProviderName ${name.slice(0, 40)}.`);
  if (SOCIAL.includes(type) && name !== type) throw invalidParameter(`The ProviderName of a ${type} provider must be ${type}.`);
  if (pool.identityProviders.has(name)) throw new WireError('DuplicateProviderException', `A provider with the name ${name} already exists in this user pool.`);
  const details = stringMapOf(params, 'ProviderDetails') ?? {};
  checkDetails(type, details);
  const attributeMapping = stringMapOf(params, 'AttributeMapping') ?? {};
  // Cognito maps the provider's subject to the username of an OIDC user unless told otherwise.
  if (type === 'OIDC' && attributeMapping.username === undefined) attributeMapping.username = 'sub';
  const idpIdentifiers = identifiersOf(pool, params) ?? [];
  const now = ctx.clock.now();
  const record: IdentityProviderRecord = { name, type, details, attributeMapping, idpIdentifiers, createdAt: now, updatedAt: now };
  pool.identityProviders.set(name, record);
  return { IdentityProvider: describeProvider(pool.id, record) };
}

function providerOf(ctx: EmulatorContext, params: Params): { pool: PoolRecord; provider: IdentityProviderRecord } {
  const pool = ctx.store.pool(requireString(params, 'UserPoolId'));
  const name = requireString(params, 'ProviderName');
  const provider = pool.identityProviders.get(name);
  if (provider === undefined) throw resourceNotFound(`Identity provider ${name.slice(0, 40)} does not exist.`);
  return { pool, provider };
}

function describeIdentityProvider(ctx: EmulatorContext, params: Params): object {
  const { pool, provider } = providerOf(ctx, params);
  return { IdentityProvider: describeProvider(pool.id, provider) };
}

/** UpdateIdentityProvider: the members given replace the stored ones (details are merged by key). */
function updateIdentityProvider(ctx: EmulatorContext, params: Params): object {
  const { pool, provider } = providerOf(ctx, params);
  const details = stringMapOf(params, 'ProviderDetails');
  if (details !== undefined) {
    const merged = { ...provider.details, ...details };
    checkDetails(provider.type as ProviderType, merged);
    provider.details = merged;
  }
  const mapping = stringMapOf(params, 'AttributeMapping');
  if (mapping !== undefined) provider.attributeMapping = { ...provider.attributeMapping, ...mapping };
  const identifiers = identifiersOf(pool, params, provider.name);
  if (identifiers !== undefined) provider.idpIdentifiers = identifiers;
  provider.updatedAt = ctx.clock.now();
  return { IdentityProvider: describeProvider(pool.id, provider) };
}

/** DeleteIdentityProvider: the provider also leaves every client's SupportedIdentityProviders. */
function deleteIdentityProvider(ctx: EmulatorContext, params: Params): object {
  const { pool, provider } = providerOf(ctx, params);
  pool.identityProviders.delete(provider.name);
  for (const client of pool.clients.values()) {
    client.oauth.identityProviders = client.oauth.identityProviders.filter((n) => n !== provider.name);
  }
  return {};
}

function listIdentityProviders(ctx: EmulatorContext, params: Params): object {
  const pool = ctx.store.pool(requireString(params, 'UserPoolId'));
  const limit = optionalInteger(params, 'MaxResults') ?? 60;
  if (limit < 1 || limit > 60) throw invalidParameter('MaxResults must be between 1 and 60.');
  const token = optionalString(params, 'NextToken');
  const page = paginate(pool.identityProviders.values(), { scope: `ListIdentityProviders/${pool.id}`, limit, ...(token ? { token } : {}) });
  return {
    Providers: page.items.map((p) => ({
      ProviderName: p.name, ProviderType: p.type, LastModifiedDate: epochSeconds(p.updatedAt), CreationDate: epochSeconds(p.createdAt),
    })),
    ...(page.next ? { NextToken: page.next } : {}),
  };
}

function getIdentityProviderByIdentifier(ctx: EmulatorContext, params: Params): object {
  const pool = ctx.store.pool(requireString(params, 'UserPoolId'));
  const id = requireString(params, 'IdpIdentifier');
  for (const p of pool.identityProviders.values()) {
    if (p.idpIdentifiers.includes(id)) return { IdentityProvider: describeProvider(pool.id, p) };
  }
  throw resourceNotFound(`Identity provider with identifier ${id.slice(0, 40)} does not exist.`);
}

/** Identity-provider operations by name; all need AWS credentials. */
export const identityProviderOperations: Record<string, OperationSpec> = {
  CreateIdentityProvider: { handler: createIdentityProvider, signed: true },
  DescribeIdentityProvider: { handler: describeIdentityProvider, signed: true },
  UpdateIdentityProvider: { handler: updateIdentityProvider, signed: true },
  DeleteIdentityProvider: { handler: deleteIdentityProvider, signed: true },
  ListIdentityProviders: { handler: listIdentityProviders, signed: true },
  GetIdentityProviderByIdentifier: { handler: getIdentityProviderByIdentifier, signed: true },
};
