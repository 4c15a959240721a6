export { EvenRateLimit } from './even-rate.js';
