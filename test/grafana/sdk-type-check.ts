/**
 * Checks dashboard JSON against the @grafana/grafana-foundation-sdk dashboard types with the
 * TypeScript compiler: the JSON becomes an object literal assigned to the SDK's `Dashboard` type
 * (Prometheus targets typed as the SDK's Prometheus `Dataquery`), so a wrong type, a missing
 * required field or an unknown property anywhere the SDK types it is a compile error.
 */
import { join } from 'node:path';
import ts from 'typescript';
import { ROOT } from './dashboard-files.js';

const VIRTUAL = join(ROOT, 'test', 'grafana', '__dashboard_type_check__.ts');

function source(json: string): string {
  return `import type { Dashboard, Panel, RowPanel } from '@grafana/grafana-foundation-sdk/dashboard';
import type { Dataquery } from '@grafana/grafana-foundation-sdk/prometheus';
// JSON form of an SDK type: string enums as their values, methods dropped, \`any\` kept.
type IsAny<T> = 0 extends 1 & T ? true : false;
type Json<T> = IsAny<T> extends true ? any
  : T extends string ? \`\${T}\`
  : T extends number ? number
  : T extends boolean ? boolean
  : T extends null | undefined ? T
  : T extends readonly (infer U)[] ? Json<U>[]
  : T extends object ? { [K in keyof T as T[K] extends (...args: never[]) => unknown ? never : K]: Json<T[K]> }
  : T;
type PromPanel = Omit<Panel, 'targets'> & { targets?: Dataquery[] };
type PromRow = Omit<RowPanel, 'panels'> & { panels: PromPanel[] };
type PromDashboard = Omit<Dashboard, 'panels'> & { panels?: Array<PromPanel | PromRow> };
export const dashboard: Json<PromDashboard> = ${json};
`;
}

/** Compiler diagnostics (as text) for `json` typed as a foundation-SDK dashboard; [] when valid. */
export function sdkTypeErrors(json: string): string[] {
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.Preserve,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const text = source(json);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, ...rest) =>
    fileName === VIRTUAL
      ? ts.createSourceFile(fileName, text, languageVersion)
      : getSourceFile(fileName, languageVersion, ...rest);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (fileName) => fileName === VIRTUAL || fileExists(fileName);
  const program = ts.createProgram([VIRTUAL], options, host);
  return ts
    .getPreEmitDiagnostics(program)
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}
