/**
 * The portal's pages. preact escapes every value; nothing sets raw HTML. Forms carry a token
 * bound to the session (and the app), and post to our own paths only.
 * @module
 */
import { useBrand } from '../../interaction/views/brand.tsx';
import type { ComponentChildren } from 'preact';
import type { AppSuspension } from '../../domain/app_suspensions.ts';
import type { App, AppSecretInfo } from '../../domain/apps.ts';
import type { Organization } from '../../domain/organizations.ts';
import { SECRETS_FULL, type ManagedApp } from '../../services/apps.ts';
import { OWNER_FIELD } from '../owner_input.ts';
import { USAGE_DAYS, type PortalUsage } from '../usage.ts';
import { SCOPES } from '../../domain/scopes.ts';
import { Layout, type Account } from '../../interaction/views/layout.tsx';
import { APP_KINDS, type FieldError, type RawInput } from '../../domain/app_input.ts';
import { MAX_LOGO_BYTES } from '../../domain/app_logo.ts';
import { PORTAL } from './paths.ts';
import { HighPrivilegeBadge } from '../../interaction/views/high_privilege.tsx';
import { formatTime } from '../../domain/dates.ts';
import { COPY_SCRIPT } from '../../interaction/assets/paths.ts';

function date(seconds: number | null): string {
  return seconds === null ? '—' : formatTime(seconds);
}

function Errors({ errors, field }: { errors: FieldError[]; field: string }) {
  const mine = errors.filter((e) => e.field === field);
  if (mine.length === 0) return null;
  // The alert wraps the list: role=alert on the <ul> itself would take away its list semantics (WCAG 1.3.1).
  return (
    <div role="alert">
      <ul class="error field-errors" id={`${field}-errors`}>
        {mine.map((e) => (
          <li>{e.message}</li>
        ))}
      </ul>
    </div>
  );
}

/** Points a field at its error list only when that list is on the page: a reference to a missing id names nothing (WCAG 4.1.2). */
function describedByErrors(errors: FieldError[], field: string): { 'aria-describedby'?: string; 'aria-invalid'?: 'true' } {
  return errors.some((e) => e.field === field) ? { 'aria-describedby': `${field}-errors`, 'aria-invalid': 'true' } : {};
}

/**
 * Every portal page is a signed-in developer's: the account menu says who, and leads to Profile and
 * Sign out. With `copy`, the page has copy buttons (CopyableValue) and loads their script from our
 * origin: send it with `sendPage(…, { scripts: true })`, whose CSP allows scripts from 'self' only.
 */
export function PortalLayout({ title, account, copy = false, children }: { title: string; account: Account; copy?: boolean; children: ComponentChildren }) {
  return (
    <Layout title={title} wide account={account}>
      <nav class="portal-nav">
        <a href={PORTAL.apps}>Your apps</a> <a href={PORTAL.guide}>Developer guide</a>
      </nav>
      {children}
      {copy && <script type="module" src={COPY_SCRIPT} />}
    </Layout>
  );
}

/**
 * A value a developer copies into their service (issue 20): selectable text always, and a Copy
 * button that our script (assets/copy.js) shows only where the browser can copy; without script
 * the button stays hidden. The status line says "Copied" to screen readers too.
 */
function CopyableValue({ id, name, value }: { id: string; name: string; value: string }) {
  return (
    <>
      <code id={id}>{value}</code>{' '}
      <span class="copy" data-copy={id} hidden>
        <button type="button" class="secondary">
          Copy<span class="visually-hidden"> the {name}</span>
        </button>{' '}
        <span role="status" class="hint" />
      </span>
    </>
  );
}

/** Marks a required field for the eye; the field's `required` attribute tells assistive technology (WCAG 3.3.2). */
function RequiredMark() {
  return (
    <span class="required" aria-hidden="true">
      {' '}
      *
    </span>
  );
}

export function AppListView({ apps, account }: { apps: ManagedApp[]; account: Account }) {
  return (
    <PortalLayout title="Your apps" account={account}>
      <h1>Your apps</h1>
      {apps.length === 0 ? (
        <p>You have not registered an app yet.</p>
      ) : (
        <ul class="apps">
          {apps.map(({ app, org }) => (
            <li>
              <a href={PORTAL.app(app.id)}>{app.name}</a> <span class="muted">{app.clientType === 'confidential' ? 'web app' : 'public'}</span>{' '}
              {org ? <span class="owner-badge">{org.name}</span> : <span class="owner-badge personal">you</span>}
            </li>
          ))}
        </ul>
      )}
      <p>
        <a class="button" href={PORTAL.newApp}>
          Register an app
        </a>
      </p>
    </PortalLayout>
  );
}

