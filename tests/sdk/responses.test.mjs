// The official openai SDK's Responses API against `llmsim serve` (built-in provider): string and
// item input, instructions, max_output_tokens, store: false, streamed typed events, a 429 the SDK
// retries, function calls (required, named, auto, a follow-up turn; streamed and assembled by the
// SDK's stream helper), text.format json_schema and json_object, the 400s of schemas and tools
// the mock does not serve; then a second server with fixtures and queued faults on /v1/responses.
// Every body and event is validated against the official OpenAPI schemas, every argument and JSON
// output against its own schema with Ajv.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import OpenAI from 'openai';
import Ajv2020 from 'ajv/dist/2020.js';
import add_formats from 'ajv-formats';

import { sdk_dir, start_server } from './lib/server.mjs';
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
      // strict is the Responses default: an open object is refused as OpenAI refuses it
      [{ model: 'gpt-4o-mini', input: 'Hi', tools: [{ type: 'function', name: 'f', parameters: { type: 'object' } }] }, 'tools[0].parameters', 'invalid_function_parameters'],
      [{ model: 'gpt-4o-mini', input: 'Hi', tools: [{ type: 'web_search' }] }, 'tools[0].type', 'unsupported_parameter'],
      [{ model: 'gpt-4o-mini', input: 'Hi', text: { format: { type: 'json_schema', name: 'x', schema: { type: 'object', properties: {}, allOf: [] } } } }, 'text.format.schema', 'invalid_json_schema'],
      [{ model: 'gpt-4o-mini', input: 'Hi', text: { format: { type: 'json_object' } } }, 'input', null],
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

const ajv = add_formats(new Ajv2020({ strict: false, allErrors: true }));

function assert_valid_against(schema, value, what) {
  const validate = ajv.compile(schema);
  assert.ok(validate(value), `${what}: ${JSON.stringify(validate.errors)} for ${JSON.stringify(value)}`);
}

const forecast = {
  type: 'object',
  properties: {
    city: { type: 'string', description: 'a city' },
    unit: { type: ['string', 'null'], enum: ['celsius', 'fahrenheit', null] },
    days: { type: 'integer', minimum: 1, maximum: 7 },
    when: { type: 'string', format: 'date-time' },
  },
  required: ['city', 'unit', 'days', 'when'],
  additionalProperties: false,
};
const tools = [
  { type: 'function', name: 'get_forecast', description: 'Weather forecast', parameters: forecast, strict: true },
  { type: 'function', name: 'get_time', parameters: { type: 'object', properties: { zone: { type: 'string' } } }, strict: false },
];

// Checks a function_call item and its arguments against the tool's parameters.
function check_call(item) {
  assert.equal(item.type, 'function_call');
  assert.equal(item.status, 'completed');
  assert.match(item.id, /^fc_[A-Za-z0-9]+$/);
  assert.match(item.call_id, /^call_[A-Za-z0-9]{24}$/);
  const tool = tools.find((t) => t.name === item.name);
  assert.ok(tool, `a call of an offered tool: ${item.name}`);
  assert_valid_against(tool.parameters, JSON.parse(item.arguments), item.name);
}

