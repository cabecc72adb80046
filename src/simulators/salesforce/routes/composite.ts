/**
 * POST /composite: up to 25 subrequests run in order through the same routes, with
 * `@{referenceId.path}` references to earlier results. Always answers 200; each subrequest has
 * its own httpStatusCode. With allOrNone, one failure rolls everything back and the others report
 * PROCESSING_HALTED.
 */
import { SalesforceApiError } from '../errors.js';
import { json, type ApiRequest, type ApiResponse, type OrgServices, type RouteHandler } from '../api-types.js';

const MAX_SUBREQUESTS = 25;
const REFERENCE = /@\{([A-Za-z0-9_]+)((?:\.[A-Za-z0-9_]+|\[\d+\])*)\}/g;
const VERSIONED_PATH = /^\/services\/data\/v(\d+\.\d)\/(.*)$/;

interface SubResponse {
  body: unknown;
  httpHeaders: Record<string, string>;
  httpStatusCode: number;
  referenceId: string;
}

class UnresolvedReference extends Error {}
class RollbackSignal extends Error {}

function readPath(value: unknown, path: string): unknown {
  let current = value;
  for (const part of path.match(/[A-Za-z0-9_]+|\[\d+\]/g) ?? []) {
    if (current === null || typeof current !== 'object') return undefined;
    const key = part.startsWith('[') ? Number(part.slice(1, -1)) : part;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

function substitute(value: unknown, results: Map<string, unknown>): unknown {
  if (typeof value === 'string') {
    return value.replace(REFERENCE, (_match, ref: string, path: string) => {
      if (!results.has(ref)) throw new UnresolvedReference(`Invalid reference specified. No value for ${ref}${path} found in ${ref}.`);
      const resolved = readPath(results.get(ref), path);
      if (resolved === undefined || resolved === null) throw new UnresolvedReference(`Invalid reference specified. No value for ${ref}${path} found in ${ref}.`);
      return String(resolved);
    });
  }
  if (Array.isArray(value)) return value.map((item) => substitute(item, results));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, substitute(item, results)]));
  }
  return value;
}

const halted = (referenceId: string, message: string): SubResponse => ({
  body: [{ errorCode: 'PROCESSING_HALTED', message }],
  httpHeaders: {},
  httpStatusCode: 400,
  referenceId,
});

export function handleComposite(services: OrgServices, request: ApiRequest, dispatch: RouteHandler): ApiResponse {
  const body = request.body as { allOrNone?: unknown; compositeRequest?: unknown } | undefined;
  const subrequests = Array.isArray(body?.compositeRequest) ? (body.compositeRequest as Record<string, unknown>[]) : null;
  if (!subrequests) throw new SalesforceApiError(400, 'JSON_PARSER_ERROR', 'compositeRequest must be an array');
  if (subrequests.length > MAX_SUBREQUESTS) {
    throw new SalesforceApiError(400, 'LIMIT_EXCEEDED', `Composite request can contain at most ${MAX_SUBREQUESTS} subrequests`);
  }
  const allOrNone = body?.allOrNone === true;
  const results = new Map<string, unknown>();
  const responses: SubResponse[] = [];
  const runAll = (): boolean => {
    let failed = false;
    for (const sub of subrequests) {
      const referenceId = String(sub.referenceId ?? '');
      if (failed && allOrNone) {
        responses.push(halted(referenceId, 'The transaction was rolled back since another operation in the same transaction failed.'));
        continue;
      }
      const response = runOne(services, request, sub, results, dispatch);
      responses.push({ ...response, referenceId });
      if (response.httpStatusCode >= 400) failed = true;
      else results.set(referenceId, response.body);
    }
    return failed;
  };
  if (!allOrNone) {
    runAll();
    return json(200, { compositeResponse: responses });
  }
  try {
    services.store.atomic(() => {
      if (runAll()) throw new RollbackSignal();
    });
  } catch (error) {
    if (!(error instanceof RollbackSignal)) throw error;
    // Everything that had succeeded was undone: say so, as Salesforce does.
    for (let i = 0; i < responses.length; i++) {
      const response = responses[i] as SubResponse;
      if (response.httpStatusCode < 400) responses[i] = halted(response.referenceId, 'The transaction was rolled back since another operation in the same transaction failed.');
    }
  }
  return json(200, { compositeResponse: responses });
}

function runOne(
  services: OrgServices,
  parent: ApiRequest,
  sub: Record<string, unknown>,
  results: Map<string, unknown>,
  dispatch: RouteHandler,
): Omit<SubResponse, 'referenceId'> {
  try {
    const url = String(substitute(sub.url ?? '', results));
    const body = substitute(sub.body, results);
    const [path = '', queryString = ''] = url.split('?');
    const match = VERSIONED_PATH.exec(path);
    if (!match) throw new SalesforceApiError(400, 'INVALID_URL', `Invalid composite subrequest url: ${url}`);
    const response = dispatch(services, {
      ...parent,
      method: String(sub.method ?? 'GET').toUpperCase(),
      segments: (match[2] ?? '').split('/').filter(Boolean).map(decodeURIComponent),
      query: new URLSearchParams(queryString),
      body,
      apiVersion: match[1] as string,
    });
    const responseBody = response.rawJson !== undefined ? (JSON.parse(response.rawJson) as unknown) : (response.body ?? null);
    const httpHeaders: Record<string, string> = {};
    if (response.status === 201 && typeof responseBody === 'object' && responseBody !== null && 'id' in responseBody) {
      httpHeaders.Location = `${path}/${String((responseBody as { id: unknown }).id)}`;
    }
    return { body: responseBody, httpHeaders, httpStatusCode: response.status };
  } catch (error) {
    if (error instanceof UnresolvedReference) return { body: [{ errorCode: 'PROCESSING_HALTED', message: error.message }], httpHeaders: {}, httpStatusCode: 400 };
    if (error instanceof SalesforceApiError) return { body: error.toBody(), httpHeaders: {}, httpStatusCode: error.status };
    throw error;
  }
}
