/**
 * What every REST route receives and returns. Routes are plain functions over the org's services,
 * so the composite endpoint can run subrequests through the same code without HTTP.
 */
import type { Session } from './auth/sessions.js';
import type { ApiLimits } from './limits.js';
import type { QueryService } from './query-service.js';
import type { SchemaRegistry } from './schema.js';
import type { ToolingServices } from './custom-fields.js';
import type { RecordStore } from './store.js';

export interface OrgServices {
  schema: SchemaRegistry;
  store: RecordStore;
  queries: QueryService;
  limits: ApiLimits;
  settings: OrgSettings;
  /** The Tooling API's own objects (CustomField rows), queried with the same SOQL engine. */
  tooling: ToolingServices;
}

export interface OrgSettings {
  pageSize: number;
  /** When false, Tooling API writes answer 403 INSUFFICIENT_ACCESS (the user lacks Customize Application). */
  toolingAccess: boolean;
  /** How far the clock in the API's Date headers runs ahead of this machine's (negative: behind). */
  clockOffsetMs: number;
  /** Objects the API user may read but not edit: each updated record answers INSUFFICIENT_ACCESS_OR_READONLY. */
  readOnlyObjects: Set<string>;
}

export interface ApiRequest {
  method: string;
  /** Segments after /services/data/vXX.X, e.g. ['sobjects', 'Contact', '003…']. */
  segments: string[];
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  apiVersion: string;
  session: Session;
}

export interface ApiResponse {
  status: number;
  /** A JSON value, or already-serialized JSON text (fast path for cached query pages). */
  body?: unknown;
  rawJson?: string;
  headers?: Record<string, string>;
}

export type RouteHandler = (services: OrgServices, request: ApiRequest) => ApiResponse;

export const json = (status: number, body: unknown): ApiResponse => ({ status, body });

export function apiOrigin(request: ApiRequest): string {
  return `com/salesforce/api/rest/${request.apiVersion}`;
}
