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
 * bodies over `maxBodyBytes` answer 413 and compressed bodies 415, in GraphQL's error shape.
 */

/** An answer refused before GraphQL runs, in GraphQL's error shape. */
function refuse(res: ServerResponse, status: number, message: string): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify({ errors: [{ message, extensions: { code: 'BAD_REQUEST' } }] }));
}

function isJson(contentType: string | undefined): boolean {
  const essence = contentType?.split(';', 1)[0]!.trim().toLowerCase();
  return essence === 'application/json';
}

type BodyOutcome = { body: unknown } | { status: number; message: string };

function readJsonBody(req: IncomingMessage, maxBodyBytes: number): Promise<BodyOutcome> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (outcome: BodyOutcome) => {
      if (done) return;
      done = true;
      req.removeAllListeners('data');
      resolve(outcome);
    };
    const declared = Number(req.headers['content-length']);
    if (declared > maxBodyBytes) return finish({ status: 413, message: `the request body exceeds ${maxBodyBytes} bytes` });
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) return finish({ status: 413, message: `the request body exceeds ${maxBodyBytes} bytes` });
      chunks.push(chunk);
    });
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        finish({ body: JSON.parse(text) as unknown });
      } catch {
        finish({ status: 400, message: 'the request body is not valid JSON' });
      }
    });
    req.on('error', (error) => (done ? undefined : ((done = true), reject(error))));
  });
}

async function readBody(req: IncomingMessage, maxBodyBytes: number): Promise<BodyOutcome> {
  if (req.method !== 'POST' || !isJson(req.headers['content-type'])) return { body: undefined };
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
    if ('status' in read) {
      // The rest of an oversized body is not read: the connection closes after the answer.
      if (read.status === 413) res.setHeader('connection', 'close');
      refuse(res, read.status, read.message);
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
