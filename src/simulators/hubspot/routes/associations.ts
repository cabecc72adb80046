/**
 * Associations v4: read one record's associations, batch-read many, create (labelled or
 * default) and remove. Type ids and labels follow HubSpot's HUBSPOT_DEFINED table.
 */
import { z } from 'zod';
import { associationEvent } from '../change-events.js';
import { route, type RequestContext, type Route } from '../context.js';
import { notFound, validation } from '../errors.js';
import { associationLabel, associationTypes, OBJECT_TYPE_ID, resolveObjectType, SINGULAR, type ObjectType } from '../schema.js';
import type { HubspotStore } from '../store.js';

const typeSpecSchema = z.array(z.object({
  associationCategory: z.enum(['HUBSPOT_DEFINED', 'USER_DEFINED', 'INTEGRATOR_DEFINED']),
  associationTypeId: z.number().int(),
}));
const id = z.union([z.string(), z.number()]).transform(String);
const batchReadSchema = z.object({ inputs: z.array(z.object({ id, after: z.string().optional() })) });
const batchCreateSchema = z.object({ inputs: z.array(z.object({ from: z.object({ id }), to: z.object({ id }), types: typeSpecSchema })) });
const batchArchiveSchema = z.object({ inputs: z.array(z.object({ from: z.object({ id }), to: z.array(z.object({ id })) })) });

interface AssociationRow {
  toObjectId: number;
  associationTypes: { category: string; typeId: number; label: string | null }[];
}

export function associationRows(store: HubspotStore, fromType: ObjectType, fromId: string, toType: ObjectType): AssociationRow[] {
  const rows: AssociationRow[] = [];
  for (const [toId, typeIds] of store.associations.targets(fromType, fromId, toType)) {
    if (!store.get(toType, toId)) continue;
    rows.push({
      toObjectId: Number(toId),
      associationTypes: [...typeIds].map((typeId) => ({ category: 'HUBSPOT_DEFINED', typeId, label: associationLabel(fromType, toType, typeId) })),
    });
  }
  return rows;
}

function types(ctx: RequestContext, fromIndex: number, toIndex: number): [ObjectType, ObjectType] | undefined {
  const from = resolveObjectType(ctx.param(fromIndex));
  const to = resolveObjectType(ctx.param(toIndex));
  if (!from || !to) {
    ctx.error(validation(`Unknown object type: ${from ? ctx.param(toIndex) : ctx.param(fromIndex)}`));
    return undefined;
  }
  return [from, to];
}

function list(ctx: RequestContext): void {
  const pair = types(ctx, 0, 2);
  if (!pair) return;
  const [from, to] = pair;
  const fromId = ctx.param(1);
  if (!ctx.sim.store.get(from, fromId)) {
    ctx.error(notFound());
    return;
  }
  const limit = Math.min(Number(ctx.url.searchParams.get('limit') ?? 500) || 500, 500);
  const offset = Number(ctx.url.searchParams.get('after') ?? 0) || 0;
  const rows = associationRows(ctx.sim.store, from, fromId, to);
  const body: { results: AssociationRow[]; paging?: { next: { after: string } } } = { results: rows.slice(offset, offset + limit) };
  if (offset + limit < rows.length) body.paging = { next: { after: String(offset + limit) } };
  ctx.json(200, body);
}

async function batchRead(ctx: RequestContext): Promise<void> {
  const pair = types(ctx, 0, 1);
  if (!pair) return;
  const [from, to] = pair;
  const body = await ctx.body(batchReadSchema);
  if (!body) return;
  if (body.inputs.length > 1000) {
    ctx.error(validation(`Too many inputs: ${body.inputs.length}. The maximum batch size is 1000.`));
    return;
  }
  const startedAt = new Date().toISOString();
  const results: { from: { id: string }; to: AssociationRow[] }[] = [];
  const missing: string[] = [];
  for (const input of body.inputs) {
    const rows = ctx.sim.store.get(from, input.id) ? associationRows(ctx.sim.store, from, input.id, to) : [];
    if (rows.length > 0) results.push({ from: { id: input.id }, to: rows });
    else missing.push(input.id);
  }
  const response: Record<string, unknown> = { status: 'COMPLETE', results, startedAt, completedAt: new Date().toISOString() };
  if (missing.length > 0) {
    // Records without associations come back as errors, so the call answers 207.
    response.numErrors = missing.length;
    response.errors = missing.map((fromId) => ({
      status: 'error',
      category: 'OBJECT_NOT_FOUND',
      subCategory: 'crm.associations.NO_ASSOCIATIONS_FOUND',
      message: `No ${SINGULAR[to]} is associated with ${SINGULAR[from]} ${fromId}.`,
      context: { fromObjectId: [fromId] },
    }));
  }
  ctx.json(missing.length > 0 ? 207 : 200, response);
}

/** Adds associations and reports the change to webhooks when the API write should. */
function associate(ctx: RequestContext, from: ObjectType, fromId: string, to: ObjectType, toId: string, typeIds: number[]): boolean {
  const store = ctx.sim.store;
  if (!store.get(from, fromId) || !store.get(to, toId)) return false;
  const defs = associationTypes(from, to);
  for (const typeId of typeIds) {
    if (defs?.unlabeled !== typeId && defs?.primary !== typeId) return false;
  }
  for (const typeId of typeIds) {
    const added = store.associations.add(from, fromId, to, toId, typeId);
    if (added && ctx.sim.webhooksForApiWrites) ctx.sim.webhooks.emit(associationEvent(from, fromId, to, toId, false, typeId === defs?.primary, 'INTEGRATION'));
  }
  return true;
}

