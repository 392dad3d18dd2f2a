/**
 * Runs every benchmark and writes `docs/benchmarks.md` (keeping its hand-written end: ./hand-written.ts):
 * each figure beside the baseline measured in the same run, their ratio, the target, and the
 * machine (cores, CPU, Node, load average).
 *
 *   npm run bench            (tsx bench/run-all.ts; minutes: docs/benchmarks.md says how long it took)
 *   npm run bench -- --quick (fewer rounds: a smoke run, figures noisier)
 *
 * Prints figures, asserts nothing.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_TOKEN_CACHE_SIZE, TOKEN_CACHE_BYTES_PER_ENTRY } from '../lib/verified-token-cache';
import { withHandWritten } from './hand-written';
import { formatGuardCpuTable, runGuardCpuBench, type GuardCpuRow } from './guard-cpu';
import { formatGuardTable, pinnedCores, runGuardBench, type GuardRow } from './guard-throughput';
import { runImportBench } from './import';
import { runLoginBench } from './login';
import { runMemoryBench, SETTLE_MS } from './memory';
import { runRenewalBench } from './renewal';
import { runSrpBench } from './srp';

interface Figure {
  figure: string;
  value: string;
  baseline: string;
  ratio: string;
  target: string;
  met?: boolean;
}

const MB = 1024 * 1024;

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

async function timed<T>(name: string, run: () => Promise<T>): Promise<T> {
  const start = performance.now();
  log(`▶ ${name}`);
  const result = await run();
  log(`  ${name}: ${((performance.now() - start) / 1000).toFixed(0)} s`);
  return result;
}

function table(figures: Figure[]): string {
  const lines = ['| figure | value | baseline (same run) | ratio | target | met |', '|---|---:|---:|---:|---|---|'];
  for (const f of figures) lines.push(`| ${f.figure} | ${f.value} | ${f.baseline} | ${f.ratio} | ${f.target} | ${f.met === undefined ? '' : f.met ? 'yes' : '**no**'} |`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const started = new Date();
  const loadBefore = loadavg();
  const t0 = performance.now();

  const guard = await timed('guard throughput', () => runGuardBench(quick ? { rounds: 3, duration: 2, poolSize: 40_000, pairRounds: 4 } : { rounds: 7, duration: 2, pairRounds: 16, pairDuration: 1, poolSize: 170_000 }));
  const guardCpu = await timed('guard CPU in-process', () => runGuardCpuBench(quick ? { rounds: 3, requests: 3000, pairRounds: 4 } : { rounds: 5, requests: 6000, pairRounds: 20 }));
  const srp = await timed('SRP client CPU', () => runSrpBench(quick ? { rounds: 3 } : {}));
  const login = await timed('login end to end', () => runLoginBench(quick ? { logins: 40, duration: 2 } : { logins: 100 }));
  const renewal = await timed('renewal burst', () => runRenewalBench(quick ? { rounds: 2 } : {}));
  const memory = await timed('token-cache memory', () => runMemoryBench(quick ? { tokens: 20_000 } : {}));
  const imports = await timed('package import', () => runImportBench(quick ? { rounds: 5 } : { rounds: 15 }));
  const [imp, ajvImp] = [imports.variants['express-cognito'], imports.variants['aws-jwt-verify']];

  const loadAfter = loadavg();
  const totalSeconds = (performance.now() - t0) / 1000;
  const row = (id: string): GuardRow => guard.find((r) => r.id === id) as GuardRow;
  const [a, a2, a3, a4, a5, b, c, d, e, f, g] = ['a', 'a2', 'a3', 'a4', 'a5', 'b', 'c', 'd', 'e', 'f', 'g'].map<GuardRow>(row);
  const cpuOf = (id: string): GuardCpuRow | undefined => guardCpu.find((r) => r.id === id);
  const cpuUs = (id: string): string => (cpuOf(id)?.usPerReq ?? NaN).toFixed(1);
  const cpuPaired = (id: string, base: string): number => cpuOf(id)?.paired?.[base]?.median ?? NaN;
  const cpuQ = (id: string, base: string): string => {
    const p = cpuOf(id)?.paired?.[base];
    return p === undefined ? '' : ` [${p.q1.toFixed(2)}–${p.q3.toFixed(2)}]`;
  };
  const rps = (r: GuardRow): string => `${Math.round(r.rps)} req/s`;
  const x = (n: number, digits = 2): string => `${n.toFixed(digits)}×`;
  const pr = (r: GuardRow, base: string): number => r.paired?.[base]?.median ?? NaN;
  const pq = (r: GuardRow, base: string): string => {
    const p = r.paired?.[base];
    return p === undefined ? '' : ` [${p.q1.toFixed(2)}–${p.q3.toFixed(2)}]`;
  };
  const pb = (base: string): number => pr(b, base);
  const renewalCallsOk = renewal.refreshCalls.every((n) => n === 1);
  const memoryGrowth = memory.cacheRssBytes;

  const figures: Figure[] = [
    { figure: '(b) `requireCognito()`, bearer, same token, back to back with (a)', value: rps(b), baseline: `(a) unguarded ${rps(a)}`, ratio: `${x(pb('a'))}${pq(b, 'a')}`, target: '≥ 0.90×', met: pb('a') >= 0.9 },
    { figure: 'noise floor: (a) back to back with itself', value: rps(a), baseline: '(a)', ratio: `${x(pr(a, 'a'))}${pq(a, 'a')}`, target: '— (1.00× ideally; the quartiles are the noise of one pair)' },
    { figure: '(b) the same, as a ratio to (a) within each rotation round', value: rps(b), baseline: `(a) unguarded ${rps(a)}`, ratio: x(b.ratio), target: '— (same target, more drift)' },
    { figure: '(b) back to back with (a5): a middleware on `/api` that only calls next()', value: rps(b), baseline: `(a5) ${rps(a5)}`, ratio: `${x(pb('a5'))}${pq(b, 'a5')}`, target: '— (the guard\'s cost beyond mounting any middleware)' },
    { figure: '(b) back to back with (g): a bare `TokenVerifier` middleware, same token', value: rps(b), baseline: `(g) ${rps(g)}`, ratio: `${x(pb('g'))}${pq(b, 'g')}`, target: '— (what requireCognito adds to a cache lookup)' },
    { figure: '(b) vs the unguarded route sent the same bearer header', value: rps(b), baseline: `(a3) ${rps(a3)}`, ratio: x(b.ratio / a3.ratio), target: '— (rotation rounds)' },
    { figure: '(b) vs a no-op async middleware sent the same header', value: rps(b), baseline: `(a4) ${rps(a4)}`, ratio: x(b.ratio / a4.ratio), target: '— (what a promise-based guard pays before its work)' },
    { figure: '(b) in-process CPU (no sockets), back to back: unguarded / guarded', value: `${cpuUs('b')} µs/request`, baseline: `(a) ${cpuUs('a')} µs`, ratio: `${x(cpuPaired('b', 'a'))}${cpuQ('b', 'a')}`, target: '≥ 0.90× (same target, network noise removed)', met: cpuPaired('b', 'a') >= 0.9 },
    { figure: 'noise floor in-process: (a) back to back with itself', value: `${cpuUs('a')} µs/request`, baseline: '(a)', ratio: `${x(cpuPaired('a', 'a'))}${cpuQ('a', 'a')}`, target: '— (1.00× ideally)' },
    { figure: '(b) vs (e) aws-jwt-verify guard, back to back', value: rps(b), baseline: `(e) ${rps(e)}`, ratio: `${x(pb('e'))}${pq(b, 'e')}`, target: '≥ 1.4×', met: pb('e') >= 1.4 },
    { figure: '(c) `requireCognito()`, bearer, distinct tokens (cache misses), back to back with (f)', value: rps(c), baseline: `(f) plain jose ${rps(f)}`, ratio: `${x(pr(c, 'f'))}${pq(c, 'f')}`, target: '≥ 1.00×', met: pr(c, 'f') >= 1 },
    { figure: '(c) the same, from the rotation rounds', value: rps(c), baseline: `(f) plain jose ${rps(f)}`, ratio: x(c.ratio / f.ratio), target: '— (same target, more drift)' },
    { figure: '(d) `requireCognito()`, session, back to back with (a2): the unguarded route with express-session', value: rps(d), baseline: `(a2) ${rps(a2)}`, ratio: `${x(pr(d, 'a2'))}${pq(d, 'a2')}`, target: '≥ 0.85×', met: pr(d, 'a2') >= 0.85 },
    { figure: '(d) vs the unguarded route without express-session (rotation rounds)', value: rps(d), baseline: `(a) unguarded ${rps(a)}`, ratio: x(d.ratio), target: '— (express-session alone: (a2) ' + x(a2.ratio) + ')' },
    { figure: '(d) in-process CPU, back to back with unguarded + express-session', value: `${cpuUs('d')} µs/request`, baseline: `(a2) ${cpuUs('a2')} µs`, ratio: `${x(cpuPaired('d', 'a2'))}${cpuQ('d', 'a2')}`, target: '≥ 0.85×', met: cpuPaired('d', 'a2') >= 0.85 },
    { figure: '(e) aws-jwt-verify guard (JWKS cached), same token', value: rps(e), baseline: `(a) ${rps(a)}`, ratio: x(e.ratio), target: 'issue: ≈ 0.62×' },
    { figure: '(f) plain jose `jwtVerify` guard', value: rps(f), baseline: `(a) ${rps(a)}`, ratio: x(f.ratio), target: 'issue: ≈ 0.65×' },
    { figure: 'SRP client CPU per login: amazon-cognito-identity-js / ours', value: `${srp.oursMs.toFixed(2)} ms`, baseline: `AWS client ${srp.awsMs.toFixed(1)} ms`, ratio: x(srp.awsMs / srp.oursMs, 1), target: '≥ 35× less', met: srp.awsMs / srp.oursMs >= 35 },
    { figure: 'SRP client CPU per login: ours / OpenSSL floor (3 modexps)', value: `${srp.oursMs.toFixed(2)} ms`, baseline: `floor ${srp.floorMs.toFixed(2)} ms`, ratio: x(srp.oursMs / srp.floorMs, 3), target: '≤ 1.3×', met: srp.oursMs / srp.floorMs <= 1.3 },
    { figure: `login through CognitoStrategy, median (${login.logins} sequential)`, value: `${login.medianMs.toFixed(1)} ms`, baseline: `Cognito.authenticate() ${login.directMedianMs.toFixed(1)} ms`, ratio: x(login.medianMs / login.directMedianMs), target: '— (figure)' },
    { figure: 'login through CognitoStrategy, p99', value: `${login.p99Ms.toFixed(1)} ms`, baseline: `Cognito.authenticate() ${login.directP99Ms.toFixed(1)} ms`, ratio: x(login.p99Ms / login.directP99Ms), target: '— (figure)' },
    { figure: `logins per second (${login.concurrency} concurrent clients)`, value: `${login.loginsPerSecond.toFixed(1)} /s`, baseline: `1 / direct median = ${(1000 / login.directMedianMs).toFixed(1)} /s`, ratio: x(login.loginsPerSecond / (1000 / login.directMedianMs)), target: `— (figure; ${login.failures} failures)` },
    { figure: `renewal: ${renewal.concurrency} concurrent requests, one expired session, total time`, value: `${renewal.burstMs.toFixed(1)} ms`, baseline: `same burst, valid token ${renewal.freshBurstMs.toFixed(1)} ms`, ratio: x(renewal.burstMs / renewal.freshBurstMs), target: `— (one renewal alone: ${renewal.singleRenewalMs.toFixed(1)} ms)` },
    { figure: 'renewal: refresh calls at the emulator per burst', value: renewal.refreshCalls.join(', '), baseline: '1', ratio: '', target: `exactly 1 (${renewal.failures} failed requests)`, met: renewalCallsOk && renewal.failures === 0 },
    { figure: `token cache: RSS after ${memory.tokens.toLocaleString('en')} distinct tokens (default size ${DEFAULT_TOKEN_CACHE_SIZE.toLocaleString('en')})`, value: `+${(memoryGrowth / MB).toFixed(1)} MB (${(memory.cacheRssSettledBytes / MB).toFixed(1)} MB after ${SETTLE_MS / 1000} s idle; ${Math.round(memory.heapPerEntry)} B heap/entry)`, baseline: `documented bound ${(memory.boundBytes / MB).toFixed(1)} MB`, ratio: x(memoryGrowth / memory.boundBytes), target: '≤ 1.00×', met: memoryGrowth <= memory.boundBytes },
    {
      figure: `\`require('express-cognito')\` in a fresh process (bench/import.ts, median of ${imports.rounds}); first bearer request`,
      value: `${imp.importMs.toFixed(1)} ms; ${imp.firstRequestMs.toFixed(1)} ms; RSS ${(imp.rssAfterImport / MB).toFixed(1)} MB`,
      baseline: `aws-jwt-verify ${ajvImp.importMs.toFixed(1)} ms; ${ajvImp.firstRequestMs.toFixed(1)} ms; ${(ajvImp.rssAfterImport / MB).toFixed(1)} MB`
        .replace('aws-jwt-verify', '`aws-jwt-verify`'),
      ratio: `${x(imports.importRatio.median)}; ${x(imports.firstRequestRatio.median)}; ${x(imports.rssRatio.median)}`,
      target: `— (figure; @aws-sdk/@smithy modules loaded by require(): ${imp.sdkModulesAfterImport})`,
    },
  ];

  const cpu = cpus();
  const machine = `${cpu.length} cores, ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 1024 ** 3).toFixed(1)} GB RAM; Node ${process.version}, OpenSSL ${process.versions.openssl}, ${process.platform}/${process.arch}`;
  const load = (l: number[]): string => l.map((n) => n.toFixed(2)).join(' / ');
  const doc = `# Benchmarks

Produced by \`npm run bench\`${quick ? ' -- --quick' : ''} (\`tsx bench/run-all.ts\`) on ${started.toISOString()}, in ${Math.round(totalSeconds)} s.

- Machine: ${machine}.
- Load average (1/5/15 min) at start: ${load(loadBefore)}; at the end: ${load(loadAfter)}. Figures are only comparable
  within one run: every ratio below divides two figures measured in this run, on this machine.

## Summary

${table(figures)}

## Guarded route throughput

Express 5, one JSON route (\`GET /api/data\`), each server in its own process (\`bench/guard-server.ts\`),
${pinnedCores ? 'pinned to CPU 1 while autocannon runs on CPU 0 (taskset), ' : ''}autocannon with 10 connections on loopback, ${quick ? '3 rounds of 2 s' : '7 rounds of 2 s'} after a 1 s warm-up, every row once
per round in a rotating order. req/s and latencies are medians over the rounds; "× unguarded" is the median
of the per-round ratios to row (a); server CPU is the server process's user+system time per request;
"load generator CPU" is the share of its core autocannon used (far from 100%: the server, not the client,
limits every row). Then the target ratios are measured back to back, ${quick ? 4 : 16} pairs of 1-second loads each, in
alternating order: (b) with (a), (b) with (e), (c) with (f), (d) with (a2), and (a) with itself (the noise
floor), and for context (b) with (a5) and with (g); the targets are judged on their medians (quartiles in brackets), as the machine drifts far less
between two adjacent loads than over a whole round. This machine is a shared VM: the unguarded route alone ranged from ${Math.round(a.rpsRange[0])} to
${Math.round(a.rpsRange[1])} req/s over the rounds of this run, which is why every ratio is taken within a round.
Tokens are RS256, signed by a local key, with Cognito's issuer; every verifier is given the static JWKS
(no fetch). Distinct-token rows take pre-minted tokens in order, each server every token once, so every
request is a cache miss (the cache counters in each row's label show it).

${formatGuardTable(guard)}

Rows (g) and (h) call \`TokenVerifier.verify\` from a five-line middleware: the verifier's cost without the
rest of \`requireCognito()\`. Row (a2) is the unguarded route behind express-session with the same session
cookie: what express-session alone costs, which row (d) pays too. Row (a3) is the unguarded route sent the
same 1 KB \`Authorization\` header as (b), ignored: what carrying the token costs the client and the server.
Row (a5) is a middleware mounted on \`/api\` that only calls \`next()\`: what any middleware costs Express 5
there. Row (a4) is a middleware that does nothing but call \`next()\` from a promise callback, as every
promise-based guard does, with the same header; \`requireCognito()\` decides a token it can check without
I/O in the same tick (no promise), so it does not pay that hop.

The same apps driven in-process (\`bench/guard-cpu.ts\`: a real \`IncomingMessage\`/\`ServerResponse\` on a
socket that swallows writes, each app in its own process, ${quick ? '3 rounds of 3,000' : '5 rounds of 6,000'} requests, medians; then ${quick ? 4 : 20} back-to-back pairs of
3,000-request measurements for (b)/(a), (d)/(a2) and (a)/(a), alternating which goes first):
CPU per request without the kernel's loopback and the load generator. Row (a5) mounts a middleware that
only calls \`next()\`: what any middleware on \`/api\` costs Express. The plain-jose row is dearer here than
under load: with one request at a time, each of jose's thread-pool verifications wakes an idle event loop.

${formatGuardCpuTable(guardCpu)}

## SRP, login, renewal, memory

- SRP: \`bench/srp.ts\` (\`runSrpBench\`): CPU time per client-side login, median of interleaved rounds:
  ours ${srp.oursMs.toFixed(2)} ms, amazon-cognito-identity-js ${srp.awsMs.toFixed(1)} ms, OpenSSL floor ${srp.floorMs.toFixed(2)} ms.
- Login: \`bench/login.ts\`: \`POST /login\` through Passport's \`CognitoStrategy\` (USER_SRP_AUTH) with
  express-session, against the emulator in its own process; ${login.logins} sequential logins interleaved with the
  same login made by \`Cognito.authenticate()\` directly (the baseline), then ${login.concurrency} concurrent clients.
- Renewal: \`bench/renewal.ts\`: the real app (Express 5, express-session, Passport, \`requireCognito()\`) and
  the emulator in one process; ${renewal.concurrency} concurrent requests on one session after moving the emulator's
  clock past the access token's expiry; refresh calls counted by the emulator (InitiateAuth +
  GetTokensFromRefreshToken), median of ${renewal.refreshCalls.length} bursts; baseline: the same burst while the token is valid.
- Memory: \`bench/memory.ts\`: ${memory.tokens.toLocaleString('en')} distinct signed tokens verified by a \`TokenVerifier\`
  with the default cache in a fresh process (\`--expose-gc\`), against the same tokens with the cache disabled
  in another fresh process: RSS growth ${((memory.cached.rssAfter - memory.cached.rssBefore) / MB).toFixed(1)} MB with the cache, ${((memory.control.rssAfter - memory.control.rssBefore) / MB).toFixed(1)} MB without
  (V8's young generation growing under the load); the difference is the cache's. ${memory.cached.entries.toLocaleString('en')} entries held;
  documented bound: ${TOKEN_CACHE_BYTES_PER_ENTRY} B × entries (\`TOKEN_CACHE_BYTES_PER_ENTRY\`, lib/verified-token-cache.ts), compared
  with the growth right after the load. After ${SETTLE_MS / 1000} s of idleness (V8 gives freed pages back when idle) the
  cache's share was ${(memory.cacheRssSettledBytes / MB).toFixed(1)} MB of RSS.
`;
  mkdirSync(join(__dirname, '..', 'docs'), { recursive: true });
  const out = join(__dirname, '..', 'docs', 'benchmarks.md');
  writeFileSync(out, withHandWritten(doc, existsSync(out) ? readFileSync(out, 'utf8') : undefined));
  console.log(table(figures));
  console.log('');
  console.log(formatGuardTable(guard));
  console.log('');
  console.log(formatGuardCpuTable(guardCpu));
  console.log(`\n${machine}; load ${load(loadBefore)} → ${load(loadAfter)}; ${Math.round(totalSeconds)} s. Written to docs/benchmarks.md`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
