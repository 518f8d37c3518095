// The SDK's error classes and retry decisions for the mock's non-rate-limit errors: 401 for a
// missing or wrong key (scenarios/auth.json lists the keys), insufficient_quota (never retried:
// x-should-retry false), 500 and 503 (retried with the SDK's backoff, then thrown).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';

import { recording_fetch, start_server } from './lib/server.mjs';

const good_key = 'sk-llmsim-good-key-0001';
const hello = [{ role: 'user', content: 'Hello, world' }];
// The SDK's backoff before retry n (0-based): min(0.5 * 2^n, 8) s * (1 - 0.25 * U[0,1)).
const backoff_min_ms = [375, 750];
const backoff_max_ms = [500, 1000];
// Timer slack: setTimeout never fires early by more than a millisecond; the event loop may be late.
const early_slack_ms = 5;
const late_slack_ms = 250;

let server;

before(async () => {
  server = await start_server({ scenario: 'auth.json' });
});

after(async () => {
  assert.equal(await server.stop(), 0, 'llmsim serve exits 0 on SIGTERM');
});

// Returns what `promise` rejects with; fails the test if it resolves.
async function rejection(promise) {
  return promise.then((value) => assert.fail(`expected an error, got ${JSON.stringify(value).slice(0, 200)}`), (e) => e);
}

// Returns the count of chat.completions answers with `status` in /metrics.
async function answered(status) {
  return (await server.metrics()).get(`llmsim_requests_total{endpoint="chat.completions",status="${status}"}`) ?? 0;
}

// The server counts a request once its response is written, so the client can read the response
// first (a sanitizer build showed it): waits up to 5 s for the count to reach `from + count`, then
// returns how many it answered since `from`.
async function answered_since(status, from, count) {
  const deadline = Date.now() + 5000;
  let now = await answered(status);
  while (now - from < count && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    now = await answered(status);
  }
  return now - from;
}

describe('authentication', () => {
  test('a listed key is accepted', async () => {
    const client = new OpenAI({ apiKey: 'sk-llmsim-good-key-0002', baseURL: server.base_url, maxRetries: 0 });
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: hello });
    assert.equal(completion.choices.length, 1);
  });

  test('a wrong key: AuthenticationError 401, code invalid_api_key, the key masked', async () => {
    const client = new OpenAI({ apiKey: 'sk-llmsim-wrong-key-9999', baseURL: server.base_url });
    const error = await rejection(client.chat.completions.create({ model: 'gpt-4o-mini', messages: hello }));
    assert.ok(error instanceof OpenAI.AuthenticationError, `got ${error}`);
    assert.equal(error.status, 401);
    assert.equal(error.code, 'invalid_api_key');
    assert.equal(error.type, 'invalid_request_error');
    assert.equal(error.param, null);
    assert.equal(error.error.message,
      'Incorrect API key provided: sk-llmsi************9999. You can find your API key at https://platform.openai.com/account/api-keys.');
  });

  test('no Authorization header: AuthenticationError 401 with code null', async () => {
    // A null header removes the SDK's own Authorization header.
    const client = new OpenAI({ apiKey: 'unused', baseURL: server.base_url, defaultHeaders: { Authorization: null } });
    const error = await rejection(client.models.list());
    assert.ok(error instanceof OpenAI.AuthenticationError, `got ${error}`);
    assert.equal(error.status, 401);
    assert.equal(error.code, null);
    assert.equal(error.type, 'invalid_request_error');
    assert.match(error.error.message, /^You didn't provide an API key\. You need to provide your API key in an Authorization header using Bearer auth/);
  });
});

describe('forced faults (x-llmsim-fault)', () => {
  test('quota: RateLimitError insufficient_quota after one attempt, though maxRetries is 2', async () => {
    const recorder = recording_fetch();
    const client = new OpenAI({ apiKey: good_key, baseURL: server.base_url, maxRetries: 2, fetch: recorder.fetch });
    const error = await rejection(client.chat.completions.create(
      { model: 'gpt-4o-mini', messages: hello }, { headers: { 'x-llmsim-fault': 'quota' } }));
    assert.ok(error instanceof OpenAI.RateLimitError, `got ${error}`);
    assert.equal(error.status, 429);
    assert.equal(error.code, 'insufficient_quota');
    assert.equal(error.type, 'insufficient_quota');
    assert.match(error.error.message, /^You exceeded your current quota, please check your plan and billing details\./);
    assert.equal(error.headers.get('x-should-retry'), 'false');
    assert.equal(error.headers.get('retry-after'), null, 'no retry-after on a billing error');
    assert.equal(recorder.attempts.length, 1, 'the SDK did not retry');
  });

  test('500: retried twice with the SDK backoff, then InternalServerError', async () => {
    const before_500s = await answered(500);
    const recorder = recording_fetch();
    const client = new OpenAI({ apiKey: good_key, baseURL: server.base_url, maxRetries: 2, fetch: recorder.fetch });
    const error = await rejection(client.chat.completions.create(
      { model: 'gpt-4o-mini', messages: hello }, { headers: { 'x-llmsim-fault': '500' } }));
    assert.ok(error instanceof OpenAI.InternalServerError, `got ${error}`);
    assert.equal(error.status, 500);
    assert.equal(error.type, 'server_error');
    assert.equal(error.code, null);
    assert.match(error.error.message, /^The server had an error processing your request\./);
    assert.deepEqual(recorder.attempts.map((a) => a.status), [500, 500, 500]);
    assert.equal(await answered_since(500, before_500s, 3), 3, 'the server answered three attempts');
    for (const [n, attempt] of recorder.attempts.slice(0, 2).entries()) {
      assert.equal(attempt.headers.get('retry-after'), null, 'a 500 carries no retry-after');
      const waited_ms = recorder.attempts[n + 1].sent_ms - attempt.received_ms;
      assert.ok(waited_ms >= backoff_min_ms[n] - early_slack_ms && waited_ms <= backoff_max_ms[n] + late_slack_ms,
        `retry ${n + 1} after ${waited_ms.toFixed(0)} ms, backoff is ${backoff_min_ms[n]}..${backoff_max_ms[n]} ms`);
    }
  });

  test('503 with maxRetries 0: InternalServerError 503 "overloaded", one attempt', async () => {
    const recorder = recording_fetch();
    const client = new OpenAI({ apiKey: good_key, baseURL: server.base_url, maxRetries: 0, fetch: recorder.fetch });
    const error = await rejection(client.chat.completions.create(
      { model: 'gpt-4o-mini', messages: hello }, { headers: { 'x-llmsim-fault': '503' } }));
    assert.ok(error instanceof OpenAI.InternalServerError, `got ${error}`);
    assert.equal(error.status, 503);
    assert.equal(error.type, 'server_error');
    assert.match(error.error.message, /^That model is currently overloaded with other requests\./);
    assert.equal(recorder.attempts.length, 1);
  });
});