function value(raw: RawInput, name: string): string {
  const v = raw[name];
  return typeof v === 'string' ? v : Array.isArray(v) ? v.filter((x) => typeof x === 'string').join('\n') : '';
}

function TextField({ raw, errors, name, label, required = false, hint }: { raw: RawInput; errors: FieldError[]; name: string; label: string; required?: boolean; hint?: string }) {
  return (
    <label>
      {label}
      {required && <RequiredMark />}
      {hint !== undefined && <span class="hint"> {hint}</span>}
      <input type="text" name={name} value={value(raw, name)} required={required} {...describedByErrors(errors, name)} />
      <Errors errors={errors} field={name} />
    </label>
  );
}

export interface AppFormProps {
  action: string;
  token: string;
  raw: RawInput;
  errors: FieldError[];
  /** Only when creating: the kind cannot change later (a secret or not). */
  chooseKind: boolean;
  /** Only when creating: organizations the person owns, which may own the app instead of them. */
  owners?: Organization[];
  submit: string;
}

/** "Owner: you / org X", only offered for organizations where the person is an owner (issue 5). */
function OwnerChoice({ raw, errors, owners }: { raw: RawInput; errors: FieldError[]; owners: Organization[] }) {
  const chosen = value(raw, OWNER_FIELD);
  return (
    <fieldset>
      <legend>Owner</legend>
      <label class="inline">
        <input type="radio" name={OWNER_FIELD} value="" checked={chosen === ''} /> You
      </label>
      {owners.map((org) => (
        <label class="inline">
          <input type="radio" name={OWNER_FIELD} value={org.slug} checked={chosen === org.slug} /> {org.name} <span class="hint">(its owners manage the app)</span>
        </label>
      ))}
      <Errors errors={errors} field={OWNER_FIELD} />
    </fieldset>
  );
}

