import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { SimulatorStateError, StateFile } from './persist';

const Counter = z.object({ next: z.number().int() });

describe('StateFile', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'sim-state-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('has nothing to load before the first save, then loads what was saved, leaving no temp file behind', () => {
    const file = new StateFile(join(dir, 'sims', 'counter.json'), Counter);
    expect(file.load()).toBeUndefined();
    file.save({ next: 1 });
    file.save({ next: 2 });
    expect(new StateFile(file.path, Counter).load()).toEqual({ next: 2 });
    expect(readdirSync(join(dir, 'sims'))).toEqual(['counter.json']);
  });

  it.each([
    ['not JSON', '{"next": ', /is unusable \(not JSON: /],
    ['another shape', '{"next": "one"}', /is unusable \(not a state this simulator wrote: .*next/s],
  ])('refuses a file that is %s, naming the file', (_what, text, reason) => {
    const path = join(dir, 'counter.json');
    writeFileSync(path, text);
    const load = () => new StateFile(path, Counter).load();
    expect(load).toThrow(SimulatorStateError);
    expect(load).toThrow(path);
    expect(load).toThrow(reason);
  });
});
