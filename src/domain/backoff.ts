/** Exponential backoff for retryable API failures: initial × 2^(attempt−1), capped. */
export function backoffMs(
  attempt: number,
  policy: { api_retry_initial_ms: number; api_retry_max_ms: number },
): number {
  return Math.min(policy.api_retry_initial_ms * 2 ** Math.max(0, attempt - 1), policy.api_retry_max_ms);
}
