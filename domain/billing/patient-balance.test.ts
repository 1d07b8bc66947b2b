import { balanceSchedule, decidePayment, describeBalance, openCents, paymentProblem, type PatientLedger } from './patient-balance';

const DAY = 86_400_000;
const ledger = (over: Partial<PatientLedger> = {}): PatientLedger => ({
  openingCents: 15600,
  openedAt: '2026-12-01T00:00:00.000Z',
  payments: [],
  statements: [],
  writtenOffCents: 0,
  ...over,
});
const card = (amountCents: number, reference = 'R1') => ({ amountCents, method: 'card' as const, reference });

test.each([
  { name: 'a payment within the balance is taken', l: ledger(), p: card(5000), kind: 'apply' },
  { name: 'the whole balance is taken', l: ledger(), p: card(15600), kind: 'apply' },
  {
    name: 'more than the balance is refused, naming the balance',
    l: ledger(),
    p: card(15601),
    kind: 'refused',
    path: 'amountCents',
    message: /\$156\.01 is more than the patient balance of \$156\.00/,
  },
  {
    name: 'what payments under way hold is not open',
    l: ledger(),
    p: card(10000),
    pending: 6000,
    kind: 'refused',
    path: 'amountCents',
    message: /balance of \$96\.00/,
  },
  {
    name: 'the same reference, amount and method again is the same payment',
    l: ledger({ payments: [{ ...card(5000), receivedAt: 't' }] }),
    p: card(5000),
    kind: 'duplicate',
  },
  {
    name: 'the same reference with another amount is refused',
    l: ledger({ payments: [{ ...card(5000), receivedAt: 't' }] }),
    p: card(6000),
    kind: 'refused',
    path: 'reference',
    message: /reference R1 was already used for a card payment of \$50\.00/,
  },
  {
    name: 'a paid balance takes nothing more',
    l: ledger({ payments: [{ ...card(15600), receivedAt: 't' }] }),
    p: card(1, 'R2'),
    kind: 'refused',
    path: 'amountCents',
    message: /paid/,
  },
  {
    name: 'a balance sent to collections takes nothing',
    l: ledger({ resolution: 'collections' }),
    p: card(100),
    kind: 'refused',
    path: 'amountCents',
    message: /closed \(collections\)/,
  },
  {
    name: 'a duplicate is still recognised once the balance closed',
    l: ledger({ payments: [{ ...card(15600), receivedAt: 't' }], resolution: 'paid' }),
    p: card(15600),
    kind: 'duplicate',
  },
])('$name', ({ l, p, pending, kind, path, message }) => {
  const d = decidePayment(l, p, pending);
  expect(d.kind).toBe(kind);
  if (d.kind === 'refused') {
    expect(d.path).toBe(path);
    expect(d.message).toMatch(message!);
  }
});

test.each([
  [{ amountCents: 500, method: 'cash', reference: 'RCPT-1' }, undefined],
  [{ amountCents: 0, method: 'cash', reference: 'R' }, 'amountCents'],
  [{ amountCents: 12.5, method: 'cash', reference: 'R' }, 'amountCents'],
  [{ amountCents: '500', method: 'cash', reference: 'R' }, 'amountCents'],
  [{ amountCents: 500, method: 'bitcoin', reference: 'R' }, 'method'],
  [{ amountCents: 500, method: 'card' }, 'reference'],
  [{ amountCents: 500, method: 'card', reference: 'has space' }, 'reference'],
  [null, '(body)'],
])('payment shape %j: problem at %s', (p, path) => {
  expect(paymentProblem(p)?.path).toBe(path);
});

test('statements fall due at their offsets from the opening, and collections after the last', () => {
  const opened = Date.parse('2026-12-01T00:00:00Z');
  const s = balanceSchedule(opened, [60 * DAY, 0, 30 * DAY, 90 * DAY], 30 * DAY);
  expect(s.statementsDue.map((t) => new Date(t).toISOString().slice(0, 10))).toEqual(['2026-12-01', '2026-12-31', '2027-01-30', '2027-03-01']);
  expect(new Date(s.collectionsDue).toISOString().slice(0, 10)).toBe('2027-03-31');
});

test('the balance in words: what is open, which statement went out, what comes next; and how it ended', () => {
  const due = balanceSchedule(Date.parse('2026-12-01T00:00:00Z'), [0, 30 * DAY, 60 * DAY, 90 * DAY], 30 * DAY);
  const open = ledger({ payments: [{ ...card(5600), receivedAt: 't' }], statements: [{ sequence: 1, amountDueCents: 15600, sentOn: '2026-12-01' }] });
  expect(openCents(open)).toBe(10000);
  expect(describeBalance(open, due)).toMatch(
    /^Waiting for the patient's payment: \$100\.00 open of \$156\.00 \(paid \$56\.00\); statement 1 of 4 sent 2026-12-01; next statement 2026-12-31\. /,
  );
  const last = { ...open, statements: [1, 2, 3, 4].map((sequence) => ({ sequence, amountDueCents: 10000, sentOn: '2027-03-01' })) };
  expect(describeBalance(last, due)).toMatch(/statement 4 of 4 sent 2027-03-01; to collections on 2027-03-31 unless paid/);
  expect(describeBalance({ ...last, resolution: 'collections', collectionsCents: 10000 }, due)).toBe(
    'Patient balance: $100.00 sent to collections after 4 statements (paid $56.00).',
  );
  expect(describeBalance({ ...open, writtenOffCents: 10000, resolution: 'written_off', reason: 'hardship' }, due)).toBe(
    'Patient balance: $100.00 written off (paid $56.00): hardship.',
  );
});
