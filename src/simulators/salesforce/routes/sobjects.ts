/**
 * sObject rows: create (POST /sobjects/T), read/update/delete (/sobjects/T/id) and upsert or read
 * by external id (/sobjects/T/Field/value). Writes go through record-writes.ts so the rules are
 * the same as in collections and composite.
 */
import { SalesforceApiError, notFound } from '../errors.js';
import { apiOrigin, json, type ApiRequest, type ApiResponse, type OrgServices } from '../api-types.js';
import { createRecord, deleteRecord, requireObject, updateRecord, upsertRecord, type WriteContext } from '../record-writes.js';
import { projectRecord, recordUrl, type ProjectionNode } from '../soql/projection.js';
import type { ObjectDef } from '../schema.js';
import type { RecordValues } from '../store.js';
import { invalidField } from '../errors.js';
import { to18 } from '../ids.js';

export function writeContext(services: OrgServices, request: ApiRequest): WriteContext {
  return { schema: services.schema, store: services.store, origin: apiOrigin(request), userId: request.session.userId, trusted: false };
}

function projectionFor(object: ObjectDef, fieldsParam: string | null): ProjectionNode {
  if (!fieldsParam) return { items: object.fields.map((field) => ({ kind: 'field' as const, name: field.name })) };
  const items = fieldsParam.split(',').map((raw) => {
    const field = object.fieldsByLowerName.get(raw.trim().toLowerCase());
    if (!field) throw invalidField(`No such column '${raw.trim()}' on sobject of type ${object.name}`);
    return { kind: 'field' as const, name: field.name };
  });
  return { items };
}

export function renderRecord(services: OrgServices, object: ObjectDef, record: RecordValues, fields: string | null, apiVersion: string): unknown {
  return projectRecord(services, object.name, record, projectionFor(object, fields), apiVersion);
}

export function handleSObjectRow(services: OrgServices, request: ApiRequest, objectName: string, id: string): ApiResponse {
  const object = requireObject(services, objectName);
  switch (request.method) {
    case 'GET':
    case 'HEAD': {
      const record = services.store.get(object.name, to18(id));
      if (!record || record.IsDeleted === true) throw notFound();
      return json(200, renderRecord(services, object, record, request.query.get('fields'), request.apiVersion));
    }
    case 'PATCH':
      updateRecord(writeContext(services, request), object.name, id, request.body);
      return { status: 204 };
    case 'DELETE':
      deleteRecord(writeContext(services, request), object.name, id);
      return { status: 204 };
    default:
      throw new SalesforceApiError(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${request.method}' not allowed. Allowed are HEAD,GET,PATCH,DELETE`);
  }
}

export function handleCreate(services: OrgServices, request: ApiRequest, objectName: string): ApiResponse {
  const id = createRecord(writeContext(services, request), objectName, request.body);
  return json(201, { id, success: true, errors: [] });
}

export function handleExternalId(services: OrgServices, request: ApiRequest, objectName: string, fieldName: string, value: string): ApiResponse {
  const object = requireObject(services, objectName);
  if (request.method === 'GET') {
    const field = object.fieldsByLowerName.get(fieldName.toLowerCase());
    if (!field || !(field.externalId || field.idLookup)) throw notFound(`Provided external ID field does not exist or is not accessible: ${fieldName}`);
    const matches = [...services.store.table(object.name).values()].filter(
      (record) => record.IsDeleted !== true && String(record[field.name] ?? '').toLowerCase() === value.toLowerCase(),
    );
    if (matches.length === 0) throw notFound();
    if (matches.length > 1) return json(300, matches.map((record) => recordUrl(request.apiVersion, object.name, record.Id ?? null)));
    return json(200, renderRecord(services, object, matches[0] as RecordValues, request.query.get('fields'), request.apiVersion));
  }
  if (request.method !== 'PATCH') {
    throw new SalesforceApiError(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${request.method}' not allowed. Allowed are HEAD,GET,PATCH`);
  }
  const outcome = upsertRecord(writeContext(services, request), object.name, fieldName, value, request.body);
  if ('multiple' in outcome) return json(300, outcome.multiple.map((id) => recordUrl(request.apiVersion, object.name, id)));
  // The `created` flag exists from API v46.0; before that an update answered 204.
  const modern = Number(request.apiVersion) >= 46;
  if (outcome.created) return json(201, modern ? { id: outcome.id, success: true, errors: [], created: true } : { id: outcome.id, success: true, errors: [] });
  return modern ? json(200, { id: outcome.id, success: true, errors: [], created: false }) : { status: 204 };
}
