/**
 * Batch endpoints: read, create, update, upsert, archive, 100 inputs at most. Failures of
 * single inputs do not fail the batch: HubSpot answers 207 with the successes in `results`
 * and the failures grouped in `errors`, which is what connectors must split apart.
 */
import { z } from 'zod';
import { creationEvents, lifecycleEvent, propertyChangeEvents } from '../change-events.js';
import { route, type RequestContext, type Route } from '../context.js';
import { validation, type HubspotError } from '../errors.js';
import { SINGULAR, type ObjectType } from '../schema.js';
import { propertySelection, serializeRecord, type ApiObject } from '../serialize.js';
import type { HubspotRecord } from '../store.js';
import { objectTypeParam, propertyValuesSchema } from './objects.js';

const MAX_INPUTS = 100;
const id = z.union([z.string(), z.number()]).transform(String);

const readSchema = z.object({
  inputs: z.array(z.object({ id })),
  properties: z.array(z.string()).optional(),
  propertiesWithHistory: z.array(z.string()).optional(),
  idProperty: z.string().optional(),
});
const createSchema = z.object({ inputs: z.array(z.object({ properties: propertyValuesSchema })) });
const updateSchema = z.object({ inputs: z.array(z.object({ id, idProperty: z.string().optional(), properties: propertyValuesSchema })) });
const upsertSchema = z.object({ inputs: z.array(z.object({ id, idProperty: z.string().optional(), properties: propertyValuesSchema })) });
const archiveSchema = z.object({ inputs: z.array(z.object({ id })) });

interface BatchError {
  status: 'error';
  category: string;
  message: string;
  context: { ids: string[] };
}

/** Same-kind failures are grouped into one error with every id, as HubSpot reports them. */
class ErrorCollector {
  private byKey = new Map<string, BatchError>();

  add(error: HubspotError, inputId: string): void {
    const key = `${error.category}|${error.message}`;
    const existing = this.byKey.get(key);
    if (existing) existing.context.ids.push(inputId);
    else this.byKey.set(key, { status: 'error', category: error.category, message: error.message, context: { ids: [inputId] } });
  }

  get list(): BatchError[] {
    return [...this.byKey.values()];
  }

  get count(): number {
    return this.list.reduce((n, e) => n + e.context.ids.length, 0);
  }
}

function tooMany(ctx: RequestContext, count: number): boolean {
  if (count <= MAX_INPUTS) return false;
  ctx.error(validation(`Too many inputs: ${count}. The maximum batch size is ${MAX_INPUTS}.`));
  return true;
}

function reply(ctx: RequestContext, okStatus: number, results: unknown[], errors: ErrorCollector, startedAt: string): void {
  const body: Record<string, unknown> = { status: 'COMPLETE', results, startedAt, completedAt: new Date().toISOString() };
  if (errors.list.length > 0) {
    body.numErrors = errors.count;
    body.errors = errors.list;
  }
  ctx.json(errors.list.length > 0 ? 207 : okStatus, body);
}

function resolve(ctx: RequestContext, type: ObjectType, inputId: string, idProperty: string | undefined): HubspotRecord | undefined {
  return idProperty && idProperty !== 'hs_object_id' ? ctx.sim.store.findBy(type, idProperty, inputId) : ctx.sim.store.get(type, inputId);
}

async function read(ctx: RequestContext): Promise<void> {
  const type = objectTypeParam(ctx);
  if (!type) return;
  const body = await ctx.body(readSchema);
  if (!body) return;
  const limit = body.propertiesWithHistory?.length ? 50 : MAX_INPUTS;
  if (body.inputs.length > limit) {
    ctx.error(validation(`Too many inputs: ${body.inputs.length}. The maximum batch size is ${limit}.`));
    return;
  }
  const startedAt = new Date().toISOString();
  const properties = propertySelection(ctx.sim.store, type, body.properties ?? null);
  const results: ApiObject[] = [];
  const errors = new ErrorCollector();
  const notFound: HubspotError = {
    status: 404, category: 'OBJECT_NOT_FOUND',
    message: `Could not get some ${SINGULAR[type].toUpperCase()} objects, they may be deleted or not exist. Check that ids are valid.`,
  };
  for (const input of body.inputs) {
    const record = resolve(ctx, type, input.id, body.idProperty);
    if (record) results.push(serializeRecord(ctx.sim.store, record, properties));
    else errors.add(notFound, input.id);
  }
  reply(ctx, 200, results, errors, startedAt);
}

