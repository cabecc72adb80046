/**
 * Single-record CRUD and the paged list: GET /crm/v3/objects/{type}[/{id}], POST, PATCH,
 * DELETE. Lists page by id through a sorted index, so a page costs O(limit + log n).
 */
import { z } from 'zod';
import { creationEvents, lifecycleEvent, propertyChangeEvents } from '../change-events.js';
import { route, type RequestContext, type Route } from '../context.js';
import { notFound, validation } from '../errors.js';
import { resolveObjectType, targetTypeForTypeId, type ObjectType } from '../schema.js';
import { propertySelection, recordJson, serializeRecord } from '../serialize.js';

export const propertyValuesSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]));

const associationInputSchema = z.object({
  to: z.object({ id: z.union([z.string(), z.number()]).transform(String) }),
  types: z.array(z.object({ associationCategory: z.string(), associationTypeId: z.number().int() })).min(1),
});

const createSchema = z.object({
  properties: propertyValuesSchema,
  associations: z.array(associationInputSchema).optional(),
});

const updateSchema = z.object({ properties: propertyValuesSchema });

/** The object type in the path, or a 400 like HubSpot's for an unknown one. */
export function objectTypeParam(ctx: RequestContext, index = 0): ObjectType | undefined {
  const type = resolveObjectType(ctx.param(index));
  if (!type) ctx.error(validation(`Unable to infer object type from: ${ctx.param(index)}`));
  return type;
}

export function associationsParam(ctx: RequestContext): ObjectType[] {
  const names = ctx.listParam('associations') ?? [];
  return names.map(resolveObjectType).filter((t): t is ObjectType => t !== undefined);
}

function list(ctx: RequestContext): void {
  const type = objectTypeParam(ctx);
  if (!type) return;
  const limitRaw = ctx.url.searchParams.get('limit');
  const limit = limitRaw === null ? 10 : Number(limitRaw);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    ctx.error(validation(`limit must be between 1 and 100, got ${limitRaw ?? ''}`));
    return;
  }
  const afterRaw = ctx.url.searchParams.get('after');
  const after = afterRaw === null || afterRaw === '' ? 0 : Number(afterRaw);
  if (!Number.isFinite(after)) {
    ctx.error(validation(`Invalid after: ${afterRaw ?? ''}`));
    return;
  }
  const archived = ctx.url.searchParams.get('archived') === 'true';
  const properties = propertySelection(ctx.sim.store, type, ctx.listParam('properties'));
  const associations = associationsParam(ctx);
  const page = ctx.sim.store.page(type, { archived, after, limit });
  let paging = '';
  if (page.nextAfter !== undefined) {
    const next = new URL(ctx.url.href);
    next.searchParams.set('after', String(page.nextAfter));
    paging = `,"paging":${JSON.stringify({ next: { after: String(page.nextAfter), link: next.href } })}`;
  }
  const selectionKey = properties.join(',');
  const results = associations.length > 0
    ? page.records.map((r) => JSON.stringify(serializeRecord(ctx.sim.store, r, properties, associations)))
    : page.records.map((r) => recordJson(ctx.sim.store, r, properties, selectionKey));
  ctx.rawJson(200, `{"results":[${results.join(',')}]${paging}}`);
}

function getOne(ctx: RequestContext): void {
  const type = objectTypeParam(ctx);
  if (!type) return;
  const idProperty = ctx.url.searchParams.get('idProperty');
  const archived = ctx.url.searchParams.get('archived') === 'true';
  const id = ctx.param(1);
  const record = idProperty && idProperty !== 'hs_object_id'
    ? ctx.sim.store.findBy(type, idProperty, id)
    : ctx.sim.store.get(type, id, { archived });
  if (!record) {
    ctx.error(notFound());
    return;
  }
  const properties = propertySelection(ctx.sim.store, type, ctx.listParam('properties'));
  ctx.json(200, serializeRecord(ctx.sim.store, record, properties, associationsParam(ctx)));
}

async function create(ctx: RequestContext): Promise<void> {
  const type = objectTypeParam(ctx);
  if (!type) return;
  const body = await ctx.body(createSchema);
  if (!body) return;
  const result = ctx.sim.store.create(type, body.properties);
  if (!result.ok) {
    ctx.error(result.error);
    return;
  }
  const record = result.value;
  for (const association of body.associations ?? []) {
    for (const t of association.types) {
      const toType = targetTypeForTypeId(type, t.associationTypeId);
      if (toType && ctx.sim.store.get(toType, association.to.id)) {
        ctx.sim.store.associations.add(type, record.id, toType, association.to.id, t.associationTypeId);
      }
    }
  }
  if (ctx.sim.webhooksForApiWrites) ctx.sim.webhooks.emit(creationEvents(record, 'INTEGRATION'));
  ctx.json(201, serializeRecord(ctx.sim.store, record, propertySelection(ctx.sim.store, type, Object.keys(body.properties))));
}

async function update(ctx: RequestContext): Promise<void> {
  const type = objectTypeParam(ctx);
  if (!type) return;
  const body = await ctx.body(updateSchema);
  if (!body) return;
  const idProperty = ctx.url.searchParams.get('idProperty');
  const id = idProperty && idProperty !== 'hs_object_id' ? ctx.sim.store.findBy(type, idProperty, ctx.param(1))?.id : ctx.param(1);
  const result = id ? ctx.sim.store.update(type, id, body.properties) : undefined;
  if (!result || !result.ok) {
    ctx.error(result?.error ?? notFound());
    return;
  }
  if (ctx.sim.webhooksForApiWrites) ctx.sim.webhooks.emit(propertyChangeEvents(result.value.record, result.value.changed, 'INTEGRATION'));
  ctx.json(200, serializeRecord(ctx.sim.store, result.value.record, propertySelection(ctx.sim.store, type, Object.keys(body.properties))));
}

function archive(ctx: RequestContext): void {
  const type = objectTypeParam(ctx);
  if (!type) return;
  const result = ctx.sim.store.archive(type, ctx.param(1));
  // HubSpot answers 204 even when the record is already gone: archiving is idempotent.
  if (result.ok && ctx.sim.webhooksForApiWrites) ctx.sim.webhooks.emit(lifecycleEvent(result.value, 'deletion', 'INTEGRATION'));
  ctx.res.writeHead(204, ctx.headers);
  ctx.res.end();
}

export const objectRoutes: Route[] = [
  route('GET', /^\/crm\/v3\/objects\/([^/]+)$/, list),
  route('POST', /^\/crm\/v3\/objects\/([^/]+)$/, create),
  route('GET', /^\/crm\/v3\/objects\/([^/]+)\/([^/]+)$/, getOne),
  route('PATCH', /^\/crm\/v3\/objects\/([^/]+)\/([^/]+)$/, update),
  route('DELETE', /^\/crm\/v3\/objects\/([^/]+)\/([^/]+)$/, archive),
];
