/**
 * Salesforce's failures in our terms, keeping Salesforce's errorCode in details.crmCode.
 *
 * jsforce throws an HttpApiError whose name is Salesforce's errorCode but which forgets the HTTP
 * status; the client records the status of every response, so classification gets both.
 * OAuth failures arrive as errors named after the OAuth error (invalid_grant, …).
 */
import { z } from 'zod';
import { errorKindForStatus } from '../policy.js';
import { CrmError, type CrmErrorKind } from '../types.js';

/** Salesforce's REST error item, `[{message, errorCode, fields}]` (jsforce unwraps single items). */
const errorItemSchema = z.looseObject({
  message: z.string(),
  errorCode: z.string(),
  fields: z.array(z.string()).optional(),
});

/** The response the failing attempt got, when it got one. */
export interface ObservedResponse {
  status: number;
}

/** Codes that mean "the CRM refuses this request as written": no retry. */
const VALIDATION_CODES = new Set([
  'MALFORMED_QUERY',
  'INVALID_FIELD',
  'INVALID_TYPE',
  'INVALID_QUERY_FILTER_OPERATOR',
  'MALFORMED_ID',
  'JSON_PARSER_ERROR',
  'REQUIRED_FIELD_MISSING',
  'FIELD_CUSTOM_VALIDATION_EXCEPTION',
  'FIELD_INTEGRITY_EXCEPTION',
  'STRING_TOO_LONG',
  'INVALID_EMAIL_ADDRESS',
  'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
  'INVALID_QUERY_LOCATOR',
  'EXCEEDED_ID_LIMIT',
]);

const NOT_FOUND_CODES = new Set(['NOT_FOUND', 'ENTITY_IS_DELETED', 'INVALID_CROSS_REFERENCE_KEY']);
const CONFLICT_CODES = new Set(['DUPLICATE_VALUE', 'DUPLICATES_DETECTED', 'DUPLICATE_EXTERNAL_ID', 'MULTIPLE_CHOICES']);
const FORBIDDEN_CODES = new Set(['INSUFFICIENT_ACCESS', 'INSUFFICIENT_ACCESS_OR_READONLY', 'INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY', 'API_DISABLED_FOR_ORG', 'API_CURRENTLY_DISABLED', 'FUNCTIONALITY_NOT_ENABLED']);
const AUTH_CODES = new Set(['INVALID_SESSION_ID', 'INVALID_AUTH_HEADER']);
/** OAuth token endpoint errors that mean the credentials themselves are wrong or revoked. */
const OAUTH_AUTH_ERRORS = new Set(['invalid_grant', 'invalid_client_id', 'invalid_client', 'invalid_client_credentials', 'inactive_user', 'inactive_org', 'unsupported_grant_type', 'invalid_request', 'unauthorized_client']);

export interface LimitResumeEstimate {
  /** When a connection paused on a daily limit may try again. */
  resumeAt: () => Date;
}

/**
 * The kind for a per-record failure code, as sObject collections return them
 * (`{statusCode, message, fields}`), or a REST error code.
 */
export function kindForCode(code: string, status?: number): CrmErrorKind {
  if (AUTH_CODES.has(code)) return 'auth';
  if (NOT_FOUND_CODES.has(code)) return 'not_found';
  if (CONFLICT_CODES.has(code)) return 'conflict';
  if (FORBIDDEN_CODES.has(code) || code.startsWith('INSUFFICIENT_ACCESS')) return 'forbidden';
  if (VALIDATION_CODES.has(code)) return 'validation';
  if (code === 'SERVER_UNAVAILABLE' || code === 'UNKNOWN_EXCEPTION' || code === 'UNABLE_TO_LOCK_ROW') return 'server';
  if (status !== undefined) return errorKindForStatus(status);
  return 'validation';
}


function codeOf(error: unknown): { code: string | undefined; message: string } {
  if (!(error instanceof Error)) return { code: undefined, message: String(error) };
  const withData = error as Error & { errorCode?: unknown; data?: unknown };
  // Several errors arrive as an array (jsforce names them MULTIPLE_API_ERRORS): the first one speaks.
  const item = errorItemSchema.safeParse(Array.isArray(withData.data) ? withData.data[0] : withData.data);
  if (item.success) return { code: item.data.errorCode, message: item.data.message };
  return { code: typeof withData.errorCode === 'string' ? withData.errorCode : undefined, message: error.message };
}

/** Network-level failures (node-fetch's FetchError, aborts, timeouts): no response at all. */
function isNetworkFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as Error & { code?: unknown }).code;
  return (
    error.name === 'FetchError' ||
    error.name === 'AbortError' ||
    (typeof code === 'string' && /^(E[A-Z]+|UND_ERR_[A-Z_]+)$/.test(code)) ||
    /timed? ?out|socket hang up|ECONNRESET|ECONNREFUSED/i.test(error.message)
  );
}

/**
 * Classifies a failed REST call. `response` is what the failing attempt received (absent when
 * the request never got an answer).
 */
export function classifySalesforceFailure(error: unknown, response: ObservedResponse | undefined, limits: LimitResumeEstimate): CrmError {
  if (error instanceof CrmError) return error;
  const { code, message } = codeOf(error);
  const status = response?.status;
  const base = { origin: 'crm' as const, ...(status !== undefined ? { status } : {}), ...(code ? { crmCode: code } : {}) };
  if (status === undefined && !code) {
    if (isNetworkFailure(error)) return new CrmError('SALESFORCE', 'network', `Salesforce could not be reached (${message})`, { origin: 'us' });
    return new CrmError('SALESFORCE', 'protocol', `Salesforce call failed: ${message}`, { origin: 'us' });
  }
  if (code === 'REQUEST_LIMIT_EXCEEDED') {
    // One errorCode for two limits: the concurrency cap clears in seconds, the daily total does not.
    if (/Concurrent/i.test(message)) return new CrmError('SALESFORCE', 'rate_limited', message, base);
    return new CrmError('SALESFORCE', 'limit_exhausted', message, { ...base, resumeAt: limits.resumeAt() });
  }
  if (status === 401) {
    // jsforce already refreshed once (or our guard refused another refresh): the grant is dead.
    const reason = message.replace(/^Unable to refresh session due to: /, '');
    return new CrmError('SALESFORCE', 'auth', `Salesforce rejected the session after a refresh: ${reason}`, { ...base, crmCode: code ?? 'INVALID_SESSION_ID' });
  }
  return new CrmError('SALESFORCE', kindForCode(code ?? '', status), message, base);
}

/** Classifies a failure of the OAuth token endpoint (login, JWT, refresh). */
export function classifyOAuthFailure(error: unknown): CrmError {
  if (error instanceof CrmError) return error;
  if (isNetworkFailure(error)) {
    return new CrmError('SALESFORCE', 'network', `Salesforce login could not be reached (${(error as Error).message})`, { origin: 'us' });
  }
  const name = error instanceof Error ? error.name : 'unknown';
  const message = error instanceof Error ? error.message : String(error);
  const http = /^ERROR_HTTP_(\d{3})$/.exec(name);
  if (http) {
    const status = Number(http[1]);
    return new CrmError('SALESFORCE', status >= 500 ? 'server' : 'auth', `Salesforce login failed with HTTP ${status}`, { status, origin: 'crm' });
  }
  if (OAUTH_AUTH_ERRORS.has(name)) {
    return new CrmError('SALESFORCE', 'auth', `Salesforce refused the credentials: ${name}: ${message}`, { crmCode: name, origin: 'crm' });
  }
  return new CrmError('SALESFORCE', 'auth', `Salesforce login failed: ${message}`, { origin: 'us' });
}
