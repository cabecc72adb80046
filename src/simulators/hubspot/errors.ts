/**
 * HubSpot's error bodies, byte-for-byte in shape: connectors branch on `category`, so the
 * simulator must use HubSpot's categories and statuses, never its own.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { sendJson } from '../shared/http.js';

export type HubspotErrorCategory =
  | 'VALIDATION_ERROR'
  | 'INVALID_AUTHENTICATION'
  | 'EXPIRED_AUTHENTICATION'
  | 'OBJECT_NOT_FOUND'
  | 'CONFLICT'
  | 'RATE_LIMITS'
  | 'MISSING_SCOPES'
  | 'INTERNAL_ERROR'
  | 'SERVICE_UNAVAILABLE';

export interface HubspotError {
  status: number;
  category: HubspotErrorCategory;
  message: string;
  subCategory?: string;
  context?: Record<string, string[]>;
}

export function hubspotError(
  status: number,
  category: HubspotErrorCategory,
  message: string,
  extra: Pick<HubspotError, 'subCategory' | 'context'> = {},
): HubspotError {
  return { status, category, message, ...extra };
}

export function sendHubspotError(res: ServerResponse, error: HubspotError, headers: Record<string, string | number> = {}): void {
  sendJson(
    res,
    error.status,
    {
      status: 'error',
      message: error.message,
      correlationId: randomUUID(),
      category: error.category,
      ...(error.subCategory ? { subCategory: error.subCategory } : {}),
      ...(error.context ? { context: error.context } : {}),
    },
    headers,
  );
}

export const notFound = (message = 'Object not found.'): HubspotError => hubspotError(404, 'OBJECT_NOT_FOUND', message);

export const validation = (message: string, context?: Record<string, string[]>): HubspotError =>
  hubspotError(400, 'VALIDATION_ERROR', message, context ? { context } : {});

/** One invalid property value, as listed inside HubSpot's "Property values were not valid" message. */
export interface PropertyProblem {
  name: string;
  error: 'PROPERTY_DOESNT_EXIST' | 'READ_ONLY_VALUE' | 'INVALID_OPTION' | 'INVALID_INTEGER' | 'INVALID_DATE' | 'INVALID_EMAIL';
  message: string;
}

export function invalidProperties(problems: PropertyProblem[]): HubspotError {
  const detail = problems.map((p) => ({
    isValid: false,
    message: p.message,
    error: p.error,
    name: p.name,
    localizedErrorMessage: p.message,
  }));
  return validation(`Property values were not valid: ${JSON.stringify(detail)}`, {
    properties: problems.map((p) => p.name),
  });
}
