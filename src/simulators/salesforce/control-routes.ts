/**
 * The control API over HTTP, under /_control/ on both ports, for the standalone simulator and
 * tests in other processes. Each route calls the in-process SalesforceControl method of the same
 * name; bodies are JSON and parsed with zod.
 *
 *   POST   /_control/seed                        {seed, contacts}
 *   GET    /_control/state                       record counts, API usage
 *   GET    /_control/records/{T}?includeDeleted=true
 *   POST   /_control/records/{T}                 {field: value…} → {id}
 *   GET    /_control/records/{T}/{id}
 *   PATCH  /_control/records/{T}/{id}            {field: value…}
 *   DELETE /_control/records/{T}/{id}
 *   POST   /_control/records/{T}/{id}/undelete
 *   POST   /_control/touch                       {type, ids, at}
 *   POST   /_control/custom-fields               {FullName, Metadata}
 *   GET|DELETE /_control/requests
 *   GET|POST|DELETE /_control/faults             POST body: a FaultRuleInput
 *   POST   /_control/sessions/expire
 *   PUT    /_control/sessions/reject-refreshed   {reject}
 *   POST   /_control/sessions/revoke-refresh-tokens
 *   POST   /_control/limits/reset-daily
 *   PUT    /_control/limits                      {dailyLimit?, concurrencyLimit?, used?}
 *   PUT    /_control/tooling-access              {allowed}
 *   PUT|DELETE /_control/cdc                     {url, secret}
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { faultRuleInputSchema } from '../shared/faults.js';
import { readJsonBody, sendJson, sendNoContent } from '../shared/http.js';
import { customFieldRequestSchema } from './custom-fields.js';
import { SalesforceApiError } from './errors.js';
import type { ServerContext } from './http-server.js';

const seedSchema = z.object({ seed: z.number().int(), contacts: z.number().int().positive() });
const valuesSchema = z.record(z.string(), z.unknown());
const touchSchema = z.object({ type: z.string(), ids: z.array(z.string()), at: z.union([z.string(), z.number()]) });
const limitsSchema = z.object({ dailyLimit: z.number().int().positive().optional(), concurrencyLimit: z.number().int().positive().optional(), used: z.number().int().nonnegative().optional() });
const cdcSchema = z.object({ url: z.string().url(), secret: z.string().min(1) });

export async function handleControl(ctx: ServerContext, req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): Promise<void> {
  const { control, org } = ctx;
  const method = req.method ?? 'GET';
  const parts = path.split('/').filter(Boolean).slice(1).map(decodeURIComponent);
  const route = `${method} ${parts[0] ?? ''}`;
  const body = async <T>(schema: z.ZodType<T>): Promise<T> => schema.parse(await readJsonBody(req));
  try {
    switch (route) {
      case 'POST seed': {
        const { idsByKey } = control.seed(await body(seedSchema));
        return sendJson(res, 200, { records: idsByKey.size, counts: control.counts() });
      }
      case 'GET state':
        return sendJson(res, 200, { orgId: org.orgId, counts: control.counts(), apiUsage: control.apiUsage(), refreshCount: control.refreshCount });
      case 'POST touch': {
        const input = await body(touchSchema);
        return sendJson(res, 200, { touched: control.touch(input.type, input.ids, input.at) });
      }
      case 'POST custom-fields':
        return sendJson(res, 201, { id: control.defineCustomField(await body(customFieldRequestSchema)) });
      case 'GET requests':
        return sendJson(res, 200, { total: org.requests.total, requests: org.requests.list() });
      case 'DELETE requests':
        org.requests.clear();
        return sendNoContent(res);
      case 'GET faults':
        return sendJson(res, 200, org.faults.list());
      case 'POST faults':
        return sendJson(res, 201, org.faults.add(await body(faultRuleInputSchema)));
      case 'DELETE faults':
        org.faults.clear();
        return sendNoContent(res);
      case 'POST limits':
        if (parts[1] !== 'reset-daily') break;
        control.resetDailyUsage();
        return sendNoContent(res);
      case 'PUT limits':
        control.setLimits(await body(limitsSchema));
        return sendNoContent(res);
      case 'PUT tooling-access':
        control.setToolingAccess((await body(z.object({ allowed: z.boolean() }))).allowed);
        return sendNoContent(res);
      case 'PUT cdc':
        control.setCdcTarget(await body(cdcSchema));
        return sendNoContent(res);
      case 'DELETE cdc':
        control.setCdcTarget(null);
        return sendNoContent(res);
      case 'POST sessions':
      case 'PUT sessions':
        return await handleSessions(ctx, req, res, parts[1]);
      default:
        if (parts[0] === 'records') return await handleRecords(ctx, req, res, parts.slice(1), query);
    }
    sendJson(res, 404, { error: `No control route ${method} ${path}` });
  } catch (error) {
    if (error instanceof z.ZodError) return sendJson(res, 400, { error: 'invalid body', issues: error.issues });
    if (error instanceof SalesforceApiError) return sendJson(res, error.status, error.toBody());
    sendJson(res, 500, { error: error instanceof Error ? error.message : String(error) });
  }
}

async function handleSessions(ctx: ServerContext, req: IncomingMessage, res: ServerResponse, action: string | undefined): Promise<void> {
  switch (action) {
    case 'expire':
      return sendJson(res, 200, { expired: ctx.control.expireSessions() });
    case 'reject-refreshed':
      ctx.control.rejectRefreshedTokens(z.object({ reject: z.boolean() }).parse(await readJsonBody(req)).reject);
      return sendNoContent(res);
    case 'revoke-refresh-tokens':
      ctx.control.revokeRefreshTokens();
      return sendNoContent(res);
    default:
      return sendJson(res, 404, { error: `No session action ${action ?? ''}` });
  }
}

async function handleRecords(ctx: ServerContext, req: IncomingMessage, res: ServerResponse, parts: string[], query: URLSearchParams): Promise<void> {
  const { control } = ctx;
  const [type, id, action] = parts;
  if (!type) return sendJson(res, 404, { error: 'record type required' });
  switch (`${req.method ?? 'GET'} ${id ? (action ?? 'one') : 'all'}`) {
    case 'GET all':
      return sendJson(res, 200, control.list(type, { includeDeleted: query.get('includeDeleted') === 'true' }));
    case 'POST all':
      return sendJson(res, 201, { id: control.create(type, valuesSchema.parse(await readJsonBody(req))) });
    case 'GET one': {
      const record = control.get(type, id as string);
      return record ? sendJson(res, 200, record) : sendJson(res, 404, { error: 'not found' });
    }
    case 'PATCH one':
      control.update(type, id as string, valuesSchema.parse(await readJsonBody(req)));
      return sendNoContent(res);
    case 'DELETE one':
      control.delete(type, id as string);
      return sendNoContent(res);
    case 'POST undelete':
      control.undelete(type, id as string);
      return sendNoContent(res);
    default:
      return sendJson(res, 404, { error: 'no such records route' });
  }
}
