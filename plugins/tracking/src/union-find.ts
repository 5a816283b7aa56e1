/** Disjoint sets over the integers `0..size-1` (union–find with path halving), for connected components. */
export class UnionFind {
  private readonly parent: Int32Array;

  constructor(size: number) {
    this.parent = new Int32Array(size);
    for (let k = 0; k < size; k++) this.parent[k] = k;
  }

  /** The representative of `x`'s set. */
  find(x: number): number {
    const parent = this.parent;
    while (parent[x] !== x) {
      const p = parent[x]!;
      parent[x] = parent[p]!;
      x = p;
    }
    return x;
  }

  /** Joins the sets of `a` and `b`; the smaller representative stays (a set's representative is its smallest member). */
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra < rb) this.parent[rb] = ra;
    else if (rb < ra) this.parent[ra] = rb;
  }
}
