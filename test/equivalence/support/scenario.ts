import { describeError, type Recorder } from './harness.js';

/** Runs an async caller-side flow, logging its result or rejection, then ends the scenario. */
export async function settle(rec: Recorder, flow: () => Promise<string | void>): Promise<void> {
  try {
    const result = await flow();
    if (result !== undefined) rec.log(`resolved ${result}`);
  } catch (error) {
    rec.log(`rejected ${describeError(error)}`);
  }
  rec.done();
}
