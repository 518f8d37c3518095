// The official openai SDK against `llmsim serve` (built-in provider): chat completions plain, with
// n and max_tokens, streamed with the usage chunk; legacy completions; embeddings; models.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';

import { start_server } from './lib/server.mjs';

// "Hello, world": ceil(12 bytes / 4) + 3 framing + 3 priming (data/README.md, REQUEST).
const hello_prompt_tokens = 9;
// The built-in provider's completion tokens when max_tokens does not cap them.
const default_completion_tokens = 16;
const hello = [{ role: 'user', content: 'Hello, world' }];

let server;
let client;

before(async () => {
  server = await start_server({ seed: 7 });
  client = new OpenAI({ apiKey: 'sk-test-chat', baseURL: server.base_url, maxRetries: 0 });
});

after(async () => {
  assert.equal(await server.stop(), 0, 'llmsim serve exits 0 on SIGTERM');
});

// Returns the number of space-separated words: the mock writes one word per token.
function word_count(text) {
  return text.trim().split(/\s+/).filter(Boolean).length;
}

describe('chat.completions.create', () => {
  test('plain: id, object, model, one choice, usage, finish_reason stop', async () => {
    const started_s = Date.now() / 1000;
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: hello });
    assert.match(completion.id, /^chatcmpl-[A-Za-z0-9]+$/);
    assert.equal(completion.object, 'chat.completion');
    assert.equal(completion.model, 'gpt-4o-mini');
    assert.ok(Math.abs(completion.created - started_s) < 60, `created ${completion.created} is now`);
    assert.equal(completion.choices.length, 1);
    const [choice] = completion.choices;
    assert.equal(choice.index, 0);
    assert.equal(choice.finish_reason, 'stop');
    assert.equal(choice.message.role, 'assistant');
    assert.equal(choice.message.refusal, null);
    assert.equal(word_count(choice.message.content), default_completion_tokens);
    assert.deepEqual(
      [completion.usage.prompt_tokens, completion.usage.completion_tokens, completion.usage.total_tokens],
      [hello_prompt_tokens, default_completion_tokens, hello_prompt_tokens + default_completion_tokens]);
  });

  test('n=2: two choices with indices 0 and 1, completion tokens of both counted', async () => {
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: hello, n: 2 });
    assert.deepEqual(completion.choices.map((c) => c.index), [0, 1]);
    const words = completion.choices.map((c) => word_count(c.message.content));
    for (const choice of completion.choices) assert.equal(choice.finish_reason, 'stop');
    assert.notEqual(completion.choices[0].message.content, completion.choices[1].message.content);
    assert.equal(completion.usage.completion_tokens, words[0] + words[1]);
    assert.equal(completion.usage.total_tokens, completion.usage.prompt_tokens + completion.usage.completion_tokens);
  });

  test('max_tokens below the reply length: finish_reason length, exactly max_tokens tokens', async () => {
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: hello, max_tokens: 5 });
    assert.equal(completion.choices[0].finish_reason, 'length');
    assert.equal(completion.usage.completion_tokens, 5);
    assert.equal(word_count(completion.choices[0].message.content), 5);
  });

  test('unknown model: NotFoundError 404 with code model_not_found', async () => {
    const error = await client.chat.completions.create({ model: 'gpt-nope', messages: hello }).then(
      () => assert.fail('expected a 404'), (e) => e);
    assert.ok(error instanceof OpenAI.NotFoundError, `got ${error}`);
    assert.equal(error.status, 404);
    assert.equal(error.code, 'model_not_found');
    assert.equal(error.type, 'invalid_request_error');
    assert.equal(error.error.message, 'The model `gpt-nope` does not exist or you do not have access to it.');
  });
});

describe('chat.completions.create stream', () => {
  test('stream_options.include_usage: role delta, content deltas, finish chunk, usage chunk, end', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini', messages: hello, stream: true, stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);  // ends only if the SDK saw [DONE] or EOF

    assert.ok(chunks.length >= 4, `got ${chunks.length} chunks`);
    for (const chunk of chunks) {
      assert.equal(chunk.object, 'chat.completion.chunk');
      assert.equal(chunk.id, chunks[0].id, 'one id on every chunk');
      assert.equal(chunk.created, chunks[0].created, 'one created on every chunk');
    }
    const [first] = chunks;
    const usage_chunk = chunks.at(-1);
    const finish_chunk = chunks.at(-2);
    const content_chunks = chunks.slice(1, -2);

    assert.deepEqual(first.choices[0].delta.role, 'assistant');
    assert.equal(first.choices[0].delta.content, '');
    assert.equal(first.choices[0].finish_reason, null);
    for (const chunk of content_chunks) {
      assert.equal(chunk.choices[0].finish_reason, null);
      assert.equal(typeof chunk.choices[0].delta.content, 'string');
      assert.equal(chunk.usage, null, 'usage is null on every chunk but the last');
    }
    assert.equal(finish_chunk.choices[0].finish_reason, 'stop');
    assert.equal(finish_chunk.choices[0].delta.content ?? '', '');
    assert.deepEqual(usage_chunk.choices, []);
    const text = content_chunks.map((c) => c.choices[0].delta.content).join('');
    assert.equal(content_chunks.length, default_completion_tokens, 'one chunk per token');
    assert.equal(word_count(text), default_completion_tokens);
    assert.deepEqual(
      [usage_chunk.usage.prompt_tokens, usage_chunk.usage.completion_tokens, usage_chunk.usage.total_tokens],
      [hello_prompt_tokens, default_completion_tokens, hello_prompt_tokens + default_completion_tokens]);
  });

  test('without include_usage: no usage chunk, last chunk carries finish_reason length', async () => {
    const stream = await client.chat.completions.create({ model: 'gpt-4o', messages: hello, stream: true, max_tokens: 3 });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    assert.equal(chunks.length, 1 + 3 + 1, 'role chunk, three tokens, finish chunk');
    assert.equal(chunks.at(-1).choices[0].finish_reason, 'length');
    for (const chunk of chunks) assert.ok(chunk.usage === undefined || chunk.usage === null);
  });
});

