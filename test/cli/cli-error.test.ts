import { describe, expect, it } from 'vitest';
import { CLI_ERROR_CODE, CliError, EXIT } from '../../src/cli/exit-codes.js';

describe('CliError', () => {
  it('carries a code like every error of the library, next to its exit code', () => {
    const error = new CliError(EXIT.NOT_FOUND, 'no breaker named "x"');
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe(CLI_ERROR_CODE);
    expect(CLI_ERROR_CODE).toBe('ECIRCUITCLI');
    expect(error.exitCode).toBe(4);
    expect(error.name).toBe('CliError');
  });
});
