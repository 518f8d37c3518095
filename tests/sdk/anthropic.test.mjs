// The official @anthropic-ai/sdk, unchanged, against `llmsim serve` with an "api": "anthropic"
// provider (scenarios/anthropic.json): create, stream, stop sequences, count_tokens, models, tools
// (tool_use blocks whose input validates against the tool's input_schema, tool_choice any / tool /
// none, streamed tool use through the SDK's stream helper, a tool_result follow-up, a 400 for a bad
// tool), a 429 the SDK retries after retry-after, a 529 it retries, a 402 it does not, a 401.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import Ajv2020 from 'ajv/dist/2020.js';
import add_formats from 'ajv-formats';

import { recording_fetch, start_server } from './lib/server.mjs';

const hello = [{ role: 'user', content: 'Hello, Claude' }];
const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
// Timer slack: the SDK's sleep never ends early by more than a millisecond; the loop may be late.
const early_slack_ms = 5;

let server;

before(async () => {
  server = await start_server({ scenario: 'anthropic.json' });
});

after(async () => {
  assert.equal(await server.stop(), 0, 'llmsim serve exits 0 on SIGTERM');
});

function client_for(key, options = {}) {
  return new Anthropic({ apiKey: key, baseURL: server.url, maxRetries: 0, ...options });
}

// Returns what `promise` rejects with; fails the test if it resolves.
async function rejection(promise) {
  return promise.then((value) => assert.fail(`expected an error, got ${JSON.stringify(value).slice(0, 200)}`), (e) => e);
}

describe('messages', () => {
  test('create: a message with text, usage and Anthropic\'s headers', async () => {
    const client = client_for('sk-ant-llmsim-0001');
    const { data: message, response } = await client.messages
      .create({ model: 'claude-sonnet-4-5', max_tokens: 64, system: 'Be brief.', messages: hello })
      .withResponse();
    assert.match(message.id, /^msg_01[A-Za-z0-9]{22}$/);
    assert.equal(message.type, 'message');
    assert.equal(message.role, 'assistant');
    assert.equal(message.model, 'claude-sonnet-4-5');
    assert.equal(message.content.length, 1);
    assert.equal(message.content[0].type, 'text');
    assert.match(message.content[0].text, /^[a-z]+( [a-z]+)*$/);
    assert.equal(message.content[0].text.split(' ').length, 12, 'the scenario draws 12 tokens');
    assert.equal(message.stop_reason, 'end_turn');
    assert.equal(message.stop_sequence, null);
    assert.ok(message.usage.input_tokens > 0);
    assert.equal(message.usage.output_tokens, 12);
    assert.match(response.headers.get('request-id'), /^req_/);
    assert.equal(response.headers.get('anthropic-ratelimit-requests-limit'), '60');
    assert.equal(response.headers.get('anthropic-ratelimit-input-tokens-limit'), '400000');
    assert.equal(response.headers.get('anthropic-ratelimit-output-tokens-limit'), '80000');
    assert.equal(response.headers.get('anthropic-ratelimit-tokens-limit'), '480000');
    assert.match(response.headers.get('anthropic-ratelimit-requests-reset'), rfc3339);
    // max_tokens 64 of OTPM spent, the rest to the nearest thousand.
    assert.equal(response.headers.get('anthropic-ratelimit-output-tokens-remaining'), '80000');
  });

  test('max_tokens below the reply ends it with stop_reason max_tokens', async () => {
    const client = client_for('sk-ant-llmsim-0002');
    const message = await client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 3, messages: hello });
    assert.equal(message.stop_reason, 'max_tokens');
    assert.equal(message.usage.output_tokens, 3);
    assert.equal(message.content[0].text.split(' ').length, 3);
  });

  test('stream: the SDK assembles the same kind of message from Anthropic\'s events', async () => {
    const client = client_for('sk-ant-llmsim-0003');
    const stream = client.messages.stream({ model: 'claude-sonnet-4-5', max_tokens: 64, messages: hello });
    const types = [];
    let text = '';
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'content_block_delta') text += event.delta.text;
    }
    const message = await stream.finalMessage();
    assert.deepEqual(types.slice(0, 2), ['message_start', 'content_block_start']);
    assert.deepEqual(types.slice(-3), ['content_block_stop', 'message_delta', 'message_stop']);
    assert.equal(types.filter((t) => t === 'content_block_delta').length, 12);
    assert.equal(message.content[0].text, text);
    assert.equal(message.stop_reason, 'end_turn');
    assert.equal(message.usage.output_tokens, 12);
  });

  test('stop_sequences cut the reply where the first one begins', async () => {
    const client = client_for('sk-ant-llmsim-0004');
    // Reply words are separated by spaces: the first space ends the reply after one word.
    const cut = await client.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 64, messages: hello, stop_sequences: ['QQQ', ' '] });
    assert.equal(cut.stop_reason, 'stop_sequence');
    assert.equal(cut.stop_sequence, ' ');
    assert.match(cut.content[0].text, /^[a-z]+$/);
    assert.equal(cut.usage.output_tokens, 1);
    const whole = await client.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 64, messages: hello, stop_sequences: ['QQQ'] });
    assert.equal(whole.stop_reason, 'end_turn');
    assert.equal(whole.stop_sequence, null);
  });

  test('count_tokens and models in Anthropic\'s shapes', async () => {
    const client = client_for('sk-ant-llmsim-0001');
    const counted = await client.messages.countTokens({ model: 'claude-sonnet-4-5', messages: hello });
    assert.ok(Number.isInteger(counted.input_tokens) && counted.input_tokens > 0);
    const ids = [];
    for await (const model of client.models.list()) ids.push(model.id);
    assert.deepEqual(ids, ['claude-sonnet-4-5', 'claude-haiku-4-5']);
    const one = await client.models.retrieve('claude-haiku-4-5');
    assert.equal(one.type, 'model');
    assert.match(one.created_at, rfc3339);
  });
});

