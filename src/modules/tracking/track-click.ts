import type { ServiceContext } from '../../core/context.js';
import { ClickRecorder, clickWriter, type ClickRecorderOptions } from './click-recorder.js';
import { isWellFormedLinkCode, newClickId } from './codes.js';
import { hashIp, loadIpHashKey } from './ip-hash.js';
import { redirectLocation } from './landing-url.js';
import { DEFAULT_LINK_CACHE_TTL_MS, LinkCache } from './link-cache.js';
import { findClickTarget } from './queries.js';

export const MAX_USER_AGENT_LENGTH = 512;
export const MAX_REFERRER_LENGTH = 2_000;

export interface ClickRequest {
  code: string;
  ip: string | undefined;
  userAgent: string | undefined;
  referrer: string | undefined;
}

export type ClickOutcome =
  | { kind: 'redirect'; location: string; clickId: string }
  /**
   * Unknown, malformed, disabled, or its landing URL outside the program's allowed
   * landing domains: the same answer, so a refused code reveals nothing (nor where it led).
   */
  | { kind: 'not-found' }
  /** The partner account is closed: "This link has expired"; nothing is recorded. */
  | { kind: 'expired' };

/** What a click would answer; a preview's redirect carries no click id, since no click exists. */
export type ClickPreview = Exclude<ClickOutcome, { kind: 'redirect' }> | { kind: 'redirect'; location: string };

export interface ClickTrackerOptions {
  linkCacheTtlMs?: number;
  recorder?: ClickRecorderOptions;
}

/** Text columns cannot hold NUL, and every stored field is bounded. */
function clean(value: string | undefined, maxLength: number): string | null {
  if (!value) return null;
  const bounded = value.length > maxLength ? value.slice(0, maxLength) : value;
  return bounded.includes('\0') ? bounded.replaceAll('\0', '') : bounded;
}

/**
 * The click path: resolve the code (cached), decide, record (group commit), and say
 * where to redirect. A click whose partner account is closed, or whose landing URL the
 * program's landing domains no longer allow, is refused and not recorded; a click on a
 * link whose contract has expired is still recorded and redirected (it earns nothing
 * later, which is for conversions to decide).
 * One tracker per app instance; close() writes the clicks still waiting.
 */
export class ClickTracker {
  readonly links: LinkCache;
  readonly recorder: ClickRecorder;
  private ipHashKey: Promise<Buffer> | undefined;
  private ipHashKeyLoaded: Buffer | undefined;

  constructor(
    private readonly ctx: ServiceContext,
    options: ClickTrackerOptions = {},
  ) {
    this.links = new LinkCache((code) => findClickTarget(ctx.db, code), {
      ttlMs: options.linkCacheTtlMs ?? DEFAULT_LINK_CACHE_TTL_MS,
    });
    // The recorder's default of one flush at a time suits both engines (see its option).
    this.recorder = new ClickRecorder(clickWriter(ctx.db), options.recorder);
  }

  /** Records the click and answers where to send the visitor. Throws a ClickRecorderError when the click could not be stored. */
  async trackClick(request: ClickRequest): Promise<ClickOutcome> {
    if (!isWellFormedLinkCode(request.code)) return { kind: 'not-found' };
    const link = await this.links.get(request.code);
    if (!link || link.disabled) return { kind: 'not-found' };
    if (link.partnerClosed) return { kind: 'expired' };
    if (!link.landingAllowed) return { kind: 'not-found' };
    const key = this.ipHashKeyLoaded ?? (await this.ipHashKeyOnce());
    const at = this.ctx.clock.now();
    const clickId = newClickId(at);
    await this.recorder.record({
      clickId,
      linkId: link.linkId,
      programId: link.programId,
      partnerAccountId: link.partnerAccountId,
      at,
      ipHash: request.ip ? hashIp(key, request.ip) : null,
      userAgent: clean(request.userAgent, MAX_USER_AGENT_LENGTH),
      referrer: clean(request.referrer, MAX_REFERRER_LENGTH),
    });
    return { kind: 'redirect', location: redirectLocation(link.redirect, clickId), clickId };
  }

  /**
   * What a click would answer, without recording one (HEAD requests from link checkers
   * and previews): the landing URL carries no click id, since no click exists.
   */
  async previewClick(code: string): Promise<ClickPreview> {
    if (!isWellFormedLinkCode(code)) return { kind: 'not-found' };
    const link = await this.links.get(code);
    if (!link || link.disabled) return { kind: 'not-found' };
    if (link.partnerClosed) return { kind: 'expired' };
    if (!link.landingAllowed) return { kind: 'not-found' };
    return { kind: 'redirect', location: link.landingUrl };
  }

  /** After a change on this instance (link disabled): forget the cached lookup at once. */
  forgetLink(code: string): void {
    this.links.invalidate(code);
  }

  close(): Promise<void> {
    return this.recorder.close();
  }

  private ipHashKeyOnce(): Promise<Buffer> {
    // Loaded on first use (the app may be built before migrations run); a failure is retried next time.
    // Kept as bytes: an HMAC keyed with a Buffer skips re-encoding the key on every click.
    this.ipHashKey ??= loadIpHashKey(this.ctx.db)
      .then((key) => (this.ipHashKeyLoaded = Buffer.from(key, 'utf8')))
      .catch((error: unknown) => {
        this.ipHashKey = undefined;
        throw error;
      });
    return this.ipHashKey;
  }
}
