import type { Migration } from '../migrate.js';
import { foundation } from './0001-foundation.js';

/** Append only: a migration that has shipped is never edited. */
export const migrations: Migration[] = [foundation];
