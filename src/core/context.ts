import type { Db } from '../db/types.js';
import type { Clock } from './clock.js';

/** What every service needs from the outside world: the database and the time. */
export interface ServiceContext {
  db: Db;
  clock: Clock;
}
