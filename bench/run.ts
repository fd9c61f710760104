/**
 * `npm run bench` (issue 7): every server in its own process, every scenario driven by autocannon
 * for BENCH_WARMUP s (discarded) then BENCH_DURATION s, one table and the ratios of this run.
 *
 *   npm run bench                     warm-up 2 s, 7 s per scenario
 *   npm run bench -- --quick          smoke run: ~1 s per scenario
 *   npm run bench -- --only=tessera-sqlite,oidc-provider --scenarios=refresh,introspect
 *
 *   npm run bench -- --scale[=N]      scenarios (1)–(5) on an empty Tessera and on one holding N
 *                                     bulk-seeded grants (1,000,000) and 5 × N refresh tokens
 *   npm run bench -- --only=tessera-postgres-2nodes
 *                                     only the revoke propagation between two PostgreSQL nodes
 *   npm run bench -- --only=tessera-sqlite-cold,tessera-sqlite-cold-node
 *                                     only the cold starts (issue 14): npm start → /readyz 200
 *   npm run bench -- --scale --only=tessera-sqlite-cold,tessera-sqlite-scaled --scenarios=cold_start,cold_restart
 *                                     the same, and on the bulk-seeded SQLite database
 *
 * Environment: BENCH_DURATION, BENCH_WARMUP, BENCH_CONNECTIONS (10), BENCH_POOL_RATE (codes per
 * second budgeted for pool scenarios, 2000), BENCH_POSTGRES_URL, BENCH_LOG_LEVEL (server, warn),
 * BENCH_REVOKE_SAMPLES (revocations timed between two nodes, 200), BENCH_COLD_STARTS (starts timed
 * per cold-start figure, 5).
 * @module
 */
import { fileURLToPath } from 'node:url';
import type { ServerProcess } from './lib/child.ts';
import { measure, type LoadOptions, type LoadSpec, type Measurement } from './lib/load.ts';
import { SCENARIOS, type OAuthServer, type ScenarioId } from './scenarios/index.ts';
import { codeExchange, refresh } from './scenarios/token.ts';
import { authorize, introspect, jwksMetadata } from './scenarios/endpoints.ts';
import { apiRead, login, refreshWithSignIns } from './scenarios/tessera_only.ts';
import { apiReadDpop } from './scenarios/dpop.ts';
import { revokePropagation } from './scenarios/revoke_propagation.ts';
import { suspendPropagation } from './scenarios/suspend_propagation.ts';
import { startTessera } from './targets/tessera.ts';
import { coldTarget } from './targets/cold.ts';
import { coldStarts } from './scenarios/cold_start.ts';
import { hello, startHello, startOidcProvider } from './targets/references.ts';
import { machine, ratioLines, ratios, table, writeRun, type Row } from './report.ts';
import { writeChart } from './chart.ts';
import { bulkSeed, type ScaleSeeded } from './scale.ts';

const args = process.argv.slice(2);
const flag = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1]?.split(',');
const quick = args.includes('--quick');
const number = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
const options: LoadOptions = {
  warmupSeconds: number('BENCH_WARMUP', quick ? 0.5 : 2),
  seconds: number('BENCH_DURATION', quick ? 1 : 7),
  connections: number('BENCH_CONNECTIONS', 10),
};
const revokeSamples = number('BENCH_REVOKE_SAMPLES', 200);
const coldStartCount = number('BENCH_COLD_STARTS', 5);
const budget = Math.ceil(number('BENCH_POOL_RATE', 2000) * (options.warmupSeconds + options.seconds));
const scaleArg = args.find((a) => a === '--scale' || a.startsWith('--scale='));
const scale = scaleArg ? Number(scaleArg.split('=')[1] ?? 1_000_000) : undefined;
if (scale !== undefined && !(Number.isInteger(scale) && scale > 0)) throw new Error(`--scale wants a positive whole number, not ${scaleArg}`);
const SCALE_SCENARIOS: ScenarioId[] = ['api_read', 'refresh', 'code_exchange', 'authorize', 'introspect'];
// --scale: each dialect empty and scaled, scenarios (1)–(5), and the SQLite restart on the scaled
// database against the small one (issue 14), unless --only/--scenarios say otherwise.
const onlyTargets = flag('only') ?? (scale ? ['tessera-sqlite', 'tessera-sqlite-scaled', 'tessera-postgres', 'tessera-postgres-scaled', 'tessera-sqlite-cold'] : undefined);
const onlyScenarios = (flag('scenarios') as ScenarioId[] | undefined) ?? (scale ? [...SCALE_SCENARIOS, 'cold_restart' as const] : undefined);
const scaleSeeding: Record<string, ScaleSeeded> = {};