const ajv = add_formats(new Ajv2020({ strict: false, allErrors: true }));

function assert_valid_against(schema, value, what) {
  const validate = ajv.compile(schema);
  assert.ok(validate(value), `${what}: ${JSON.stringify(validate.errors)} for ${JSON.stringify(value)}`);
}

const weather = {
  name: 'get_weather',
  description: 'The current weather in a city',
  input_schema: {
    type: 'object',
    properties: {
      location: { type: 'string', description: 'a city, e.g. Paris' },
      unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
      days: { type: 'integer', minimum: 1, maximum: 7 },
    },
    required: ['location', 'unit'],
  },
};
const clock = {
  name: 'get_time',
  input_schema: { type: 'object', properties: { zone: { type: 'string', format: 'date-time' } }, required: ['zone'] },
};
const tools = [weather, clock];
const ask = [{ role: 'user', content: 'What is the weather in Paris?' }];

// Checks that every tool_use block of `message` calls one of `tools` with an input its schema accepts.
function assert_tool_uses(message, names = tools.map((t) => t.name)) {
  const uses = message.content.filter((block) => block.type === 'tool_use');
  assert.ok(uses.length >= 1, `no tool_use in ${JSON.stringify(message.content)}`);
  for (const use of uses) {
    assert.match(use.id, /^toolu_01[A-Za-z0-9]{22}$/);
    assert.ok(names.includes(use.name), `called ${use.name}`);
    const tool = tools.find((t) => t.name === use.name);
    assert_valid_against(tool.input_schema, use.input, use.name);
  }
  return uses;
}

