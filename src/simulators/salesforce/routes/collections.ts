/**
 * sObject Collections: POST/PATCH/DELETE /composite/sobjects (create, update, delete up to 200
 * records), POST /composite/sobjects/T (retrieve by ids) and PATCH /composite/sobjects/T/Field
 * (upsert). Always 200 with one SaveResult per record; with allOrNone a single failure rolls the
 * whole batch back and every other record reports ALL_OR_NONE_OPERATION_ROLLED_BACK.
 */
import { SalesforceApiError } from '../errors.js';
import { json, type ApiRequest, type ApiResponse, type OrgServices } from '../api-types.js';
import { createRecord, deleteRecord, requireObject, updateRecord, upsertRecord } from '../record-writes.js';
import { writeContext, renderRecord } from './sobjects.js';
import { to18 } from '../ids.js';

const MAX_RECORDS = 200;

interface SaveError {
  statusCode: string;
  message: string;
  fields: string[];
}

interface SaveResult {
  id: string | null;
  success: boolean;
  errors: SaveError[];
  created?: boolean;
}

class RollbackSignal extends Error {}

function toSaveError(error: unknown): SaveError {
  if (error instanceof SalesforceApiError) return { statusCode: error.errorCode, message: error.message, fields: error.fields ?? [] };
  throw error;
}

function readBatch(body: unknown): { allOrNone: boolean; records: Record<string, unknown>[] } {
  if (typeof body !== 'object' || body === null || !Array.isArray((body as { records?: unknown }).records)) {
    throw new SalesforceApiError(400, 'JSON_PARSER_ERROR', 'The request body must contain a records array');
  }
  const { allOrNone, records } = body as { allOrNone?: unknown; records: unknown[] };
  if (records.length > MAX_RECORDS) {
    throw new SalesforceApiError(400, 'EXCEEDED_ID_LIMIT', `record limit reached. cannot submit more than ${MAX_RECORDS} records into this call`);
  }
  return { allOrNone: allOrNone === true, records: records.map((record) => (typeof record === 'object' && record !== null ? record as Record<string, unknown> : {})) };
}

/** Runs one operation per item; under allOrNone the batch is one transaction. */
function runBatch<T>(services: OrgServices, items: T[], allOrNone: boolean, operation: (item: T) => Omit<SaveResult, 'errors' | 'success'>): SaveResult[] {
  const attempt = (): SaveResult[] =>
    items.map((item) => {
      try {
        return { ...operation(item), success: true, errors: [] };
      } catch (error) {
        return { id: null, success: false, errors: [toSaveError(error)] };
      }
    });
  if (!allOrNone) return attempt();
  let results: SaveResult[] = [];
  try {
    services.store.atomic(() => {
      results = attempt();
      if (results.some((result) => !result.success)) throw new RollbackSignal();
    });
    return results;
  } catch (error) {
    if (!(error instanceof RollbackSignal)) throw error;
    return results.map((result) =>
      result.success
        ? {
            id: null,
            success: false,
            errors: [{ statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK', message: 'Record rolled back because not all records were valid and the request was using AllOrNone header', fields: [] }],
          }
        : result,
    );
  }
}

function typeOf(record: Record<string, unknown>): string {
  const attributes = record.attributes;
  const type = typeof attributes === 'object' && attributes !== null ? (attributes as { type?: unknown }).type : undefined;
  if (typeof type !== 'string') throw new SalesforceApiError(400, 'INVALID_TYPE', 'Must send a concrete entity type.');
  return type;
}

export function handleCollections(services: OrgServices, request: ApiRequest): ApiResponse {
  const ctx = writeContext(services, request);
  const [, , objectName, extField] = request.segments;
  if (objectName && request.method === 'POST') return retrieveMany(services, request, objectName);
  if (objectName && extField && request.method === 'PATCH') {
    const { allOrNone, records } = readBatch(request.body);
    return json(200, runBatch(services, records, allOrNone, (record) => {
      const value = record[extField];
      if (typeof value !== 'string' && typeof value !== 'number') throw new SalesforceApiError(400, 'REQUIRED_FIELD_MISSING', `Required fields are missing: [${extField}]`, [extField]);
      const { [extField]: _omit, ...rest } = record;
      const outcome = upsertRecord(ctx, typeOf(record), extField, String(value), rest);
      if ('multiple' in outcome) throw new SalesforceApiError(300, 'DUPLICATE_EXTERNAL_ID', `${extField}: more than one record found for external id field: ${outcome.multiple.join(', ')}`, [extField]);
      return { id: outcome.id, created: outcome.created };
    }));
  }
  switch (request.method) {
    case 'POST': {
      const { allOrNone, records } = readBatch(request.body);
      return json(200, runBatch(services, records, allOrNone, (record) => ({ id: createRecord(ctx, typeOf(record), record) })));
    }
    case 'PATCH': {
      const { allOrNone, records } = readBatch(request.body);
      return json(200, runBatch(services, records, allOrNone, (record) => {
        // Field names are case-insensitive; jsforce sends the key as `id`.
        const idKey = Object.keys(record).find((key) => key.toLowerCase() === 'id');
        const id = idKey === undefined ? undefined : record[idKey];
        const fields = Object.fromEntries(Object.entries(record).filter(([key]) => key !== idKey));
        if (typeof id !== 'string') throw new SalesforceApiError(400, 'MISSING_ARGUMENT', 'Id not specified in an update call', []);
        if (services.settings.readOnlyObjects.has(typeOf(record))) throw new SalesforceApiError(400, 'INSUFFICIENT_ACCESS_OR_READONLY', 'insufficient access rights on object id', []);
        updateRecord(ctx, typeOf(record), id, fields);
        return { id: to18(id) };
      }));
    }
    case 'DELETE': {
      const ids = (request.query.get('ids') ?? '').split(',').filter(Boolean);
      if (ids.length > MAX_RECORDS) throw new SalesforceApiError(400, 'EXCEEDED_ID_LIMIT', `cannot delete more than ${MAX_RECORDS} records`);
      return json(200, runBatch(services, ids, request.query.get('allOrNone') === 'true', (id) => {
        const object = services.schema.objectForId(id);
        if (!object) throw new SalesforceApiError(400, 'MALFORMED_ID', `malformed id ${id}`, []);
        deleteRecord(ctx, object.name, id);
        return { id: to18(id) };
      }));
    }
    default:
      throw new SalesforceApiError(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${request.method}' not allowed. Allowed are POST,PATCH,DELETE`);
  }
}

function retrieveMany(services: OrgServices, request: ApiRequest, objectName: string): ApiResponse {
  const object = requireObject(services, objectName);
  const body = request.body as { ids?: unknown; fields?: unknown } | undefined;
  const ids = Array.isArray(body?.ids) ? body.ids.map(String) : [];
  const fields = Array.isArray(body?.fields) ? body.fields.map(String).join(',') : null;
  if (!fields) throw new SalesforceApiError(400, 'MISSING_ARGUMENT', 'fields must be specified');
  return json(200, ids.map((id) => {
    const record = services.store.get(object.name, to18(id));
    return record && record.IsDeleted !== true ? renderRecord(services, object, record, fields, request.apiVersion) : null;
  }));
}
