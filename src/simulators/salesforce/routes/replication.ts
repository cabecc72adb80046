/**
 * GET /sobjects/T/updated/?start&end and /deleted/?start&end, the replication API. Salesforce
 * serves the last 30 days for updated/ and 15 days for deleted/ (older starts fail with
 * INVALID_REPLICATION_DATE); ids changed in the window come back, datetimes in the wire format.
 */
import { SalesforceApiError } from '../errors.js';
import { json, type ApiRequest, type ApiResponse, type OrgServices } from '../api-types.js';
import { requireObject } from '../record-writes.js';
import { DAY_MS, formatDateTime, parseDateTime } from '../values.js';

const UPDATED_WINDOW_DAYS = 30;
const DELETED_WINDOW_DAYS = 15;
const MINUTE_MS = 60_000;

function window(request: ApiRequest, nowMs: number, days: number): { start: number; end: number } {
  const start = parseDateTime(request.query.get('start') ?? '');
  const end = parseDateTime(request.query.get('end') ?? '');
  if (start === null || end === null) {
    throw new SalesforceApiError(400, 'MALFORMED_QUERY', 'start and end must be dateTime values (e.g. 2026-01-01T00:00:00+00:00)');
  }
  if (end < start) throw new SalesforceApiError(400, 'INVALID_REPLICATION_DATE', 'startDate must chronologically precede endDate');
  if (start < nowMs - days * DAY_MS) {
    throw new SalesforceApiError(400, 'INVALID_REPLICATION_DATE', `startDate cannot be more than ${days} days ago`);
  }
  // Salesforce rounds the window down to whole minutes.
  return { start: Math.floor(start / MINUTE_MS) * MINUTE_MS, end: Math.floor(end / MINUTE_MS) * MINUTE_MS };
}

export function handleUpdated(services: OrgServices, request: ApiRequest, objectName: string): ApiResponse {
  const object = requireObject(services, objectName);
  const { start, end } = window(request, services.store.now(), UPDATED_WINDOW_DAYS);
  const from = formatDateTime(start);
  const to = formatDateTime(end);
  const ids: string[] = [];
  for (const record of services.store.table(object.name).values()) {
    const stamp = String(record.SystemModstamp);
    if (record.IsDeleted !== true && stamp >= from && stamp < to) ids.push(String(record.Id));
  }
  return json(200, { ids, latestDateCovered: to });
}

export function handleDeleted(services: OrgServices, request: ApiRequest, objectName: string): ApiResponse {
  const object = requireObject(services, objectName);
  const now = services.store.now();
  const { start, end } = window(request, now, DELETED_WINDOW_DAYS);
  const deletedRecords: { id: string; deletedDate: string }[] = [];
  for (const [id, deletedAt] of services.store.deletedLog(object.name)) {
    if (deletedAt >= start && deletedAt < end) deletedRecords.push({ id, deletedDate: formatDateTime(deletedAt) });
  }
  return json(200, {
    deletedRecords,
    earliestDateAvailable: formatDateTime(now - DELETED_WINDOW_DAYS * DAY_MS),
    latestDateCovered: formatDateTime(end),
  });
}
