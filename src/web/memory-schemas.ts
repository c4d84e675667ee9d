/** Shapes of the /v1/memories answers the Memory view reads (checked, since they are external input). */
import { z } from 'zod';

const provenanceSchema = z.object({ kind: z.string(), fromLessonIds: z.array(z.string()), fromVersions: z.array(z.number()), note: z.string().optional() });
const sourceSchema = z.object({ problemId: z.string(), question: z.string(), imageRefs: z.array(z.string()) });

export const lessonSchema = z.object({
  id: z.string(),
  tenant: z.string(),
  stream: z.string(),
  text: z.string(),
  subject: z.string(),
  concepts: z.array(z.string()),
  source: sourceSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
  usageCount: z.number(),
  version: z.number(),
  provenance: provenanceSchema,
});
export type WebLesson = z.infer<typeof lessonSchema>;

export const lessonListSchema = z.union([
  z.object({ lessons: z.array(lessonSchema), total: z.number() }).transform((page) => ({ items: page.lessons.map((lesson) => ({ lesson })), total: page.total })),
  z.object({ results: z.array(z.object({ lesson: lessonSchema, score: z.number() })), total: z.number() }).transform((page) => ({ items: page.results, total: page.total })),
]);
export type LessonListItem = { lesson: WebLesson; score?: number };

export const versionListSchema = z.object({
  versions: z.array(z.object({ lessonId: z.string(), version: z.number(), text: z.string(), subject: z.string(), concepts: z.array(z.string()), createdAt: z.string(), provenance: provenanceSchema, embeddingModel: z.string() })),
});
export type WebLessonVersion = z.infer<typeof versionListSchema>['versions'][number];