describe('tools', () => {
  const client = () => client_for('sk-ant-llmsim-0004');

  test('tool_choice any: tool_use blocks whose input validates against the input_schema', async () => {
    const message = await client().messages.create({
      model: 'claude-sonnet-4-5', max_tokens: 256, tools, tool_choice: { type: 'any' }, messages: ask });
    assert.equal(message.stop_reason, 'tool_use');
    // Under any the turn is prefilled: no text before the calls.
    assert.ok(message.content.every((block) => block.type === 'tool_use'));
    assert_tool_uses(message);
    assert.ok(message.usage.output_tokens > message.content.length);
  });

  test('tool_choice tool names the tool; disable_parallel_tool_use makes one call', async () => {
    const message = await client().messages.create({
      model: 'claude-sonnet-4-5', max_tokens: 256, tools, messages: ask,
      tool_choice: { type: 'tool', name: 'get_time', disable_parallel_tool_use: true } });
    assert.equal(message.content.length, 1);
    assert_tool_uses(message, ['get_time']);
  });

  test('tool_choice none answers in text, and the definitions count as input', async () => {
    const message = await client().messages.create({
      model: 'claude-sonnet-4-5', max_tokens: 256, tools, tool_choice: { type: 'none' }, messages: ask });
    assert.deepEqual(message.content.map((b) => b.type), ['text']);
    assert.equal(message.stop_reason, 'end_turn');
    const without = await client().messages.countTokens({ model: 'claude-sonnet-4-5', messages: ask });
    const counted = await client().messages.countTokens({ model: 'claude-sonnet-4-5', messages: ask, tools });
    assert.ok(counted.input_tokens > without.input_tokens + 20, `${counted.input_tokens} vs ${without.input_tokens}`);
    assert.equal(message.usage.input_tokens, counted.input_tokens, 'count_tokens agrees with the message');
  });

  test('stream: the SDK\'s helper assembles the tool input from input_json_delta events', async () => {
    const request = { model: 'claude-sonnet-4-5', max_tokens: 256, tools, tool_choice: { type: 'any' }, messages: ask };
    const stream = client().messages.stream(request);
    const types = [];
    const json = [];
    for await (const event of stream) {
      types.push(event.type === 'content_block_delta' ? event.delta.type : event.type);
      if (event.type === 'content_block_start') assert.deepEqual(event.content_block.input, {});
      if (event.type === 'content_block_delta') json[event.index] = (json[event.index] ?? '') + event.delta.partial_json;
    }
    const message = await stream.finalMessage();
    assert.equal(message.stop_reason, 'tool_use');
    const uses = assert_tool_uses(message);
    // The SDK's parsed input is the JSON the deltas carried, block by block.
    assert.deepEqual(message.content.map((block, i) => JSON.parse(json[i])), uses.map((use) => use.input));
    assert.ok(types.includes('input_json_delta'));
    assert.equal(types.filter((t) => t === 'content_block_stop').length, message.content.length);
    assert.deepEqual(types.slice(-2), ['message_delta', 'message_stop']);
  });

  test('a tool_result follow-up turn is answered in text', async () => {
    const first = await client().messages.create({
      model: 'claude-sonnet-4-5', max_tokens: 256, tools, tool_choice: { type: 'any' }, messages: ask });
    const uses = assert_tool_uses(first);
    const messages = [...ask, { role: 'assistant', content: first.content },
      { role: 'user', content: uses.map((use) => ({ type: 'tool_result', tool_use_id: use.id, content: '15 degrees, sunny' })) }];
    const answer = await client().messages.create({ model: 'claude-sonnet-4-5', max_tokens: 256, tools, messages });
    assert.deepEqual(answer.content.map((b) => b.type), ['text']);
    assert.equal(answer.stop_reason, 'end_turn');
    assert.ok(answer.usage.input_tokens > first.usage.input_tokens, 'the calls and results count as input');
  });

  test('bad tools: BadRequestError 400 with Anthropic\'s messages', async () => {
    const refused = async (fields) => {
      const error = await rejection(client().messages.create({
        model: 'claude-sonnet-4-5', max_tokens: 16, messages: ask, ...fields }));
      assert.ok(error instanceof Anthropic.BadRequestError, `got ${error}`);
      assert.equal(error.error.error.type, 'invalid_request_error');
      return error.error.error.message;
    };
    assert.equal(await refused({ tools: [{ name: 'get_weather' }] }), 'tools.0.custom.input_schema: Field required');
    assert.equal(await refused({ tools, tool_choice: { type: 'tool', name: 'get_stock' } }),
      "tool_choice.tool.name: Tool 'get_stock' not found in tools");
    const orphan = [...ask, { role: 'assistant', content: 'Ok' },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01missing', content: 'x' }] }];
    assert.match(await refused({ tools, messages: orphan }), /^messages\.2\.content\.0: unexpected `tool_use_id`/);
  });
});

describe('errors and retries', () => {
  test('a wrong key: AuthenticationError 401 "invalid x-api-key" with a request_id', async () => {
    const error = await rejection(client_for('sk-ant-wrong').messages.create({ model: 'claude-sonnet-4-5', max_tokens: 8, messages: hello }));
    assert.ok(error instanceof Anthropic.AuthenticationError, `got ${error}`);
    assert.equal(error.status, 401);
    assert.equal(error.error.type, 'error');
    assert.equal(error.error.error.type, 'authentication_error');
    assert.equal(error.error.error.message, 'invalid x-api-key');
    assert.match(error.error.request_id, /^req_/);
  });

  test('a missing field: BadRequestError 400 naming it', async () => {
    const raw = await fetch(`${server.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': 'sk-ant-llmsim-0001', 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'claude-sonnet-4-5', messages: hello }),
    });
    assert.equal(raw.status, 400);
    const body = await raw.json();
    assert.equal(body.error.type, 'invalid_request_error');
    assert.equal(body.error.message, 'max_tokens: Field required');
    const unversioned = await fetch(`${server.url}/v1/messages`, {
      method: 'POST', headers: { 'x-api-key': 'sk-ant-llmsim-0001' }, body: '{}' });
    assert.equal(unversioned.status, 400);
    assert.equal((await unversioned.json()).error.message, 'anthropic-version: header is required');
  });

  test('a 529: OverloadedError after the SDK\'s two retries', async () => {
    const recorder = recording_fetch();
    const client = client_for('sk-ant-llmsim-0002', { maxRetries: 2, fetch: recorder.fetch });
    const error = await rejection(client.messages.create(
      { model: 'claude-sonnet-4-5', max_tokens: 8, messages: hello }, { headers: { 'x-llmsim-fault': '503' } }));
    assert.ok(error instanceof Anthropic.InternalServerError, `got ${error}`);
    assert.equal(error.status, 529);
    assert.equal(error.error.error.type, 'overloaded_error');
    assert.deepEqual(recorder.attempts.map((a) => a.status), [529, 529, 529]);
  });

  test('billing: a 402 the SDK does not retry', async () => {
    const recorder = recording_fetch();
    const client = client_for('sk-ant-llmsim-0002', { maxRetries: 2, fetch: recorder.fetch });
    const error = await rejection(client.messages.create(
      { model: 'claude-sonnet-4-5', max_tokens: 8, messages: hello }, { headers: { 'x-llmsim-fault': 'quota' } }));
    assert.equal(error.status, 402);
    assert.equal(error.error.error.type, 'billing_error');
    assert.equal(recorder.attempts.length, 1);
  });

  test('a 429 on requests per minute: retried after retry-after, then answered', async () => {
    // 60 RPM enforced over 1 s windows (scenarios/anthropic-limits.json): one request a second,
    // so the second of two requests sent at once is refused.
    const limited = await start_server({ scenario: 'anthropic-limits.json' });
    try {
      await refused_then_answered(limited);
    } finally {
      assert.equal(await limited.stop(), 0);
    }
  });
});

// Two requests at once on `limited`: the second is refused, waits retry-after and is answered.
async function refused_then_answered(limited) {
  const recorder = recording_fetch();
  const client = new Anthropic({ apiKey: 'sk-ant-llmsim-0003', baseURL: limited.url, maxRetries: 2, fetch: recorder.fetch });
  const request = { model: 'claude-haiku-4-5', max_tokens: 8, messages: hello };
  await client.messages.create(request);
  const before = recorder.attempts.length;
  const message = await client.messages.create(request);
  assert.equal(message.type, 'message');
  const attempts = recorder.attempts.slice(before);
  assert.deepEqual(attempts.map((a) => a.status), [429, 200]);
  const refused = attempts[0];
  assert.equal(refused.headers.get('retry-after'), '1');
  // The 1 s window refused; the minute's bucket, which the headers show, still holds 59.
  assert.equal(refused.headers.get('anthropic-ratelimit-requests-remaining'), '59');
  const waited_ms = attempts[1].sent_ms - refused.received_ms;
  assert.ok(waited_ms >= 1000 - early_slack_ms, `retried after ${waited_ms.toFixed(0)} ms, retry-after is 1 s`);
  const body = await (await fetch(`${limited.url}/v1/messages`, {
    method: 'POST',
    headers: { 'x-api-key': 'sk-ant-llmsim-0003', 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
    body: JSON.stringify(request),
  })).json();
  assert.equal(body.error.type, 'rate_limit_error');
  assert.match(body.error.message, /^This request would exceed your organization's rate limit of 60 requests per minute \(org: org-llmsim-anthropic, model: claude-haiku-4-5\)\./);
}