export function AppForm({ action, token, raw, errors, chooseKind, owners, submit }: AppFormProps) {
  const chosen = new Set(value(raw, 'scopes').split(/\s+/));
  return (
    <form method="post" action={action} enctype="multipart/form-data" class="app-form">
      <input type="hidden" name="token" value={token} />
      <p class="hint">
        Fields marked <span class="required">*</span> are required.
      </p>
      <TextField raw={raw} errors={errors} name="name" label="Name" required />
      <label>
        Description
        <textarea name="description" rows={3}>{value(raw, 'description')}</textarea>
        <Errors errors={errors} field="description" />
      </label>
      <TextField raw={raw} errors={errors} name="company" label="Company" />
      <TextField raw={raw} errors={errors} name="company_url" label="Company website" hint="(https)" />
      <TextField raw={raw} errors={errors} name="website_url" label="App website" hint="(https)" />
      <TextField raw={raw} errors={errors} name="terms_url" label="Terms of service URL" hint="(optional, https)" />
      <TextField raw={raw} errors={errors} name="privacy_url" label="Privacy policy URL" hint="(optional, https)" />
      <label>
        Logo <span class="hint">(PNG or JPEG, at most {MAX_LOGO_BYTES / 1024} KB)</span>
        <input type="file" name="logo" accept="image/png,image/jpeg" />
        <Errors errors={errors} field="logo" />
      </label>
      <label>
        Callback URLs
        <RequiredMark /> <span class="hint">(one per line)</span>
        <textarea name="redirect_uris" rows={3} required {...describedByErrors(errors, 'redirect_uris')}>
          {value(raw, 'redirect_uris')}
        </textarea>
        <Errors errors={errors} field="redirect_uris" />
      </label>
      <label>
        Sign-out return URLs <span class="hint">(optional, one per line: where people may be sent after signing out)</span>
        <textarea name="post_logout_redirect_uris" rows={2} {...describedByErrors(errors, 'post_logout_redirect_uris')}>
          {value(raw, 'post_logout_redirect_uris')}
        </textarea>
        <Errors errors={errors} field="post_logout_redirect_uris" />
      </label>
      {owners !== undefined && (owners.length > 0 ? <OwnerChoice raw={raw} errors={errors} owners={owners} /> : <Errors errors={errors} field={OWNER_FIELD} />)}
      {chooseKind && (
        <fieldset>
          <legend>
            Kind
            <RequiredMark />
          </legend>
          {Object.entries(APP_KINDS).map(([kind, label]) => (
            <label class="inline">
              <input type="radio" name="kind" value={kind} checked={value(raw, 'kind') === kind} required /> {label}
            </label>
          ))}
          <Errors errors={errors} field="kind" />
        </fieldset>
      )}
      <fieldset>
        <legend>
          Scopes the app may ask for
          <RequiredMark /> <span class="hint">(at least one)</span>
        </legend>
        {Object.entries(SCOPES).map(([scope, info]) => (
          <label class="inline">
            <input type="checkbox" name="scopes" value={scope} checked={chosen.has(scope)} /> <code>{scope}</code> — {info.description}
            <HighPrivilegeBadge high={info.highPrivilege} />
          </label>
        ))}
        <Errors errors={errors} field="scopes" />
      </fieldset>
      <fieldset>
        <legend>Device sign-in</legend>
        {/* Issue 17: off unless the developer opts in; the device flow is the one phishers abuse most. */}
        <label class="inline">
          <input type="checkbox" name="device_flow" checked={raw.device_flow === true || raw.device_flow === 'on'} /> Let people sign in on a
          device without a browser (command-line tools, TVs) with a code they confirm here (the device flow, RFC 8628)
        </label>
      </fieldset>
      <fieldset>
        <legend>Pushed requests</legend>
        {/* Issue 18, RFC 9126 §6: requests that do not come through /par are refused. */}
        <label class="inline">
          <input
            type="checkbox"
            name="require_pushed_authorization_requests"
            checked={raw.require_pushed_authorization_requests === true || raw.require_pushed_authorization_requests === 'on'}
          />{' '}
          Accept only authorization requests pushed to <code>/par</code> first (pushed authorization requests, RFC 9126)
        </label>
      </fieldset>
      <fieldset>
        <legend>Sender-constrained tokens</legend>
        {/* Issue 18, RFC 9449 §5.2: the token endpoint refuses a request without a DPoP proof. */}
        <label class="inline">
          <input type="checkbox" name="dpop_bound_access_tokens" checked={raw.dpop_bound_access_tokens === true || raw.dpop_bound_access_tokens === 'on'} />{' '}
          Issue only DPoP-bound tokens: every token request must carry a DPoP proof, and the tokens are useless without its key (RFC 9449)
        </label>
      </fieldset>
      <fieldset>
        <legend>Back-channel logout</legend>
        {/* Issue 19, OpenID Connect Back-Channel Logout 1.0 §2.2: held to domain/outbound_url.ts. */}
        <TextField raw={raw} errors={errors} name="backchannel_logout_uri" label="Back-channel logout URL" hint="(optional; https, no private address: a signed logout token is POSTed here when a person signs out)" />
        <label class="inline">
          <input type="checkbox" name="backchannel_logout_session_required" checked={raw.backchannel_logout_session_required === true || raw.backchannel_logout_session_required === 'on'} />{' '}
          The app needs the session id (<code>sid</code>) in logout tokens ({useBrand().name} always sends it)
        </label>
        {/* Issue 19, RFC 8935 push of CAEP events: the same outbound rules as the URL above. */}
        <TextField raw={raw} errors={errors} name="ssf_endpoint_url" label="Security events URL" hint="(optional; https, no private address: a signed security event is POSTed here when a person revokes or narrows the app's access)" />
      </fieldset>
      <button type="submit">{submit}</button>
    </form>
  );
}

export function AppFormView({ title, account, ...form }: AppFormProps & { title: string; account: Account }) {
  return (
    <PortalLayout title={title} account={account}>
      <h1>{title}</h1>
      {form.errors.length > 0 && (
        <p class="error" role="alert">
          Some fields need attention.
        </p>
      )}
      <AppForm {...form} />
    </PortalLayout>
  );
}

