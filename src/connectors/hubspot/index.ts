export { createHubspotConnector, hubspotConnectorOptionsSchema, type HubspotConnectorOptions } from './connector.js';
export {
  hubspotCredentialsSchema,
  hubspotOAuthCredentialsSchema,
  hubspotPrivateAppCredentialsSchema,
  hubspotSettingsSchema,
  type HubspotCredentials,
  type HubspotSettings,
  type HubspotSettingsInput,
} from './settings.js';
export {
  applyHubspotEvents,
  hubspotEventId,
  hubspotEventSchema,
  parseHubspotEvents,
  verifyHubspotSignature,
  type AppliedEvents,
  type HubspotEvent,
  type SignatureCheck,
} from './webhooks.js';
export { fullCursorSchema, incrementalCursorSchema, type FullCursor, type IncrementalCursor } from './pull.js';
export { normalizeHubspotRecord } from './normalize.js';
