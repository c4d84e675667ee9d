/** Float32 vectors to and from pgvector's text form ('[1,2,3]'), exactly: float4 parses back to the same float. */
import pgvector from 'pgvector';

export function toPgVector(vector: Float32Array): string {
  return pgvector.toSql(Array.from(vector)) as string;
}

export function fromPgVector(text: string): Float32Array {
  return Float32Array.from(pgvector.fromSql(text) as number[]);
}
