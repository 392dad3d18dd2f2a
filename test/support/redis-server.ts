/**
 * A throw-away `redis-server` for tests: free loopback port, temp dir, no persistence. Tests that
 * need one skip with a message when it is missing on a developer machine, and fail under CI=true
 * (.ci/run installs it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { createInterface } from 'node:readline';

/** The `redis-server` binary, if installed. */
export function findRedisServer(): string | undefined {
  if (existsSync('/usr/bin/redis-server')) return '/usr/bin/redis-server';
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, 'redis-server'))) return join(dir, 'redis-server');
  }
  return undefined;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createNetServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Lines of a child's stdout until one matches, or the child exits, or `ms` pass. */
export function waitForLine(child: ChildProcess, pattern: RegExp, ms: number): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const output: string[] = [];
    const timer = setTimeout(() => finish(new Error(`no "${pattern}" within ${ms} ms:\n${output.join('\n')}`)), ms);
    const onExit = (code: number | null): void => finish(new Error(`exited (${code}) before "${pattern}":\n${output.join('\n')}`));
    function finish(err: Error | undefined, match?: RegExpExecArray): void {
      clearTimeout(timer);
      child.off('exit', onExit);
      lines.close();
      if (err) reject(err);
      else resolve(match!);
    }
    child.once('exit', onExit);
    lines.on('line', (line) => {
      output.push(line);
      const m = pattern.exec(line);
      if (m) finish(undefined, m);
    });
  });
}

export function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** A throw-away redis-server: free loopback port, temp dir, no RDB, no AOF. */
export async function startRedisServer(binary: string): Promise<{ url: string; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'express-cognito-redis-'));
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      await waitForLine(child, /Ready to accept connections/, 10_000);
      return {
        url: `redis://127.0.0.1:${port}`,
        async stop() {
          await stopChild(child);
          rmSync(dir, { recursive: true, force: true });
        },
      };
    } catch (e) {
      lastError = e; // most likely the port was taken between freePort() and listen: try another
      await stopChild(child);
    }
  }
  rmSync(dir, { recursive: true, force: true });
  throw lastError;
}

/**
 * A `before` hook's redis-server: started when installed; otherwise the suite is skipped with a
 * message on a developer machine, and fails under CI=true (.ci/run installs it).
 */
export async function redisServerOrSkip(context: Mocha.Context, what: string): Promise<{ url: string; stop(): Promise<void> }> {
  const binary = findRedisServer();
  if (!binary) {
    if (process.env.CI === 'true') throw new Error('redis-server is not installed, and CI=true: .ci/run must install it (apt-get install redis-server)');
    console.log(`      redis-server not found: skipping ${what} (install redis-server to run them; under CI=true this fails)`);
    context.skip();
  }
  return startRedisServer(binary);
}
