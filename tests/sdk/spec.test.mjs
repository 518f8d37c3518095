// Every kind of body `llmsim serve` writes, fetched with plain fetch (no SDK in between), validated
// against components.schemas of the official OpenAPI spec (openai-openapi.yaml, see lib/spec.mjs).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { load_spec } from './lib/spec.mjs';
import { start_server } from './lib/server.mjs';

const key = 'sk-test-spec';
const hello = [{ role: 'user', content: 'Hello, world' }];

let server;
let spec;

before(async () => {
  [server, spec] = await Promise.all([start_server({ seed: 3 }), load_spec()]);
});

after(async () => {
  assert.equal(await server.stop(), 0, 'llmsim serve exits 0 on SIGTERM');
});

// Sends a request with plain fetch; returns { status, text }.
async function call(method, route, { body, headers = {}, auth = true } = {}) {
  const all_headers = { ...headers };
  if (auth) all_headers.authorization = `Bearer ${key}`;
  if (body !== undefined) all_headers['content-type'] = 'application/json';
  const response = await fetch(`${server.url}${route}`, {
    method, headers: all_headers, body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, text: await response.text() };
}

// Returns the JSON of each `data:` event of a server-sent event stream, which must end with [DONE].
function sse_events(text) {
  const events = text.split('\n\n').filter((block) => block.length > 0);
  const data = events.map((block) => {
    assert.match(block, /^data: /, `an event is one data line: ${block.slice(0, 80)}`);
    return block.slice('data: '.length);
  });
  assert.equal(data.at(-1), '[DONE]', 'the stream ends with data: [DONE]');
  return data.slice(0, -1).map((json) => JSON.parse(json));
}

// Asserts that `body` is valid against components.schemas[name] and has no property it does not
// declare.
function assert_valid(name, body, what) {
  assert.deepEqual(spec.problems(name, body), [], `${what} against ${name}`);
  assert.deepEqual(spec.undeclared(name, body), [], `${what}: properties ${name} does not declare`);
}

describe('the validator', () => {
  test('rejects bodies that break the spec (so a pass means something)', () => {
    const bad = { object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, finish_reason: 'bored', logprobs: null, message: { role: 'assistant', content: 'x', refusal: null } }] };
    const problems = spec.problems('CreateChatCompletionResponse', bad);
    assert.ok(problems.some((p) => p.startsWith("/: must have required property 'id'")), problems.join('\n'));
    assert.ok(problems.some((p) => p.startsWith('/choices/0/finish_reason: must be equal to one of the allowed values')), problems.join('\n'));
    assert.ok(spec.problems('ErrorResponse', { error: { message: 'm', type: 't', code: null } }).length > 0, 'param is required');
  });

  test('finds properties the spec does not declare, at any depth', () => {
    const usage = { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3, prompt_tokens_details: { cached_tokens: 0, cache_tokens: 0 } };
    assert.deepEqual(spec.problems('CompletionUsage', usage), [], 'the spec itself allows extra properties');
    assert.deepEqual(spec.undeclared('CompletionUsage', usage).map((p) => p.split(' (')[0]),
      ['/prompt_tokens_details: must NOT have unevaluated properties {"unevaluatedProperty":"cache_tokens"}']);
  });

  test('accepts nullable fields as null (OpenAPI 3.0 nullable rewritten)', () => {
    const chunk = { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: null }] };
    assert_valid('CreateChatCompletionStreamResponse', chunk, 'a chunk with logprobs null');
  });
});

