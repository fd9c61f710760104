/**
 * Reads a create/edit request into raw fields and an optional logo, from a JSON body, a form
 * (urlencoded) or a multipart form with a file, which the form guard already read into
 * `request.body` and `request.formFiles` (src/http/form_guard.ts). Repeated fields are lists.
 * @module
 */
import type { FastifyRequest } from 'fastify';
import type { AppLogo } from '../domain/apps.ts';
import type { FieldError, RawInput } from '../domain/app_input.ts';
import { sniffLogo } from '../domain/app_logo.ts';

export interface ReadInput {
  raw: RawInput;
  logo?: AppLogo;
  /** Set when a logo was sent but is not a PNG or JPEG of at most 256 KB. */
  logoError?: FieldError;
}

const BAD_LOGO: FieldError = { field: 'logo', code: 'invalid_client_metadata', message: 'must be a PNG or JPEG image of at most 256 KB' };

export function readInput(request: FastifyRequest): ReadInput {
  const raw: RawInput = Object.create(null) as RawInput;
  const body = request.body;
  if (body && typeof body === 'object' && !Array.isArray(body)) Object.assign(raw, body);
  const result: ReadInput = { raw };
  for (const file of request.formFiles ?? []) {
    // Over the size limit, busboy stops reading and marks the stream truncated.
    if (file.truncated) {
      result.logoError = BAD_LOGO;
      continue;
    }
    if (file.field !== 'logo' || file.bytes.length === 0) continue;
    const logo = sniffLogo(file.bytes);
    if (logo) result.logo = logo;
    else result.logoError = BAD_LOGO;
  }
  return result;
}
