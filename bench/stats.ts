// A figure over several runs: the median, and the min and max that show how noisy the machine was.
export interface Spread {
  median: number;
  min: number;
  max: number;
  runs: number;
}

export function spread(xs: number[], digits = 0): Spread {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length % 2 ? sorted[(sorted.length - 1) / 2]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
  const round = (v: number) => Number(v.toFixed(digits));
  return { median: round(mid), min: round(sorted[0]!), max: round(sorted.at(-1)!), runs: xs.length };
}

/** "2.1 s (1.9–2.4)", or just the value when every run gave the same. */
export function formatSpread(s: Spread, unit = ""): string {
  return s.min === s.max ? `${s.median}${unit}` : `${s.median}${unit} (${s.min}–${s.max})`;
}
