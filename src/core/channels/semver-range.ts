/*
 * The subset of npm semver ranges a plugin's `contractVersion` uses: `^1.2.0`, `~1.2.0`,
 * comparators (`>=1.0.0 <2.0.0`), x-ranges (`1.x`, `1`, `*`), exact versions, and `||` between
 * alternatives. Pre-release tags are not supported (the contract has none).
 */

type Version = readonly [number, number, number];

/** Thrown for a range or version this parser does not understand. */
export class SemverRangeError extends Error {
  override readonly name = 'SemverRangeError';
}

function parsePartial(text: string): { version: Version; given: number } {
  const match = /^v?(\d+|[xX*])(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?$/.exec(text);
  if (!match) throw new SemverRangeError(`not a version: "${text}"`);
  const parts = match.slice(1).filter((part): part is string => part !== undefined);
  const given = parts.findIndex((part) => !/^\d+$/.test(part));
  const numbers = parts.map((part) => (/^\d+$/.test(part) ? Number(part) : 0));
  return {
    version: [numbers[0] ?? 0, numbers[1] ?? 0, numbers[2] ?? 0],
    given: given === -1 ? parts.length : given,
  };
}

function compare(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** The version just above every version matching the first `given` parts of `v`. */
function bumpAt(v: Version, given: number): Version {
  if (given <= 0) return [Infinity, 0, 0];
  if (given === 1) return [v[0] + 1, 0, 0];
  if (given === 2) return [v[0], v[1] + 1, 0];
  return [v[0], v[1], v[2] + 1];
}

function satisfiesComparator(version: Version, comparator: string): boolean {
  const match = /^(\^|~|>=|<=|>|<|=)?\s*(.+)$/.exec(comparator);
  if (!match) throw new SemverRangeError(`not a comparator: "${comparator}"`);
  const operator = match[1] ?? '';
  const { version: bound, given } = parsePartial(match[2] ?? '');
  const c = compare(version, bound);
  switch (operator) {
    case '>=':
      return c >= 0;
    case '>':
      return compare(version, bumpAt(bound, given)) >= 0;
    case '<=':
      return compare(version, bumpAt(bound, given)) < 0;
    case '<':
      return c < 0;
    case '~':
      return c >= 0 && compare(version, bumpAt(bound, Math.min(given, 2))) < 0;
    case '^': {
      // The left-most non-zero part may not change (^0.2.3 allows 0.2.x, ^0.0.3 only 0.0.3).
      const fixed = bound[0] !== 0 || given <= 1 ? 1 : bound[1] !== 0 || given <= 2 ? 2 : 3;
      return c >= 0 && compare(version, bumpAt(bound, Math.min(fixed, given))) < 0;
    }
    default:
      return c >= 0 && compare(version, bumpAt(bound, given)) < 0;
  }
}

/** True when `version` (x.y.z) lies in `range`; throws SemverRangeError for an unreadable range. */
export function satisfiesRange(version: string, range: string): boolean {
  const { version: parsed, given } = parsePartial(version);
  if (given !== 3) throw new SemverRangeError(`not a full version: "${version}"`);
  const alternatives = range.split('||').map((alternative) => alternative.trim());
  if (alternatives.some((alternative) => alternative === '')) {
    throw new SemverRangeError(`empty alternative in "${range}"`);
  }
  return alternatives.some((alternative) =>
    alternative
      .replace(/(\^|~|>=|<=|>|<|=)\s+/g, '$1')
      .split(/\s+/)
      .every((comparator) => satisfiesComparator(parsed, comparator)),
  );
}
