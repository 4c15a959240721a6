export { createRedis, pingRedis } from './redis.js';
export { withLock } from './lock.js';
export { QUEUE_NAMES, JOB_NAMES, type QueueName, type JobName } from './names.js';
export { defineJob, DEFAULT_JOB_OPTIONS, type JobDefinition, type JobContext } from './define.js';
export { jobs, checkRegistry, jobByName, RegistryError, type PayloadOf } from './registry.js';
export { Queues, UnknownJobError } from './queues.js';
export { registerSchedules } from './schedules.js';
