/**
 * The non-destructive merge check: a merged lesson must keep every entity and number of its sources.
 * Consolidation that silently drops facts is the most common complaint about today's memory frameworks
 * (issue 7), so a merge that loses one is rejected and the new lesson is stored on its own instead.
 *
 * Numbers: every numeric literal ("180", "0.5", "3/4" counts as 3 and 4), compared by value.
 * Entities: words written with a capital letter anywhere but at the start of a sentence (names, labels such
 * as "A" or "MATH-V"), text inside quotes, and inline math ($…$ or \(…\)); compared case-insensitively,
 * ignoring spaces inside math.
 */

export interface PreservationReport {
  ok: boolean;
  missingNumbers: string[];
  missingEntities: string[];
}

const NUMBER = /\d+(?:\.\d+)?/g;

function numbersOf(text: string): string[] {
  const values = new Set<string>();
  for (const match of text.matchAll(NUMBER)) {
    values.add(String(Number(match[0])));
  }
  return [...values];
}

function compactMath(text: string): string {
  return text.replace(/\s+/g, '').toLowerCase();
}

function entitiesOf(text: string): string[] {
  const entities = new Set<string>();
  for (const match of text.matchAll(/\$([^$]+)\$|\\\((.+?)\\\)/g)) entities.add(compactMath(match[1] ?? match[2] ?? ''));
  for (const match of text.matchAll(/["“«]([^"”»]{2,60})["”»]/g)) entities.add((match[1] ?? '').toLowerCase().trim());
  const withoutMath = text.replace(/\$[^$]+\$|\\\(.+?\\\)/g, ' ');
  for (const sentence of withoutMath.split(/(?<=[.!?:;])\s+|\n+/)) {
    const words = sentence.trim().split(/[\s,()]+/).filter((word) => word !== '');
    words.forEach((word, index) => {
      const bare = word.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '');
      if (bare === '' || !/^\p{Lu}/u.test(bare)) return;
      // The first word of a sentence is capitalised anyway; a lone capital letter is a label even there.
      if (index === 0 && bare.length > 1 && !/\p{Lu}/u.test(bare.slice(1))) return;
      entities.add(bare.toLowerCase());
    });
  }
  entities.delete('');
  return [...entities];
}

function containsEntity(mergedLower: string, mergedCompact: string, entity: string): boolean {
  if (entity.length === 1) return new RegExp(`(?<![\\p{L}\\p{N}])${entity}(?![\\p{L}\\p{N}])`, 'u').test(mergedLower);
  return mergedLower.includes(entity) || mergedCompact.includes(compactMath(entity));
}

/** Which numbers and entities of the sources the merged text lost (none: ok). */
export function checkPreservation(sources: readonly string[], merged: string): PreservationReport {
  const mergedNumbers = new Set(numbersOf(merged));
  const mergedLower = merged.toLowerCase();
  const mergedCompact = compactMath(merged);
  const missingNumbers = new Set<string>();
  const missingEntities = new Set<string>();
  for (const source of sources) {
    for (const number of numbersOf(source)) if (!mergedNumbers.has(number)) missingNumbers.add(number);
    for (const entity of entitiesOf(source)) if (!containsEntity(mergedLower, mergedCompact, entity)) missingEntities.add(entity);
  }
  return { ok: missingNumbers.size === 0 && missingEntities.size === 0, missingNumbers: [...missingNumbers], missingEntities: [...missingEntities] };
}
