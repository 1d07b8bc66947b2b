/** A progress bar on stderr for long loads: redrawn in place on a terminal, a line per quarter otherwise. */
export function progressBar(
  label: string,
  stream: NodeJS.WriteStream = process.stderr,
): { update(done: number, total: number): void; done(note?: string): void } {
  const width = 30;
  let lastQuarter = -1;
  let lastDraw = 0;
  const draw = (done: number, total: number) => {
    const share = total > 0 ? Math.min(1, done / total) : 1;
    const filled = Math.round(share * width);
    return `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.floor(share * 100)).padStart(3)}%`;
  };
  return {
    update(done, total) {
      if (stream.isTTY) {
        const now = Date.now();
        if (now - lastDraw < 50 && done < total) return;
        lastDraw = now;
        stream.write(`\r${draw(done, total)}`);
        return;
      }
      const quarter = total > 0 ? Math.floor((done / total) * 4) : 4;
      if (quarter > lastQuarter) {
        lastQuarter = quarter;
        stream.write(`${draw(done, total)}\n`);
      }
    },
    done(note = '') {
      stream.write(stream.isTTY ? `\r${draw(1, 1)} ${note}\n` : `${label} done ${note}\n`);
    },
  };
}
