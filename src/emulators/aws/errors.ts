// AwsError is what handlers throw; the protocol routers serialise it the way each AWS protocol does.
export class AwsError extends Error {
  readonly code: string;
  readonly status: number;
  /** Extra members of the error shape (for example resourceIdentifier, Reason, Fields). */
  readonly fields: Record<string, unknown>;
  /** awsQuery only: Sender (client) or Receiver (server). */
  readonly fault: 'Sender' | 'Receiver';

  constructor(code: string, message: string, status = 400, fields: Record<string, unknown> = {}) {
    super(message);
    this.name = code;
    this.code = code;
    this.status = status;
    this.fields = fields;
    this.fault = status >= 500 ? 'Receiver' : 'Sender';
  }
}

export function isAwsError(e: unknown): e is AwsError {
  return e instanceof AwsError;
}

export interface SerialisedError {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** restJson1: status from @httpError, X-Amzn-ErrorType header, JSON body with message + members. */
export function restJsonError(e: AwsError, requestId: string): SerialisedError {
  return {
    status: e.status,
    headers: {
      'content-type': 'application/json',
      'x-amzn-errortype': e.code,
      'x-amzn-requestid': requestId,
    },
    body: JSON.stringify({ message: e.message, ...e.fields }),
  };
}

/** awsJson1_1: `__type` + `message` in the body; 400 for client errors, 500 for server errors. */
export function awsJsonError(e: AwsError, requestId: string): SerialisedError {
  return {
    status: e.status >= 500 ? 500 : 400,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId },
    body: JSON.stringify({ __type: e.code, message: e.message, ...e.fields }),
  };
}

export function xmlEscape(s: string): string {
  return s.replace(
    /[<>&'"]/g,
    (c) => `&${{ '<': 'lt', '>': 'gt', '&': 'amp', "'": 'apos', '"': 'quot' }[c]};`,
  );
}

/** awsQuery: XML ErrorResponse. */
export function awsQueryError(e: AwsError, requestId: string, xmlns: string): SerialisedError {
  return {
    status: e.status,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
    body:
      `<ErrorResponse xmlns="${xmlns}"><Error><Type>${e.fault}</Type><Code>${xmlEscape(e.code)}</Code>` +
      `<Message>${xmlEscape(e.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
  };
}