describe('responses function calls', () => {
  test('tool_choice required: function_call items with arguments valid against the parameters', async () => {
    for (let i = 0; i < 8; i++) {
      const response = await client.responses.create({ model: 'gpt-4o-mini', input: 'Forecast for Oslo?', tools, tool_choice: 'required' });
      assert_valid('Response', response);
      assert.equal(response.status, 'completed');
      assert.ok(response.output.length >= 1 && response.output.length <= 2, 'one call, sometimes two');
      response.output.forEach(check_call);
      assert.equal(response.output_text, '', 'no message');
      assert.deepEqual(response.tools.map((t) => t.name), ['get_forecast', 'get_time']);
    }
  });

  test('a named tool with parallel_tool_calls false: exactly that call', async () => {
    const response = await client.responses.create({
      model: 'gpt-4o-mini', input: 'Time?', tools, parallel_tool_calls: false,
      tool_choice: { type: 'function', name: 'get_time' },
    });
    assert_valid('Response', response);
    assert.equal(response.output.length, 1);
    check_call(response.output[0]);
    assert.equal(response.output[0].name, 'get_time');
    assert.deepEqual(response.tool_choice, { type: 'function', name: 'get_time' });
    assert.equal(response.parallel_tool_calls, false);
  });

  test('an agent loop: the call, then its function_call_output answered in text', async () => {
    const input = [{ role: 'user', content: 'Forecast for Oslo?' }];
    const first = await client.responses.create({ model: 'gpt-4o-mini', input, tools, tool_choice: 'required' });
    const calls = first.output.filter((item) => item.type === 'function_call');
    assert.ok(calls.length >= 1);
    input.push(...calls.map(({ type, call_id, name, arguments: args }) => ({ type, call_id, name, arguments: args })));
    input.push(...calls.map((call) => ({ type: 'function_call_output', call_id: call.call_id, output: '{"celsius":-3}' })));
    const second = await client.responses.create({ model: 'gpt-4o-mini', input, tools });
    assert_valid('Response', second);
    assert.equal(second.output.length, 1);
    assert.equal(second.output[0].type, 'message');
    assert.ok(second.output_text.length > 0);
  });

  test('streamed: the SDK stream helper assembles the call from its argument deltas', async () => {
    const stream = client.responses.stream({ model: 'gpt-4o-mini', input: 'Forecast?', tools, tool_choice: { type: 'function', name: 'get_forecast' } });
    const events = [];
    let snapshot = '';
    // A copy: the helper builds its snapshot from the event objects, appending to the item.
    stream.on('event', (event) => events.push(structuredClone(event)));
    stream.on('response.function_call_arguments.delta', (event) => { snapshot = event.snapshot; });
    const response = await stream.finalResponse();
    assert_valid('Response', response);
    events.forEach((event, i) => {
      assert.equal(event.sequence_number, i);
      assert_valid('ResponseStreamEvent', event);
    });
    const types = events.map((e) => e.type).filter((t) => t !== 'response.function_call_arguments.delta');
    assert.deepEqual(types, ['response.created', 'response.in_progress', 'response.output_item.added',
      'response.function_call_arguments.done', 'response.output_item.done', 'response.completed']);
    const added = events.find((e) => e.type === 'response.output_item.added');
    assert.deepEqual([added.item.type, added.item.status, added.item.arguments], ['function_call', 'in_progress', '']);
    const done = events.find((e) => e.type === 'response.function_call_arguments.done');
    assert.equal(done.name, 'get_forecast');
    assert.equal(done.arguments, snapshot);
    assert.equal(response.output.length, 1);
    check_call(response.output[0]);
    assert.equal(response.output[0].arguments, snapshot);
    const deltas = events.filter((e) => e.type === 'response.function_call_arguments.delta').length;
    assert.equal(response.usage.output_tokens, deltas + 1, 'the name and each piece are tokens');
  });
});

describe('responses text.format', () => {
  const format = { type: 'json_schema', name: 'forecast', schema: forecast, strict: true };

  test('json_schema: output_text is JSON valid against the schema', async () => {
    for (let i = 0; i < 5; i++) {
      const response = await client.responses.create({ model: 'gpt-4o-mini', input: 'Forecast?', text: { format } });
      assert_valid('Response', response);
      assert.deepEqual(response.text.format, format);
      assert_valid_against(forecast, JSON.parse(response.output_text), 'output_text');
    }
  });

  test('json_schema streamed: the text deltas join to valid JSON', async () => {
    const stream = await client.responses.create({ model: 'gpt-4o-mini', input: 'Forecast?', text: { format }, stream: true });
    let text = '';
    for await (const event of stream) {
      assert_valid('ResponseStreamEvent', event);
      if (event.type === 'response.output_text.delta') text += event.delta;
    }
    assert_valid_against(forecast, JSON.parse(text), 'streamed output_text');
  });

  test('json_object: a JSON object when the input mentions JSON', async () => {
    const response = await client.responses.create({ model: 'gpt-4o-mini', input: 'Reply in JSON.', text: { format: { type: 'json_object' } } });
    assert_valid('Response', response);
    const value = JSON.parse(response.output_text);
    assert.equal(typeof value, 'object');
    assert.ok(value !== null && !Array.isArray(value));
  });
});

