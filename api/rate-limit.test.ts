import { createRateLimiter } from './rate-limit';

test('a caller gets `burst` requests at once, then one more per 1/perMinute; callers do not share buckets', () => {
  let t = 0;
  const limiter = createRateLimiter({ perMinute: 60, burst: 3 }, () => t);
  expect([1, 2, 3, 4].map(() => limiter.take('key:a'))).toEqual([true, true, true, false]);
  expect(limiter.retryAfterSeconds('key:a')).toBe(1);
  expect(limiter.take('key:b')).toBe(true);
  t += 999;
  expect(limiter.take('key:a')).toBe(false);
  t += 1;
  expect(limiter.take('key:a')).toBe(true);
  t += 60_000;
  expect([1, 2, 3, 4].map(() => limiter.take('key:a'))).toEqual([true, true, true, false]); // refilled to burst, no more
});

test('Retry-After rounds up to whole seconds', () => {
  const limiter = createRateLimiter({ perMinute: 6, burst: 1 }, () => 0);
  limiter.take('k');
  expect(limiter.retryAfterSeconds('k')).toBe(10);
});
