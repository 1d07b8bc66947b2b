/**
 * The failure converter of every revcycle worker, client and workflow bundle. Temporal
 * stores a failure's message and stack trace in clear by default; with
 * `encodeCommonAttributes` both move into a payload (`encodedAttributes`), which the payload
 * codec seals like any other, and the history shows only "Encoded failure". Loaded by path
 * (failureConverterPath) because the workflow sandbox bundles it.
 */
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
