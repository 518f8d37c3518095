// The official openai SDK against `llmsim serve`: tool calls (auto, required, named, none,
// parallel_tool_calls false, a follow-up turn after a tool result), streamed tool calls assembled
// by the SDK's stream helper, response_format json_object and json_schema, the schema check's
// 400s; every body validated against the official OpenAPI spec, every argument and content
// against its own schema with Ajv. Then a property test: 300 random schemas (seeded), each sent as
// response_format json_schema and as a tool's parameters.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import Ajv2020 from 'ajv/dist/2020.js';
import add_formats from 'ajv-formats';

import { load_spec } from './lib/spec.mjs';
import { start_server } from './lib/server.mjs';

const weather = {
  type: 'object',
  properties: {
    location: { type: 'string', description: 'a city' },
    unit: { type: ['string', 'null'], enum: ['celsius', 'fahrenheit', null] },
    days: { type: 'integer', minimum: 1, maximum: 7 },
    when: { type: 'string', format: 'date-time' },
  },
  required: ['location', 'unit', 'days', 'when'],
  additionalProperties: false,
};
const tools = [
  { type: 'function', function: { name: 'get_weather', parameters: weather, strict: true } },
  { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: { zone: { type: 'string' } } } } },
];
const ask = [{ role: 'user', content: 'What is the weather in Paris?' }];

let server;
let client;
let spec;
const ajv = add_formats(new Ajv2020({ strict: false, allErrors: true }));
// Bodies as they came off the wire, to check against the spec.
const bodies = [];

before(async () => {
  [server, spec] = await Promise.all([start_server({ seed: 11 }), load_spec()]);
  const fetch_and_keep = async (input, init) => {
    const response = await fetch(input, init);
    bodies.push({ stream: /"stream":true/.test(init?.body ?? ''), text: await response.clone().text(), status: response.status });
    return response;
  };
  client = new OpenAI({ apiKey: 'sk-test-tools', baseURL: server.base_url, maxRetries: 0, fetch: fetch_and_keep });
});

after(async () => {
  assert.equal(await server.stop(), 0, 'llmsim serve exits 0 on SIGTERM');
});

function assert_valid_against(schema, value, what) {
  const validate = ajv.compile(schema);
  assert.ok(validate(value), `${what}: ${JSON.stringify(validate.errors)} for ${JSON.stringify(value)}`);
}

function assert_last_body_valid() {
  const last = bodies.at(-1);
  if (last.stream) {
    const events = last.text.split('\n\n').filter(Boolean).map((e) => e.slice('data: '.length));
    assert.equal(events.at(-1), '[DONE]');
    for (const event of events.slice(0, -1)) {
      const chunk = JSON.parse(event);
      assert.deepEqual(spec.problems('CreateChatCompletionStreamResponse', chunk), [], event);
      assert.deepEqual(spec.undeclared('CreateChatCompletionStreamResponse', chunk), [], event);
    }
  } else {
    const body = JSON.parse(last.text);
    assert.deepEqual(spec.problems('CreateChatCompletionResponse', body), [], last.text);
    assert.deepEqual(spec.undeclared('CreateChatCompletionResponse', body), [], last.text);
  }
}

function check_calls(message) {
  for (const call of message.tool_calls) {
    assert.match(call.id, /^call_[A-Za-z0-9]{24}$/);
    assert.equal(call.type, 'function');
    const tool = tools.find((t) => t.function.name === call.function.name);
    assert.ok(tool, `a tool that was offered: ${call.function.name}`);
    assert_valid_against(tool.function.parameters, JSON.parse(call.function.arguments), call.function.name);
  }
}

