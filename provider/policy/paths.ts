// Paths of values inside a policy ("acls[0].dst[1]", `groups["group:a"]`), written the same way by the
// scanner that records where each value starts (hujson.ts) and by the checks that report problems there.

/** `acls` + 0 → `acls[0]`; `acls[0]` + "src" → `acls[0].src`; `groups` + "group:a" → `groups["group:a"]`. */
export function at(base: string, key: string | number): string {
  if (typeof key === "number") return `${base}[${key}]`;
  if (/^[A-Za-z_$][\w$]*$/.test(key)) return base ? `${base}.${key}` : key;
  return `${base}[${JSON.stringify(key)}]`;
}

/** The path without its last step: `acls[0].dst[1]` → `acls[0].dst`; a section → "" (the whole policy). */
function parentOf(path: string): string | undefined {
  if (path === "") return undefined;
  const last = /(?:\.[A-Za-z_$][\w$]*|\[\d+\]|\["(?:[^"\\]|\\.)*"\])$/.exec(path);
  return last ? path.slice(0, last.index) : "";
}

export interface Position {
  /** 1-based, counted like editors and json5 do (only "\n" starts a line; columns in UTF-16 units). */
  line: number;
  column: number;
}

/**
 * Where each value of a policy text starts, by path. A member of an object is located at its name (where an
 * editor shows the member), an element of a list at its first character, the whole policy at its "{".
 */
export class PolicyPositions {
  private readonly offsets = new Map<string, number>();
  private byLowerCase: Map<string, number> | undefined;
  private lineStarts: number[] | undefined;

  constructor(private readonly text: string) {}

  /** Keeps the first offset seen for a path (a member's name comes before its value). */
  record(path: string, offset: number): void {
    if (!this.offsets.has(path)) this.offsets.set(path, offset);
  }

  /**
   * The position of the value at `path`, or of the nearest enclosing value the text has (a missing
   * member is reported where its entry starts). Names match case-insensitively as a fallback, since
   * Headscale reads "SRC" as "src" and the checks report the canonical name.
   */
  locate(path: string): Position | undefined {
    for (let p: string | undefined = path; p !== undefined; p = parentOf(p)) {
      const offset = this.offsets.get(p) ?? this.lowerCase().get(p.toLowerCase());
      if (offset !== undefined) return this.lineColumn(offset);
    }
    return undefined;
  }

  private lowerCase(): Map<string, number> {
    if (!this.byLowerCase) {
      this.byLowerCase = new Map();
      for (const [p, o] of this.offsets) if (!this.byLowerCase.has(p.toLowerCase())) this.byLowerCase.set(p.toLowerCase(), o);
    }
    return this.byLowerCase;
  }

  private lineColumn(offset: number): Position {
    if (!this.lineStarts) {
      this.lineStarts = [0];
      for (let i = this.text.indexOf("\n"); i !== -1; i = this.text.indexOf("\n", i + 1)) this.lineStarts.push(i + 1);
    }
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.lineStarts[lo]! + 1 };
  }
}