describe('responses with fixtures and queued faults', () => {
  const admin_token = 'tok-responses';
  let fixtured;
  let fixture_client;

  before(async () => {
    fixtured = await start_server({ extra_args: ['--fixtures', join(sdk_dir, 'fixtures', 'responses.json'), '--admin-token', admin_token] });
    fixture_client = new OpenAI({ apiKey: 'sk-responses-fixtures', baseURL: fixtured.base_url, maxRetries: 0 });
  });

  after(async () => {
    assert.equal(await fixtured.stop(), 0);
  });

  async function queue(rule) {
    const response = await fetch(`${fixtured.url}/admin/faults`, {
      method: 'POST', headers: { Authorization: `Bearer ${admin_token}` }, body: JSON.stringify(rule),
    });
    assert.equal(response.status, 200, await response.text());
  }

  test('a fixture content is the message, streamed in pieces too', async () => {
    const response = await fixture_client.responses.create({ model: 'gpt-4o-mini', input: 'hello there' });
    assert_valid('Response', response);
    assert.equal(response.output_text, 'Hello from the Responses fixture!');
    assert.equal(response.usage.output_tokens, 9);  // 33 bytes in pieces of 4
    const stream = await fixture_client.responses.create({ model: 'gpt-4o-mini', input: 'hi', stream: true });
    const pieces = [];
    for await (const event of stream) {
      assert_valid('ResponseStreamEvent', event);
      if (event.type === 'response.output_text.delta') pieces.push(event.delta);
    }
    assert.equal(pieces.join(''), 'Hello from the Responses fixture!');
    assert.equal(pieces.length, 9);
  });

  test('an agent loop from fixtures: the fixture call, then the fixture answer', async () => {
    const input = [{ role: 'user', content: 'What is the forecast?' }];
    const first = await fixture_client.responses.create({ model: 'gpt-4o-mini', input, tools });
    assert_valid('Response', first);
    assert.equal(first.output.length, 1);
    const [call] = first.output;
    assert.deepEqual([call.type, call.name, call.call_id, call.arguments],
      ['function_call', 'get_forecast', 'call_fixture0000000000000001', '{"city":"Oslo"}']);
    input.push({ type: 'function_call', call_id: call.call_id, name: call.name, arguments: call.arguments });
    input.push({ type: 'function_call_output', call_id: call.call_id, output: '{"snow":true}' });
    const second = await fixture_client.responses.create({ model: 'gpt-4o-mini', input, tools });
    assert.equal(second.output_text, 'Snow in Oslo tomorrow.');
  });

  test('a queued 503 hits the next responses request, and the SDK retries it', async () => {
    await queue({ endpoint: 'responses', status: 503 });
    await assert.rejects(fixture_client.responses.create({ model: 'gpt-4o-mini', input: 'hi' }), (error) => {
      assert.equal(error.status, 503);
      assert_valid('ErrorResponse', { error: error.error });
      return true;
    });
    await queue({ endpoint: 'responses', status: 503 });
    const retrying = new OpenAI({ apiKey: 'sk-responses-fixtures', baseURL: fixtured.base_url, maxRetries: 1 });
    const response = await retrying.responses.create({ model: 'gpt-4o-mini', input: 'hi' });
    assert.equal(response.output_text, 'Hello from the Responses fixture!');
  });

  test('a queued 429 names the limit it reports', async () => {
    await queue({ endpoint: 'responses', status: 429, limit: 'tpm' });
    await assert.rejects(fixture_client.responses.create({ model: 'gpt-4o-mini', input: 'hi' }), (error) => {
      assert.equal(error.status, 429);
      assert.equal(error.code, 'rate_limit_exceeded');
      assert.match(error.message, /on tokens per min \(TPM\): Limit 10000000, Used 10000000, Requested 1\./);
      assert.equal(error.headers.get('retry-after'), '1');
      assert_valid('ErrorResponse', { error: error.error });
      return true;
    });
  });
});