describe('tools', () => {
  test('required: tool_calls, finish_reason tool_calls, arguments valid, content null', async () => {
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: ask, tools, tool_choice: 'required' });
    const [choice] = completion.choices;
    assert.equal(choice.finish_reason, 'tool_calls');
    assert.equal(choice.message.content, null);
    assert.ok(choice.message.tool_calls.length >= 1);
    check_calls(choice.message);
    assert_last_body_valid();
  });

  test('named function, parallel_tool_calls false: exactly one call of that function', async () => {
    for (let i = 0; i < 5; ++i) {
      const completion = await client.chat.completions.create({
        model: 'gpt-4o-mini', messages: ask, tools, parallel_tool_calls: false,
        tool_choice: { type: 'function', function: { name: 'get_time' } } });
      const { message } = completion.choices[0];
      assert.equal(message.tool_calls.length, 1);
      assert.equal(message.tool_calls[0].function.name, 'get_time');
      check_calls(message);
    }
  });

  test('none: text; auto: a seeded mix; a tool result gets text', async () => {
    const none = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: ask, tools, tool_choice: 'none' });
    assert.equal(none.choices[0].finish_reason, 'stop');
    assert.equal(typeof none.choices[0].message.content, 'string');
    const auto = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: ask, tools, n: 20 });
    const reasons = new Set(auto.choices.map((c) => c.finish_reason));
    assert.ok(reasons.has('tool_calls'), 'some choices call');
    assert_last_body_valid();
    const call = auto.choices.find((c) => c.finish_reason === 'tool_calls').message.tool_calls[0];
    const follow = await client.chat.completions.create({
      model: 'gpt-4o-mini', tools,
      messages: [...ask, { role: 'assistant', content: null, tool_calls: [call] },
        { role: 'tool', tool_call_id: call.id, content: '{"temperature": 21}' }] });
    assert.equal(follow.choices[0].finish_reason, 'stop');
    assert.equal(typeof follow.choices[0].message.content, 'string');
  });

  test('the request seed makes the arguments reproducible', async () => {
    const make = () => client.chat.completions.create({ model: 'gpt-4o-mini', messages: ask, tools, tool_choice: 'required', seed: 1234 });
    const [a, b] = [await make(), await make()];
    assert.equal(a.choices[0].message.tool_calls[0].function.arguments, b.choices[0].message.tool_calls[0].function.arguments);
  });

  test('streamed: the SDK helper assembles the calls; usage counts the pieces', async () => {
    const stream = client.chat.completions.stream({
      model: 'gpt-4o-mini', messages: ask, tools, tool_choice: 'required', stream_options: { include_usage: true } });
    const completion = await stream.finalChatCompletion();
    const [choice] = completion.choices;
    assert.equal(choice.finish_reason, 'tool_calls');
    check_calls(choice.message);
    assert_last_body_valid();
    const events = bodies.at(-1).text.split('\n\n').filter(Boolean).map((e) => e.slice(6));
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e));
    const argument_chunks = chunks.filter((c) => c.choices[0]?.delta?.tool_calls?.[0]?.function?.arguments);
    assert.ok(argument_chunks.length > 3, 'arguments come in pieces');
    const usage = chunks.at(-1).usage;
    const steps = chunks.filter((c) => c.choices[0]?.delta?.tool_calls).length;
    assert.equal(usage.completion_tokens, steps, 'one token per streamed step');
  });

  test('malformed tools and tool_choice get OpenAI 400s with param', async () => {
    const cases = [
      [{ tools: 'x' }, 'tools'],
      [{ tools: [{ type: 'function', function: { name: 'bad name' } }] }, 'tools[0].function.name'],
      [{ tool_choice: 'required' }, 'tool_choice'],
      [{ tools, tool_choice: { type: 'function', function: { name: 'nope' } } }, 'tool_choice'],
      [{ tools: [{ type: 'function', function: { name: 'f', strict: true, parameters: { type: 'object', properties: { a: { type: 'string' } } } } }] }, 'tools[0].function.parameters'],
      [{ tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: { a: { allOf: [] } } } } }] }, 'tools[0].function.parameters'],
      [{ response_format: { type: 'json_object' } }, 'messages'],
      [{ response_format: { type: 'xml' } }, 'response_format.type'],
    ];
    for (const [extra, param] of cases) {
      await assert.rejects(client.chat.completions.create({ model: 'gpt-4o-mini', messages: ask, ...extra }),
        (error) => error.status === 400 && error.param === param, JSON.stringify(extra));
      const body = JSON.parse(bodies.at(-1).text);
      assert.deepEqual(spec.problems('ErrorResponse', body), []);
    }
  });
});

describe('response_format', () => {
  test('json_object: a JSON object, streamed in pieces too', async () => {
    const messages = [{ role: 'user', content: 'Answer in JSON.' }];
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, response_format: { type: 'json_object' } });
    assert.equal(typeof JSON.parse(completion.choices[0].message.content), 'object');
    assert_last_body_valid();
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, response_format: { type: 'json_object' }, stream: true });
    let text = '';
    let pieces = 0;
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta?.content) { text += chunk.choices[0].delta.content; ++pieces; }
    }
    assert.ok(pieces > 1);
    assert.equal(typeof JSON.parse(text), 'object');
    assert_last_body_valid();
  });

  test('json_schema strict: valid against the schema, parsed by the SDK helper', async () => {
    const completion = await client.chat.completions.parse({
      model: 'gpt-4o-mini', messages: ask,
      response_format: { type: 'json_schema', json_schema: { name: 'weather', strict: true, schema: weather } } });
    assert_valid_against(weather, completion.choices[0].message.parsed, 'parsed');
    assert_last_body_valid();
  });
});

