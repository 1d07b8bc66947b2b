import { reachable } from './postgres';

/** A fake file system: folder → mode and owner, as `stat` would report them. */
function fs(entries: Record<string, [mode: number, uid: number, gid: number]>) {
  return (p: string) => {
    const e = entries[p];
    if (!e) throw Object.assign(new Error(`ENOENT ${p}`), { code: 'ENOENT' });
    return { mode: e[0], uid: e[1], gid: e[2] };
  };
}

const postgres = { uid: 101, gid: 102 };

describe('reachable: can the postgres user get to a path', () => {
  it.each([
    ['a clone in a world-searchable folder', { '/': [0o755, 0, 0], '/work': [0o755, 0, 0], '/work/p': [0o755, 0, 0] }, '/work/p', true],
    ["a clone in root's home (0700)", { '/': [0o755, 0, 0], '/root': [0o700, 0, 0], '/root/p': [0o755, 0, 0] }, '/root/p', false],
    [
      'a mktemp -d folder (0700) below /tmp',
      { '/': [0o755, 0, 0], '/tmp': [0o1777, 0, 0], '/tmp/x': [0o700, 0, 0], '/tmp/x/p': [0o755, 0, 0] },
      '/tmp/x/p',
      false,
    ],
    ['a folder the postgres user owns', { '/': [0o755, 0, 0], '/srv': [0o700, 101, 102] }, '/srv', true],
    ['a folder its group may search', { '/': [0o755, 0, 0], '/srv': [0o710, 0, 102] }, '/srv', true],
    ['owner bits apply to the owner even when other may search', { '/': [0o755, 0, 0], '/srv': [0o607, 101, 0] }, '/srv', false],
    ['a folder not made yet below a reachable one', { '/': [0o755, 0, 0], '/work': [0o755, 0, 0] }, '/work/new/pg', true],
    ['a folder not made yet below a private one', { '/': [0o755, 0, 0], '/root': [0o700, 0, 0] }, '/root/new/pg', false],
  ] as const)('%s', (_name, entries, path, expected) => {
    expect(reachable(path, postgres, fs(entries as unknown as Record<string, [number, number, number]>))).toBe(expected);
  });
});
