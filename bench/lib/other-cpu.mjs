// How much CPU the machine spent on processes other than the bench's own during a run, read from
// Linux's /proc. The load average cannot tell the two apart: a bench whose client and server
// processes keep both cores busy reads a load near the core count with nothing else running.
//
// The bench's own CPU is the CPU of its process tree, counted by the kernel rather than sampled:
// /proc/PID/stat holds a process's own user and system time (all its threads) and, in cutime and
// cstime, the whole CPU of every child it has reaped, each child's including its own reaped
// children. Node reaps every child it spawns, so the tree's CPU at any moment is the root's four
// fields plus the four of each live descendant (a zombie not yet reaped still shows its own time).
// The difference between two such readings is exact, however short a child lived: a periodic
// sampler would miss what a child used after its last sample, and a start-up probe of a few tens of
// milliseconds entirely. What it misses is a descendant orphaned by its parent's exit, whose CPU goes
// to whoever adopts it: that CPU counts as other processes', erring towards "too busy" rather than
// towards a verdict.
import { readdirSync, readFileSync } from 'node:fs';

/**
 * The machine's CPU so far from the text of /proc/stat, in clock ticks summed over its cores: `busy`
 * (user, nice, system, irq, softirq, steal) and `total` (those plus idle and iowait; guest time is
 * already inside user and nice).
 */
export function parseMachineStat(text) {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (line === undefined) return undefined;
  const [user, nice, system, idle, iowait, irq, softirq, steal = 0] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait };
}

/** Pid, parent pid and CPU (own and reaped children's, in clock ticks) from a /proc/PID/stat text. */
export function parseProcessStat(text) {
  // The command name, in parentheses, may itself hold spaces and parentheses: fields follow the last.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const [utime, stime, cutime, cstime] = fields.slice(11, 15).map(Number);
  return {
    pid: Number.parseInt(text, 10),
    ppid: Number(fields[1]),
    cpu: utime + stime + cutime + cstime,
  };
}

/** CPU of `root` and all its descendants among `processes` ({ pid, ppid, cpu }); undefined if absent. */
export function treeTicks(processes, root) {
  const children = new Map();
  const cpu = new Map();
  for (const p of processes) {
    cpu.set(p.pid, p.cpu);
    if (!children.has(p.ppid)) children.set(p.ppid, []);
    children.get(p.ppid).push(p.pid);
  }
  if (!cpu.has(root)) return undefined;
  let sum = 0;
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.pop();
    sum += cpu.get(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return sum;
}

function readMachineTicks() {
  try {
    return parseMachineStat(readFileSync('/proc/stat', 'utf8'));
  } catch {
    return undefined;
  }
}

function readTreeTicks(root) {
  let pids;
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  // A reap moves a child's CPU into its parent's cutime and cstime: one between reading the two would
  // count it twice or not at all. Node reaps its children on its event loop, so none of the bench's
  // direct children is reaped during this synchronous loop; a grandchild reaped meanwhile by its
  // parent could be, an error of one short process at the run's two edges at most.
  const processes = [];
  for (const pid of pids) {
    try {
      processes.push(parseProcessStat(readFileSync(`/proc/${pid}/stat`, 'utf8')));
    } catch {
      // exited since the listing
    }
  }
  return treeTicks(processes, root);
}

/**
 * Starts measuring. `stop()` gives the machine's busy and total ticks and the bench tree's own
 * ticks over the run, or undefined where /proc cannot be read (then the load average decides).
 */
export function startCpuMeter(root = process.pid) {
  const machineBefore = readMachineTicks();
  const ownBefore = readTreeTicks(root);
  return {
    stop() {
      const ownAfter = readTreeTicks(root);
      const machineAfter = readMachineTicks();
      if (!machineBefore || !machineAfter || ownBefore === undefined || ownAfter === undefined) {
        return undefined;
      }
      return {
        machineBusy: machineAfter.busy - machineBefore.busy,
        machineTotal: machineAfter.total - machineBefore.total,
        own: ownAfter - ownBefore,
      };
    },
  };
}
