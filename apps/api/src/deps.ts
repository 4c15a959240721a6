import type { Config } from '@cinenest/config';
import type { Db } from '@cinenest/db';
import type { Logger } from '@cinenest/logger';
import type { Queues } from '@cinenest/queue';
import type { Redis } from 'ioredis';

/** What the API's routes are built from; main.ts makes them, tests make their own. */
export interface AppDeps {
  config: Config;
  db: Db;
  redis: Redis;
  queues: Queues;
  logger: Logger;
}
