/**
 * Request bodies, read only behind the door (api/auth.ts: a caller with a credential, or a
 * webhook whose signature headers are in order) and bounded three ways before anything is
 * built from them:
 *
 * - bytes: a declared Content-Length over the route's limit is refused before one byte is
 *   read; a body that grows past it while streaming is refused at that byte (413);
 * - depth: JSON nested deeper than `maxDepth` is refused by a single pass over the bytes
 *   that stops at the first bracket too many, before `JSON.parse` builds anything (400);
 * - width: an object or array with more than `maxMembers` members is refused the same way (400).
 *
 * Written out rather than taken from body-parser because body-parser reads the whole body
 * (to drain the connection) before it refuses one, and has no depth bound.
 */
import type { Request, RequestHandler } from 'express';
import { ApiError, bodyIssue } from './errors';

export interface JsonLimits {
  /** The largest body in bytes. */
  maxBytes: number;
  /** Objects and arrays nested in one another, the outermost counting 1. */
  maxDepth: number;
  /** Members of any one object or array. */
  maxMembers: number;
}

/** Deep enough for a FHIR Bundle (entry → resource → extension → value…), far short of what hurts a parser. */
export const JSON_MAX_DEPTH = 32;
/** More than any real visit, notification or codec batch (at most 1000 payloads) holds in one list. */
export const JSON_MAX_MEMBERS = 10_000;

const tooLarge = (maxBytes: number) =>
  new ApiError(413, 'BODY_TOO_LARGE', 'the request body is too large', undefined, bodyIssue(`larger than this route accepts (${maxBytes} bytes)`));

/** Whether the request says it carries a body (RFC 9112 §6.3: Transfer-Encoding or Content-Length). */
export const hasBody = (req: Request) => req.headers['transfer-encoding'] !== undefined || req.headers['content-length'] !== undefined;

/** The media type of the body, lower case, without parameters. */
export const mediaTypeOf = (req: Request) => (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();

/** Refuses, before reading, what could not be read as UTF-8 text within the limit. */
export function checkBeforeReading(req: Request, maxBytes: number): void {
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  // A compressed body's size says nothing about what it inflates to: not accepted.
  if (encoding !== 'identity')
    throw new ApiError(
      415,
      'UNSUPPORTED_ENCODING',
      'unsupported body encoding',
      'send the body uncompressed',
      bodyIssue(`content-encoding ${encoding} is not accepted`),
    );
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(req.headers['content-type'] ?? '')?.[1]?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8' && charset !== 'us-ascii') {
    throw new ApiError(415, 'UNSUPPORTED_ENCODING', 'unsupported body encoding', 'send the body as UTF-8', bodyIssue(`charset ${charset} is not accepted`));
  }
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > maxBytes) throw tooLarge(maxBytes);
}

/**
 * The body's bytes, at most `maxBytes` of them. Over the limit the reading stops there: the rest is
 * discarded as it arrives (never kept) and the request is refused at once with 413.
 */
export function readRawBody(req: Request, maxBytes: number): Promise<Buffer> {
  checkBeforeReading(req, maxBytes);
  if (!hasBody(req) || req.readableEnded) return Promise.resolve(Buffer.alloc(0));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxBytes) {
        cleanup();
        chunks.length = 0;
        req.resume(); // drop the rest as it comes; the answer does not wait for it
        reject(tooLarge(maxBytes));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, received));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(new ApiError(400, 'BODY_INCOMPLETE', 'the request body could not be read', 'send it again', bodyIssue(err.message)));
    };
    const onAborted = () => onError(new Error('the client stopped sending the body'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}

const OPEN_OBJECT = 0x7b; // {
const OPEN_ARRAY = 0x5b; // [
const CLOSE_OBJECT = 0x7d; // }
const CLOSE_ARRAY = 0x5d; // ]
const COMMA = 0x2c;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * One pass over JSON bytes that refuses, at the first byte that breaks a bound, nesting deeper
 * than `maxDepth` or a container with more than `maxMembers` members. It only counts brackets
 * and commas outside strings (UTF-8 continuation bytes are never ASCII, so bytes are safe to
 * scan); whether the text is valid JSON is left to `JSON.parse`, which then builds at most a
 * bounded tree.
 */
export function checkJsonShape(bytes: Uint8Array, limits: Pick<JsonLimits, 'maxDepth' | 'maxMembers'>): void {
  const members: number[] = [];
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (inString) {
      if (b === BACKSLASH) i++;
      else if (b === QUOTE) inString = false;
      continue;
    }
    if (b === QUOTE) inString = true;
    else if (b === OPEN_OBJECT || b === OPEN_ARRAY) {
      if (members.length >= limits.maxDepth) {
        throw new ApiError(
          400,
          'BODY_TOO_DEEP',
          `the JSON body is nested deeper than ${limits.maxDepth} levels`,
          `objects and arrays may nest at most ${limits.maxDepth} deep`,
          bodyIssue(`nested deeper than ${limits.maxDepth} levels (at byte ${i})`),
        );
      }
      members.push(1);
    } else if (b === CLOSE_OBJECT || b === CLOSE_ARRAY) members.pop();
    else if (b === COMMA && members.length) {
      if (++members[members.length - 1] > limits.maxMembers) {
        throw new ApiError(
          400,
          'BODY_TOO_WIDE',
          `an object or array in the JSON body has more than ${limits.maxMembers} members`,
          `send at most ${limits.maxMembers} members in any one object or array`,
          bodyIssue(`more than ${limits.maxMembers} members in one object or array (at byte ${i})`),
        );
      }
    }
  }
}

const malformed = () =>
  new ApiError(400, 'MALFORMED_BODY', 'the request body is not valid JSON', 'send a JSON object', bodyIssue('not valid JSON (an object or array is expected)'));

/** JSON bytes to a value, within the shape limits; only an object or an array at the top, as body-parser's strict mode. An empty body is `{}`. */
export function parseJsonBody(bytes: Buffer, limits: Pick<JsonLimits, 'maxDepth' | 'maxMembers'>): unknown {
  const text = bytes.toString('utf8');
  const first = /\S/.exec(text)?.[0];
  if (first === undefined) return {};
  if (first !== '{' && first !== '[') throw malformed();
  checkJsonShape(bytes, limits);
  try {
    return JSON.parse(text);
  } catch {
    throw malformed();
  }
}

/**
 * A JSON body parser for routes behind the door: reads and parses only bodies of the listed
 * media types (others are left unread, `req.body` undefined, for the route's own schema to refuse).
 */
export function jsonBody(opts: { maxBytes: number; types: readonly string[]; maxDepth?: number; maxMembers?: number }): RequestHandler {
  const limits = { maxDepth: opts.maxDepth ?? JSON_MAX_DEPTH, maxMembers: opts.maxMembers ?? JSON_MAX_MEMBERS };
  return async (req, _res, next) => {
    // A GET's body means nothing here: never read.
    if (req.method === 'GET' || req.method === 'HEAD' || req.body !== undefined || !hasBody(req) || !opts.types.includes(mediaTypeOf(req))) return next();
    req.body = parseJsonBody(await readRawBody(req, opts.maxBytes), limits);
    next();
  };
}
