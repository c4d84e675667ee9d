/**
 * Checks a response_format JSON Schema against the rules llama.cpp's json-schema-to-grammar, vLLM's
 * xgrammar backend and OpenAI strict mode need (each rule and its upstream file:
 * src/core/__fixtures__/engine-schema-rules.json). Used by tests over every schema the client can
 * send, and by `mmevolve backends schemas` to show that a printed schema is clean.
 */
export type EngineSchemaRule =
  | 'no-prefix-items'
  | 'items-is-one-schema'
  | 'objects-closed'
  | 'every-key-required'
  | 'no-unenforced-keywords'
  | 'no-refs'
  | 'typed-nodes'
  | 'small-integer-bounds'
  | 'root-is-object';

export interface EngineSchemaProblem {
  rule: EngineSchemaRule;
  /** JSON pointer of the offending node; '' is the root. */
  path: string;
  message: string;
}

const PRIMITIVE_TYPES = new Set(['boolean', 'number', 'integer', 'string', 'object', 'array', 'null']);
const UNENFORCED_KEYWORDS = [
  'multipleOf', 'uniqueItems', 'contains', 'minContains', 'maxContains', 'patternProperties', 'propertyNames',
  'dependentSchemas', 'if', 'then', 'else', 'not', 'unevaluatedItems', 'unevaluatedProperties', 'format',
] as const;
const INT32_LIMIT = 2 ** 31;

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function typesOf(node: JsonObject): string[] {
  const type = node['type'];
  if (typeof type === 'string') return [type];
  if (Array.isArray(type)) return type.filter((entry): entry is string => typeof entry === 'string');
  return [];
}

function checkNode(node: unknown, path: string, problems: EngineSchemaProblem[]): void {
  const report = (rule: EngineSchemaRule, message: string): void => {
    problems.push({ rule, path, message });
  };
  if (!isObject(node)) {
    report('typed-nodes', `a schema must be an object, found ${JSON.stringify(node)}`);
    return;
  }
  if ('$ref' in node || '$defs' in node || 'definitions' in node) report('no-refs', 'inline the definition instead of $ref/$defs');
  for (const keyword of UNENFORCED_KEYWORDS) if (keyword in node) report('no-unenforced-keywords', `"${keyword}" is not enforced by every engine`);
  if ('prefixItems' in node) report('no-prefix-items', 'a fixed-length array must be items + minItems/maxItems, not prefixItems');
  if ('items' in node && !isObject(node['items'])) report('items-is-one-schema', `items must be one schema, found ${JSON.stringify(node['items'])}`);

  const types = typesOf(node);
  const union = Array.isArray(node['anyOf']) ? node['anyOf'] : Array.isArray(node['oneOf']) ? node['oneOf'] : undefined;
  const typed = types.length > 0 || union !== undefined || 'const' in node || 'enum' in node || '$ref' in node;
  if (!typed) report('typed-nodes', 'every node needs a type, anyOf, const or enum');
  for (const type of types) if (!PRIMITIVE_TYPES.has(type)) report('typed-nodes', `unknown type "${type}"`);

  if (types.includes('integer')) {
    for (const bound of ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum']) {
      const value = node[bound];
      if (typeof value === 'number' && Math.abs(value) > INT32_LIMIT) report('small-integer-bounds', `${bound} ${value} is beyond ±2^31`);
    }
  }

  const properties = node['properties'];
  if (types.includes('object') || isObject(properties)) {
    if (node['additionalProperties'] !== false) report('objects-closed', 'objects need additionalProperties: false');
    const required = new Set(Array.isArray(node['required']) ? node['required'] : []);
    if (isObject(properties)) {
      for (const [key, value] of Object.entries(properties)) {
        if (!required.has(key)) report('every-key-required', `property "${key}" is optional; make it required and nullable`);
        checkNode(value, `${path}/properties/${key}`, problems);
      }
    }
  }
  if (isObject(node['items'])) checkNode(node['items'], `${path}/items`, problems);
  if (union !== undefined) union.forEach((member, index) => checkNode(member, `${path}/anyOf/${index}`, problems));
}

/** Every rule the schema breaks, with where; empty when every engine converts it. */
export function engineSchemaProblems(schema: unknown): EngineSchemaProblem[] {
  const problems: EngineSchemaProblem[] = [];
  if (!isObject(schema) || !typesOf(schema).includes('object')) {
    problems.push({ rule: 'root-is-object', path: '', message: 'the root schema must be type object' });
  }
  checkNode(schema, '', problems);
  return problems;
}
