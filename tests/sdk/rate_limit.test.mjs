// 429s from spent buckets, as the official SDK sees them: its retries wait what retry-after (or
// retry-after-ms, read first) says, and without retries it throws RateLimitError with OpenAI's code,
// type, message and x-ratelimit-* headers. Each test spends the bucket of its own key (every key is
// its own account), so the tests do not share limits.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';

import { recording_fetch, start_server } from './lib/server.mjs';

const hello = [{ role: 'user', content: 'Hello, world' }];
const model = 'gpt-4o-mini';
// Timer slack: setTimeout never fires early by more than a millisecond; the event loop may be late.
const early_slack_ms = 5;
const late_slack_ms = 250;
// The SDK's shortest backoff (0.5 s * (1 - 0.25)): a retry sooner than this followed the server's wait.
const sdk_min_backoff_ms = 375;
const request_id_pattern = /^req_[0-9a-f]{32}$/;

let plain;   // scenarios/limits.json: 60 RPM, 1,000 TPM, retry-after only
let with_ms; // scenarios/limits-ms.json: 300 RPM, retry-after and retry-after-ms

before(async () => {
  [plain, with_ms] = await Promise.all([
    start_server({ scenario: 'limits.json' }),
    start_server({ scenario: 'limits-ms.json' }),
  ]);
});

after(async () => {
  const codes = await Promise.all([plain.stop(), with_ms.stop()]);
  assert.deepEqual(codes, [0, 0], 'both servers exit 0 on SIGTERM');
});

