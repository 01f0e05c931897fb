/** One RSS reading of a process. */
export interface RssSample {
  t_s: number;
  rss_mb: number;
}

/** The VmRSS line of /proc/<pid>/status in MB, or NaN when the process is gone. */
export function parseVmRssMb(status: string): number {
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return match ? Number(match[1]) / 1024 : NaN;
}

/** Samples a process's RSS from outside every `intervalMs` until stopped (Linux /proc). */
export function sampleRss(pid: number, intervalMs = 1000): { stop(): RssSample[] } {
  const samples: RssSample[] = [];
  const t0 = performance.now();
  const read = async () => {
    try {
      const rss_mb = parseVmRssMb(await Bun.file(`/proc/${pid}/status`).text());
      if (Number.isFinite(rss_mb)) samples.push({ t_s: (performance.now() - t0) / 1000, rss_mb });
    } catch {
      // The process has ended between two samples.
    }
  };
  const timer = setInterval(read, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      return samples;
    },
  };
}

/** Least-squares slope of RSS over time, in MB per minute. */
export function rssSlopeMbPerMin(samples: readonly RssSample[]): number {
  const n = samples.length;
  if (n < 2) return NaN;
  const mt = samples.reduce((s, x) => s + x.t_s, 0) / n;
  const mr = samples.reduce((s, x) => s + x.rss_mb, 0) / n;
  let num = 0;
  let den = 0;
  for (const x of samples) {
    num += (x.t_s - mt) * (x.rss_mb - mr);
    den += (x.t_s - mt) ** 2;
  }
  return den === 0 ? NaN : (num / den) * 60;
}
