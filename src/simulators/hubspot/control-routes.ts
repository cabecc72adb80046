/**
 * The control API over HTTP under /_control, so a standalone simulator (CLI, demo) can be
 * driven like the in-process one. Not rate-limited, not logged, no faults, no auth.
 */
import { z } from 'zod';
import { faultRuleInputSchema } from '../shared/faults.js';
import { route, type RequestContext, type Route } from './context.js';
import { ControlError, type HubspotControl } from './control.js';
import { notFound, validation } from './errors.js';
import { OBJECT_TYPES, resolveObjectType, type ObjectType } from './schema.js';

const values = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]));
const seedSchema = z.object({ seed: z.number().int(), contacts: z.number().int().min(1).max(500_000), now: z.string().optional() });
const propertiesSchema = z.object({ properties: values });
const mergeSchema = z.object({ primaryId: z.string(), mergedId: z.string() });
const associationSchema = z.object({ fromType: z.string(), fromId: z.string(), toType: z.string(), toId: z.string(), primary: z.boolean().optional() });
const touchSchema = z.object({ type: z.string(), ids: z.array(z.string()).optional(), at: z.union([z.string(), z.number()]) });
const webhookSchema = z
  .object({
    url: z.string().url(),
    clientSecret: z.string(),
    appId: z.number().int().optional(),
    portalId: z.number().int().optional(),
    maxBatch: z.number().int().min(1).max(100).optional(),
    flushDelayMs: z.number().int().min(0).optional(),
    format: z.enum(['legacy', 'generic']).optional(),
    retry: z.object({ attempts: z.number().int().min(1).optional(), baseMs: z.number().min(0).optional(), maxDelayMs: z.number().min(0).optional(), timeoutMs: z.number().min(1).optional() }).optional(),
  })
  .nullable();
const redeliverSchema = z.object({ batchId: z.number().int().optional() }).optional();
const limitsSchema = z.object({ dailyUsed: z.number().int().min(0).optional(), searchLagMs: z.number().int().min(0).optional() });

function typeOf(ctx: RequestContext, raw: string): ObjectType | undefined {
  const type = resolveObjectType(raw);
  if (!type) ctx.error(validation(`Unknown object type ${raw}`));
  return type;
}

/** Runs a control action, turning ControlError into HubSpot-shaped errors. */
async function attempt(ctx: RequestContext, action: () => unknown): Promise<void> {
  try {
    const result = await action();
    if (result === undefined) {
      ctx.res.writeHead(204);
      ctx.res.end();
    } else {
      ctx.json(200, result);
    }
  } catch (error) {
    if (error instanceof ControlError) ctx.error(error.error);
    else throw error;
  }
}

