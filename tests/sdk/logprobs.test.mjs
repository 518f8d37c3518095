// logprobs / top_logprobs and stop on chat completions through the official `openai` SDK, with
// every body (and every chunk) also fetched raw and validated against the OpenAPI spec's
// CreateChatCompletionResponse / CreateChatCompletionStreamResponse (lib/spec.mjs).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';

import { load_spec } from './lib/spec.mjs';
import { start_server } from './lib/server.mjs';

const key = 'sk-test-logprobs';
const hello = [{ role: 'user', content: 'Hello, world' }];
const weather_tool = {
  type: 'function',
  function: {
    name: 'get_weather',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

let server;
let spec;
let client;

before(async () => {
  [server, spec] = await Promise.all([start_server({ seed: 5 }), load_spec()]);
  client = new OpenAI({ apiKey: key, baseURL: server.base_url, maxRetries: 0 });
});

after(async () => {
  assert.equal(await server.stop(), 0, 'llmsim serve exits 0 on SIGTERM');
});

// Posts a chat body with plain fetch; returns { status, text }.
async function post(body) {
  const response = await fetch(`${server.base_url}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, text: await response.text() };
}

// Returns the JSON of each data event of a stream ending with [DONE].
function sse_events(text) {
  const data = text.split('\n\n').filter((b) => b.length > 0).map((b) => b.slice('data: '.length));
  assert.equal(data.at(-1), '[DONE]');
  return data.slice(0, -1).map((json) => JSON.parse(json));
}

function assert_valid(name, body, what) {
  assert.deepEqual(spec.problems(name, body), [], `${what} against ${name}`);
  assert.deepEqual(spec.undeclared(name, body), [], `${what}: undeclared properties`);
}

// Asserts the shape of one ChatCompletionTokenLogprob with `k` alternatives.
function assert_entry(entry, k) {
  assert.equal(typeof entry.token, 'string');
  assert.ok(entry.logprob <= 0, `logprob ${entry.logprob} <= 0`);
  assert.deepEqual(entry.bytes, [...Buffer.from(entry.token, 'utf8')], 'bytes are the token in UTF-8');
  assert.equal(entry.top_logprobs.length, k);
  for (let i = 1; i < k; ++i) {
    assert.ok(entry.top_logprobs[i - 1].logprob >= entry.top_logprobs[i].logprob, 'descending');
  }
  const tokens = new Set(entry.top_logprobs.map((t) => t.token));
  assert.equal(tokens.size, k, 'alternatives are distinct');
  const chosen = entry.top_logprobs.find((t) => t.token === entry.token);
  if (chosen) assert.equal(chosen.logprob, entry.logprob, 'the generated token listed with its own logprob');
  else if (k > 0) assert.ok(entry.logprob <= entry.top_logprobs.at(-1).logprob, 'an unlisted token is below the list');
}

describe('logprobs through the SDK', () => {
  test('non-streamed: one entry per token, concatenating to the content, valid against the spec', async () => {
    const body = { model: 'gpt-4o-mini', messages: hello, logprobs: true, top_logprobs: 3, n: 2, seed: 11 };
    const completion = await client.chat.completions.create(body);
    assert.equal(completion.choices.length, 2);
    for (const choice of completion.choices) {
      assert.equal(choice.logprobs.refusal, null);
      assert.ok(choice.logprobs.content.length > 0);
      assert.equal(choice.logprobs.content.map((e) => e.token).join(''), choice.message.content);
      choice.logprobs.content.forEach((e) => assert_entry(e, 3));
    }
    const again = await client.chat.completions.create(body);
    assert.deepEqual(again.choices.map((c) => c.logprobs), completion.choices.map((c) => c.logprobs),
      'same request and seed: the same tokens and numbers');
    const raw = await post(body);
    assert.equal(raw.status, 200);
    assert_valid('CreateChatCompletionResponse', JSON.parse(raw.text), 'chat.completion with logprobs');
  });

  test('without logprobs the field stays null', async () => {
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: hello });
    assert.equal(completion.choices[0].logprobs, null);
  });

  test('streamed: each content chunk carries its token; the same numbers as non-streamed', async () => {
    const body = { model: 'gpt-4o-mini', messages: hello, logprobs: true, top_logprobs: 2, seed: 12, max_tokens: 6 };
    const whole = await client.chat.completions.create(body);
    const stream = await client.chat.completions.create({ ...body, stream: true });
    const entries = [];
    let text = '';
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      if (choice?.delta?.content) {
        text += choice.delta.content;
        assert.equal(choice.logprobs.content.length, 1, 'one entry per content chunk');
        entries.push(...choice.logprobs.content);
      }
    }
    assert.equal(entries.map((e) => e.token).join(''), text);
    assert.deepEqual(entries, whole.choices[0].logprobs.content);
    const raw = await post({ ...body, stream: true, stream_options: { include_usage: true } });
    assert.equal(raw.status, 200);
    sse_events(raw.text).forEach((chunk, i) => assert_valid('CreateChatCompletionStreamResponse', chunk, `chunk ${i}`));
  });

  test('tool calls: logprobs of the text only (none for the call); JSON content gets its tokens', async () => {
    const calls = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: hello, tools: [weather_tool], tool_choice: 'required', logprobs: true });
    assert.equal(calls.choices[0].finish_reason, 'tool_calls');
    assert.deepEqual(calls.choices[0].logprobs, { content: [], refusal: null });
    const json = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'answer in json' }], response_format: { type: 'json_object' }, logprobs: true, top_logprobs: 1 });
    const choice = json.choices[0];
    assert.equal(choice.logprobs.content.map((e) => e.token).join(''), choice.message.content);
    JSON.parse(choice.message.content);
    const raw = await post({ model: 'gpt-4o-mini', messages: hello, tools: [weather_tool], tool_choice: 'required', logprobs: true, stream: true });
    sse_events(raw.text).forEach((chunk, i) => assert_valid('CreateChatCompletionStreamResponse', chunk, `tool chunk ${i}`));
  });

  test('validation errors are OpenAI 400s naming the param', async () => {
    const cases = [
      [{ logprobs: true, top_logprobs: 21 }, 'top_logprobs', /integer above maximum value. Expected a value <= 20, but got 21/],
      [{ logprobs: true, top_logprobs: -1 }, 'top_logprobs', /integer below minimum value/],
      [{ top_logprobs: 2 }, 'top_logprobs', /only allowed when 'logprobs' is enabled/],
      [{ stop: ['a', 'b', 'c', 'd', 'e'] }, 'stop', /array too long/],
      [{ seed: 'x' }, 'seed', /Invalid type for 'seed'/],
    ];
    for (const [extra, param, message] of cases) {
      await assert.rejects(client.chat.completions.create({ model: 'gpt-4o-mini', messages: hello, ...extra }),
        (error) => error.status === 400 && error.param === param && message.test(error.message),
        JSON.stringify(extra));
    }
  });
});

describe('stop through the SDK', () => {
  test('a stop sequence cuts the text before it (finish_reason stop), JSON content too', async () => {
    const base = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'json please' }], seed: 21, response_format: { type: 'json_object' } };
    const whole = await client.chat.completions.create(base);
    const content = whole.choices[0].message.content;
    const stop = content.slice(3, 5);
    const cut = await client.chat.completions.create({ ...base, stop, logprobs: true });
    const choice = cut.choices[0];
    assert.equal(choice.message.content, content.slice(0, content.indexOf(stop)));
    assert.equal(choice.finish_reason, 'stop');
    assert.equal(choice.logprobs.content.map((e) => e.token).join(''), choice.message.content);
    const stream = await client.chat.completions.create({ ...base, stop: [stop], stream: true });
    let streamed = '';
    for await (const chunk of stream) streamed += chunk.choices[0]?.delta?.content ?? '';
    assert.equal(streamed, choice.message.content);
  });
});

// Legacy /v1/completions: `logprobs` is an integer 0..5 there and the answer OpenAI's
// {tokens, token_logprobs, top_logprobs, text_offset}; `stop` cuts as in chat. Streamed chunks
// have CreateCompletionResponse's shape with a null finish_reason until the last (spec.test.mjs).
describe('legacy completions: logprobs and stop through the SDK', () => {
  const prompt = 'Say this is a test';

  // Asserts a legacy logprobs object for `text` with `k` alternatives a token; `offset` is the
  // text_offset of its first token.
  function assert_legacy(logprobs, text, k, offset = 0) {
    assert.equal(logprobs.tokens.join(''), text, 'the tokens join to the text');
    assert.equal(logprobs.token_logprobs.length, logprobs.tokens.length);
    assert.equal(logprobs.top_logprobs.length, logprobs.tokens.length);
    assert.equal(logprobs.text_offset.length, logprobs.tokens.length);
    logprobs.tokens.forEach((token, i) => {
      assert.ok(logprobs.token_logprobs[i] <= 0);
      const top = logprobs.top_logprobs[i];
      const size = Object.keys(top).length;
      assert.ok(size === k || size === k + 1, `${size} entries for logprobs ${k}`);
      assert.equal(top[token], logprobs.token_logprobs[i], 'the generated token is listed with its logprob');
      for (const value of Object.values(top)) assert.ok(value <= 0);
      assert.equal(logprobs.text_offset[i], offset + [...logprobs.tokens.slice(0, i).join('')].length);
    });
  }

  test('non-streamed: logprobs 3 gives the legacy object per choice, valid against the spec', async () => {
    const completion = await client.completions.create({ model: 'gpt-4o-mini', prompt, max_tokens: 8, logprobs: 3, n: 2 });
    assert_valid('CreateCompletionResponse', completion, 'text_completion with logprobs');
    let tokens = 0;
    for (const choice of completion.choices) {
      assert_legacy(choice.logprobs, choice.text, 3);
      assert.equal(choice.finish_reason, 'length');
      tokens += choice.logprobs.tokens.length;
    }
    assert.equal(completion.usage.completion_tokens, tokens);
    const plain = await client.completions.create({ model: 'gpt-4o-mini', prompt, max_tokens: 8 });
    assert.equal(plain.choices[0].logprobs, null, 'without logprobs it stays null');
  });

  test('streamed: each text chunk carries its token, offsets running on', async () => {
    const stream = await client.completions.create({ model: 'gpt-4o-mini', prompt, max_tokens: 6, logprobs: 0, stream: true });
    let text = '';
    let finished = false;
    for await (const chunk of stream) {
      const problems = spec.problems('CreateCompletionResponse', chunk)
        .filter((p) => finished || !/^\/choices\/\d+\/finish_reason: /.test(p));
      assert.deepEqual(problems, []);
      assert.deepEqual(spec.undeclared('CreateCompletionResponse', chunk), []);
      const [choice] = chunk.choices;
      if (choice.text) {
        assert.equal(choice.logprobs.tokens.length, 1);
        assert_legacy(choice.logprobs, choice.text, 0, [...text].length);
        text += choice.text;
      }
      finished = finished || choice.finish_reason !== null;
    }
    assert.ok(text.length > 0);
  });

  test('stop cuts the text before the sequence (finish_reason stop), whole and streamed', async () => {
    const body = { model: 'gpt-4o-mini', prompt, max_tokens: 40, stop: ['e', 'q'], logprobs: 1 };
    const completion = await client.completions.create(body);
    assert_valid('CreateCompletionResponse', completion, 'text_completion with stop');
    const [choice] = completion.choices;
    assert.equal(choice.finish_reason, 'stop');
    assert.doesNotMatch(choice.text, /[eq]/);
    assert_legacy(choice.logprobs, choice.text, 1);
    assert.equal(completion.usage.completion_tokens, choice.logprobs.tokens.length, 'usage counts the tokens sent');
    const stream = await client.completions.create({ ...body, logprobs: null, stream: true });
    let streamed = '';
    let finish = null;
    for await (const chunk of stream) {
      streamed += chunk.choices[0]?.text ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    assert.doesNotMatch(streamed, /[eq]/);
    assert.equal(finish, 'stop');
  });

  test('a request seed makes the text reproducible across requests (another seed, other words)', async () => {
    const body = { model: 'gpt-4o-mini', prompt, max_tokens: 12, seed: 31 };
    const first = await client.completions.create(body);
    const second = await client.completions.create(body);
    assert.equal(second.choices[0].text, first.choices[0].text);
    const other = await client.completions.create({ ...body, seed: 32 });
    assert.notEqual(other.choices[0].text, first.choices[0].text);
    // Without a seed each request is its own draw.
    const unseeded = [await client.completions.create({ model: 'gpt-4o-mini', prompt, max_tokens: 12 }),
      await client.completions.create({ model: 'gpt-4o-mini', prompt, max_tokens: 12 })];
    assert.notEqual(unseeded[0].choices[0].text, unseeded[1].choices[0].text);
  });

  test('out-of-range logprobs and too many stop sequences are OpenAI\'s 400', async () => {
    const cases = [
      [{ logprobs: 6 }, 'logprobs', /integer above maximum value. Expected a value <= 5, but got 6/],
      [{ logprobs: -1 }, 'logprobs', /integer below minimum value/],
      [{ logprobs: true }, 'logprobs', /Invalid type for 'logprobs'/],
      [{ stop: ['a', 'b', 'c', 'd', 'e'] }, 'stop', /array too long/],
      [{ seed: 'x' }, 'seed', /Invalid type for 'seed'/],
    ];
    for (const [extra, param, message] of cases) {
      await assert.rejects(client.completions.create({ model: 'gpt-4o-mini', prompt, ...extra }),
        (error) => error.status === 400 && error.param === param && message.test(error.message),
        JSON.stringify(extra));
    }
  });
});
