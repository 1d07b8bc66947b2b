/** Fixed secrets for tests: a codec key ring and webhook secrets, as the environment would give them. */
import { signedHeaders } from '../domain/webhook-signature';

/** Two keys: `test-2` is current, `test-1` is the rotated one that still opens old payloads. */
export const TEST_KEYS_SPEC = `test-2:${Buffer.alloc(32, 2).toString('base64')},test-1:${Buffer.alloc(32, 1).toString('base64')}`;

export const TEST_SECRET_ENV = {
  TEMPORAL_CODEC_KEYS: TEST_KEYS_SPEC,
  WEBHOOK_EHR_SECRET: 'test-ehr-secret-0123456789abcdef0123456789',
  WEBHOOK_CLEARINGHOUSE_SECRET: 'test-clearinghouse-secret-0123456789abcdef',
} as const;

export const TEST_WEBHOOKS = {
  ehrSecret: TEST_SECRET_ENV.WEBHOOK_EHR_SECRET,
  clearinghouseSecret: TEST_SECRET_ENV.WEBHOOK_CLEARINGHOUSE_SECRET,
  toleranceSeconds: 300,
};

/** Body and signature headers for a webhook POST, the way the EHR or the clearinghouse sends it. */
export function signedBody(sender: 'ehr' | 'clearinghouse', body: string | object): { body: string; headers: Record<string, string> } {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const secret = sender === 'ehr' ? TEST_WEBHOOKS.ehrSecret : TEST_WEBHOOKS.clearinghouseSecret;
  return { body: text, headers: signedHeaders(secret, text) };
}
