// Validates JSON bodies against components.schemas of the official OpenAPI spec
// (tests/sdk/openai-openapi.yaml, OpenAPI 3.1, MIT: openai-openapi.LICENSE), with Ajv's JSON Schema
// 2020-12 dialect, the one OpenAPI 3.1 uses.
//
// The schemas are copied into one document's $defs, and every "#/components/schemas/X" becomes
// "#/$defs/X". OpenAPI 3.0's `nullable: true`, which the spec still has in places, becomes an
// added "null" type (and a null in `enum`). Formats Ajv does not know (unixtime, double, ...) are
// accepted as annotations. Unknown keywords (x-oaiMeta, discriminator, example) are ignored.
//
// The spec leaves objects open (extra properties are valid), so undeclared() checks a closed copy
// too: every object schema that lists properties and says nothing about others gets
// `unevaluatedProperties: false`, which finds a field the spec does not know (a misspelt name).
//
//   const spec = await load_spec();
//   assert.deepEqual(spec.problems('CreateChatCompletionResponse', body), []);
//   assert.deepEqual(spec.undeclared('CreateChatCompletionResponse', body), []);
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import add_formats from 'ajv-formats';
import { parse } from 'yaml';

import { sdk_dir } from './server.mjs';

const schema_ref_prefix = '#/components/schemas/';

// Returns `schema` with nullable turned into a null type; leaves other schemas alone.
function without_nullable(schema) {
  const { nullable, ...rest } = schema;
  if (nullable !== true) return rest;
  if (Array.isArray(rest.enum) && !rest.enum.includes(null)) rest.enum = [...rest.enum, null];
  if (typeof rest.type === 'string') return { ...rest, type: [rest.type, 'null'] };
  if (Array.isArray(rest.type)) return rest.type.includes('null') ? rest : { ...rest, type: [...rest.type, 'null'] };
  return { anyOf: [rest, { type: 'null' }] };  // $ref, allOf, ...: no type of its own
}

// Returns `schema` closed to properties it does not declare, when it lists some and is silent on
// the others.
function closed(schema) {
  const silent = schema.additionalProperties === undefined && schema.unevaluatedProperties === undefined;
  return schema.properties && silent ? { ...schema, unevaluatedProperties: false } : schema;
}

// Returns a deep copy of `node` with refs pointed at $defs and nullable rewritten (and, when
// `close`, every object schema closed).
function convert(node, close) {
  if (Array.isArray(node)) return node.map((item) => convert(item, close));
  if (node === null || typeof node !== 'object') return node;
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string' && value.startsWith(schema_ref_prefix)) {
      out.$ref = `#/$defs/${value.slice(schema_ref_prefix.length)}`;
    } else if (key === 'example' || key === 'examples' || key === 'x-oaiMeta') {
      continue;  // documentation only; examples are not schemas
    } else {
      out[key] = convert(value, close);
    }
  }
  return without_nullable(close ? closed(out) : out);
}

// Returns the set of `format` values used anywhere in `node`.
function formats_used(node, found = new Set()) {
  if (Array.isArray(node)) node.forEach((item) => formats_used(item, found));
  else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'format' && typeof value === 'string') found.add(value);
      else formats_used(value, found);
    }
  }
  return found;
}

// Returns a validator of components.schemas[name] from `defs` (cached), registered under `id`.
function validator_factory(defs, id) {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
  add_formats(ajv);
  for (const format of formats_used(defs)) {
    if (!ajv.formats[format]) ajv.addFormat(format, true);
  }
  ajv.addSchema({ $id: id, $defs: defs });
  const validators = new Map();
  return (name) => {
    if (!(name in defs)) throw new Error(`no schema ${name} in components.schemas`);
    if (!validators.has(name)) validators.set(name, ajv.compile({ $ref: `${id}#/$defs/${name}` }));
    return validators.get(name);
  };
}

// Returns Ajv's errors as "PATH: MESSAGE PARAMS (schema rule SCHEMA_PATH)" lines.
function describe_errors(errors) {
  return errors.map((e) => {
    const params = e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : '';
    return `${e.instancePath || '/'}: ${e.message}${params} (schema rule ${e.schemaPath})`;
  });
}

// Loads the spec (a few seconds: 3 MB of YAML) and returns { version, problems(name, body),
// undeclared(name, body) }: problems() lists every violation of components.schemas[name],
// undeclared() every property the closed copy refuses; [] when there are none. Both throw if
// `name` is not in components.schemas.
export async function load_spec(path = join(sdk_dir, 'openai-openapi.yaml')) {
  const document = parse(await readFile(path, 'utf8'));
  const open = validator_factory(convert(document.components.schemas, false), 'openai');
  const strict = validator_factory(convert(document.components.schemas, true), 'openai-closed');
  return {
    version: document.info.version,
    problems(name, body) {
      const validate = open(name);
      return validate(body) ? [] : describe_errors(validate.errors);
    },
    undeclared(name, body) {
      const validate = strict(name);
      if (validate(body)) return [];
      return describe_errors(validate.errors.filter((e) => e.keyword === 'unevaluatedProperties'));
    },
  };
}
