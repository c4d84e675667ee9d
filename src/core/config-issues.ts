/**
 * Config validation errors a person can act on: every issue names its key path, and an unknown key names
 * the nearest valid key at that level ("unknown key 'evolv' at top level; did you mean 'evolve'?"). The
 * valid keys are read from the zod schema itself, so the suggestion can never name a key the schema lacks.
 */
import type { z } from 'zod';
import { isPlainRecord } from './merge.js';

interface SchemaDef {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  in?: z.ZodType;
  options?: z.ZodType[];
  discriminator?: string;
}

function defOf(schema: z.ZodType): SchemaDef {
  return (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;
}

/** The object schemas `schema` may be at `input` (wrappers unwrapped; a union narrowed by its discriminator). */
function objectSchemas(schema: z.ZodType, input: unknown): z.ZodType[] {
  const def = defOf(schema);
  if (def.type === 'object') return [schema];
  if (def.innerType !== undefined) return objectSchemas(def.innerType, input);
  if (def.type === 'pipe' && def.in !== undefined) return objectSchemas(def.in, input);
  if (def.type === 'union' && def.options !== undefined) {
    const discriminator = def.discriminator;
    const chosen =
      discriminator !== undefined && isPlainRecord(input)
        ? def.options.filter((option) => {
            const field = defOf(option).shape?.[discriminator];
            const values = field === undefined ? undefined : (field as unknown as { _zod: { values?: Set<unknown> } })._zod.values;
            return values?.has(input[discriminator]) === true;
          })
        : [];
    return (chosen.length > 0 ? chosen : def.options).flatMap((option) => objectSchemas(option, input));
  }
  return [];
}

/** Valid keys of the object at `path` (empty when the path leaves the schema's objects). */
export function validKeysAt(schema: z.ZodType, path: readonly PropertyKey[], input: unknown): string[] {
  let candidates = objectSchemas(schema, input);
  let value = input;
  for (const segment of path) {
    value = isPlainRecord(value) ? value[String(segment)] : undefined;
    candidates = candidates.flatMap((candidate) => {
      const field = defOf(candidate).shape?.[String(segment)];
      return field === undefined ? [] : objectSchemas(field, value);
    });
  }
  return [...new Set(candidates.flatMap((candidate) => Object.keys(defOf(candidate).shape ?? {})))];
}

function editDistance(left: string, right: string): number {
  const a = left.toLowerCase();
  const b = right.toLowerCase();
  let previous = Array.from({ length: b.length + 1 }, (_unused, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** The valid key closest to `key` (edit distance, ties to the first), or undefined when nothing is close. */
export function nearestKey(key: string, valid: readonly string[]): string | undefined {
  let best: { key: string; distance: number } | undefined;
  for (const candidate of valid) {
    const distance = editDistance(key, candidate);
    const prefix = candidate.toLowerCase().startsWith(key.toLowerCase()) || key.toLowerCase().startsWith(candidate.toLowerCase());
    const score = prefix ? Math.min(distance, 1) : distance;
    if (best === undefined || score < best.distance) best = { key: candidate, distance: score };
  }
  if (best === undefined) return undefined;
  return best.distance <= Math.max(2, Math.floor(key.length / 3)) ? best.key : undefined;
}

function where(path: readonly PropertyKey[]): string {
  return path.length === 0 ? 'top level' : path.map(String).join('.');
}

/** One line per issue, each naming its key path; unknown keys get the nearest valid key. */
export function describeConfigIssues(schema: z.ZodType, issues: readonly z.core.$ZodIssue[], input: unknown): string[] {
  return issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const valid = validKeysAt(schema, issue.path, input);
      return issue.keys.map((key) => {
        const nearest = nearestKey(key, valid);
        const suggestion = nearest !== undefined ? `; did you mean '${nearest}'?` : valid.length > 0 ? ` (valid keys: ${valid.join(', ')})` : '';
        return `unknown key '${key}' at ${where(issue.path)}${suggestion}`;
      });
    }
    return [`${where(issue.path)}: ${issue.message}`];
  });
}
