/**
 * HubSpot's error answers in our terms. HubSpot's body is
 * `{status:"error", message, correlationId, category, subCategory?, policyName?}`; the category
 * keeps the CRM's own code, the status picks our kind.
 */
import { z } from 'zod';
import { errorKindForStatus, parseRetryAfter } from '../policy.js';
import { CrmError } from '../types.js';

const errorBodySchema = z.looseObject({
  message: z.string().optional(),
  category: z.string().optional(),
  subCategory: z.string().optional(),
  correlationId: z.string().optional(),
  policyName: z.string().optional(),
  errorType: z.string().optional(),
});

export function correlationIdOf(body: unknown): string | undefined {
  const parsed = errorBodySchema.safeParse(body);
  return parsed.success ? parsed.data.correlationId : undefined;
}


/** The next midnight UTC: when HubSpot's daily counter resets (accounts in other zones reset earlier). */
function nextUtcMidnight(now = Date.now()): Date {
  const d = new Date(now);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1));
}

export function classifyHubspotFailure(status: number, body: unknown, retryAfter: string | undefined, correlationId: string | undefined): CrmError {
  const parsed = errorBodySchema.safeParse(body);
  const info = parsed.success ? parsed.data : {};
  const message = info.message ?? `HubSpot answered HTTP ${status}`;
  const crmCode = info.category ?? info.errorType;
  const retryAfterMs = parseRetryAfter(retryAfter);
  const details = {
    status,
    origin: 'crm' as const,
    ...(crmCode ? { crmCode } : {}),
    ...(correlationId ? { correlationId } : {}),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  };
  if (status === 429 && info.policyName === 'DAILY') {
    return new CrmError('HUBSPOT', 'limit_exhausted', message, { ...details, resumeAt: nextUtcMidnight() });
  }
  return new CrmError('HUBSPOT', errorKindForStatus(status), message, details);
}
