import {
  integerField,
  numberField,
  oneOfField,
  statusEntry,
  stringField,
  type FieldSpec,
} from './field-specs.js';
import { looksLikePlaceholder } from './substitute-env.js';
import { array, preprocess, string } from './validator.js';
import { record } from './validator-objects.js';

export const EXPECT_STATUS_ALLOWED =
  'an HTTP status from 100 to 599, "2xx" or "3xx", or a list of them';
export const HEADERS_ALLOWED =
  "a mapping of header name (letters, digits and !#$%&'*+-.^_`|~) to a one-line string";
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

const statusError = `expected ${EXPECT_STATUS_ALLOWED}`;
const headersError = `expected ${HEADERS_ALLOWED}`;
const headerValue = string(headersError, [
  [(v) => !/[\r\n\0]/.test(v), headersError],
  // Left unexpanded, a reference would send its own text as a credential.
  [
    (v) => !looksLikePlaceholder(v),
    'expected the value itself, not a "${…}" reference (references are expanded only in config files, as ${env:NAME})',
  ],
]);

/**
 * The fields of a host's `healthCheck`: while its circuit is open, the library asks the host with
 * this request instead of letting user calls probe. Only `path` is required.
 */
export const HEALTH_CHECK_FIELDS = {
  path: stringField(
    /^\/[^\s#]{0,2047}$/,
    'a path starting with "/", without spaces or "#" (a query may follow)',
    'Path (and query) the check requests; it turns the check on.',
  ),
  method: oneOfField(['GET', 'HEAD'], 'HTTP method of the check. Default GET.'),
  protocol: oneOfField(
    ['http', 'https'],
    'Scheme of the check. Default https for a pattern without a port or with port 443, else http.',
  ),
  intervalSeconds: numberField(
    0.1,
    3600,
    'Time between checks while the circuit is half-open, and the fleet turn of one checker. Default 10.',
  ),
  timeoutMs: integerField(
    1,
    60_000,
    'A check without response headers after this long (ms) fails. Default 2000.',
  ),
  expectStatus: {
    schema: preprocess(
      (value) => (Array.isArray(value) ? value : [value]),
      array(statusEntry(['2xx', '3xx'], statusError), statusError, true),
    ),
    type: 'string',
    allowed: EXPECT_STATUS_ALLOWED,
    doc: 'Statuses that pass the check. Default "2xx".',
  },
  headers: {
    schema: record(string(headersError, [[HEADER_NAME, headersError]]), headerValue, {
      error: headersError,
    }),
    type: 'string',
    allowed: HEADERS_ALLOWED,
    doc: "Headers the check sends (values may be ${env:NAME} in files); none by default, never the callers'.",
  },
} satisfies Record<string, FieldSpec>;

export const HEALTH_CHECK_DEFAULTS = {
  method: 'GET',
  intervalSeconds: 10,
  timeoutMs: 2000,
  expectStatus: ['2xx'],
} as const;
