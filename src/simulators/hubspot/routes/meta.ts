/**
 * Schema-ish endpoints: the Properties API (labels for enumeration values, custom property
 * creation), owners, and the OAuth token exchange.
 */
import { z } from 'zod';
import { readFormBody, sendJson } from '../../shared/http.js';
import { route, type RequestContext, type Route } from '../context.js';
import { notFound, validation } from '../errors.js';
import type { PropertyDefinition, PropertyType } from '../schema.js';
import { objectTypeParam } from './objects.js';

const createPropertySchema = z.object({
  name: z.string().regex(/^[a-z][a-z0-9_]*$/, 'property names are lower-case letters, digits and underscores'),
  label: z.string().min(1),
  type: z.enum(['string', 'number', 'date', 'datetime', 'enumeration', 'bool', 'phone_number']),
  fieldType: z.string(),
  groupName: z.string(),
  description: z.string().optional(),
  options: z.array(z.object({ label: z.string(), value: z.string(), hidden: z.boolean().optional(), displayOrder: z.number().optional() })).optional(),
});

function serializeProperty(def: PropertyDefinition): Record<string, unknown> {
  return {
    name: def.name,
    label: def.label,
    type: def.type,
    fieldType: def.fieldType,
    groupName: def.groupName,
    description: def.description,
    options: def.options,
    hubspotDefined: def.hubspotDefined,
    calculated: false,
    externalOptions: false,
    hasUniqueValue: def.name === 'email',
    hidden: false,
    formField: !def.readOnly,
    modificationMetadata: { archivable: !def.hubspotDefined, readOnlyDefinition: def.hubspotDefined, readOnlyValue: def.readOnly },
  };
}

function listProperties(ctx: RequestContext): void {
  const type = objectTypeParam(ctx);
  if (!type) return;
  ctx.json(200, { results: ctx.sim.store.propertyDefinitions(type).map(serializeProperty) });
}

function getProperty(ctx: RequestContext): void {
  const type = objectTypeParam(ctx);
  if (!type) return;
  const def = ctx.sim.store.property(type, ctx.param(1));
  if (!def) ctx.error(notFound(`Unable to find property ${ctx.param(1)}`));
  else ctx.json(200, serializeProperty(def));
}

async function createProperty(ctx: RequestContext): Promise<void> {
  const type = objectTypeParam(ctx);
  if (!type) return;
  const body = await ctx.body(createPropertySchema);
  if (!body) return;
  if (body.type === 'enumeration' && (body.options ?? []).length === 0 && body.fieldType !== 'select') {
    ctx.error(validation('Enumeration properties need options.'));
    return;
  }
  const result = ctx.sim.store.createProperty(type, {
    name: body.name,
    label: body.label,
    type: body.type as PropertyType,
    fieldType: body.fieldType,
    groupName: body.groupName,
    description: body.description ?? '',
    options: (body.options ?? []).map((o, i) => ({ label: o.label, value: o.value, hidden: o.hidden ?? false, displayOrder: o.displayOrder ?? i })),
    readOnly: false,
    hubspotDefined: false,
  });
  if (!result.ok) ctx.error(result.error);
  else ctx.json(201, serializeProperty(result.value));
}

function listOwners(ctx: RequestContext): void {
  const email = ctx.url.searchParams.get('email');
  const archived = ctx.url.searchParams.get('archived') === 'true';
  const limit = Math.min(Math.max(Number(ctx.url.searchParams.get('limit') ?? 100) || 100, 1), 500);
  const offset = Number(ctx.url.searchParams.get('after') ?? 0) || 0;
  const owners = ctx.sim.store.owners.filter((o) => o.archived === archived && (!email || o.email.toLowerCase() === email.toLowerCase()));
  const body: { results: unknown[]; paging?: { next: { after: string; link: string } } } = { results: owners.slice(offset, offset + limit) };
  if (offset + limit < owners.length) {
    const next = new URL(ctx.url.href);
    next.searchParams.set('after', String(offset + limit));
    body.paging = { next: { after: String(offset + limit), link: next.href } };
  }
  ctx.json(200, body);
}

function getOwner(ctx: RequestContext): void {
  const owner = ctx.sim.store.owners.find((o) => o.id === ctx.param(0));
  if (!owner) ctx.error(notFound(`Owner ${ctx.param(0)} not found`));
  else ctx.json(200, owner);
}

async function token(ctx: RequestContext): Promise<void> {
  const form = await readFormBody(ctx.req);
  const result = ctx.sim.auth.refresh(form);
  if (result.ok) sendJson(ctx.res, 200, result.grant);
  else sendJson(ctx.res, result.status, { ...result.body, correlationId: crypto.randomUUID() });
}

export const metaRoutes: Route[] = [
  route('GET', /^\/crm\/v3\/properties\/([^/]+)$/, listProperties),
  route('POST', /^\/crm\/v3\/properties\/([^/]+)$/, createProperty),
  route('GET', /^\/crm\/v3\/properties\/([^/]+)\/([^/]+)$/, getProperty),
  route('GET', /^\/crm\/v3\/owners\/?$/, listOwners),
  route('GET', /^\/crm\/v3\/owners\/([^/]+)$/, getOwner),
  route('POST', /^\/oauth\/v1\/token$/, token, { auth: false, limit: 'none' }),
];
