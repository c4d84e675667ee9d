import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { engineJsonSchema } from './engine-json-schema.js';
import { engineSchemaProblems } from './engine-schema-rules.js';
import { TASK_NAMES, isStructuredTask, taskJsonSchema, taskResponseFormat, taskResponseSchema } from './tasks.js';

const fixture = z
  .object({
    sources: z.record(z.string(), z.object({ repo: z.string(), path: z.string(), commit: z.string().regex(/^[0-9a-f]{40}$/) }).loose()),
    rules: z.array(z.object({ id: z.string(), from: z.array(z.string()).min(1), why: z.string(), violates: z.unknown() })),
  })
  .parse(JSON.parse(readFileSync(new URL('./__fixtures__/engine-schema-rules.json', import.meta.url), 'utf8')));

const structuredTasks = TASK_NAMES.filter(isStructuredTask);

describe('schemas every engine accepts', () => {
  it('names an upstream file and commit for every rule', () => {
    for (const rule of fixture.rules) for (const source of rule.from) expect(fixture.sources[source], `rule ${rule.id} cites unknown source ${source}`).toBeDefined();
  });

  it.each(fixture.rules.map((rule) => [rule.id, rule] as const))('flags the fixture example that breaks %s', (id, rule) => {
    const rules = engineSchemaProblems(rule.violates).map((problem) => problem.rule);
    expect(rules, `checker missed rule ${id} on its own example`).toContain(id);
  });

  it.each(structuredTasks)('sends a %s schema that breaks no engine rule', (task) => {
    expect(engineSchemaProblems(taskJsonSchema(task)), `${task} schema: ${JSON.stringify(taskJsonSchema(task))}`).toEqual([]);
    expect(taskResponseFormat(task).json_schema.schema).toEqual(taskJsonSchema(task));
  });

  it('writes the model box as items + minItems/maxItems 4, never prefixItems or items:false', () => {
    const schema = taskJsonSchema('zoom_region') as { properties: { bbox_2d: Record<string, unknown> } };
    expect(schema.properties.bbox_2d).toEqual({ type: 'array', items: { type: 'number' }, minItems: 4, maxItems: 4 });
  });

  it('makes agent_step arguments required and nullable, and still parses a reply that omits them', () => {
    const schema = taskJsonSchema('agent_step') as { properties: { arguments: { required: string[] } } };
    expect(schema.properties.arguments.required).toEqual(['text_prompt', 'final_answer_masks']);
    expect(taskResponseSchema('agent_step').parse({ tool: 'report_no_mask', arguments: {} }).arguments).toEqual({ text_prompt: null, final_answer_masks: null });
  });

  it('refuses a tuple of mixed member types instead of sending it', () => {
    expect(() => engineJsonSchema(z.object({ pair: z.tuple([z.string(), z.number()]) }))).toThrow(/tuple of different member types/);
  });

  it('keeps real integer bounds and drops only zod\'s safe-integer ones', () => {
    const schema = engineJsonSchema(z.object({ count: z.number().int().min(1).max(5), any: z.number().int() })) as { properties: Record<string, unknown> };
    expect(schema.properties['count']).toEqual({ type: 'integer', minimum: 1, maximum: 5 });
    expect(schema.properties['any']).toEqual({ type: 'integer' });
  });
});
