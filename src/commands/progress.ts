import cliProgress from 'cli-progress';

/**
 * Progress for long CLI work: a live bar with counts and rates on a terminal, and a plain line
 * every few seconds otherwise (CI logs, pipes), so both humans and log readers see it move.
 */
export interface Progress {
  update(done: number, detail: Record<string, string | number>): void;
  stop(): void;
}

export function createProgress(label: string, print: (line: string) => void, intervalMs = 5000): Progress {
  const started = Date.now();
  if (process.stdout.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: `${label} {spinner} {value} records | {rate}/s | {detail}`, hideCursor: true, clearOnComplete: false },
      cliProgress.Presets.shades_classic,
    );
    bar.start(0, 0, { rate: 0, detail: '', spinner: '' });
    return {
      update(done, detail) {
        const rate = Math.round(done / Math.max((Date.now() - started) / 1000, 0.001));
        bar.setTotal(Math.max(done, 1));
        bar.update(done, { rate, detail: Object.entries(detail).map(([k, v]) => `${k} ${v}`).join(' | ') });
      },
      stop: () => bar.stop(),
    };
  }
  let last = 0;
  return {
    update(done, detail) {
      if (Date.now() - last < intervalMs) return;
      last = Date.now();
      const rate = Math.round(done / Math.max((Date.now() - started) / 1000, 0.001));
      print(`${label}: ${done} records, ${rate}/s, ${Object.entries(detail).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    },
    stop() {},
  };
}
