/**
 * Reads a create/edit request into raw fields and an optional logo, from a JSON body, a form
 * (urlencoded) or a multipart form with a file. Repeated fields become lists.
 * @module
 */
import type { FastifyRequest } from 'fastify';
import type { AppLogo } from '../domain/apps.ts';
import type { FieldError, RawInput } from './app_input.ts';
import { sniffLogo } from './logo.ts';

export interface ReadInput {
  raw: RawInput;
  logo?: AppLogo;
  /** Set when a logo was sent but is not a PNG or JPEG of at most 256 KB. */
  logoError?: FieldError;
}

const BAD_LOGO: FieldError = { field: 'logo', code: 'invalid_client_metadata', message: 'must be a PNG or JPEG image of at most 256 KB' };

function add(raw: Record<string, unknown>, name: string, value: string) {
  const prior = raw[name];
  raw[name] = prior === undefined ? value : Array.isArray(prior) ? [...(prior as string[]), value] : [prior, value];
}

/**
 * A multipart body that ends early or breaks its boundaries: the client's mistake, so a 400
 * (the error handlers map a 4xx statusCode to invalid_request), not busboy's error as a 500.
 * SECURITY 42, 44; found by test/security/fuzz_json.test.ts.
 */
class MalformedMultipart extends Error {
  readonly statusCode = 400;
  readonly code = 'malformed_multipart';
}

export async function readInput(request: FastifyRequest): Promise<ReadInput> {
  try {
    return await readParts(request);
  } catch (err) {
    if (request.isMultipart() && !(typeof (err as { statusCode?: unknown }).statusCode === 'number')) throw new MalformedMultipart('malformed multipart body', { cause: err });
    throw err;
  }
}

async function readParts(request: FastifyRequest): Promise<ReadInput> {
  if (!request.isMultipart()) {
    const body = request.body;
    const raw: RawInput = Object.create(null) as RawInput;
    if (body && typeof body === 'object' && !Array.isArray(body)) Object.assign(raw, body);
    return { raw };
  }
  const raw: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  const result: ReadInput = { raw };
  for await (const part of request.parts()) {
    if (part.type === 'file') {
      const bytes = await part.toBuffer();
      // Over the size limit, busboy stops reading and marks the stream truncated.
      if (part.file.truncated) {
        result.logoError = BAD_LOGO;
        continue;
      }
      if (part.fieldname !== 'logo' || bytes.length === 0) continue;
      const logo = sniffLogo(bytes);
      if (logo) result.logo = logo;
      else result.logoError = BAD_LOGO;
    } else if (typeof part.value === 'string') {
      add(raw, part.fieldname, part.value);
    }
  }
  return result;
}
