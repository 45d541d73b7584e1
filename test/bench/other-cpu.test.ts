import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM helper without types
import * as otherCpu from '../../bench/lib/other-cpu.mjs';

type Proc = { pid: number; ppid: number; cpu: number };
const { parseMachineStat, parseProcessStat, treeTicks } = otherCpu as {
  parseMachineStat: (text: string) => { busy: number; total: number } | undefined;
  parseProcessStat: (text: string) => Proc;
  treeTicks: (processes: Proc[], root: number) => number | undefined;
};

describe('reading /proc', () => {
  it('counts user, nice, system, irq, softirq and steal as busy; idle and iowait only in total', () => {
    const text = [
      'cpu  37351 5 8296 20041 197 3 531 101 40 0',
      'cpu0 18000 2 4100 10000 90 1 260 50 20 0',
      'intr 123',
    ].join('\n');
    // guest (40) is already inside user: counted once.
    expect(parseMachineStat(text)).toEqual({
      busy: 37351 + 5 + 8296 + 3 + 531 + 101,
      total: 37351 + 5 + 8296 + 20041 + 197 + 3 + 531 + 101,
    });
    expect(parseMachineStat('intr 123\n')).toBeUndefined();
  });

  it("reads a process's own and reaped children's CPU, whatever its command name holds", () => {
    const tail = 'S 7578 7578 5497 0 -1 4194304 100 0 0 0 120 30 400 50 20 0 1 0 33571 3133440';
    expect(parseProcessStat(`7583 (node) ${tail}`)).toEqual({ pid: 7583, ppid: 7578, cpu: 600 });
    expect(parseProcessStat(`7583 (a) (b c) ${tail}`)).toEqual({
      pid: 7583,
      ppid: 7578,
      cpu: 600,
    });
  });

  it('sums the root and every descendant, and nothing else', () => {
    const processes = [
      { pid: 1, ppid: 0, cpu: 5000 },
      { pid: 10, ppid: 1, cpu: 300 }, // the bench
      { pid: 11, ppid: 10, cpu: 40 }, // its server
      { pid: 12, ppid: 11, cpu: 7 }, // a child of the server
      { pid: 13, ppid: 10, cpu: 2 }, // an exited child not yet reaped
      { pid: 20, ppid: 1, cpu: 900 }, // another process
    ];
    expect(treeTicks(processes, 10)).toBe(349);
    expect(treeTicks(processes, 99)).toBeUndefined();
  });
});