describe('response bodies are valid against the OpenAPI spec', () => {
  const chat_cases = [
    // plain
    {},
    // two choices
    { n: 2 },
    // cut by max_tokens: finish_reason length
    { max_tokens: 3 },
  ];
  for (const extra of chat_cases) {
    test(`chat.completion ${JSON.stringify(extra)}`, async () => {
      const { status, text } = await call('POST', '/v1/chat/completions', { body: { model: 'gpt-4o-mini', messages: hello, ...extra } });
      assert.equal(status, 200);
      assert_valid('CreateChatCompletionResponse', JSON.parse(text), 'chat.completion');
    });
  }

  const stream_cases = [
    // every chunk with usage null, then the usage chunk with choices []
    { stream_options: { include_usage: true } },
    // no usage at all; two choices interleaved
    { n: 2, max_tokens: 4 },
  ];
  for (const extra of stream_cases) {
    test(`chat.completion.chunk ${JSON.stringify(extra)}`, async () => {
      const { status, text } = await call('POST', '/v1/chat/completions', { body: { model: 'gpt-4o-mini', messages: hello, stream: true, ...extra } });
      assert.equal(status, 200);
      const chunks = sse_events(text);
      assert.ok(chunks.length >= 3);
      chunks.forEach((chunk, i) => assert_valid('CreateChatCompletionStreamResponse', chunk, `chunk ${i}`));
    });
  }

  test('text_completion', async () => {
    const { status, text } = await call('POST', '/v1/completions', { body: { model: 'gpt-3.5-turbo', prompt: 'Say this is a test' } });
    assert.equal(status, 200);
    assert_valid('CreateCompletionResponse', JSON.parse(text), 'text_completion');
  });

  // The spec gives legacy completion chunks the shape of CreateCompletionResponse, whose
  // finish_reason is a string and usage an object; yet the API (and the spec's own stream_options
  // text) sends finish_reason null until a choice finishes, and usage null on every chunk but the
  // last when include_usage is set. Only those two nulls are forgiven; the last chunks have none.
  const completion_stream_cases = [
    // text chunks, then a finish chunk
    {},
    // usage null on each chunk, then the usage chunk with choices []
    { stream_options: { include_usage: true } },
  ];
  for (const extra of completion_stream_cases) {
    test(`text_completion chunks ${JSON.stringify(extra)}`, async () => {
      const { status, text } = await call('POST', '/v1/completions', { body: { model: 'gpt-3.5-turbo', prompt: 'Say this', stream: true, max_tokens: 3, ...extra } });
      assert.equal(status, 200);
      const chunks = sse_events(text);
      const finish = chunks.findIndex((chunk) => chunk.choices[0]?.finish_reason);
      assert.ok(finish > 0, 'a chunk finishes the choice');
      chunks.forEach((chunk, i) => {
        const forgiven = (problem) => (i < finish && /^\/choices\/\d+\/finish_reason: /.test(problem)) ||
          (chunk.usage === null && problem.startsWith('/usage: '));
        assert.deepEqual(spec.problems('CreateCompletionResponse', chunk).filter((p) => !forgiven(p)), [], `completion chunk ${i}`);
        assert.deepEqual(spec.undeclared('CreateCompletionResponse', chunk), [], `completion chunk ${i}: undeclared properties`);
      });
      assert_valid('CreateCompletionResponse', chunks.at(-1), 'the last chunk, with nothing forgiven');
    });
  }

  test('embedding list (float)', async () => {
    const { status, text } = await call('POST', '/v1/embeddings', { body: { model: 'text-embedding-3-small', input: ['a', 'b'], encoding_format: 'float' } });
    assert.equal(status, 200);
    assert_valid('CreateEmbeddingResponse', JSON.parse(text), 'embeddings');
  });

  test('model list and model', async () => {
    const list = await call('GET', '/v1/models');
    assert.equal(list.status, 200);
    assert_valid('ListModelsResponse', JSON.parse(list.text), 'models');
    const model = await call('GET', '/v1/models/gpt-4o');
    assert.equal(model.status, 200);
    assert_valid('Model', JSON.parse(model.text), 'model');
  });

  const error_cases = [
    // no Authorization header
    { what: '401 no key', status: 401, method: 'GET', route: '/v1/models', auth: false },
    // unknown model
    { what: '404 model_not_found', status: 404, method: 'GET', route: '/v1/models/nope' },
    // unknown route
    { what: '404 invalid URL', status: 404, method: 'POST', route: '/v1/nothing', body: {} },
    // missing messages: param names the field
    { what: '400 missing messages', status: 400, method: 'POST', route: '/v1/chat/completions', body: { model: 'gpt-4o-mini' } },
    // forced rate limit
    { what: '429 forced', status: 429, method: 'POST', route: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: hello }, headers: { 'x-llmsim-fault': '429' } },
    // billing
    { what: '429 insufficient_quota', status: 429, method: 'POST', route: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: hello }, headers: { 'x-llmsim-fault': 'quota' } },
    // server error
    { what: '500', status: 500, method: 'POST', route: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: hello }, headers: { 'x-llmsim-fault': '500' } },
    // overloaded
    { what: '503', status: 503, method: 'POST', route: '/v1/embeddings', body: { model: 'text-embedding-3-small', input: 'x' }, headers: { 'x-llmsim-fault': '503' } },
  ];
  for (const c of error_cases) {
    test(`error body: ${c.what}`, async () => {
      const { status, text } = await call(c.method, c.route, { body: c.body, headers: c.headers, auth: c.auth ?? true });
      assert.equal(status, c.status);
      assert_valid('ErrorResponse', JSON.parse(text), c.what);
    });
  }
});