// Sends one chat completion with plain fetch; returns { status, headers, body }.
async function post_chat(server, key, extra = {}) {
  const response = await fetch(`${server.base_url}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: hello, ...extra }),
  });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

// Returns the wait of a 429 in ms: retry-after-ms, else the Go duration in its message ("644ms",
// "1.146s", "1m26.4s").
function refusal_wait_ms({ headers, body }) {
  if (headers.get('retry-after-ms') !== null) return Number(headers.get('retry-after-ms'));
  const match = /try again in (?:(\d+)m)?(?:(\d+)ms|([\d.]+)s)\./.exec(body.error.message);
  assert.ok(match, `no wait in "${body.error.message}"`);
  return Number(match[1] ?? 0) * 60_000 + Number(match[2] ?? 0) + Number(match[3] ?? 0) * 1000;
}

// Spends the RPM bucket of `key`: `rpm` requests at once (all admitted), then one at a time until a
// refusal says the next request is at least `min_wait_ms` away, so the caller's next request is
// refused too. Refusals cost nothing, so after a shorter wait it waits that out and spends the
// request that refilled.
async function spend_bucket(server, key, rpm, min_wait_ms) {
  const burst = await Promise.all(Array.from({ length: rpm }, () => post_chat(server, key, { max_tokens: 1 })));
  assert.deepEqual(burst.filter((r) => r.status !== 200), [], 'a full bucket admits rpm requests');
  for (let probe = 0; probe < 20; ++probe) {
    const response = await post_chat(server, key, { max_tokens: 1 });
    if (response.status !== 429) continue;
    const wait_ms = refusal_wait_ms(response);
    if (wait_ms >= min_wait_ms) return;
    await new Promise((resolve) => setTimeout(resolve, wait_ms + 1));
  }
  assert.fail(`no refusal with a wait of ${min_wait_ms} ms or more`);
}

describe('requests per minute', () => {
  test('maxRetries 2: the SDK waits retry-after (1 s) and the retry succeeds', async () => {
    await spend_bucket(plain, 'sk-rpm-retry', 60, 500);
    const recorder = recording_fetch();
    const client = new OpenAI({ apiKey: 'sk-rpm-retry', baseURL: plain.base_url, maxRetries: 2, fetch: recorder.fetch });
    const started_ms = performance.now();
    const completion = await client.chat.completions.create({ model, messages: hello });
    const elapsed_ms = performance.now() - started_ms;

    assert.equal(completion.object, 'chat.completion');
    assert.deepEqual(recorder.attempts.map((a) => a.status), [429, 200]);
    assert.deepEqual(recorder.attempts.map((a) => a.retry_count), ['0', '1']);
    const [refused] = recorder.attempts;
    assert.equal(refused.headers.get('retry-after'), '1');
    assert.equal(refused.headers.get('retry-after-ms'), null, 'OpenAI sends no retry-after-ms');
    const waited_ms = recorder.attempts[1].sent_ms - refused.received_ms;
    assert.ok(waited_ms >= 1000 - early_slack_ms && waited_ms <= 1000 + late_slack_ms,
      `the SDK waited ${waited_ms.toFixed(0)} ms; retry-after said 1 s`);
    assert.ok(elapsed_ms >= 1000, `the call took ${elapsed_ms.toFixed(0)} ms`);
  });

  test('maxRetries 0: RateLimitError 429 rate_limit_exceeded, type requests, x-ratelimit headers', async () => {
    await spend_bucket(plain, 'sk-rpm-error', 60, 500);
    const recorder = recording_fetch();
    const client = new OpenAI({ apiKey: 'sk-rpm-error', baseURL: plain.base_url, maxRetries: 0, fetch: recorder.fetch });
    const error = await client.chat.completions.create({ model, messages: hello }).then(
      () => assert.fail('expected a 429'), (e) => e);

    assert.ok(error instanceof OpenAI.RateLimitError, `got ${error}`);
    assert.equal(recorder.attempts.length, 1);
    assert.equal(error.status, 429);
    assert.equal(error.code, 'rate_limit_exceeded');
    assert.equal(error.type, 'requests');
    assert.equal(error.param, null);
    assert.match(error.error.message, new RegExp(
      '^Rate limit reached for gpt-4o-mini in organization org-llmsim on requests per min \\(RPM\\): ' +
      'Limit 60, Used 60, Requested 1\\. Please try again in \\d+ms\\. ' +
      'Visit https://platform\\.openai\\.com/account/rate-limits to learn more\\.$'));
    assert.match(error.requestID, request_id_pattern);
    assert.equal(error.headers.get('x-request-id'), error.requestID);
    assert.equal(error.headers.get('x-ratelimit-limit-requests'), '60');
    assert.equal(error.headers.get('x-ratelimit-remaining-requests'), '0');
    assert.match(error.headers.get('x-ratelimit-reset-requests'), /^\d+ms$|^\d+(\.\d+)?s$/);
    assert.equal(error.headers.get('x-ratelimit-limit-tokens'), '1000');
    assert.match(error.headers.get('x-ratelimit-remaining-tokens'), /^\d+$/);
    assert.match(error.headers.get('x-ratelimit-reset-tokens'), /^\d+ms$|^\d+(\.\d+)?s$/);
    assert.equal(error.headers.get('retry-after'), '1');
  });

  test('retry-after-ms is read before retry-after: the retry comes after W ms, not 1 s', async () => {
    await spend_bucket(with_ms, 'sk-rpm-ms', 300, 100);
    const recorder = recording_fetch();
    const client = new OpenAI({ apiKey: 'sk-rpm-ms', baseURL: with_ms.base_url, maxRetries: 2, fetch: recorder.fetch });
    await client.chat.completions.create({ model, messages: hello });

    assert.deepEqual(recorder.attempts.map((a) => a.status), [429, 200]);
    const [refused] = recorder.attempts;
    assert.equal(refused.headers.get('retry-after'), '1');
    const wait_ms = Number(refused.headers.get('retry-after-ms'));
    assert.ok(wait_ms >= 100 && wait_ms <= 200, `retry-after-ms ${wait_ms}: at most one request interval (200 ms)`);
    const waited_ms = recorder.attempts[1].sent_ms - refused.received_ms;
    assert.ok(waited_ms >= wait_ms - early_slack_ms && waited_ms < sdk_min_backoff_ms,
      `the SDK waited ${waited_ms.toFixed(0)} ms; retry-after-ms said ${wait_ms}`);
  });
});

describe('tokens per minute', () => {
  test('max_tokens counts before the request runs: type tokens, retry-after 12 s', async () => {
    const client = new OpenAI({ apiKey: 'sk-tpm', baseURL: plain.base_url, maxRetries: 0 });
    await client.chat.completions.create({ model, messages: hello, max_tokens: 600 });
    const error = await client.chat.completions.create({ model, messages: hello, max_tokens: 600 }).then(
      () => assert.fail('expected a 429'), (e) => e);
    assert.ok(error instanceof OpenAI.RateLimitError, `got ${error}`);
    assert.equal(error.code, 'rate_limit_exceeded');
    assert.equal(error.type, 'tokens');
    assert.match(error.error.message, new RegExp(
      '^Rate limit reached for gpt-4o-mini in organization org-llmsim on tokens per min \\(TPM\\): ' +
      'Limit 1000, Used (599|600), Requested 600\\. Please try again in 1[12]\\.\\d+s\\.'));
    // (600 + 600 - 1000) tokens at 1000/60 tokens per second: 12 s, rounded up to whole seconds.
    assert.equal(error.headers.get('retry-after'), '12');
  });

  test('max_tokens above the limit: "Request too large", no retry-after', async () => {
    const client = new OpenAI({ apiKey: 'sk-tpm-large', baseURL: plain.base_url, maxRetries: 0 });
    const error = await client.chat.completions.create({ model, messages: hello, max_tokens: 1001 }).then(
      () => assert.fail('expected a 429'), (e) => e);
    assert.ok(error instanceof OpenAI.RateLimitError, `got ${error}`);
    assert.equal(error.code, 'rate_limit_exceeded');
    assert.equal(error.type, 'tokens');
    assert.equal(error.error.message,
      'Request too large for gpt-4o-mini in organization org-llmsim on tokens per min (TPM): Limit 1000, ' +
      'Requested 1001. The input or output tokens must be reduced in order to run successfully. ' +
      'Visit https://platform.openai.com/account/rate-limits to learn more.');
    assert.equal(error.headers.get('retry-after'), null);
  });
});
