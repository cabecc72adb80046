import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type BaseContext, type ContextFunction } from '@apollo/server';

/**
 * Apollo Server on a plain Node request: reads the JSON body, hands the request to Apollo and
 * writes its answer. It replaces express.json() and the express integration on /graphql,
 * whose generic layers (media-type negotiation, charset decoders, legacy URL parsing,
 * res.send's freshness checks) cost about a tenth of a context packet's server time.
 *
 * The body rules are the usual ones for GraphQL over HTTP: POST bodies are parsed when the
 * content type is application/json (any other POST is left to Apollo, which answers 400);
 * bodies over `maxBodyBytes` answer 413, and compressed or non-UTF-8 bodies 415, in GraphQL's
 * error shape.
 */

/** An answer given outside GraphQL execution (a refused body, a failing HTTP layer), in GraphQL's error shape. */
export function sendGraphqlError(res: ServerResponse, status: number, message: string, code = 'BAD_REQUEST'): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify({ errors: [{ message, extensions: { code } }] }));
}

/** How much of an oversized body is read and thrown away so the client sees the 413; past it the connection is cut. */
const MAX_DISCARDED_BYTES = 16 * 1024 * 1024;

/** The media type and charset of a Content-Type header, lower-cased. */
function mediaType(contentType: string | undefined): { essence: string; charset: string | undefined } {
  const [essence = '', ...params] = (contentType ?? '').split(';');
  const charset = params.map((p) => p.trim().toLowerCase()).find((p) => p.startsWith('charset='))?.slice('charset='.length).replace(/"/g, '');
  return { essence: essence.trim().toLowerCase(), charset };
}

type BodyOutcome = { body: unknown } | { status: number; message: string; closeConnection?: boolean } | { aborted: true };

function tooLarge(maxBodyBytes: number, closeConnection = false): BodyOutcome {
  return { status: 413, message: `the request body exceeds ${maxBodyBytes} bytes`, closeConnection };
}

/**
 * Reads a JSON body of at most maxBodyBytes. An oversized body is still read to its end (and
 * thrown away, up to MAX_DISCARDED_BYTES) before the 413, so clients that send everything
 * before they read the answer get it instead of a reset connection. A client that goes away
 * mid-body ends the request quietly.
 */
function readJsonBody(req: IncomingMessage, maxBodyBytes: number): Promise<BodyOutcome> {
  return new Promise((resolve) => {
    const declared = Number(req.headers['content-length']);
    if (declared > maxBodyBytes + MAX_DISCARDED_BYTES) return resolve(tooLarge(maxBodyBytes, true));
    let chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (outcome: BodyOutcome) => {
      if (done) return;
      done = true;
      chunks = [];
      resolve(outcome);
    };
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBodyBytes) chunks.push(chunk);
      else if (size > maxBodyBytes + MAX_DISCARDED_BYTES) finish(tooLarge(maxBodyBytes, true));
      else chunks = [];
    });
    req.on('end', () => {
      if (done) return;
      if (size > maxBodyBytes) return finish(tooLarge(maxBodyBytes));
      // JSON text is UTF-8 (RFC 8259), which may start with a byte order mark.
      const text = Buffer.concat(chunks).toString('utf8').replace(/^\uFEFF/, '');
      try {
        finish({ body: JSON.parse(text) as unknown });
      } catch {
        finish({ status: 400, message: 'the request body is not valid JSON' });
      }
    });
    req.on('error', () => finish({ aborted: true }));
    req.on('close', () => finish({ aborted: true }));
  });
}

async function readBody(req: IncomingMessage, maxBodyBytes: number): Promise<BodyOutcome> {
  const { essence, charset } = mediaType(req.headers['content-type']);
  if (req.method !== 'POST' || essence !== 'application/json') return { body: undefined };
  if (charset && charset !== 'utf-8' && charset !== 'utf8') return { status: 415, message: `charset "${charset}" is not supported; JSON bodies are UTF-8` };
  const encoding = req.headers['content-encoding']?.trim().toLowerCase();
  if (encoding && encoding !== 'identity') return { status: 415, message: `content-encoding "${encoding}" is not supported; send the body uncompressed` };
  return readJsonBody(req, maxBodyBytes);
}

export function graphqlHttpHandler<TContext extends BaseContext>(
  server: ApolloServer<TContext>,
  context: ContextFunction<[{ req: IncomingMessage }], TContext>,
  maxBodyBytes: number,
) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const read = await readBody(req, maxBodyBytes);
    if ('aborted' in read) return;
    if ('status' in read) {
      if (read.closeConnection) res.setHeader('connection', 'close');
      sendGraphqlError(res, read.status, read.message);
      return;
    }
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const url = req.url ?? '';
    const query = url.indexOf('?');
    const response = await server.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: (req.method ?? 'GET').toUpperCase(), headers, search: query >= 0 ? url.slice(query) : '', body: read.body },
      context: () => context({ req }),
    });
    for (const [name, value] of response.headers) res.setHeader(name, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') {
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  };
}
