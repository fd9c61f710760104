/**
 * POST /device_authorization (RFC 8628 §3.1, §3.2; issue 17). The client authenticates as at
 * /token (a public client names itself), must have opted in to the device flow, and gets a
 * device_code (256 random bits, `tsd_`) to poll with and a user_code for the person to type on
 * /device. Only digests of both are stored.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { AppOptions } from '../../deps.ts';
import { rejectOtherMethods } from '../../http/methods.ts';
import { asRawParams, assembleParams } from '../../http/params.ts';
import { digest } from '../../crypto/digest.ts';
import { randomToken } from '../../crypto/random.ts';
import { normalizeUserCode, randomUserCode, userCodeDigest } from '../../crypto/user_codes.ts';
import { ENDPOINTS } from '../endpoints.ts';
import { checkOptedIn } from './opt_in.ts';
import { authenticateClient } from '../client_auth/index.ts';
import { registerBackChannel, rejectCredentialsInQuery } from '../client_auth/back_channel.ts';
import { checkDeviceScope } from './check_scope.ts';

const PARAMS = ['client_id', 'client_secret', 'scope'] as const;

/** RFC 8628 §3.2: 5 seconds when the server names none; ours names it. */
export const DEVICE_POLL_INTERVAL = 5;

/** What the confirm page may show of the requester's User-Agent (display only). */
const MAX_USER_AGENT = 300;

export default async function deviceAuthorizationRoutes(app: FastifyInstance, { deps }: AppOptions): Promise<void> {
  registerBackChannel(app);
  app.post(ENDPOINTS.deviceAuthorization, async (request) => {
    rejectCredentialsInQuery(request.query, ['client_secret']);
    const params = assembleParams(PARAMS, asRawParams(request.body));
    const client = await authenticateClient(deps, request, params, { allowPublic: true, cached: true });
    checkOptedIn(client);
    const scopes = checkDeviceScope(client, params.scope);
    const now = deps.clock.now();
    const deviceCode = randomToken('deviceCode');
    const userAgent = request.headers['user-agent'];
    const base = {
      id: digest(deviceCode),
      appId: client.id,
      scopes,
      requesterIp: request.ip,
      requesterUserAgent: userAgent ? userAgent.slice(0, MAX_USER_AGENT) : null,
      createdAt: now,
      expiresAt: now + deps.config.ttl.deviceCode,
      interval: DEVICE_POLL_INTERVAL,
      lastPolledAt: null,
      status: 'pending' as const,
      userId: null,
      grantId: null,
      familyId: null,
      authTime: null,
      amr: [],
      decidedAt: null,
    };
    // A user code may collide with a live one (20^8 codes): draw again.
    for (let attempt = 0; attempt < 5; attempt++) {
      const userCode = randomUserCode();
      if (await deps.stores.deviceAuthorizations.create({ ...base, userCodeDigest: userCodeDigest(normalizeUserCode(userCode)!) })) {
        const verificationUri = deps.config.issuer + ENDPOINTS.deviceVerification;
        return {
          device_code: deviceCode,
          user_code: userCode,
          verification_uri: verificationUri,
          // §3.3.1: the code rides along; the page still asks the person to compare it with the device.
          verification_uri_complete: `${verificationUri}?${new URLSearchParams({ user_code: userCode })}`,
          expires_in: deps.config.ttl.deviceCode,
          interval: DEVICE_POLL_INTERVAL,
        };
      }
    }
    throw new Error('could not draw a free user code');
  });
  rejectOtherMethods(app, ENDPOINTS.deviceAuthorization, ['POST']);
}