type Builders = Partial<Record<ScenarioId, () => Promise<LoadSpec> | LoadSpec>>;
/** Figures that are not a load autocannon drives (the revoke propagation): they measure themselves. */
type Probes = Partial<Record<ScenarioId, () => Promise<Measurement>>>;
interface Started {
  /** The server the load scenarios drive; the cold-start targets keep none up. */
  server?: ServerProcess;
  scenarios: Builders;
  probes?: Probes;
  close(): Promise<void>;
}

/** The scenarios every OAuth server offers, given its seeding. */
function oauthScenarios(server: ServerProcess, target: OAuthServer): Builders {
  return {
    refresh: () => refresh(server, target, options.connections),
    code_exchange: () => codeExchange(server, target, budget),
    authorize: () => authorize(server, target),
    introspect: () => introspect(server, target),
    jwks_metadata: () => jwksMetadata(server, target),
  };
}

const TARGETS: Record<string, () => Promise<Started>> = {
  'fastify-hello': async () => {
    const server = await startHello();
    return { server, scenarios: { hello }, close: () => server.stop() };
  },
  'tessera-sqlite': () => tessera('sqlite'),
  'tessera-postgres': () => tessera('postgres'),
  'tessera-sqlite-scaled': () => tessera('sqlite', 'tessera-sqlite-scaled'),
  'tessera-postgres-scaled': () => tessera('postgres', 'tessera-postgres-scaled'),
  // Two processes on one schema, used by nothing else, so its revocations touch no other scenario.
  'tessera-postgres-2nodes': async () => {
    const target = await startTessera('postgres', { nodes: 2 });
    return { server: target.server, scenarios: {}, probes: {
        revoke_propagation: () => revokePropagation(target, revokeSamples),
        // After the revokes: it suspends the bench's client and lifts it again after each sample.
        suspend_propagation: () => suspendPropagation(target, revokeSamples),
      }, close: () => target.close() };
  },
  // Issue 14: no server kept up; each probe spawns its own (targets/cold.ts).
  'tessera-sqlite-cold': async () => ({ scenarios: {}, ...coldTarget('npm start', coldStartCount) }),
  // The same without npm and its prestart check, so one run shows what those cost.
  'tessera-sqlite-cold-node': async () => ({ scenarios: {}, ...coldTarget('node dist/src/main.js', coldStartCount) }),
  'oidc-provider': async () => {
    const target = await startOidcProvider();
    return { server: target.server, scenarios: oauthScenarios(target.server, target), close: () => target.server.stop() };
  },
};

