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


const HOUR_MS = 3_600_000;

/**
 * When to try again after HubSpot's daily cap: the next whole hour. HubSpot resets the count at
 * midnight in the account's time zone, which the error does not say. Assuming UTC midnight lost
 * most of a day for accounts in the Americas: resuming before their reset spent the pause on one
 * refused call and waited for the next UTC midnight. An hourly probe costs one refused call an
 * hour and resumes within the hour after the reset.
 */
function nextDailyLimitProbe(now = Date.now()): Date {
  return new Date(Math.floor(now / HOUR_MS) * HOUR_MS + HOUR_MS);
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
    return new CrmError('HUBSPOT', 'limit_exhausted', message, { ...details, resumeAt: nextDailyLimitProbe() });
  }
  return new CrmError('HUBSPOT', errorKindForStatus(status), message, details);
}
