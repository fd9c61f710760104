/**
 * Fastify's route table, as the app builds it: `collectRoutes()` subscribes to the
 * `fastify.initialization` diagnostics channel and adds an `onRoute` hook to the next Fastify
 * instance created in this process, before any route is added, so every route (and every route a
 * new plugin adds) is seen without a hand-written list.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { FastifyInstance, RouteOptions } from 'fastify';
import type { CsrfRule } from '../../src/http/form_guard.ts';

export interface Route {
  method: string;
  url: string;
  schema: RouteOptions['schema'];
  /**
   * The route's options object as Fastify handed it to the hooks. Later `onRoute` hooks of the app
   * (its CSRF defaults, its sign-in guards) change this same object, so read it after the app is built.
   */
  options: RouteOptions;
}

/** The CSRF rule the route ends up with (read after the app is built). */
export function csrfOf(route: Route): CsrfRule | undefined {
  return (route.options.config as { csrf?: CsrfRule } | undefined)?.csrf;
}

/** The route's own onRequest hooks (the sign-in guards), after the app's hooks added theirs. */
export function onRequestHooksOf(route: Route): unknown[] {
  const hooks = route.options.onRequest;
  return hooks === undefined ? [] : Array.isArray(hooks) ? hooks : [hooks];
}

/** Every route of the next Fastify instance created in this process; call `stop()` once it is built. */
export function collectRoutes(): { routes: Route[]; stop(): void } {
  const routes: Route[] = [];
  const onInit = (message: unknown) => {
    const { fastify } = message as { fastify: FastifyInstance };
    fastify.addHook('onRoute', (r) => {
      for (const method of [r.method].flat()) routes.push({ method, url: r.url, schema: r.schema, options: r });
    });
  };
  subscribe('fastify.initialization', onInit);
  return { routes, stop: () => unsubscribe('fastify.initialization', onInit) };
}
