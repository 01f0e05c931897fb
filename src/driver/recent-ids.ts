/**
 * The newest `limit` ids added, oldest forgotten first: a bounded memory of test ids (ones
 * this driver forgot the configuration of, or was left out of) that costs nothing to keep.
 */
export class RecentIds {
  private readonly ids = new Set<string>();

  constructor(private readonly limit: number) {}

  /** Remembers `id` as the newest. */
  add(id: string): void {
    this.ids.delete(id);
    this.ids.add(id);
    if (this.ids.size > this.limit) this.ids.delete(this.ids.values().next().value!);
  }

  /** Forgets `id`. */
  delete(id: string): void {
    this.ids.delete(id);
  }

  /** Whether `id` is remembered. */
  has(id: string): boolean {
    return this.ids.has(id);
  }
}
