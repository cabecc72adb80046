/** The slice of the Tooling API a connector needs: create a CustomField, read it back, query CustomField. */
import { SalesforceApiError, notFound } from '../errors.js';
import { json, type ApiRequest, type ApiResponse, type OrgServices } from '../api-types.js';
import { customFieldRequestSchema, defineCustomField } from '../custom-fields.js';
import { to18 } from '../ids.js';
import { handleQuery } from './query.js';
import { renderRecord } from './sobjects.js';

function insufficientAccess(): SalesforceApiError {
  return new SalesforceApiError(403, 'INSUFFICIENT_ACCESS', 'insufficient access rights on object id: the running user needs the Customize Application permission');
}

export function handleTooling(services: OrgServices, request: ApiRequest): ApiResponse {
  const [, resource, objectName, id] = request.segments;
  if (resource === 'query' || resource === 'queryAll') {
    return handleQuery(services.tooling.queries, request, resource, '/tooling', services.settings.pageSize);
  }
  if (resource !== 'sobjects' || objectName?.toLowerCase() !== 'customfield') throw notFound();
  if (request.method === 'POST' && !id) {
    if (!services.settings.toolingAccess) throw insufficientAccess();
    const parsed = customFieldRequestSchema.safeParse(request.body);
    if (!parsed.success) {
      throw new SalesforceApiError(400, 'REQUIRED_FIELD_MISSING', `Required fields are missing: ${parsed.error.issues.map((issue) => issue.path.join('.')).join(', ')}`);
    }
    const fieldId = defineCustomField(services.schema, services.tooling, parsed.data);
    return json(201, { id: fieldId, success: true, errors: [], warnings: [], infos: [] });
  }
  if (request.method === 'GET' && id) {
    const { lookup } = services.tooling;
    const object = lookup.schema.find('CustomField');
    const record = object ? lookup.store.get(object.name, to18(id)) : undefined;
    if (!object || !record) throw notFound();
    return json(200, renderRecord({ ...services, ...lookup }, object, record, null, request.apiVersion));
  }
  throw new SalesforceApiError(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${request.method}' not allowed`);
}
