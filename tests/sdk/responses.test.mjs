// The official openai SDK's Responses API against `llmsim serve` (built-in provider): string and
// item input, instructions, max_output_tokens, store: false, streamed typed events, a 429 the SDK
// retries, and the 400s of what the mock does not serve yet (function tools, json_schema). Every
// body and event is validated against the official OpenAPI schemas.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';

import { start_server } from './lib/server.mjs';
import { load_spec } from './lib/spec.mjs';

// The built-in provider's completion tokens when max_output_tokens does not cap them.
const default_output_tokens = 16;

let server;
let client;
let spec;

before(async () => {
  [server, spec] = await Promise.all([start_server({ seed: 5 }), load_spec()]);
  client = new OpenAI({ apiKey: 'sk-test-responses', baseURL: server.base_url, maxRetries: 0 });
});

after(async () => {
  assert.equal(await server.stop(), 0, 'llmsim serve exits 0 on SIGTERM');
});

function word_count(text) {
  return text.trim().split(/\s+/).filter(Boolean).length;
}

// Checks `body` against components.schemas[name]; the SDK adds output_text, which is declared.
function assert_valid(name, body) {
  assert.deepEqual(spec.problems(name, body), [], `${name}: ${JSON.stringify(body).slice(0, 300)}`);
}

describe('responses.create', () => {
  test('string input: a completed Response with one message and usage', async () => {
    const response = await client.responses.create({ model: 'gpt-4o-mini', input: 'Hello, world', store: false });
    assert_valid('Response', response);
    assert.match(response.id, /^resp_[A-Za-z0-9]+$/);
    assert.equal(response.object, 'response');
    assert.equal(response.status, 'completed');
    assert.equal(response.store, false);
    assert.equal(response.output.length, 1);
    const [message] = response.output;
    assert.equal(message.type, 'message');
    assert.equal(message.role, 'assistant');
    assert.equal(message.content[0].type, 'output_text');
    assert.equal(word_count(response.output_text), default_output_tokens);
    // "Hello, world": ceil(12 / 4) + 3 framing + 3 priming, as chat estimates it.
    assert.deepEqual([response.usage.input_tokens, response.usage.output_tokens, response.usage.total_tokens],
      [9, default_output_tokens, 9 + default_output_tokens]);
  });

  test('item input with instructions: instructions echoed and counted', async () => {
    const input = [
      { role: 'user', content: [{ type: 'input_text', text: 'What is the weather?' }] },
      { type: 'function_call', call_id: 'call_1', name: 'weather', arguments: '{"city":"Oslo"}' },
      { type: 'function_call_output', call_id: 'call_1', output: '{"celsius":3}' },
    ];
    const plain = await client.responses.create({ model: 'gpt-4o-mini', input });
    const instructed = await client.responses.create({ model: 'gpt-4o-mini', input, instructions: 'Answer briefly.' });
    assert_valid('Response', instructed);
    assert.equal(instructed.instructions, 'Answer briefly.');
    assert.equal(plain.instructions, null);
    assert.ok(instructed.usage.input_tokens > plain.usage.input_tokens, 'instructions add input tokens');
  });

  test('max_output_tokens reached: status incomplete with the reason', async () => {
    const response = await client.responses.create({ model: 'gpt-4o-mini', input: 'Hi', max_output_tokens: 16 });
    assert_valid('Response', response);
    assert.equal(response.status, 'incomplete');
    assert.deepEqual(response.incomplete_details, { reason: 'max_output_tokens' });
    assert.equal(response.usage.output_tokens, 16);
  });

  test('bad requests: OpenAI 400s with param', async () => {
    const cases = [
      [{ model: 'gpt-4o-mini', input: 'Hi', max_output_tokens: 5 }, 'max_output_tokens', 'integer_below_min_value'],
      [{ model: 'gpt-4o-mini', input: [{ role: 'robot', content: 'x' }] }, 'input[0].role', 'invalid_value'],
      [{ model: 'gpt-4o-mini', input: 'Hi', tools: [{ type: 'function', function: { name: 'f' } }] }, 'tools[0].name', 'missing_required_parameter'],
      [{ model: 'gpt-4o-mini', input: 'Hi', tools: [{ type: 'function', name: 'f', parameters: { type: 'object' } }] }, 'tools', 'unsupported_parameter'],
      [{ model: 'gpt-4o-mini', input: 'Hi', text: { format: { type: 'json_schema', name: 'x', schema: { type: 'object' } } } }, 'text.format', 'unsupported_parameter'],
    ];
    for (const [body, param, code] of cases) {
      await assert.rejects(client.responses.create(body), (error) => {
        assert.equal(error.status, 400, JSON.stringify(body));
        assert.equal(error.error.param, param);
        assert.equal(error.error.code, code);
        assert_valid('ErrorResponse', { error: error.error });
        return true;
      });
    }
  });

  test('function tools with tool_choice none: a text answer, tools echoed flat', async () => {
    const tools = [{ type: 'function', name: 'weather', parameters: { type: 'object', properties: {} }, strict: false }];
    const response = await client.responses.create({ model: 'gpt-4o-mini', input: 'Hi', tools, tool_choice: 'none' });
    assert_valid('Response', response);
    assert.equal(response.tools[0].name, 'weather');
    assert.equal(response.tool_choice, 'none');
    assert.equal(response.output[0].type, 'message');
  });
});