describe('completions.create (legacy)', () => {
  test('text_completion with 16 tokens by default: finish_reason length', async () => {
    const completion = await client.completions.create({ model: 'gpt-3.5-turbo', prompt: 'Say this is a test' });
    assert.match(completion.id, /^cmpl-[A-Za-z0-9]+$/);
    assert.equal(completion.object, 'text_completion');
    assert.equal(completion.model, 'gpt-3.5-turbo');
    assert.equal(completion.choices.length, 1);
    assert.equal(completion.choices[0].index, 0);
    assert.equal(completion.choices[0].finish_reason, 'length', 'max_tokens defaults to 16 on /v1/completions');
    assert.equal(word_count(completion.choices[0].text), 16);
    assert.equal(completion.usage.completion_tokens, 16);
    assert.equal(completion.usage.total_tokens, completion.usage.prompt_tokens + 16);
  });
});

describe('embeddings.create', () => {
  const model = 'text-embedding-3-small';

  test('1536 dimensions, unit length, the same vector for the same input', async () => {
    const first = await client.embeddings.create({ model, input: 'the quick brown fox' });
    const second = await client.embeddings.create({ model, input: 'the quick brown fox' });
    assert.equal(first.object, 'list');
    assert.equal(first.model, model);
    assert.equal(first.data.length, 1);
    assert.equal(first.data[0].object, 'embedding');
    assert.equal(first.data[0].index, 0);
    const vector = first.data[0].embedding;
    assert.equal(vector.length, 1536);
    const norm = Math.sqrt(vector.reduce((sum, x) => sum + x * x, 0));
    assert.ok(Math.abs(norm - 1) < 1e-5, `norm ${norm}`);
    assert.deepEqual(second.data[0].embedding, vector);
    assert.ok(first.usage.prompt_tokens > 0);
    assert.equal(first.usage.total_tokens, first.usage.prompt_tokens);
  });

  test('a list of inputs, dimensions, and float encoding equal to the SDK-decoded base64', async () => {
    const input = ['alpha', 'beta'];
    // The SDK asks for base64 and decodes it when encoding_format is not given.
    const decoded = await client.embeddings.create({ model, input, dimensions: 256 });
    const floats = await client.embeddings.create({ model, input, dimensions: 256, encoding_format: 'float' });
    assert.deepEqual(decoded.data.map((d) => d.index), [0, 1]);
    assert.deepEqual(decoded.data.map((d) => d.embedding.length), [256, 256]);
    assert.notDeepEqual(decoded.data[0].embedding, decoded.data[1].embedding);
    for (const i of [0, 1]) {
      floats.data[i].embedding.forEach((x, j) => {
        // base64 carries float32: equal to the JSON number within float32 rounding.
        assert.ok(Math.abs(x - decoded.data[i].embedding[j]) <= 1e-7 * Math.max(1, Math.abs(x)), `element ${j}`);
      });
    }
  });
});

describe('models', () => {
  const served = ['gpt-3.5-turbo', 'gpt-4o-mini', 'gpt-4o', 'text-embedding-3-small', 'text-embedding-ada-002'];

  test('models.list: every model of the built-in provider', async () => {
    const ids = [];
    for await (const model of client.models.list()) {
      assert.equal(model.object, 'model');
      assert.equal(typeof model.owned_by, 'string');
      assert.ok(Number.isInteger(model.created));
      ids.push(model.id);
    }
    assert.deepEqual(ids, served);
  });

  test('models.retrieve: one model', async () => {
    const model = await client.models.retrieve('gpt-4o');
    assert.equal(model.id, 'gpt-4o');
    assert.equal(model.object, 'model');
    assert.equal(model.owned_by, 'openai');
  });

  test('models.retrieve unknown: NotFoundError with code model_not_found', async () => {
    const error = await client.models.retrieve('no-such-model').then(() => assert.fail('expected a 404'), (e) => e);
    assert.ok(error instanceof OpenAI.NotFoundError, `got ${error}`);
    assert.equal(error.status, 404);
    assert.equal(error.code, 'model_not_found');
    assert.equal(error.error.message, 'The model `no-such-model` does not exist or you do not have access to it.');
  });
});
