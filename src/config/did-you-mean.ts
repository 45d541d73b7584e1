/** Edit distance (insertions, deletions, substitutions) between two strings, case-insensitive. */
export function levenshtein(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  if (s === t) return 0;
  let previous = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const current = [i];
    for (let j = 1; j <= t.length; j++) {
      const substitution = previous[j - 1]! + (s[i - 1] === t[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution);
    }
    previous = current;
  }
  return previous[t.length]!;
}

/**
 * The closest candidate to a misspelt word, or undefined when nothing is close enough to be a
 * plausible typo: at most a third of the word's length in edits (2 always allowed), or an
 * abbreviation sharing all but its last two characters with the candidate (`openSecs`).
 */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.max(2, Math.floor(word.length / 3));
  const list = [...candidates];
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of list) {
    const distance = levenshtein(word, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (bestDistance <= limit) return best;
  const needed = Math.max(4, word.length - 2);
  return list.find((candidate) => sharedPrefixLength(word, candidate) >= needed);
}

function sharedPrefixLength(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  let i = 0;
  while (i < s.length && i < t.length && s[i] === t[i]) i++;
  return i;
}

/** `did you mean "x"?` or, when no candidate is close, the list of what is allowed. */
export function unknownNameHint(word: string, candidates: readonly string[]): string {
  const suggestion = didYouMean(word, candidates);
  return suggestion !== undefined
    ? `did you mean "${suggestion}"?`
    : `allowed: ${candidates.map((c) => `"${c}"`).join(', ')}`;
}
