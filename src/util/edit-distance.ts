// How far apart two short strings are (Levenshtein: insertions, deletions, substitutions), for
// "did you mean" suggestions. Pure; two rows of memory.

export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** Up to `count` of `candidates` nearest to `wanted`: those it begins first, then by distance. */
export function nearest(wanted: string, candidates: Iterable<string>, count: number): string[] {
  const ranked = [...new Set(candidates)].map((candidate) => ({
    candidate,
    prefix: candidate.startsWith(wanted) ? 0 : 1,
    distance: editDistance(wanted, candidate),
  }));
  ranked.sort((x, y) => x.prefix - y.prefix || x.distance - y.distance || y.candidate.localeCompare(x.candidate));
  return ranked.slice(0, count).map((r) => r.candidate);
}
