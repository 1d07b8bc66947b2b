import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { openPersisted, SimulatorStateError, StateFile } from './persist';

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

  it('writes the state (names, birth dates) readable by its owner only: 0600 under any umask, its folder 0700, an older 0644 file closed', () => {
    const before = process.umask(0o022);
    try {
      const file = new StateFile(join(dir, 'sims', 'ehr.json'), Counter);
      file.save({ next: 1 });
      expect(statSync(file.path).mode & 0o777).toBe(0o600);
      expect(statSync(join(dir, 'sims')).mode & 0o777).toBe(0o700);
      chmodSync(file.path, 0o644); // as an older version left it
      writeFileSync(`${file.path}.${process.pid}.tmp`, 'left by a crash', { mode: 0o644 });
      file.save({ next: 2 });
      expect(statSync(file.path).mode & 0o777).toBe(0o600);
      expect(file.load()).toEqual({ next: 2 });
    } finally {
      process.umask(before);
    }
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

describe('openPersisted', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'sim-state-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  class Tally {
    next = 0;
    constructor(private readonly changed: () => void) {}
    bump() {
      this.next++;
      this.changed();
    }
    snapshot() {
      return { next: this.next };
    }
    restore(s: { next: number }) {
      this.next = s.next;
    }
  }

  it('gathers a burst of changes into one save, and flush() writes what is pending at once', () => {
    const path = join(dir, 'tally.json');
    const saves = jest.spyOn(StateFile.prototype, 'save');
    try {
      const { state, flush } = openPersisted(path, Counter, (changed) => new Tally(changed));
      for (let i = 0; i < 50; i++) state.bump();
      expect(saves).not.toHaveBeenCalled();
      flush();
      expect(saves).toHaveBeenCalledTimes(1);
      flush(); // nothing pending: no second write
      expect(saves).toHaveBeenCalledTimes(1);
      expect(new StateFile(path, Counter).load()).toEqual({ next: 50 });
      expect(openPersisted(path, Counter, (changed) => new Tally(changed)).state.next).toBe(50);
    } finally {
      saves.mockRestore();
    }
  });
});
