/**
 * Runs wait per tenant and are started round-robin across tenants: with one slot, a tenant that queued
 * ten runs gets every other start, not the next ten, so another tenant's one-sample run waits for at most
 * one run of each other tenant instead of all of them. The next start goes to the waiting tenant served
 * longest ago (never served first; ties in order of arrival).
 */
interface Waiting {
  run: () => Promise<void>;
  /** Settles the caller's promise without running (the queue was cleared). */
  drop: () => void;
}

export class FairQueue {
  readonly #slots: number;
  readonly #waiting = new Map<string, Waiting[]>();
  readonly #lastServed = new Map<string, number>();
  #starts = 0;
  #running = 0;

  constructor(slots: number) {
    this.#slots = Math.max(1, slots);
  }

  get pending(): number {
    let count = 0;
    for (const tasks of this.#waiting.values()) count += tasks.length;
    return count;
  }

  /** Resolves when the task has run or was dropped by clear(); rejects with the task's error. */
  add(tenant: string, task: () => Promise<void>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const tasks = this.#waiting.get(tenant) ?? [];
      tasks.push({ run: () => task().then(resolve, reject), drop: resolve });
      this.#waiting.set(tenant, tasks);
      this.#pump();
    });
  }

  /** Drops every waiting task; running ones go on. */
  clear(): void {
    for (const tasks of this.#waiting.values()) for (const task of tasks) task.drop();
    this.#waiting.clear();
  }

  #nextTenant(): string | undefined {
    let chosen: string | undefined;
    let oldest = Number.POSITIVE_INFINITY;
    for (const tenant of this.#waiting.keys()) {
      const served = this.#lastServed.get(tenant) ?? -1;
      if (served < oldest) {
        oldest = served;
        chosen = tenant;
      }
    }
    return chosen;
  }

  #pump(): void {
    while (this.#running < this.#slots) {
      const tenant = this.#nextTenant();
      if (tenant === undefined) return;
      const tasks = this.#waiting.get(tenant) ?? [];
      const task = tasks.shift();
      if (tasks.length === 0) this.#waiting.delete(tenant);
      if (task === undefined) continue;
      this.#starts += 1;
      this.#lastServed.set(tenant, this.#starts);
      this.#running += 1;
      void task.run().finally(() => {
        this.#running -= 1;
        this.#pump();
      });
    }
  }
}
