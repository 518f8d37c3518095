// Record and replay with the official openai SDK: a second `llmsim serve` stands in for the real
// API; `llmsim serve --record-from` relays the SDK's requests to it (streams chunk by chunk) and
// writes fixtures; a third server replays them (content, stream pieces and timing).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';

import { start_server } from './lib/server.mjs';

const dir = mkdtempSync(join(tmpdir(), 'llmsim-record-'));
const fixtures_out = join(dir, 'recorded.json');
const servers = [];

after(async () => {
  for (const server of servers) assert.equal(await server.stop(), 0);
});

async function ask(client, content, stream = false) {
  if (!stream) {
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }] });
    return { text: completion.choices[0].message.content, pieces: 1 };
  }
  const chunks = await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content }] });
  const pieces = [];
  for await (const chunk of chunks) {
    const text = chunk.choices[0]?.delta?.content;
    if (text) pieces.push(text);
  }
  return { text: pieces.join(''), pieces: pieces.length };
}

test('what is recorded through the proxy is replayed with its content and timing', async () => {
  const api = await start_server({ seed: 7 });
  servers.push(api);
  const recorder = await start_server({ extra_args: ['--record-from', api.url, '--fixtures-out', fixtures_out] });
  servers.push(recorder);
  const direct = new OpenAI({ apiKey: 'sk-record', baseURL: api.base_url, maxRetries: 0 });
  const proxied = new OpenAI({ apiKey: 'sk-record', baseURL: recorder.base_url, maxRetries: 0 });
  const plain = await ask(proxied, 'first question');
  const started = performance.now();
  const streamed = await ask(proxied, 'second question', true);
  const recorded_ms = performance.now() - started;
  assert.ok(plain.text.length > 0);
  assert.equal(streamed.pieces, 16);  // the built-in provider's 16 tokens, relayed one by one
  const file = JSON.parse(readFileSync(fixtures_out, 'utf8'));
  assert.equal(file.fixtures.length, 2);
  assert.deepEqual(file.fixtures[1].match, { endpoint: 'chat.completions', model: 'gpt-4o-mini',
    last_user_message: { equals: 'second question' }, tool_result: false, turn: 0 });
  assert.ok(file.fixtures[1].answer.recorded.chunks.length >= 2);
  assert.ok(file.fixtures[0].answer.recorded.first_byte_ms > 0);
  // The same key asked the real API directly gets other words (another request number there).
  assert.ok((await ask(direct, 'first question')).text.length > 0);

  const replay = await start_server({ extra_args: ['--fixtures', fixtures_out] });
  servers.push(replay);
  const client = new OpenAI({ apiKey: 'sk-other', baseURL: replay.base_url, maxRetries: 0 });
  assert.equal((await ask(client, 'first question')).text, plain.text);
  const replay_started = performance.now();
  const replayed = await ask(client, 'second question', true);
  const replay_ms = performance.now() - replay_started;
  assert.equal(replayed.text, streamed.text);
  // The built-in provider takes 50 ms + 15 x 5 ms = 125 ms; the replay keeps that pace.
  assert.ok(replay_ms >= 100, `replayed in ${replay_ms} ms, recorded in ${recorded_ms} ms`);

  const fast = await start_server({ extra_args: ['--fixtures', fixtures_out, '--replay-speed', '10'] });
  servers.push(fast);
  const fast_client = new OpenAI({ apiKey: 'sk-other', baseURL: fast.base_url, maxRetries: 0 });
  const fast_started = performance.now();
  assert.equal((await ask(fast_client, 'second question', true)).text, streamed.text);
  assert.ok(performance.now() - fast_started < replay_ms, 'ten times faster is faster');
});