/** Shown once, right after the secret was made; never again (SECURITY 16). */
export function SecretView({ app, secret, secretId, created, account }: { app: App; secret: string; secretId?: string; created: boolean; account: Account }) {
  return (
    <PortalLayout title="Your client secret" account={account} copy>
      <h1>{created ? `${app.name} is registered` : 'New client secret'}</h1>
      <p>
        client_id: <CopyableValue id="client-id" name="client_id" value={app.id} />
      </p>
      <p class="warning">Copy this secret now. {useBrand().name} keeps only a digest of it and cannot show it again.</p>
      <p>
        client_secret: <CopyableValue id="client-secret" name="client_secret" value={secret} />
      </p>
      {secretId !== undefined && (
        <p>
          Secret ID (to tell it apart in the list): <code id="secret-id">{secretId}</code>
        </p>
      )}
      <p>
        <a href={`${PORTAL.app(app.id)}`}>Continue to {app.name}</a>
      </p>
    </PortalLayout>
  );
}

export interface AppViewProps {
  app: App;
  /** The owning organization, when one owns the app. */
  org?: Organization | undefined;
  secrets: AppSecretInfo[];
  usage: PortalUsage;
  token: string;
  notice?: string;
  account: Account;
  /** Issue 21: the platform's suspension, with its reason, while it holds. */
  suspension?: AppSuspension | undefined;
  /** As many live secrets as allowed (services/apps.ts MAX_LIVE_SECRETS): no new one until one is revoked. */
  secretsFull: boolean;
}

