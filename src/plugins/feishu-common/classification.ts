import { ProviderErrorCode } from '../../core/contract/index.js';
import { permanent, temporary, type Classification } from '../http-kit/verdict.js';

/** A Feishu body `code` that means different things depending on `msg` (9499, 11246). */
export interface MessageRule {
  readonly code: number;
  readonly pattern: RegExp;
  readonly classification: Classification;
}

/** Feishu code → verdict, plus the `msg`-dependent overrides checked first. */
export interface CodeTable {
  readonly codes: ReadonlyMap<number, Classification>;
  readonly rules: readonly MessageRule[];
}

const C = ProviderErrorCode;

/** Codes both Feishu APIs share (docs/feishu-notes.md §3.4 generic table and §6). */
export const COMMON_CODES: ReadonlyArray<readonly [readonly number[], Classification]> = [
  // Internal errors; 2200 is tied to high call rates but still a server-side failure.
  [[1500, 2200, 5000, 10101, 55001], temporary(C.serverError)],
  [[99991400, 11232, 11233, 11247], temporary(C.rateLimited)],
  // Monthly quota of the Basic plan: no point retrying before the 1st of next month.
  [[99991403], permanent(C.quotaExceeded)],
  [[9499], permanent(C.payloadInvalid)],
  [[11246], permanent(C.payloadInvalid)],
  [[99991201], permanent(C.invalidUrl)],
];

/** Codes whose meaning depends on `msg` (docs/feishu-notes.md §2.5 9499, §3.4 11246). */
export const COMMON_RULES: readonly MessageRule[] = [
  // Feishu reuses 9499 "Bad Request" for webhook throttling, with msg "too many request".
  { code: 9499, pattern: /too many request/i, classification: temporary(C.rateLimited) },
  { code: 11246, pattern: /service internal error/i, classification: temporary(C.serverError) },
];

/** Builds a table from grouped entries; later groups override earlier ones. */
export function buildCodeTable(
  groups: ReadonlyArray<ReadonlyArray<readonly [readonly number[], Classification]>>,
  rules: readonly MessageRule[],
): CodeTable {
  const codes = new Map<number, Classification>();
  for (const group of groups) {
    for (const [list, classification] of group) for (const code of list) codes.set(code, classification);
  }
  return { codes, rules };
}

/** The verdict for a non-zero Feishu code, or undefined when the table does not know it. */
export function lookupCode(table: CodeTable, code: number, msg: string): Classification | undefined {
  const rule = table.rules.find((candidate) => candidate.code === code && candidate.pattern.test(msg));
  return rule?.classification ?? table.codes.get(code);
}