// --- property test ---------------------------------------------------------------------------

// mulberry32: a small seeded generator, so the schemas are the same on every run.
function rng_from(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function random_schema(rand, depth, strict) {
  const pick = (list) => list[Math.floor(rand() * list.length)];
  const kind = depth > 2 ? pick(['string', 'number', 'integer', 'boolean', 'enum', 'null'])
    : pick(['string', 'number', 'integer', 'boolean', 'enum', 'object', 'array', 'anyOf', 'nullable', 'const', 'format', 'pattern']);
  switch (kind) {
    case 'string': return rand() < 0.3 ? { type: 'string', minLength: 2, maxLength: 9 } : { type: 'string' };
    case 'number': {
      const low = Math.floor(rand() * 100) - 50;
      return rand() < 0.5 ? { type: 'number', minimum: low, exclusiveMaximum: low + 10 } : { type: 'number', minimum: low, maximum: low + 20, multipleOf: pick([0.5, 0.25, 2]) };
    }
    case 'integer': {
      const low = Math.floor(rand() * 1000) - 500;
      return { type: 'integer', minimum: low, maximum: low + Math.floor(rand() * 50), ...(rand() < 0.3 ? { multipleOf: 1 } : {}) };
    }
    case 'boolean': return { type: 'boolean' };
    case 'null': return { type: 'null' };
    case 'enum': return { type: 'string', enum: ['a', 'b', 'c "quoted"', 'd\\e'].slice(0, 1 + Math.floor(rand() * 4)) };
    case 'const': return { const: pick(['x', 3, true]) };
    case 'format': return { type: 'string', format: pick(['date-time', 'date', 'time', 'email', 'uuid', 'ipv4', 'ipv6', 'hostname', 'duration']) };
    case 'pattern': return { type: 'string', pattern: pick(['^[A-Z]{2}-\\d{3}$', '^(foo|bar)+x?$', '^[a-f0-9]{8}$', '^\\w+@\\w+\\.com$']) };
    case 'nullable': return { type: [pick(['string', 'integer', 'boolean']), 'null'] };
    case 'anyOf': return { anyOf: [random_schema(rand, depth + 1, strict), random_schema(rand, depth + 1, strict)] };
    case 'array': {
      const min = Math.floor(rand() * 3);
      return { type: 'array', items: random_schema(rand, depth + 1, strict), minItems: min, maxItems: min + Math.floor(rand() * 3) };
    }
    default: return random_object(rand, depth + 1, strict);
  }
}

function random_object(rand, depth, strict) {
  const properties = {};
  const count = 1 + Math.floor(rand() * 5);
  for (let i = 0; i < count; ++i) properties[`p${i}_${Math.floor(rand() * 100)}`] = random_schema(rand, depth, strict);
  const names = Object.keys(properties);
  return strict ? { type: 'object', properties, required: names, additionalProperties: false }
    : { type: 'object', properties, required: names.filter(() => rand() < 0.5) };
}

describe('property: generated values validate against random schemas', () => {
  test('300 schemas as response_format json_schema and as tool parameters', async () => {
    const rand = rng_from(20261204);
    for (let i = 0; i < 300; ++i) {
      const strict = rand() < 0.5;
      const schema = random_object(rand, 0, strict);
      if (i % 10 === 0) schema.$defs = { node: { type: 'object', properties: { next: { anyOf: [{ $ref: '#/$defs/node' }, { type: 'null' }] } }, required: ['next'], additionalProperties: false } };
      if (i % 10 === 0) { schema.properties.tree = { $ref: '#/$defs/node' }; if (strict) schema.required.push('tree'); }
      const what = `schema ${i}: ${JSON.stringify(schema)}`;
      const structured = await client.chat.completions.create({
        model: 'gpt-4o-mini', messages: ask,
        response_format: { type: 'json_schema', json_schema: { name: `s${i}`, strict, schema } } });
      assert_valid_against(schema, JSON.parse(structured.choices[0].message.content), what);
      const called = await client.chat.completions.create({
        model: 'gpt-4o-mini', messages: ask, tool_choice: 'required',
        tools: [{ type: 'function', function: { name: `f${i}`, strict, parameters: schema } }] });
      assert_valid_against(schema, JSON.parse(called.choices[0].message.tool_calls[0].function.arguments), what);
    }
  });
});
