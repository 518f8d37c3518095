// Starts `llmsim serve --port 0` as a child process for one test file, and stops it with SIGTERM.
//
// The binary comes from $LLMSIM (ctest sets it to the build's llmsim); without it the
// Release build's path is tried. Scenario paths are relative to tests/sdk/scenarios/.
//
//   const server = await start_server({ scenario: 'limits.json', time_scale: 1 });
//   const client = new OpenAI({ apiKey: 'sk-test', baseURL: server.base_url });
//   ...
//   assert.equal(await server.stop(), 0);   // the exit code; stop() is idempotent
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const sdk_dir = resolve(here, '..');
const repo_root = resolve(sdk_dir, '..', '..');
const startup_timeout_ms = 10_000;
const stop_timeout_ms = 10_000;

// Returns the llmsim binary: $LLMSIM, else build/release/llmsim; throws if neither exists.
export function llmsim_path() {
  const candidate = process.env.LLMSIM || join(repo_root, 'build', 'release', 'llmsim');
  if (!existsSync(candidate)) {
    throw new Error(`llmsim binary not found at ${candidate}: build it, or set LLMSIM`);
  }
  return candidate;
}

// Resolves once the child printed "listening on http://HOST:PORT"; rejects with its stderr if it
// exits or stays silent for startup_timeout_ms. `output.stderr` collects the child's stderr.
function wait_for_listening(child, output) {
  return new Promise((resolve_url, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`llmsim serve printed nothing in ${startup_timeout_ms} ms; stderr: ${output.stderr}`)),
      startup_timeout_ms);
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const match = /listening on (http:\/\/[^\s]+:(\d+))/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve_url({ url: match[1], port: Number(match[2]) });
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`llmsim serve exited (code ${code}, signal ${signal}) before listening; stderr: ${output.stderr}`));
    });
  });
}

// Starts a server; options: scenario (file name under scenarios/), seed, time_scale, extra_args.
// Returns { url, base_url (url + '/v1'), port, metrics(), stop() }.
export async function start_server({ scenario, seed, time_scale, extra_args = [] } = {}) {
  const args = ['serve', '--host', '127.0.0.1', '--port', '0', ...extra_args];
  if (scenario) args.push('--scenario', join(sdk_dir, 'scenarios', scenario));
  if (seed !== undefined) args.push('--seed', String(seed));
  if (time_scale !== undefined) args.push('--time-scale', String(time_scale));
  const child = spawn(llmsim_path(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const output = { stderr: '' };
  child.stderr.on('data', (chunk) => { output.stderr += chunk; });
  const exited = new Promise((resolve_exit) => child.on('close', (code, signal) => resolve_exit({ code, signal })));
  const { url, port } = await wait_for_listening(child, output);
  let stopping = null;
  return {
    url,
    port,
    base_url: `${url}/v1`,
    // Returns the counters of /metrics as a map from 'name{labels}' to value.
    async metrics() {
      const text = await (await fetch(`${url}/metrics`)).text();
      const values = new Map();
      for (const line of text.split('\n')) {
        const match = /^([a-z_]+(?:\{[^}]*\})?) (\S+)$/.exec(line);
        if (match) values.set(match[1], Number(match[2]));
      }
      return values;
    },
    // Sends SIGTERM and returns the exit code; throws if a signal ended it (it was still running
    // after stop_timeout_ms) or if it reported a sanitizer error (ASan/UBSan builds) on stderr.
    stop() {
      stopping ??= (async () => {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), stop_timeout_ms);
        const { code, signal } = await exited;
        clearTimeout(timer);
        if (signal !== null) throw new Error(`llmsim serve ended by ${signal}, not by exiting`);
        if (/runtime error:|Sanitizer/.test(output.stderr)) throw new Error(`llmsim serve stderr: ${output.stderr}`);
        return code;
      })();
      return stopping;
    },
  };
}

// Returns a fetch that records every attempt the SDK makes in `attempts`: { status, headers (of
// the response), retry_count (the request's x-stainless-retry-count), sent_ms, received_ms } with
// times from performance.now().
export function recording_fetch() {
  const attempts = [];
  const wrapped = async (input, init) => {
    const retry_count = new Headers(init?.headers).get('x-stainless-retry-count');
    const sent_ms = performance.now();
    const response = await fetch(input, init);
    attempts.push({ status: response.status, headers: response.headers, retry_count, sent_ms, received_ms: performance.now() });
    return response;
  };
  return { fetch: wrapped, attempts };
}
