/**
 * Two real server processes (src/main.ts) on one database deliver each back-channel logout token
 * once (issue 19), on PostgreSQL (FOR UPDATE SKIP LOCKED) and on a SQLite file (one writer at a
 * time). Twenty deliveries are written in one transaction, as a sign-out writes them
 * (insertLogoutDeliveries), so both senders find all of them due at once and compete. A loopback
 * receiver validates every token against the JWKS and refuses a `jti` seen before; each arrives
 * once, each row was attempted once, and the processes' logs name one sender per delivery.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dialects } from '../support/app.ts';
import { startServerProcess, type ServerProcess } from '../support/processes.ts';
import { LogoutReceiver } from '../support/logout_receiver.ts';
import { CliTarget } from '../cli/cli.ts';
import { sleep } from './http.ts';
import { loadConfig } from '../../src/config/config.ts';
import { openDatabase, type DatabaseHandle } from '../../src/persistence/database.ts';
import { migrateToLatest } from '../../src/persistence/migrate.ts';
import { SqlAppStore } from '../../src/persistence/stores/apps.ts';
import { insertLogoutDeliveries, SqlOutboundDeliveryStore } from '../../src/persistence/stores/outbound_deliveries.ts';
import { randomClientId, randomId } from '../../src/crypto/random.ts';

const N = 20;

/** Ids of the deliveries a process's log says it delivered (jobs/outbound_sender.ts). */
function deliveredBy(server: ServerProcess): string[] {
  return server
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { msg?: string; delivery?: string })
    .filter((e) => e.msg === 'back-channel logout delivered' && typeof e.delivery === 'string')
    .map((e) => e.delivery!);
}

for (const dialect of dialects()) {
  describe(`two server processes deliver each logout token once (${dialect})`, () => {
    let target: CliTarget;
    let database: DatabaseHandle;
    let receiver: LogoutReceiver;
    const nodes: ServerProcess[] = [];

    before(async () => {
      target = await CliTarget.create(dialect);
      const config = loadConfig({ ...target.env(), LOG_LEVEL: 'silent' });
      database = openDatabase(config.database);
      await migrateToLatest(database.db);
      const env = target.env({ OUTBOUND_POLL_MS: '100', OUTBOUND_RETRY_SECONDS: '1', LOG_LEVEL: 'info' });
      nodes.push(await startServerProcess(env));
      // One deployment, one PUBLIC_URL: the second node signs with the same `iss`.
      nodes.push(await startServerProcess({ ...env, PUBLIC_URL: nodes[0]!.url }));
      receiver = new LogoutReceiver({ issuer: nodes[0]!.url }, 20);
      await receiver.start();
    });
    after(async () => {
      for (const node of nodes) await node.stop('SIGKILL');
      await receiver?.close();
      await database?.close();
      await target?.close();
    });

    it(`each of ${N} tokens is delivered exactly once`, async () => {
      const now = Math.floor(Date.now() / 1000);
      const apps = new SqlAppStore(database.db);
      const sessionId = randomId();
      for (let i = 0; i < N; i++) {
        const id = randomClientId();
        await apps.create(
          { id, name: `RP ${i}`, description: '', publisher: 'Test', websiteUrl: null, logoUrl: null, redirectUris: ['https://rp.example/cb'], clientType: 'public', scopes: ['openid'], ownerUserId: null, verified: false, createdAt: now, backchannelLogoutUri: receiver.url(`/rp${i}`) },
          undefined,
          now,
        );
        await database.db.insertInto('session_apps').values({ session_id: sessionId, app_id: id, user_id: 'user-1', sid: 'sid-1', created_at: now }).execute();
      }
      const written = await database.db.transaction().execute((tx) => insertLogoutDeliveries(tx, [sessionId], now));
      assert.equal(written, N);

      const deadline = Date.now() + 30_000;
      while (receiver.received.length < N && Date.now() < deadline) await sleep(50);
      await sleep(1000);
      assert.deepEqual(receiver.problems, [], 'no token refused (a jti seen twice is refused)');
      assert.equal(receiver.received.length, N);

      const store = new SqlOutboundDeliveryStore(database.db, database.dialect);
      const rows = await store.list({ limit: 100 });
      assert.equal(rows.length, N);
      for (const row of rows) {
        assert.equal(row.status, 'delivered', row.id);
        assert.equal(row.attempts, 1, `attempts of ${row.id}`);
      }
      const [first, second] = nodes.map(deliveredBy);
      assert.equal(first!.length + second!.length, N, 'one sender per delivery in the logs');
      assert.deepEqual(first!.filter((id) => second!.includes(id)), []);
    });
  });
}
