/**
 * When a newly written outbox message (a lead or a confirmation) becomes due for the reconciler.
 * Apart from `delivery.ts` because the functions that only write messages (referrals) must not
 * import what delivers them: `delivery.ts` imports the email rendering and with it Handlebars,
 * which would then be bundled and initialised at every HTTP function's cold start.
 */

/**
 * How long a newly written message is left to the stream before the reconciler treats it as
 * due: the stream normally delivers in under a second, so this only matters when it did not.
 */
export const STREAM_GRACE_SECONDS = 60;
