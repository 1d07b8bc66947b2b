/** The X12 5010 layer: pure builders and parsers, no I/O and no clock. */
export * from './errors';
export { Segment, Delimiters, tokenize, readDelimiters } from './syntax';
export { amountToCents, centsToAmount } from './values';
export { EnvelopeOptions, Interchange, FunctionalGroup, Transaction, ReadOptions, parseInterchange } from './envelope';
export { buildInterchange } from './writer';
export * from './professional-claim';
export { build837P } from './build-837p';
export { parse837P, Parsed837P } from './parse-837p';
export * from './eligibility';
export * from './claim-status';
export * from './acknowledgment';
export * from './remittance';
export { build835 } from './remittance-build';
export * from './detect';
export * from './read';
export { check270Structure } from './structure';
