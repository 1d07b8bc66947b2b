/** A one-line progress bar on stderr for long jobs (demo seeding, benchmark seeding). */
export function progressBar(label: string, total: number) {
  const started = Date.now();
  let last = 0;
  const draw = (done: number, force = false) => {
    const now = Date.now();
    if (!force && now - last < 100) return;
    last = now;
    const share = total ? Math.min(1, done / total) : 1;
    const width = 30;
    const bar = '#'.repeat(Math.round(share * width)).padEnd(width, '.');
    const secs = ((now - started) / 1000).toFixed(1);
    process.stderr.write(`\r${label} [${bar}] ${done}/${total} ${(share * 100).toFixed(0)}% ${secs}s`);
  };
  return {
    tick: (done: number) => draw(done),
    done: () => {
      draw(total, true);
      process.stderr.write('\n');
    },
  };
}
