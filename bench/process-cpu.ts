/**
 * CPU time of a process tree, read from /proc: how a benchmark's cost splits between the
 * server, PostgreSQL and the load generator, all sharing one machine's cores. Linux only;
 * elsewhere the reading is undefined and the benchmark prints no split.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

const HAS_PROC = existsSync('/proc/self/stat');
const TICKS_PER_SECOND = HAS_PROC ? Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100 : 100;

interface ProcStat {
  ppid: number;
  cpuMs: number;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    // The command name (field 2) may hold spaces; everything after its closing paren is fixed.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // utime + stime, plus cutime + cstime: the time of children that exited and were reaped
    // (PostgreSQL backends and autovacuum workers come and go under the postmaster).
    const ticks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    return { ppid: Number(fields[1]), cpuMs: (ticks * 1000) / TICKS_PER_SECOND };
  } catch {
    return undefined; // exited between listing and reading
  }
}

/** User + system CPU milliseconds of `rootPid` and all its descendants, live or reaped. */
export function processTreeCpuMs(rootPid: number): number | undefined {
  if (!HAS_PROC) return undefined;
  const stats = new Map<number, ProcStat>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat) stats.set(Number(entry), stat);
  }
  const inTree = new Set([rootPid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, stat] of stats) {
      if (!inTree.has(pid) && inTree.has(stat.ppid)) {
        inTree.add(pid);
        grew = true;
      }
    }
  }
  let total = 0;
  for (const pid of inTree) total += stats.get(pid)?.cpuMs ?? 0;
  return total;
}
