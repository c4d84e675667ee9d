/**
 * Memory: the caller's tenant's lessons (the tenant comes from the API key; "dev" in --dev mode). Browse
 * by stream, search by meaning, edit (a new version; the old one is kept), delete, see every version with
 * its provenance and restore an old one.
 */
import { apiJson, describeError } from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { lessonPageSchema, lessonSchema, lessonSearchSchema, lessonVersionsSchema } from '../../server/api-schemas.js';
import type { LessonResponse as WebLesson, LessonVersionResponse as WebLessonVersion } from '../../server/api-schemas.js';

type LessonListItem = { lesson: WebLesson; score?: number };

/** GET /v1/memories answers a page of lessons, or ranked results when asked with `q`. */
function listItems(body: unknown, searched: boolean): { items: LessonListItem[]; total: number } {
  if (searched) {
    const found = lessonSearchSchema.parse(body);
    return { items: found.results, total: found.total };
  }
  const page = lessonPageSchema.parse(body);
  return { items: page.lessons.map((lesson) => ({ lesson })), total: page.total };
}

function provenanceText(provenance: WebLesson['provenance']): string {
  const sources = provenance.fromLessonIds.map((id, index) => `${id.slice(0, 8)}@v${provenance.fromVersions[index] ?? '?'}`).join(', ');
  return `${provenance.kind}${sources === '' ? '' : ` from ${sources}`}${provenance.note === undefined ? '' : ` — ${provenance.note}`}`;
}

