/**
 * Every write that gives a person a second factor or takes one away is announced on the change
 * feed (`second_factor`), once it has committed, so every node's AccessGuard drops what it
 * cached about the person at once (issue 16: an organization may require a second factor, and the
 * same access token must work at its next call after the person adds one, and stop after they
 * remove it). The writes: TOTP turned on or off, a passkey added or removed, and an operator's
 * reset of every factor (`tessera user reset-second-factor`).
 *
 * Wrapping the stores, as `announcingAppStore` does for apps, makes the store the one place:
 * the accounts service, the CLI, and any later caller that writes through them are announced
 * without remembering to. It lives with the accounts service, the only code that writes factors
 * (test/security/route_table_guards.test.ts). Servers wrap their stores in create_deps.ts, the
 * CLI in cli/context.ts (on PostgreSQL too: one NOTIFY per write).
 * @module
 */
import type { Stores } from '../../domain/stores.ts';
import type { ChangeFeed } from '../../persistence/change_feed.ts';

export function announcingFactorStores(stores: Stores, feed: ChangeFeed): Pick<Stores, 'users' | 'passkeys'> {
  const announce = (userId: string) => feed.publish({ type: 'second_factor', userId });
  // The stores as they are now: the caller may put the wrappers in their place on the same object.
  const { users: userStore, passkeys: passkeyStore } = stores;

  const users = Object.create(userStore) as Stores['users'];
  users.enableTotp = async (userId, step, recoveryDigests, now, event) => {
    const enabled = await userStore.enableTotp(userId, step, recoveryDigests, now, event);
    if (enabled) await announce(userId);
    return enabled;
  };
  users.disableTotp = async (userId, now, event) => {
    await userStore.disableTotp(userId, now, event);
    await announce(userId);
  };
  users.removeSecondFactors = async (userId, now, event, link) => {
    const removed = await userStore.removeSecondFactors(userId, now, event, link);
    if (removed) await announce(userId);
    return removed;
  };

  const passkeys = Object.create(passkeyStore) as Stores['passkeys'];
  passkeys.add = async (passkey, event) => {
    const added = await passkeyStore.add(passkey, event);
    if (added === 'added') await announce(passkey.userId);
    return added;
  };
  passkeys.remove = async (userId, id, event, now) => {
    const removed = await passkeyStore.remove(userId, id, event, now);
    if (removed === 'removed') await announce(userId);
    return removed;
  };

  return { users, passkeys };
}