async function create(ctx: RequestContext): Promise<void> {
  const type = objectTypeParam(ctx);
  if (!type) return;
  const body = await ctx.body(createSchema);
  if (!body || tooMany(ctx, body.inputs.length)) return;
  const startedAt = new Date().toISOString();
  const results: ApiObject[] = [];
  const errors = new ErrorCollector();
  body.inputs.forEach((input, index) => {
    const result = ctx.sim.store.create(type, input.properties);
    if (!result.ok) {
      errors.add(result.error, String(index));
      return;
    }
    if (ctx.sim.webhooksForApiWrites) ctx.sim.webhooks.emit(creationEvents(result.value, 'INTEGRATION'));
    results.push(serializeRecord(ctx.sim.store, result.value, propertySelection(ctx.sim.store, type, Object.keys(input.properties))));
  });
  reply(ctx, 201, results, errors, startedAt);
}

async function update(ctx: RequestContext): Promise<void> {
  const type = objectTypeParam(ctx);
  if (!type) return;
  const body = await ctx.body(updateSchema);
  if (!body || tooMany(ctx, body.inputs.length)) return;
  const startedAt = new Date().toISOString();
  const results: ApiObject[] = [];
  const errors = new ErrorCollector();
  for (const input of body.inputs) {
    const record = resolve(ctx, type, input.id, input.idProperty);
    const result = record ? ctx.sim.store.update(type, record.id, input.properties) : undefined;
    if (!result || !result.ok) {
      errors.add(result?.error ?? { status: 404, category: 'OBJECT_NOT_FOUND', message: 'Object not found.' }, input.id);
      continue;
    }
    if (ctx.sim.webhooksForApiWrites) ctx.sim.webhooks.emit(propertyChangeEvents(result.value.record, result.value.changed, 'INTEGRATION'));
    results.push(serializeRecord(ctx.sim.store, result.value.record, propertySelection(ctx.sim.store, type, Object.keys(input.properties))));
  }
  reply(ctx, 200, results, errors, startedAt);
}

/** Upsert by a unique property (email for contacts): each result says whether it was created. */
async function upsert(ctx: RequestContext): Promise<void> {
  const type = objectTypeParam(ctx);
  if (!type) return;
  const body = await ctx.body(upsertSchema);
  if (!body || tooMany(ctx, body.inputs.length)) return;
  const startedAt = new Date().toISOString();
  const results: (ApiObject & { new: boolean })[] = [];
  const errors = new ErrorCollector();
  for (const input of body.inputs) {
    const idProperty = input.idProperty ?? 'hs_object_id';
    const existing = resolve(ctx, type, input.id, idProperty);
    const selection = propertySelection(ctx.sim.store, type, [...Object.keys(input.properties), idProperty]);
    if (existing) {
      const result = ctx.sim.store.update(type, existing.id, input.properties);
      if (!result.ok) {
        errors.add(result.error, input.id);
        continue;
      }
      if (ctx.sim.webhooksForApiWrites) ctx.sim.webhooks.emit(propertyChangeEvents(result.value.record, result.value.changed, 'INTEGRATION'));
      results.push({ ...serializeRecord(ctx.sim.store, result.value.record, selection), new: false });
      continue;
    }
    if (idProperty === 'hs_object_id') {
      errors.add({ status: 404, category: 'OBJECT_NOT_FOUND', message: 'Object not found.' }, input.id);
      continue;
    }
    const result = ctx.sim.store.create(type, { [idProperty]: input.id, ...input.properties });
    if (!result.ok) {
      errors.add(result.error, input.id);
      continue;
    }
    if (ctx.sim.webhooksForApiWrites) ctx.sim.webhooks.emit(creationEvents(result.value, 'INTEGRATION'));
    results.push({ ...serializeRecord(ctx.sim.store, result.value, selection), new: true });
  }
  reply(ctx, 200, results, errors, startedAt);
}

async function archive(ctx: RequestContext): Promise<void> {
  const type = objectTypeParam(ctx);
  if (!type) return;
  const body = await ctx.body(archiveSchema);
  if (!body || tooMany(ctx, body.inputs.length)) return;
  for (const input of body.inputs) {
    const result = ctx.sim.store.archive(type, input.id);
    if (result.ok && ctx.sim.webhooksForApiWrites) ctx.sim.webhooks.emit(lifecycleEvent(result.value, 'deletion', 'INTEGRATION'));
  }
  ctx.res.writeHead(204, ctx.headers);
  ctx.res.end();
}

export const batchRoutes: Route[] = [
  route('POST', /^\/crm\/v3\/objects\/([^/]+)\/batch\/read$/, read),
  route('POST', /^\/crm\/v3\/objects\/([^/]+)\/batch\/create$/, create),
  route('POST', /^\/crm\/v3\/objects\/([^/]+)\/batch\/update$/, update),
  route('POST', /^\/crm\/v3\/objects\/([^/]+)\/batch\/upsert$/, upsert),
  route('POST', /^\/crm\/v3\/objects\/([^/]+)\/batch\/archive$/, archive),
];
