/**
 * When a newly written outbox message (a lead or a confirmation) becomes due for the reconciler,
 * and how long a send may take (what erasure waits for).
 * Apart from `delivery.ts` because the functions that only write messages (referrals) must not
 * import what delivers them: `delivery.ts` imports the email rendering and with it Handlebars,
 * which would then be bundled and initialised at every HTTP function's cold start.
 */

/**
 * How long a newly written message is left to the stream before the reconciler treats it as
 * due: the stream normally delivers in under a second, so this only matters when it did not.
 */
export const STREAM_GRACE_SECONDS = 60;

/**
 * How long one SES send may take before it is aborted. A send is never started after its claim is
 * this old, so erasure, which waits this long (plus a margin for clock skew) for a claim in
 * flight, knows that after the wait no email about the patient can still leave.
 */
export const SEND_TIMEOUT_MS = 8_000;
/** What erasure waits for a claimed send in flight before it erases anyway (see above). */
export const ERASURE_WAITS_FOR_SEND_MS = SEND_TIMEOUT_MS + 2_000;
