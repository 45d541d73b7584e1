// node:http, node:https and the clients built on them behave the same with the hook as without it.
import { httpEquivalenceSuite } from './http-equivalence-suite.js';

httpEquivalenceSuite('no OTel SDK');
