// The transports' public names live in src/semconv.ts with every other public name.
export {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  CIRCUIT_OPEN_ERROR_TYPE,
  HEADER_CIRCUIT_BREAKER,
} from '../semconv.js';
