/** Issue 17: only apps that opted in (CLI flag, portal checkbox, registration) use the device flow. */
import type { App } from '../../domain/apps.ts';
import { UnauthorizedClient } from '../errors.ts';

/** RFC 6749 §5.2 `unauthorized_client`, at /device_authorization and at /token alike. */
export function checkOptedIn(client: App): void {
  if (!client.deviceFlow) throw new UnauthorizedClient('the app has not opted in to the device flow');
}