export function AppView({ app, org, secrets, usage, token, notice, account, suspension, secretsFull }: AppViewProps) {
  const base = PORTAL.app(app.id);
  return (
    <PortalLayout title={app.name} account={account} copy>
      <h1>{app.name}</h1>
      {suspension !== undefined && (
        <div class="notice" role="alert" id="suspension">
          <p>
            <strong>Suspended by the platform</strong> since {formatTime(suspension.suspendedAt)}.
          </p>
          <p>Reason: {suspension.reason}</p>
          <p>
            Every call of this service is refused: its tokens, its sign-ins and its changes here. The people who authorized it keep their authorizations. You can still
            rotate its secrets. Only the platform's operators can lift the suspension.
          </p>
        </div>
      )}
      {notice !== undefined && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      {app.logoUrl !== null && <img class="logo" src={app.logoUrl} alt="" width={64} height={64} />}
      <dl>
        <dt>client_id</dt>
        <dd>
          <CopyableValue id="client-id" name="client_id" value={app.id} />
        </dd>
        <dt>Owner</dt>
        <dd id="owner">{org ? `${org.name} (organization)` : 'You'}</dd>
        <dt>Kind</dt>
        <dd id="kind">
          {app.clientType === 'confidential'
            ? 'Web app with a client secret'
            : app.spa
              ? 'Single-page app (PKCE, no secret; token requests accepted from its callback URLs\' origins)'
              : 'Public app (PKCE, no secret)'}
        </dd>
        <dt>Publisher</dt>
        <dd>
          {app.publisher} {app.verified ? <span class="verified">Verified</span> : <span class="unverified">Not verified</span>}
        </dd>
        <dt>Callback URLs</dt>
        <dd>
          <ul>
            {app.redirectUris.map((u) => (
              <li>
                <code>{u}</code>
              </li>
            ))}
          </ul>
        </dd>
        <dt>Sign-out return URLs</dt>
        <dd id="post-logout-redirect-uris">
          {(app.postLogoutRedirectUris ?? []).length === 0 ? (
            'None'
          ) : (
            <ul>
              {(app.postLogoutRedirectUris ?? []).map((u) => (
                <li>
                  <code>{u}</code>
                </li>
              ))}
            </ul>
          )}
        </dd>
        <dt>Scopes</dt>
        <dd>
          <ul class="scopes" id="scopes">
            {app.scopes.map((scope) => {
              const high = SCOPES[scope]?.highPrivilege === true;
              return (
                <li class={high ? 'high' : undefined}>
                  <code>{scope}</code>
                  <HighPrivilegeBadge high={high} />
                </li>
              );
            })}
          </ul>
        </dd>
        <dt>Device sign-in</dt>
        <dd id="device-flow">{app.deviceFlow ? 'On (device flow, RFC 8628)' : 'Off'}</dd>
        <dt>Pushed requests</dt>
        <dd id="require-par">{app.requirePar ? 'Required (RFC 9126)' : 'Not required'}</dd>
        <dt>Sender-constrained tokens</dt>
        <dd id="dpop-bound">{app.dpopBoundAccessTokens ? 'DPoP-bound only (RFC 9449)' : 'Bearer or DPoP, as the client asks'}</dd>
        <dt>Back-channel logout</dt>
        <dd id="backchannel-logout">{app.backchannelLogoutUri ?? 'None'}</dd>
        <dt>Security events</dt>
        <dd id="ssf-endpoint">{app.ssfEndpointUrl ?? 'None'}</dd>
      </dl>
      <p>
        <a href={PORTAL.editApp(app.id)}>Edit</a>
      </p>

      {app.clientType === 'confidential' && (
        <section>
          <h2>Client secrets</h2>
          <table class="secrets">
            <thead>
              <tr>
                <th>ID</th>
                <th>Created</th>
                <th>Expires</th>
                <th>Last used</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {secrets.map((s) => (
                <tr id={`secret-${s.id}`}>
                  <td>
                    <code>{s.id}</code>
                  </td>
                  <td>{date(s.createdAt)}</td>
                  <td>{date(s.expiresAt)}</td>
                  <td>{date(s.lastUsedAt)}</td>
                  <td>
                    <form method="post" action={`${base}/secrets/${s.id}/revoke`}>
                      <input type="hidden" name="token" value={token} />
                      <button type="submit" class="secondary">
                        Revoke
                      </button>
                    </form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <form method="post" action={`${base}/secrets`}>
            <input type="hidden" name="token" value={token} />
            <label>
              Expires in days <span class="hint">(optional)</span>
              <input type="number" name="expires_in_days" min={1} max={3650} />
            </label>
            {/* Issue 20: the limit is said as an error before the developer tries, and the button cannot be pressed. */}
            {secretsFull && (
              <p class="error" role="alert" id="secrets-full">
                {SECRETS_FULL}
              </p>
            )}
            <button type="submit" disabled={secretsFull} {...(secretsFull ? { 'aria-describedby': 'secrets-full' } : {})}>
              Create a new secret
            </button>
          </form>
          <p class="hint">At most two secrets are active: create a second, switch your service to it, then revoke the first.</p>
        </section>
      )}

      <UsagePanel usage={usage} />

      <section>
        <h2>Delete</h2>
        <p>Deleting the app ends every authorization people gave it, and every token and secret, at once.</p>
        <form method="post" action={`${base}/delete`}>
          <input type="hidden" name="token" value={token} />
          <button type="submit" class="danger">
            Delete {app.name}
          </button>
        </form>
      </section>
    </PortalLayout>
  );
}

/** Usage over the last USAGE_DAYS days: grants, token responses per day, errors by code (issue 5). */
function UsagePanel({ usage }: { usage: PortalUsage }) {
  return (
    <section class="usage">
      <h2>Usage</h2>
      <div class="usage-grid">
        <div class="usage-card">
          <h3>Active authorizations</h3>
          <p class="usage-figure">
            <strong id="active-grants">{usage.activeGrants}</strong>
          </p>
          <p class="hint">people whose grant is live</p>
        </div>
        <div class="usage-card">
          <h3>Token responses per day</h3>
          {usage.tokensPerDay.length === 0 ? (
            <p>None in the last {USAGE_DAYS} days.</p>
          ) : (
            // Lists, not tables: the secrets table is the page's only table (tests and assistive tech count its rows).
            <ul class="usage-list" id="tokens-per-day" aria-label="Token responses per UTC day">
              {usage.tokensPerDay.map((d) => (
                <li>
                  <span>{d.day}</span> <strong class="num">{d.count}</strong>
                </li>
              ))}
            </ul>
          )}
        </div>
        <div class="usage-card">
          <h3>Errors by code</h3>
          {usage.errorsPerDay.length === 0 ? (
            <p>No errors in the last {USAGE_DAYS} days.</p>
          ) : (
            <>
              <ul class="error-totals" id="errors-by-code">
                {usage.errorsByCode.map((e) => (
                  <li data-code={e.code}>
                    <code>{e.code}</code> <strong class="num">{e.count}</strong>
                  </li>
                ))}
              </ul>
              <h4>Per day (UTC)</h4>
              <ul class="usage-list" id="errors-per-day">
                {usage.errorsPerDay.map((e) => (
                  <li>
                    <span>{e.day}</span> <code>{e.code}</code> <strong class="num">{e.count}</strong>
                  </li>
                ))}
              </ul>
            </>
          )}
          <p class="hint">
            Errors the token endpoint and the API answered to this app; the <a href={PORTAL.guide}>developer guide</a> says what to do about each code.
          </p>
        </div>
      </div>
    </section>
  );
}