async function put(ctx: RequestContext): Promise<void> {
  const pair = types(ctx, 0, 2);
  if (!pair) return;
  const [from, to] = pair;
  const body = await ctx.body(typeSpecSchema);
  if (!body) return;
  const fromId = ctx.param(1);
  const toId = ctx.param(3);
  if (!associate(ctx, from, fromId, to, toId, body.map((t) => t.associationTypeId))) {
    ctx.error(validation(`Could not associate ${SINGULAR[from]} ${fromId} with ${SINGULAR[to]} ${toId}: unknown record or association type.`));
    return;
  }
  ctx.json(201, {
    fromObjectTypeId: OBJECT_TYPE_ID[from], fromObjectId: Number(fromId),
    toObjectTypeId: OBJECT_TYPE_ID[to], toObjectId: Number(toId),
    labels: body.map((t) => associationLabel(from, to, t.associationTypeId)).filter((l): l is string => l !== null),
  });
}

function putDefault(ctx: RequestContext): void {
  const pair = types(ctx, 0, 2);
  if (!pair) return;
  const [from, to] = pair;
  const defs = associationTypes(from, to);
  if (!defs || !associate(ctx, from, ctx.param(1), to, ctx.param(3), [defs.unlabeled])) {
    ctx.error(validation(`Could not associate ${SINGULAR[from]} ${ctx.param(1)} with ${SINGULAR[to]} ${ctx.param(3)}.`));
    return;
  }
  ctx.json(200, { status: 'COMPLETE', results: [{ from: { id: ctx.param(1) }, to: { id: ctx.param(3) }, associationSpec: { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: defs.unlabeled } }] });
}

function remove(ctx: RequestContext): void {
  const pair = types(ctx, 0, 2);
  if (!pair) return;
  const [from, to] = pair;
  const removed = ctx.sim.store.associations.removeAll(from, ctx.param(1), to, ctx.param(3));
  if (removed && ctx.sim.webhooksForApiWrites) ctx.sim.webhooks.emit(associationEvent(from, ctx.param(1), to, ctx.param(3), true, false, 'INTEGRATION'));
  ctx.res.writeHead(204, ctx.headers);
  ctx.res.end();
}

async function batchCreate(ctx: RequestContext): Promise<void> {
  const pair = types(ctx, 0, 1);
  if (!pair) return;
  const [from, to] = pair;
  const body = await ctx.body(batchCreateSchema);
  if (!body) return;
  const results: unknown[] = [];
  const failed: string[] = [];
  for (const input of body.inputs) {
    if (associate(ctx, from, input.from.id, to, input.to.id, input.types.map((t) => t.associationTypeId))) {
      results.push({ fromObjectTypeId: OBJECT_TYPE_ID[from], fromObjectId: Number(input.from.id), toObjectTypeId: OBJECT_TYPE_ID[to], toObjectId: Number(input.to.id), labels: [] });
    } else {
      failed.push(input.from.id);
    }
  }
  const response: Record<string, unknown> = { status: 'COMPLETE', results };
  if (failed.length > 0) {
    response.numErrors = failed.length;
    response.errors = [{ status: 'error', category: 'VALIDATION_ERROR', message: 'Some associations could not be created: unknown record or association type.', context: { ids: failed } }];
  }
  ctx.json(failed.length > 0 ? 207 : 201, response);
}

async function batchArchive(ctx: RequestContext): Promise<void> {
  const pair = types(ctx, 0, 1);
  if (!pair) return;
  const [from, to] = pair;
  const body = await ctx.body(batchArchiveSchema);
  if (!body) return;
  for (const input of body.inputs) for (const target of input.to) ctx.sim.store.associations.removeAll(from, input.from.id, to, target.id);
  ctx.res.writeHead(204, ctx.headers);
  ctx.res.end();
}

export const associationRoutes: Route[] = [
  route('GET', /^\/crm\/v4\/objects\/([^/]+)\/([^/]+)\/associations\/([^/]+)$/, list),
  route('PUT', /^\/crm\/v4\/objects\/([^/]+)\/([^/]+)\/associations\/default\/([^/]+)\/([^/]+)$/, putDefault),
  route('PUT', /^\/crm\/v4\/objects\/([^/]+)\/([^/]+)\/associations\/([^/]+)\/([^/]+)$/, put),
  route('DELETE', /^\/crm\/v4\/objects\/([^/]+)\/([^/]+)\/associations\/([^/]+)\/([^/]+)$/, remove),
  route('POST', /^\/crm\/v4\/associations\/([^/]+)\/([^/]+)\/batch\/read$/, batchRead),
  route('POST', /^\/crm\/v4\/associations\/([^/]+)\/([^/]+)\/batch\/create$/, batchCreate),
  route('POST', /^\/crm\/v4\/associations\/([^/]+)\/([^/]+)\/batch\/archive$/, batchArchive),
];