/** With `scaledAs`, the database holds --scale's bulk rows before the server starts. */
async function tessera(dialect: 'sqlite' | 'postgres', scaledAs?: string): Promise<Started> {
  const prepare = scaledAs
    ? async (deps: Parameters<typeof bulkSeed>[0]) => {
        const n = scale ?? 1_000_000;
        console.log(`${scaledAs}: bulk-seeding ${n} grants and ${n * 5} refresh tokens…`);
        const done = await bulkSeed(deps, n, (line) => console.log(`  ${scaledAs}: ${line}`));
        scaleSeeding[scaledAs] = done;
        console.log(`${scaledAs}: seeded ${done.grants} grants, ${done.refreshTokens} refresh tokens, ${done.users} people in ${done.seconds.toFixed(1)} s`);
      }
    : undefined;
  const target = await startTessera(dialect, { prepare });
  const { server } = target;
  const probes: Probes = {};
  // Issue 14: `npm start` on the bulk-seeded file, once the load scenarios are done (cold_restart
  // comes last). SQLite only: src/main.ts has no setting for the bench's throwaway PostgreSQL schema.
  if (scaledAs && dialect === 'sqlite') {
    probes.cold_restart = async () => {
      await server.stop();
      const { DATA_DIR, DATABASE_URL, KEY_ENCRYPTION_KEY } = target.env as Record<'DATA_DIR' | 'DATABASE_URL' | 'KEY_ENCRYPTION_KEY', string>;
      return coldStarts({ command: 'npm start', dataDir: () => DATA_DIR, env: { DATABASE_URL, KEY_ENCRYPTION_KEY }, starts: coldStartCount });
    };
  }
  return {
    server,
    probes,
    scenarios: {
      api_read: () => apiRead(server, target),
      // One proof per request, and the read answers several times faster than a code exchange.
      api_read_dpop: () => apiReadDpop(server, target, budget * 4),
      ...oauthScenarios(server, target),
      login: () => login(server),
      refresh_with_signins: () => refreshWithSignIns(server, target, options.connections),
    },
    close: () => target.close(),
  };
}

/**
 * All servers run at once (idle between their turns) and each scenario runs on every server back
 * to back, so the figures a ratio compares are taken close together on this shared machine.
 */
async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  const rows: Row[] = [];
  console.log(`warm-up ${options.warmupSeconds} s, ${options.seconds} s per scenario, ${options.connections} connections`);
  const running: [string, Started][] = [];
  try {
    for (const [name, start] of Object.entries(TARGETS)) {
      // The scaled targets bulk-seed millions of rows: only with --scale, or when named in --only.
      const wanted = onlyTargets ? onlyTargets.includes(name) : !name.endsWith('-scaled');
      if (wanted) running.push([name, await start()]);
    }
    for (const id of Object.keys(SCENARIOS) as ScenarioId[]) {
      if (onlyScenarios && !onlyScenarios.includes(id)) continue;
      for (const [name, started] of running) {
        const build = started.scenarios[id];
        const probe = started.probes?.[id];
        const { server } = started;
        if (build && server) rows.push(...(await runOne(name, id, async () => measure(server, await build(), options))));
        else if (probe) rows.push(...(await runOne(name, id, probe)));
      }
    }
  } finally {
    for (const [, started] of running) await started.close();
  }
  const list = ratios(rows, scale !== undefined);
  console.log('\n' + table(rows) + '\n\n' + ratioLines(list) + '\n');
  // Scale runs go to results/scale/, out of the chart of the main suite (chart.ts reads results/*.json).
  const dir = fileURLToPath(new URL(scale ? './results/scale' : './results', import.meta.url));
  const file = writeRun(dir, { startedAt, machine: machine(), options: { ...options, quick, revokeSamples, coldStarts: coldStartCount, ...(scale ? { scale } : {}) }, ...(scale ? { scaleSeeding } : {}), rows, ratios: list });
  console.log(`results: ${file}` + (scale ? '' : `\nchart:   ${writeChart(dir)}`));
}

async function runOne(name: string, id: ScenarioId, run: () => Promise<Measurement>): Promise<Row[]> {
  try {
    const row: Row = { target: name, scenario: id, ...(await run()) };
    const rate = row.rps === null ? '' : `${row.rps.toFixed(0)} req/s, `;
    // A few samples (cold starts): the note says median and range; p99 would be the slowest one.
    const latency = row.samples ? '' : `p99 ${row.p99} ms, `;
    console.log(`  ${id} on ${name}: ${rate}${latency}${row.errors} errors${row.note ? ` (${row.note})` : ''}`);
    return [row];
  } catch (err) {
    console.error(`  ${id} on ${name} FAILED: ${err instanceof Error ? err.message : String(err)}`);
    return [];
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
