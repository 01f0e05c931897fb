/** What a {@link ConnSet} keeps: anything with a slot for its own index in the set. */
export interface Indexed {
  /** Where it sits in its set's array; -1 when not in it. Owned by the set. */
  setIndex: number;
}

/**
 * The pool's busy connections: add, delete and size in a few field writes (swap-remove in an
 * array, each member holding its own index), where a `Set` hashes the object twice per
 * request on the pool's hot path (issue 16). One member belongs to at most one ConnSet.
 */
export class ConnSet<T extends Indexed> {
  private readonly items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  add(item: T): void {
    if (item.setIndex >= 0) return;
    item.setIndex = this.items.length;
    this.items.push(item);
  }

  delete(item: T): void {
    const at = item.setIndex;
    if (at < 0) return;
    item.setIndex = -1;
    const last = this.items.pop()!;
    if (last !== item) {
      this.items[at] = last;
      last.setIndex = at;
    }
  }

  /** The members now, as a copy (safe to delete while walking it). */
  toArray(): T[] {
    return this.items.slice();
  }
}
