/**
 * Salesforce answers REST errors as a JSON array of `{message, errorCode, fields?}` and OAuth
 * errors as `{error, error_description}`. Everything in the simulator throws these two classes so
 * the HTTP layer can render the exact shape a real org would.
 */

export interface SalesforceErrorItem {
  message: string;
  errorCode: string;
  fields?: string[];
}

export class SalesforceApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
    readonly fields?: string[],
  ) {
    super(message);
    this.name = 'SalesforceApiError';
  }

  toBody(): SalesforceErrorItem[] {
    const item: SalesforceErrorItem = { message: this.message, errorCode: this.errorCode };
    if (this.fields) item.fields = this.fields;
    return [item];
  }
}

export class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
  ) {
    super(description);
    this.name = 'OAuthError';
  }

  toBody(): { error: string; error_description: string } {
    return { error: this.error, error_description: this.description };
  }
}

export const notFound = (message = 'The requested resource does not exist'): SalesforceApiError =>
  new SalesforceApiError(404, 'NOT_FOUND', message);

export const invalidSession = (): SalesforceApiError =>
  new SalesforceApiError(401, 'INVALID_SESSION_ID', 'Session expired or invalid');

export const malformedQuery = (message: string): SalesforceApiError =>
  new SalesforceApiError(400, 'MALFORMED_QUERY', message);

export const invalidField = (message: string, fields?: string[]): SalesforceApiError =>
  new SalesforceApiError(400, 'INVALID_FIELD', message, fields);

export const jsonParserError = (message: string): SalesforceApiError =>
  new SalesforceApiError(400, 'JSON_PARSER_ERROR', message);
