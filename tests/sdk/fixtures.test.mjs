// Fixtures (llmsim serve --fixtures) and queued faults (POST /admin/faults) seen through the
// official openai SDK, unchanged: given content, given tool calls (also streamed), a given error,
// generated content when no rule matches, and faults the SDK retries.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import OpenAI from 'openai';

import { recording_fetch, sdk_dir, start_server } from './lib/server.mjs';
import { load_spec } from './lib/spec.mjs';

const admin_token = 'tok-fixtures';
const tools = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];
let server;
let client;
let spec;

before(async () => {
  server = await start_server({ extra_args: ['--fixtures', join(sdk_dir, 'fixtures', 'app.json'), '--admin-token', admin_token] });
  client = new OpenAI({ apiKey: 'sk-fixtures-test-0001', baseURL: server.base_url, maxRetries: 0 });
  spec = await load_spec();
});

after(async () => {
  assert.equal(await server.stop(), 0, 'llmsim serve exits 0 on SIGTERM');
});

async function admin(method, body) {
  const response = await fetch(`${server.url}/admin/faults`, {
    method, headers: { Authorization: `Bearer ${admin_token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

describe('fixtures', () => {
  test('a greeting gets the fixture content, with usage counting its tokens', async () => {
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello there' }] });
    assert.equal(completion.choices[0].message.content, 'Hello from the fixture!');
    assert.equal(completion.choices[0].finish_reason, 'stop');
    assert.equal(completion.usage.completion_tokens, 6);  // 23 bytes in pieces of 4
    assert.deepEqual(spec.problems('CreateChatCompletionResponse', completion), []);
  });

  test('streamed, the fixture content arrives in pieces', async () => {
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    const pieces = [];
    for await (const chunk of stream) {
      assert.deepEqual(spec.problems('CreateChatCompletionStreamResponse', chunk), []);
      const text = chunk.choices[0]?.delta?.content;
      if (text) pieces.push(text);
    }
    assert.equal(pieces.join(''), 'Hello from the fixture!');
    assert.equal(pieces.length, 6);
  });

  test('logprobs: true fills the fixture answer: one seeded entry per token, joining to the content', async () => {
    const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello there' }], logprobs: true, top_logprobs: 2, n: 2, seed: 3 };
    const completion = await client.chat.completions.create(body);
    assert.deepEqual(spec.problems('CreateChatCompletionResponse', completion), []);
    assert.deepEqual(spec.undeclared('CreateChatCompletionResponse', completion), []);
    for (const choice of completion.choices) {
      assert.equal(choice.message.content, 'Hello from the fixture!');
      assert.equal(choice.logprobs.refusal, null);
      assert.equal(choice.logprobs.content.length, 6, 'one entry per token');
      assert.equal(choice.logprobs.content.map((e) => e.token).join(''), 'Hello from the fixture!');
      for (const entry of choice.logprobs.content) {
        assert.ok(entry.logprob <= 0);
        assert.deepEqual(entry.bytes, [...Buffer.from(entry.token, 'utf8')]);
        assert.equal(entry.top_logprobs.length, 2);
      }
    }
    assert.notDeepEqual(completion.choices[0].logprobs, completion.choices[1].logprobs, 'each choice draws its own');
    const again = await client.chat.completions.create(body);
    assert.deepEqual(again.choices.map((c) => c.logprobs), completion.choices.map((c) => c.logprobs), 'the seed makes them reproducible');

    const stream = await client.chat.completions.create({ ...body, n: 1, stream: true });
    const entries = [];
    for await (const chunk of stream) {
      assert.deepEqual(spec.problems('CreateChatCompletionStreamResponse', chunk), []);
      const choice = chunk.choices[0];
      if (choice?.delta?.content) {
        assert.equal(choice.logprobs.content.length, 1, 'a content chunk carries its token');
        assert.equal(choice.logprobs.content[0].token, choice.delta.content);
        entries.push(choice.logprobs.content[0]);
      }
    }
    assert.deepEqual(entries, completion.choices[0].logprobs.content, 'streamed entries are the whole answer\'s');

    const plain = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello there' }] });
    assert.equal(plain.choices[0].logprobs, null, 'without logprobs: true they stay null');
  });

  test('legacy completions: logprobs 1 fills the fixture text\'s legacy logprobs, whole and streamed', async () => {
    const body = { model: 'gpt-4o-mini', prompt: 'hello there', logprobs: 1 };
    const completion = await client.completions.create(body);
    assert.deepEqual(spec.problems('CreateCompletionResponse', completion), []);
    assert.deepEqual(spec.undeclared('CreateCompletionResponse', completion), []);
    const [choice] = completion.choices;
    assert.equal(choice.text, 'Hello from the fixture!');
    assert.equal(choice.logprobs.tokens.join(''), choice.text);
    assert.deepEqual(choice.logprobs.text_offset, [0, 4, 8, 12, 16, 20]);
    choice.logprobs.tokens.forEach((token, i) => {
      assert.equal(choice.logprobs.top_logprobs[i][token], choice.logprobs.token_logprobs[i]);
    });
    const stream = await client.completions.create({ ...body, stream: true });
    const tokens = [];
    for await (const chunk of stream) {
      const text = chunk.choices[0]?.text;
      if (text) {
        assert.deepEqual(chunk.choices[0].logprobs.tokens, [text]);
        tokens.push(text);
      }
    }
    assert.equal(tokens.join(''), 'Hello from the fixture!');
  });

  test('an agent loop: a tool call, then the answer from the tool result', async () => {
    const messages = [{ role: 'user', content: 'What is the weather in Paris?' }];
    const first = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, tools });
    assert.deepEqual(spec.problems('CreateChatCompletionResponse', first), []);
    const call = first.choices[0].message.tool_calls[0];
    assert.equal(first.choices[0].finish_reason, 'tool_calls');
    assert.equal(call.function.name, 'get_weather');
    assert.deepEqual(JSON.parse(call.function.arguments), { city: 'Paris', unit: 'celsius' });
    messages.push(first.choices[0].message, { role: 'tool', tool_call_id: call.id, content: '21' });
    const second = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, tools });
    assert.equal(second.choices[0].message.content, 'It is 21 degrees in Paris.');
  });

  test('streamed tool calls are put together by the SDK helper', async () => {
    const runner = client.chat.completions.stream({ model: 'gpt-4o-mini', tools, messages: [{ role: 'user', content: 'weather?' }] });
    const final = await runner.finalChatCompletion();
    const call = final.choices[0].message.tool_calls[0];
    assert.equal(call.function.name, 'get_weather');
    assert.deepEqual(JSON.parse(call.function.arguments), { city: 'Paris', unit: 'celsius' });
    assert.equal(final.choices[0].finish_reason, 'tool_calls');
  });

  test('an error fixture is the SDK error it describes', async () => {
    const error = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'brew' }] })
      .then(() => assert.fail('expected an error'), (e) => e);
    assert.ok(error instanceof OpenAI.BadRequestError, `got ${error}`);
    assert.equal(error.status, 400);
    assert.equal(error.code, 'teapot');
    assert.equal(error.param, 'messages');
    assert.equal(error.error.message, 'I am a teapot.');
  });

  test('no matching rule: generated content', async () => {
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'something else' }] });
    assert.notEqual(completion.choices[0].message.content, 'Hello from the fixture!');
    assert.ok(completion.choices[0].message.content.length > 0);
  });
});

describe('queued faults (/admin/faults)', () => {
  test('the admin token is required', async () => {
    const response = await fetch(`${server.url}/admin/faults`);
    assert.equal(response.status, 401);
  });

  test('two queued 503s are retried by the SDK, the third attempt succeeds', async () => {
    assert.equal((await admin('POST', { count: 2, endpoint: 'chat', status: 503 })).status, 200);
    const recorder = recording_fetch();
    const retrying = new OpenAI({ apiKey: 'sk-fixtures-test-0001', baseURL: server.base_url, maxRetries: 2, fetch: recorder.fetch });
    const completion = await retrying.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello' }] });
    assert.equal(completion.choices[0].message.content, 'Hello from the fixture!');
    assert.deepEqual(recorder.attempts.map((a) => a.status), [503, 503, 200]);
    assert.deepEqual((await admin('GET')).body.data, []);
  });

  test('a queued fault only hits what it matches; the listing masks keys; DELETE clears', async () => {
    const queued = await admin('POST', { count: 3, model: 'gpt-4o', key: 'sk-fixtures-test-0001', fault: '500' });
    assert.equal(queued.status, 200);
    assert.equal(queued.body.data[0].key, 'sk-fixtu*********0001');
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    const error = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })
      .then(() => assert.fail('expected an error'), (e) => e);
    assert.ok(error instanceof OpenAI.InternalServerError, `got ${error}`);
    assert.equal((await admin('GET')).body.data[0].remaining, 2);
    assert.deepEqual((await admin('DELETE')).body, { status: 'cleared', cleared: 1 });
  });

  test('a bad rule is a 400 naming the field', async () => {
    const { status, body } = await admin('POST', { count: 1, status: 404 });
    assert.equal(status, 400);
    assert.equal(body.error.param, 'status');
    assert.equal(body.error.message, "'status' must be 500, 503 or 429, got 404.");
  });
});
