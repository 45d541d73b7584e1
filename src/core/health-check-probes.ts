import type { BreakerMachine } from './breaker-machine.js';
import type { HalfOpenRecord } from './state-record.js';

/**
 * A breaker's side of an active health check: once a checker takes over, user calls are never the
 * probe while the circuit is open or half-open; the checker's verdicts move the state instead.
 * Passing checks count toward `successThreshold`, a failing one re-opens with the usual backoff.
 */
export class HealthCheckProbes {
  /** Checks that passed and failed on this breaker, for `circuit_breaker.health_checks`. */
  passed = 0;
  failed = 0;

  constructor(private readonly machine: BreakerMachine) {}

  /** From now on only health checks probe this breaker. */
  takeOver(): void {
    this.machine.probesByCheck = true;
  }

  /** User calls probe again (the checker stopped). */
  release(): void {
    this.machine.probesByCheck = false;
  }

  get active(): boolean {
    return this.machine.probesByCheck;
  }

  /** The half-open state a check may probe in now (open turns half-open once its time is up), or null. */
  begin(): HalfOpenRecord | null {
    const machine = this.machine;
    machine.checkOpenElapsed();
    return machine.state.kind === 'half_open' ? machine.state : null;
  }

  /** A check begun in `state` ended; a verdict for a state that already moved on is only counted. */
  settle(state: HalfOpenRecord, passed: boolean): void {
    const machine = this.machine;
    if (passed) this.passed++;
    else this.failed++;
    machine.lastUsedAt = machine.clock.now();
    machine.judgeProbe(state, passed);
  }
}
