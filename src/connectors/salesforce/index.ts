export { createSalesforceConnector, type SalesforceConnector, type SalesforceConnectorOptions } from './connector.js';
export { SALESFORCE_STREAMS } from './streams.js';
export {
  salesforceCredentialsSchema,
  salesforceJwtCredentialsSchema,
  salesforcePasswordCredentialsSchema,
  salesforceRefreshTokenCredentialsSchema,
  salesforceSettingsSchema,
  type SalesforceCredentials,
  type SalesforceSettings,
  type SalesforceSettingsInput,
} from './settings.js';
export {
  applySalesforceEvents,
  parseSalesforceEvents,
  SALESFORCE_SIGNATURE_HEADER,
  salesforceChangeEventSchema,
  salesforceEventId,
  verifySalesforceSignature,
  type AppliedEvents,
  type SalesforceChangeEvent,
  type SignatureCheck,
} from './events.js';
export { modstampCursorSchema, type ModstampCursor } from './pull.js';
export { normalizeSalesforceRecord, type NormalizeOptions } from './normalize.js';
export { signJwtBearerAssertion } from './auth.js';