export function memoryView(): HTMLElement {
  const searchInput = h('input', { type: 'search', placeholder: 'search lessons by meaning…', class: 'grow', 'data-testid': 'memory-search' });
  const streamSelect = h('select', { 'data-testid': 'memory-stream' }, h('option', { value: '' }, 'both streams'), h('option', { value: 'logic' }, 'logic'), h('option', { value: 'visual' }, 'visual'));
  const status = h('div', { class: 'status', 'data-testid': 'memory-status' });
  const list = h('div', { class: 'lesson-list', 'data-testid': 'lesson-list' });
  const detail = h('section', { class: 'lesson-detail', 'data-testid': 'lesson-detail' }, h('p', { class: 'muted' }, 'Select a lesson to see its versions and edit it.'));
  let selected: string | undefined;

  function fail(error: unknown): void {
    replaceChildren(status, h('span', { class: 'error', role: 'alert' }, describeError(error)));
  }

  async function load(): Promise<void> {
    const parameters = new URLSearchParams({ limit: '200' });
    if (streamSelect.value !== '') parameters.set('stream', streamSelect.value);
    if (searchInput.value.trim() !== '') parameters.set('q', searchInput.value.trim());
    try {
      const page = listItems(await apiJson(`/v1/memories?${parameters.toString()}`), parameters.has('q'));
      replaceChildren(status, `${page.total} lesson${page.total === 1 ? '' : 's'}${searchInput.value.trim() === '' ? '' : ' found'}`);
      replaceChildren(list, ...(page.items.length === 0 ? [h('p', { class: 'muted' }, 'No lessons yet for this tenant. Add one below, or let /v1/solve write them.')] : page.items.map(row)));
    } catch (error) {
      fail(error);
    }
  }

  function row(item: LessonListItem): HTMLElement {
    const { lesson } = item;
    return h(
      'button',
      { type: 'button', class: `lesson-row${lesson.id === selected ? ' selected' : ''}`, 'data-testid': 'lesson-row', 'data-id': lesson.id, onclick: () => void open(lesson.id) },
      h('span', { class: `badge stream-${lesson.stream}` }, lesson.stream),
      h('span', { class: 'lesson-text' }, lesson.text),
      h('span', { class: 'meta' }, `${lesson.subject === '' ? '' : `${lesson.subject} · `}v${lesson.version} · used ${lesson.usageCount}×${item.score === undefined ? '' : ` · score ${item.score.toFixed(3)}`}`),
    );
  }

  async function open(id: string): Promise<void> {
    selected = id;
    try {
      const lesson = lessonSchema.parse(await apiJson(`/v1/memories/${encodeURIComponent(id)}`));
      const { versions } = lessonVersionsSchema.parse(await apiJson(`/v1/memories/${encodeURIComponent(id)}/versions`));
      renderDetail(lesson, versions);
      for (const element of Array.from(list.querySelectorAll('.lesson-row'))) element.classList.toggle('selected', element.getAttribute('data-id') === id);
    } catch (error) {
      fail(error);
    }
  }

  function renderDetail(lesson: WebLesson, versions: WebLessonVersion[]): void {
    const text = h('textarea', { rows: 5, 'data-testid': 'lesson-text' });
    text.value = lesson.text;
    const subject = h('input', { type: 'text', value: lesson.subject, 'data-testid': 'lesson-subject' });
    const concepts = h('input', { type: 'text', value: lesson.concepts.join(', '), 'data-testid': 'lesson-concepts' });
    const save = async () => {
      try {
        await apiJson(`/v1/memories/${encodeURIComponent(lesson.id)}`, {
          method: 'PATCH',
          json: { text: text.value, subject: subject.value, concepts: concepts.value.split(',').map((concept) => concept.trim()).filter((concept) => concept !== '') },
        });
        replaceChildren(status, `saved ${lesson.id.slice(0, 8)} as a new version`);
        await load();
        await open(lesson.id);
      } catch (error) {
        fail(error);
      }
    };
    const remove = async () => {
      if (!window.confirm(`Delete this lesson and all its ${versions.length} versions?`)) return;
      try {
        await apiJson(`/v1/memories/${encodeURIComponent(lesson.id)}`, { method: 'DELETE' });
        selected = undefined;
        replaceChildren(detail, h('p', { class: 'muted' }, 'Deleted.'));
        await load();
      } catch (error) {
        fail(error);
      }
    };
    const restore = async (version: number) => {
      try {
        await apiJson(`/v1/memories/${encodeURIComponent(lesson.id)}/restore`, { method: 'POST', json: { version } });
        await load();
        await open(lesson.id);
      } catch (error) {
        fail(error);
      }
    };
    replaceChildren(
      detail,
      h('h3', {}, `Lesson ${lesson.id.slice(0, 8)} · ${lesson.stream} · v${lesson.version}`),
      h('div', { class: 'meta' }, `tenant ${lesson.tenant} · created ${lesson.createdAt} · updated ${lesson.updatedAt} · used ${lesson.usageCount}×`),
      h('div', { class: 'meta' }, `provenance: ${provenanceText(lesson.provenance)}`),
      h('div', { class: 'meta' }, `source: ${lesson.source.problemId}${lesson.source.question === '' ? '' : ` — “${lesson.source.question}”`}${lesson.source.imageRefs.length === 0 ? '' : ` (${lesson.source.imageRefs.length} image${lesson.source.imageRefs.length === 1 ? '' : 's'})`}`),
      h('label', {}, 'Text', text),
      h('label', {}, 'Subject', subject),
      h('label', {}, 'Concepts (comma separated)', concepts),
      h('div', { class: 'actions' }, h('button', { type: 'button', class: 'primary', onclick: () => void save(), 'data-testid': 'lesson-save' }, 'Save as new version'), h('button', { type: 'button', class: 'danger', onclick: () => void remove(), 'data-testid': 'lesson-delete' }, 'Delete')),
      h('h4', {}, `Versions (${versions.length})`),
      h(
        'ul',
        { class: 'versions', 'data-testid': 'lesson-versions' },
        ...[...versions].reverse().map((version) =>
          h(
            'li',
            {},
            h('div', {}, h('strong', {}, `v${version.version}`), ` · ${version.createdAt} · ${provenanceText(version.provenance)}`),
            h('div', { class: 'lesson-text' }, version.text),
            version.version === lesson.version ? null : h('button', { type: 'button', class: 'small', onclick: () => void restore(version.version) }, `Restore v${version.version}`),
          ),
        ),
      ),
    );
  }

  const newText = h('textarea', { rows: 2, placeholder: 'A new lesson, e.g. “Count overlapping shapes by their outlines, not their fill.”', 'data-testid': 'new-lesson-text' });
  const newStream = h('select', {}, h('option', { value: 'logic' }, 'logic'), h('option', { value: 'visual' }, 'visual'));
  const add = async () => {
    if (newText.value.trim() === '') return;
    try {
      await apiJson('/v1/memories', { method: 'POST', json: { stream: newStream.value, text: newText.value.trim() } });
      newText.value = '';
      await load();
    } catch (error) {
      fail(error);
    }
  };

  let searchTimer: ReturnType<typeof setTimeout> | undefined;
  searchInput.addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => void load(), 250);
  });
  streamSelect.addEventListener('change', () => void load());
  void load();
  return h(
    'div',
    { class: 'view memory-view' },
    h('h2', {}, 'Memory'),
    h('div', { class: 'row' }, searchInput, streamSelect),
    status,
    h('div', { class: 'columns' }, h('div', { class: 'left' }, list, h('div', { class: 'new-lesson' }, h('h4', {}, 'Add a lesson'), newText, h('div', { class: 'row' }, newStream, h('button', { type: 'button', onclick: () => void add(), 'data-testid': 'new-lesson-add' }, 'Add')))), h('div', { class: 'right' }, detail)),
  );
}
