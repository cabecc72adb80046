export { startHubspotSimulator, type HubspotSimulator, type HubspotSimulatorOptions } from './server.js';
export { HubspotControl, ControlError, type SeedInput, type StateDump } from './control.js';
export { DEFAULT_PRIVATE_APP_TOKEN, type AuthOptions, type OAuthAppOptions } from './auth.js';
export { signatureV3, type WebhookEvent, type WebhookOptions, type DeliveryAttempt } from './webhooks.js';
export { OBJECT_TYPES, LAST_MODIFIED, type ObjectType } from './schema.js';
export type { HubspotRecord, HubspotOwner, HubspotStore } from './store.js';
export type { RateLimitOptions } from './limits.js';
