/** describeGlobal (GET /sobjects), sObject basic info (GET /sobjects/T) and describe. */
import { json, type ApiRequest, type ApiResponse, type OrgServices } from '../api-types.js';
import { requireObject } from '../record-writes.js';
import type { FieldDef, ObjectDef } from '../schema.js';

function objectUrls(apiVersion: string, object: ObjectDef): Record<string, string> {
  const base = `/services/data/v${apiVersion}/sobjects/${object.name}`;
  return { sobject: base, describe: `${base}/describe`, rowTemplate: `${base}/{ID}` };
}

function objectSummary(apiVersion: string, object: ObjectDef): Record<string, unknown> {
  return {
    name: object.name,
    label: object.label,
    labelPlural: object.labelPlural,
    keyPrefix: object.keyPrefix,
    custom: object.custom,
    createable: true,
    updateable: true,
    deletable: true,
    queryable: true,
    replicateable: true,
    retrieveable: true,
    searchable: true,
    urls: objectUrls(apiVersion, object),
  };
}

const SOAP_TYPES: Record<FieldDef['type'], string> = {
  id: 'tns:ID', reference: 'tns:ID', string: 'xsd:string', email: 'xsd:string', phone: 'xsd:string', url: 'xsd:string',
  picklist: 'xsd:string', multipicklist: 'xsd:string', textarea: 'xsd:string', double: 'xsd:double', currency: 'xsd:double',
  percent: 'xsd:double', int: 'xsd:int', date: 'xsd:date', datetime: 'xsd:dateTime', boolean: 'xsd:boolean',
};

function describeField(field: FieldDef): Record<string, unknown> {
  return {
    name: field.name,
    label: field.label,
    type: field.type,
    soapType: SOAP_TYPES[field.type],
    length: field.length,
    precision: field.precision,
    scale: field.scale,
    custom: field.custom,
    externalId: field.externalId,
    idLookup: field.idLookup,
    unique: field.unique,
    nillable: field.nillable,
    createable: field.createable,
    updateable: field.updateable,
    filterable: field.type !== 'textarea',
    sortable: field.type !== 'textarea' && field.type !== 'multipicklist',
    calculated: false,
    defaultedOnCreate: field.defaultValue !== null || field.name === 'OwnerId' || field.type === 'boolean',
    defaultValue: field.defaultValue,
    picklistValues: field.picklistValues.map((entry) => ({ ...entry, validFor: null })),
    referenceTo: field.referenceTo,
    relationshipName: field.relationshipName,
    polymorphicForeignKey: field.referenceTo.length > 1,
  };
}

export function handleDescribeGlobal(services: OrgServices, request: ApiRequest): ApiResponse {
  return json(200, {
    encoding: 'UTF-8',
    maxBatchSize: 200,
    sobjects: services.schema.list().map((object) => objectSummary(request.apiVersion, object)),
  });
}

export function handleObjectInfo(services: OrgServices, request: ApiRequest, objectName: string): ApiResponse {
  const object = requireObject(services, objectName);
  return json(200, { objectDescribe: objectSummary(request.apiVersion, object), recentItems: [] });
}

export function handleDescribe(services: OrgServices, request: ApiRequest, objectName: string): ApiResponse {
  const object = requireObject(services, objectName);
  return json(200, {
    ...objectSummary(request.apiVersion, object),
    fields: object.fields.map(describeField),
    childRelationships: [],
    recordTypeInfos: [],
  });
}
