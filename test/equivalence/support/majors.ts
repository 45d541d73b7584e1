import * as undici6 from 'undici6';
import * as undici7 from 'undici7';
import * as undici8 from 'undici';
import { patchUndiciModule } from '../../../src/transport/undici/undici-transport.js';
import type { HandlerApi } from './handlers.js';

export type Undici = typeof undici8;

export interface Major {
  readonly name: string;
  readonly major: 6 | 7 | 8;
  readonly u: Undici;
  /** The handler APIs its DispatcherBase accepts. */
  readonly apis: readonly HandlerApi[];
}

/** npm undici 6, 7 and 8, each patched as the module-load hook would patch it. */
export const MAJORS: readonly Major[] = [
  { name: 'undici 6', major: 6, u: undici6 as unknown as Undici, apis: ['old'] },
  { name: 'undici 7', major: 7, u: undici7 as unknown as Undici, apis: ['old', 'new'] },
  { name: 'undici 8', major: 8, u: undici8, apis: ['new'] },
];
for (const { u } of MAJORS) patchUndiciModule(u);
