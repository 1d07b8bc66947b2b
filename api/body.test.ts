import { ApiError } from './errors';
import { checkJsonShape, parseJsonBody } from './body';

const limits = { maxDepth: 4, maxMembers: 3 };
const refusal = (body: string) => {
  try {
    parseJsonBody(Buffer.from(body), limits);
  } catch (err) {
    if (err instanceof ApiError) return { status: err.status, code: err.code, message: err.message, issues: err.issues };
    throw err;
  }
  return undefined;
};

test.each([
  ['{"a":[[{"b":1}]]}', { a: [[{ b: 1 }]] }],
  ['[1,2,3]', [1, 2, 3]],
  ['  \n', {}],
  ['{"s":"[[[[[[[[ ,,,,,, {{{{"}', { s: '[[[[[[[[ ,,,,,, {{{{' }],
  ['{"s":"a \\" [[[[[[ \\\\"}', { s: 'a " [[[[[[ \\' }],
  ['{"naïve ✓":["é",2,{}]}', { 'naïve ✓': ['é', 2, {}] }],
])('%s is read (brackets and commas inside strings do not count)', (body, value) => {
  expect(parseJsonBody(Buffer.from(body), limits)).toEqual(value);
});

test('nesting one level deeper than the limit is a 400 naming the limit, found before JSON.parse runs', () => {
  expect(refusal('[[[[[]]]]]')).toEqual({
    status: 400,
    code: 'BODY_TOO_DEEP',
    message: 'the JSON body is nested deeper than 4 levels',
    issues: [{ path: '(body)', message: 'nested deeper than 4 levels (at byte 4)' }],
  });
  // The scan stops at the first bracket too many: the rest (here not even JSON) is never looked at.
  expect(refusal(`${'['.repeat(5)}${'x'.repeat(1000)}`)).toMatchObject({ code: 'BODY_TOO_DEEP' });
});

test('a container with more members than the limit is a 400; many small containers are not', () => {
  expect(refusal('{"a":1,"b":2,"c":3,"d":4}')).toMatchObject({ status: 400, code: 'BODY_TOO_WIDE', message: expect.stringContaining('more than 3 members') });
  expect(refusal('[1,2,3,4]')).toMatchObject({ code: 'BODY_TOO_WIDE' });
  expect(parseJsonBody(Buffer.from('[[1,2,3],[1,2,3],[1,2,3]]'), limits)).toHaveLength(3);
});

test.each(['{"visitId": ', '"just a string"', '42', 'null', '{"a":1}x'])('%j is a 400 MALFORMED_BODY (an object or array, valid JSON)', (body) => {
  expect(refusal(body)).toMatchObject({ status: 400, code: 'MALFORMED_BODY' });
});

test('a 4 MB body nested to the brim is refused after scanning only up to the limit', () => {
  const bomb = Buffer.from('['.repeat(4 * 1024 * 1024));
  expect(() => checkJsonShape(bomb, { maxDepth: 32, maxMembers: 10_000 })).toThrow(
    expect.objectContaining({ code: 'BODY_TOO_DEEP', issues: [{ path: '(body)', message: 'nested deeper than 32 levels (at byte 32)' }] }),
  );
});
