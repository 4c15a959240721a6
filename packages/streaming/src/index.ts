export {
  signStreamToken,
  verifyStreamToken,
  StreamTokenError,
  type StreamGrant,
  type StreamTokenProblem,
} from './tokens.js';
export * from './contract.js';
