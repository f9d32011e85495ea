import type { ReturnsLimits } from '../types.js';

/**
 * What a returns file may hold unless the caller says otherwise. The row limit is the
 * largest file the platform promises to apply (1,000,000 rows); the byte limit leaves room
 * for an item-level file of that many rows. Line and field limits are counted in
 * characters of the decoded text (UTF-16 code units), which for ASCII are its bytes.
 */
export const DEFAULT_RETURNS_LIMITS: ReturnsLimits = Object.freeze({
  maxBytes: 256 * 1024 * 1024,
  maxRows: 1_000_000,
  maxColumns: 1_000,
  maxLineBytes: 64 * 1024,
  maxFieldBytes: 4 * 1024,
  maxXmlDepth: 8,
});

export function limitsOf(overrides: Partial<ReturnsLimits> | undefined): ReturnsLimits {
  return { ...DEFAULT_RETURNS_LIMITS, ...overrides };
}