describe('responses streamed', () => {
  test('stream: true gives typed events with sequence numbers, in OpenAI order', async () => {
    const stream = await client.responses.create({ model: 'gpt-4o-mini', input: 'Hello', stream: true });
    const events = [];
    for await (const event of stream) events.push(event);
    events.forEach((event, i) => {
      assert.equal(event.sequence_number, i);
      assert_valid('ResponseStreamEvent', event);
    });
    const types = events.map((e) => e.type);
    const deltas = types.filter((t) => t === 'response.output_text.delta').length;
    assert.equal(deltas, default_output_tokens);
    assert.deepEqual(types.filter((t) => t !== 'response.output_text.delta'), [
      'response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added',
      'response.output_text.done', 'response.content_part.done', 'response.output_item.done', 'response.completed']);
    const text = events.filter((e) => e.type === 'response.output_text.delta').map((e) => e.delta).join('');
    const done = events.find((e) => e.type === 'response.output_text.done');
    assert.equal(done.text, text);
    const completed = events.at(-1).response;
    assert.equal(completed.output[0].content[0].text, text);
    assert.equal(completed.usage.output_tokens, default_output_tokens);
  });

  test('responses.stream: the SDK helper assembles the final Response', async () => {
    const stream = client.responses.stream({ model: 'gpt-4o-mini', input: 'Hello', instructions: 'Be kind.' });
    let snapshot = '';
    stream.on('response.output_text.delta', (event) => { snapshot = event.snapshot; });
    const response = await stream.finalResponse();
    assert_valid('Response', response);
    assert.equal(response.status, 'completed');
    assert.equal(response.output[0].content[0].text, snapshot);
    assert.equal(word_count(snapshot), default_output_tokens);
  });
});

describe('responses under the rate limits', () => {
  test('a forced 429 is retried by the SDK, then answered', async () => {
    let calls = 0;
    const retrying = new OpenAI({
      apiKey: 'sk-test-responses-429', baseURL: server.base_url, maxRetries: 2,
      fetch: async (url, init) => {
        calls += 1;
        const headers = new Headers(init.headers);
        if (calls === 1) headers.set('x-llmsim-fault', '429');
        return fetch(url, { ...init, headers });
      },
    });
    const response = await retrying.responses.create({ model: 'gpt-4o-mini', input: 'Hi' });
    assert.equal(calls, 2, 'one 429, one retry');
    assert.equal(response.status, 'completed');
  });
});
