/** Maps /services/data/vXX.X/… paths (already split into segments) to route handlers. */
import { notFound } from './errors.js';
import { json, type ApiRequest, type ApiResponse, type OrgServices } from './api-types.js';
import { handleCollections } from './routes/collections.js';
import { handleComposite } from './routes/composite.js';
import { handleDescribe, handleDescribeGlobal, handleObjectInfo } from './routes/describe.js';
import { handleQuery } from './routes/query.js';
import { handleDeleted, handleUpdated } from './routes/replication.js';
import { handleCreate, handleExternalId, handleSObjectRow } from './routes/sobjects.js';
import { handleTooling } from './routes/tooling.js';

function versionResources(apiVersion: string): Record<string, string> {
  const base = `/services/data/v${apiVersion}`;
  return {
    sobjects: `${base}/sobjects`, query: `${base}/query`, queryAll: `${base}/queryAll`, composite: `${base}/composite`,
    limits: `${base}/limits`, tooling: `${base}/tooling`,
  };
}

function routeSObjects(services: OrgServices, request: ApiRequest): ApiResponse {
  const [, objectName, third, fourth] = request.segments;
  if (!objectName) return handleDescribeGlobal(services, request);
  if (third === undefined) return request.method === 'POST' ? handleCreate(services, request, objectName) : handleObjectInfo(services, request, objectName);
  if (fourth === undefined) {
    if (third === 'describe') return handleDescribe(services, request, objectName);
    if (third === 'updated') return handleUpdated(services, request, objectName);
    if (third === 'deleted') return handleDeleted(services, request, objectName);
    return handleSObjectRow(services, request, objectName, third);
  }
  if (request.segments.length === 4) return handleExternalId(services, request, objectName, third, fourth);
  throw notFound();
}

export function routeApi(services: OrgServices, request: ApiRequest): ApiResponse {
  const [first, second] = request.segments;
  switch (first) {
    case undefined:
      return json(200, versionResources(request.apiVersion));
    case 'query':
    case 'queryAll':
      return handleQuery(services.queries, request, first, '', services.settings.pageSize);
    case 'sobjects':
      return routeSObjects(services, request);
    case 'composite':
      if (second === 'sobjects') return handleCollections(services, request);
      if (second === undefined && request.method === 'POST') return handleComposite(services, request, routeApi);
      throw notFound();
    case 'limits':
      return json(200, services.limits.describe());
    case 'tooling':
      return handleTooling(services, request);
    default:
      throw notFound();
  }
}
