/**
 * The visit's waits that have a default: config/ (the *_DAYS settings) and the workflow (for
 * visits started before a timer existed in their input) read the same values from here, so
 * the two cannot drift. Pure and free of zod: workflow code imports it.
 */
export const DAY_MS = 86_400_000;

export const TIMER_DEFAULTS = {
  /** An appeal that cannot go out escalates this long before its deadline. */
  appealEscalateBeforeMs: 14 * DAY_MS,
  /** A visit with no claim accepted escalates this long before the payer's timely-filing deadline. */
  timelyFilingEscalateBeforeMs: 30 * DAY_MS,
  /** 276 inquiries for a claim with no 835 before a person is asked. */
  claimStatusInquiries: 3,
  /** After the last statement, how long an unpaid patient balance waits before collections. */
  patientCollectionsAfterMs: 30 * DAY_MS,
} as const;
