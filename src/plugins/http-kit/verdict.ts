/**
 * A failure verdict: retry-worthy or not, and the stable gateway error code
 * (`ProviderErrorCode` of the contract, or the plugin's own snake_case code).
 */
export interface Classification {
  readonly outcome: 'temporary_fail' | 'permanent_fail';
  readonly errorCode: string;
}

/** A retryable verdict. */
export const temporary = (errorCode: string): Classification => ({ outcome: 'temporary_fail', errorCode });
/** A final verdict. */
export const permanent = (errorCode: string): Classification => ({ outcome: 'permanent_fail', errorCode });
