/**
 * Numeric record ids kept in ascending order, so list pages are a binary search plus a slice
 * instead of a scan: the list endpoint must stay fast with 200,000 records.
 */
export class SortedIds {
  private ids: number[] = [];

  get size(): number {
    return this.ids.length;
  }

  /** Creation hands out increasing ids, so the common case is an O(1) append. */
  insert(id: number): void {
    const last = this.ids[this.ids.length - 1];
    if (last === undefined || id > last) {
      this.ids.push(id);
      return;
    }
    const index = this.lowerBound(id);
    if (this.ids[index] !== id) this.ids.splice(index, 0, id);
  }

  remove(id: number): boolean {
    const index = this.lowerBound(id);
    if (this.ids[index] !== id) return false;
    this.ids.splice(index, 1);
    return true;
  }

  /** Up to `limit` ids that are >= `from`, plus the id that would start the next page. */
  page(from: number, limit: number): { ids: number[]; nextId: number | undefined } {
    const start = this.lowerBound(from);
    const ids = this.ids.slice(start, start + limit);
    return { ids, nextId: this.ids[start + limit] };
  }

  all(): readonly number[] {
    return this.ids;
  }

  clear(): void {
    this.ids = [];
  }

  private lowerBound(id: number): number {
    let lo = 0;
    let hi = this.ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.ids[mid] as number) < id) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
