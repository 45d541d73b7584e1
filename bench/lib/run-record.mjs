// One bench run's record: the machine it ran on, its load average before and after, the CPU other
// processes used during it, its raw samples and its verdict, printed and written to
// bench/results/<name>.json. Those files are git-ignored: they describe one machine on one day, and
// a reader reruns the bench rather than trust them.
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { writeResults } from './harness.mjs';
import { startCpuMeter } from './other-cpu.mjs';
import { busyVerdict, decide, describeOtherCpu } from './verdict.mjs';

const fmtLoad = (load) => load.map((x) => x.toFixed(2)).join(' / ');

/** What a reader needs to judge a figure: CPU, cores, memory, Node and V8. */
export function machineFacts() {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model ?? 'unknown',
    // The load average and /proc/stat count work on any core of the machine, so they are compared
    // with all of them, not with this process's affinity.
    cores: cpus.length,
    memoryGB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    v8: process.versions.v8,
    platform: `${process.platform}-${process.arch}`,
    date: new Date().toISOString(),
  };
}

/**
 * Watches the machine over a run: its load average now; `stop()` reads the load average and the CPU
 * counters again and gives the busy verdict they make (verdict.mjs busyVerdict).
 */
export function watchMachine(cores) {
  const loadBefore = os.loadavg();
  const cpuMeter = startCpuMeter();
  return {
    loadBefore,
    stop() {
      const cpu = cpuMeter.stop();
      const loadAfter = os.loadavg();
      const busy = busyVerdict({ loadBefore: loadBefore[0], loadAfter: loadAfter[0], cores, cpu });
      return { loadAfter, cpu, busy };
    },
  };
}

/**
 * Starts the record of a run of the bench `name`: reads the machine, its load and its CPU counters
 * now. `finish` reads them again, prints the load and the CPU other processes used, and the
 * verdict, writes the record and sets the exit code.
 */
export function beginRun(name) {
  const machine = machineFacts();
  const watch = watchMachine(machine.cores);
  const { loadBefore } = watch;
  console.log(
    `load average before: ${fmtLoad(loadBefore)} (1, 5, 15 min; ${machine.cores} cores, ${machine.cpuModel})`,
  );
  return {
    finish(targets, { versions = {}, ...data } = {}) {
      const { loadAfter, cpu, busy } = watch.stop();
      console.log(
        `\nload average before: ${fmtLoad(loadBefore)}, after: ${fmtLoad(loadAfter)} (1, 5, 15 min; ${machine.cores} cores); ${describeOtherCpu(busy)}`,
      );
      const outcome = decide(targets.checks, busy);
      for (const line of outcome.lines) console.log(line);
      const path = fileURLToPath(new URL(`../results/${name}.json`, import.meta.url));
      writeResults(path, {
        machine: {
          ...machine,
          loadBefore,
          loadAfter,
          busyRule: busy.rule,
          otherCpu: busy.otherCpu,
          cpuTicks: cpu,
          versions,
        },
        verdict: outcome.verdict,
        targets: targets.checks,
        ...data,
      });
      console.log(`raw samples and machine facts: bench/results/${name}.json`);
      process.exitCode = outcome.exitCode;
      return outcome;
    },
  };
}