export function controlRoutes(control: HubspotControl): Route[] {
  const r = (method: string, path: RegExp, handler: (ctx: RequestContext) => Promise<void>): Route => route(method, path, handler, { auth: false, limit: 'none' });
  return [
    r('POST', /^\/_control\/seed$/, async (ctx) => {
      const body = await ctx.body(seedSchema);
      if (body) await attempt(ctx, () => ({ counts: control.seed({ seed: body.seed, contacts: body.contacts, ...(body.now ? { now: new Date(body.now) } : {}) }) }));
    }),
    r('POST', /^\/_control\/objects\/([^/]+)$/, async (ctx) => {
      const type = typeOf(ctx, ctx.param(0));
      const body = type && (await ctx.body(propertiesSchema));
      if (type && body) await attempt(ctx, () => control.create(type, body.properties));
    }),
    r('PATCH', /^\/_control\/objects\/([^/]+)\/([^/]+)$/, async (ctx) => {
      const type = typeOf(ctx, ctx.param(0));
      const body = type && (await ctx.body(propertiesSchema));
      if (type && body) await attempt(ctx, () => control.update(type, ctx.param(1), body.properties));
    }),
    r('DELETE', /^\/_control\/objects\/([^/]+)\/([^/]+)$/, async (ctx) => {
      const type = typeOf(ctx, ctx.param(0));
      if (type) await attempt(ctx, () => control.archive(type, ctx.param(1)));
    }),
    r('POST', /^\/_control\/objects\/([^/]+)\/([^/]+)\/restore$/, async (ctx) => {
      const type = typeOf(ctx, ctx.param(0));
      if (type) await attempt(ctx, () => control.restore(type, ctx.param(1)));
    }),
    r('POST', /^\/_control\/objects\/([^/]+)\/merge$/, async (ctx) => {
      const type = typeOf(ctx, ctx.param(0));
      const body = type && (await ctx.body(mergeSchema));
      if (type && body) await attempt(ctx, () => control.merge(type, body.primaryId, body.mergedId));
    }),
    r('POST', /^\/_control\/associations$/, async (ctx) => {
      const body = await ctx.body(associationSchema);
      const from = body && typeOf(ctx, body.fromType);
      const to = body && from && typeOf(ctx, body.toType);
      if (body && from && to) await attempt(ctx, () => void control.associate(from, body.fromId, to, body.toId, { primary: body.primary ?? false }));
    }),
    r('DELETE', /^\/_control\/associations$/, async (ctx) => {
      const body = await ctx.body(associationSchema);
      const from = body && typeOf(ctx, body.fromType);
      const to = body && from && typeOf(ctx, body.toType);
      if (body && from && to) await attempt(ctx, () => ({ removed: control.dissociate(from, body.fromId, to, body.toId) }));
    }),
    r('POST', /^\/_control\/touch$/, async (ctx) => {
      const body = await ctx.body(touchSchema);
      const type = body && typeOf(ctx, body.type);
      const at = body ? (typeof body.at === 'number' ? body.at : Date.parse(body.at)) : Number.NaN;
      if (body && type && Number.isNaN(at)) ctx.error(validation(`Invalid instant ${String(body.at)}`));
      else if (body && type) await attempt(ctx, () => ({ touched: control.touch(type, body.ids ?? 'all', at) }));
    }),
    r('GET', /^\/_control\/state$/, async (ctx) => {
      const requested = ctx.listParam('type')?.map(resolveObjectType).filter((t): t is ObjectType => t !== undefined);
      await attempt(ctx, () => control.state(requested ?? OBJECT_TYPES));
    }),
    r('GET', /^\/_control\/world-ids\/([^/]+)$/, async (ctx) => {
      const found = control.idFor(ctx.param(0));
      if (found) ctx.json(200, found);
      else ctx.error(notFound(`No record for world key ${ctx.param(0)}`));
    }),
    r('GET', /^\/_control\/requests$/, async (ctx) => attempt(ctx, () => ({ total: ctx.sim.requests.total, requests: control.requests() }))),
    r('DELETE', /^\/_control\/requests$/, async (ctx) => attempt(ctx, () => void ctx.sim.requests.clear())),
    r('GET', /^\/_control\/faults$/, async (ctx) => attempt(ctx, () => ({ faults: control.faults.list() }))),
    r('POST', /^\/_control\/faults$/, async (ctx) => {
      const body = await ctx.body(faultRuleInputSchema);
      if (body) await attempt(ctx, () => control.addFault(body));
    }),
    r('DELETE', /^\/_control\/faults$/, async (ctx) => attempt(ctx, () => void control.clearFaults())),
    r('DELETE', /^\/_control\/faults\/([^/]+)$/, async (ctx) => attempt(ctx, () => ({ removed: control.faults.remove(ctx.param(0)) }))),
    r('PUT', /^\/_control\/webhook$/, async (ctx) => {
      const body = await ctx.body(webhookSchema);
      if (body !== undefined) await attempt(ctx, () => void control.setWebhook(body));
    }),
    r('GET', /^\/_control\/webhook\/attempts$/, async (ctx) => attempt(ctx, () => ({ attempts: control.webhookAttempts() }))),
    r('POST', /^\/_control\/webhook\/redeliver$/, async (ctx) => {
      const body = await ctx.body(redeliverSchema);
      await attempt(ctx, async () => {
        try {
          await control.redeliverWebhook(body?.batchId);
        } catch (error) {
          throw new ControlError(notFound(error instanceof Error ? error.message : String(error)));
        }
        return { redelivered: true };
      });
    }),
    r('POST', /^\/_control\/webhook\/idle$/, async (ctx) => attempt(ctx, async () => ({ idle: (await control.webhooksIdle(), true) }))),
    r('POST', /^\/_control\/reset-counters$/, async (ctx) => attempt(ctx, () => void control.resetCounters())),
    r('POST', /^\/_control\/limits$/, async (ctx) => {
      const body = await ctx.body(limitsSchema);
      if (!body) return;
      if (body.dailyUsed !== undefined) control.setDailyUsed(body.dailyUsed);
      if (body.searchLagMs !== undefined) control.setSearchLag(body.searchLagMs);
      await attempt(ctx, () => undefined);
    }),
    r('POST', /^\/_control\/tokens\/expire$/, async (ctx) => attempt(ctx, () => void control.expireAccessTokens())),
  ];
}
