/** GET query, queryAll and their nextRecordsUrl pages (data and Tooling API alike). */
import { SalesforceApiError } from '../errors.js';
import type { ApiRequest, ApiResponse } from '../api-types.js';
import type { QueryService } from '../query-service.js';

const BATCH_SIZE_HEADER = /batchSize\s*=\s*(\d+)/i;

/** Sforce-Query-Options: batchSize=n is honoured between 200 and the org's page size, like Salesforce. */
function batchSizeFor(request: ApiRequest, pageSize: number): number {
  const header = request.headers['sforce-query-options'];
  const match = typeof header === 'string' ? BATCH_SIZE_HEADER.exec(header) : null;
  if (!match) return pageSize;
  return Math.min(pageSize, Math.max(200, Number(match[1])));
}

export function handleQuery(
  queries: QueryService,
  request: ApiRequest,
  resource: 'query' | 'queryAll',
  basePrefix: string,
  pageSize: number,
): ApiResponse {
  if (request.method !== 'GET') throw new SalesforceApiError(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${request.method}' not allowed. Allowed are GET`);
  const basePath = `/services/data/v${request.apiVersion}${basePrefix}/${resource}`;
  const locator = request.segments[request.segments.length - 1];
  const isLocator = request.segments[request.segments.length - 2] === resource;
  if (isLocator && locator) {
    return { status: 200, rawJson: queries.queryMore(locator, { apiVersion: request.apiVersion, basePath }) };
  }
  const soql = request.query.get('q');
  if (!soql) throw new SalesforceApiError(400, 'MALFORMED_QUERY', 'A query string has to be specified');
  return {
    status: 200,
    rawJson: queries.query({
      soql,
      includeDeleted: resource === 'queryAll',
      apiVersion: request.apiVersion,
      basePath,
      batchSize: batchSizeFor(request, pageSize),
    }),
  };
}
