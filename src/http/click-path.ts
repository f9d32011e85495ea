import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyBaseLogger } from 'fastify';
import { Counter, Histogram } from 'prom-client';
import { clientAddressOf, type TrustFunction } from '../core/client-address.js';
import { isWellFormedLinkCode } from '../modules/tracking/codes.js';
import type { ClickOutcome, ClickPreview, ClickTracker } from '../modules/tracking/track-click.js';
import { registry } from './metrics.js';

/**
 * The click path, `GET /c/<code>`: most of all traffic, public, and answered in one of a
 * few fixed ways. Everything a visitor can get back is built here, once, and served both
 * by the Fastify routes (routes/tracking.ts) and by the fast path in front of Fastify
 * (tryHandle, wired in app.ts), so the two can never answer differently.
 */

// Metrics live in the one process-wide registry; a second app in the same process reuses them.
function counter(name: string, help: string, labelNames: string[] = []): Counter<string> {
  return (registry.getSingleMetric(name) as Counter<string> | undefined) ?? new Counter({ name, help, labelNames, registers: [registry] });
}
const clicksAnswered = counter('lockstep_clicks_total', 'Tracking link visits by outcome', ['outcome']);
const clickFlushFailures = counter('lockstep_click_flush_failures_total', 'Group-commit writes of clicks that failed');
const clickBatchSize =
  (registry.getSingleMetric('lockstep_click_batch_size') as Histogram<string> | undefined) ??
  new Histogram({
    name: 'lockstep_click_batch_size',
    help: 'Clicks written per group-commit insert',
    buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500],
    registers: [registry],
  });
const clickDuration =
  (registry.getSingleMetric('lockstep_click_duration_seconds') as Histogram<string> | undefined) ??
  new Histogram({
    name: 'lockstep_click_duration_seconds',
    help: 'Tracking link visits answered in front of Fastify: time to the answer, the click committed',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
// Labelled children resolved once: a labelled inc() looks its child up on every call.
const answeredRedirect = clicksAnswered.labels('redirect');
const answeredNotFound = clicksAnswered.labels('not-found');
const answeredExpired = clicksAnswered.labels('expired');
const answeredUnavailable = clicksAnswered.labels('unavailable');

/** The recorder's observers: a failed write is logged and counted, every write's size measured. */
export function clickRecorderObservers(log: () => FastifyBaseLogger) {
  return {
    onFlushError: (error: unknown, clicks: number) => {
      clickFlushFailures.inc();
      log().error({ err: error, clicks }, 'writing a batch of clicks failed; those visitors got a 503 page');
    },
    onFlush: (clicks: number) => clickBatchSize.observe(clicks),
  };
}

/**
 * The pages a visitor may see instead of a redirect. Static text only (nothing from the
 * request is echoed) and no external assets: their own CSP (below) allows nothing but
 * the inline style.
 */
function page(title: string, message: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${title}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;color:#222;background:#f6f6f4;margin:0;display:flex;min-height:100vh;align-items:center;justify-content:center}main{background:#fff;border:1px solid #ddd;border-radius:8px;padding:2rem 2.5rem;max-width:28rem}h1{font-size:1.3rem;margin:0 0 .5rem}p{margin:0;color:#555}</style>
</head><body><main><h1>${title}</h1><p>${message}</p></main></body></html>
`;
}

const NOT_FOUND_PAGE = page('Link not found', 'This link does not exist or is no longer active. Check the address, or ask whoever shared it for a new one.');
const EXPIRED_PAGE = page('This link has expired', 'The partner who shared this link no longer takes part in this program.');
const UNAVAILABLE_PAGE = page('Temporarily unavailable', 'We could not process this link just now. Please try again in a moment.');

/**
 * The security headers of the click path, fixed once: a policy stricter than the app's
 * (the pages need nothing but their inline style), no caching (every visit must reach
 * us to be counted), no indexing, and no referrer passed on to the landing page.
 * Written as the redirect's object literal: one of a fixed shape is built far faster
 * than a spread, and a redirect is built for every click.
 */
function redirectHeaders(location: string): Record<string, string> {
  return { 'cache-control': 'no-store', 'referrer-policy': 'no-referrer', 'x-content-type-options': 'nosniff', 'x-robots-tag': 'noindex', location };
}
const { location: _noLocation, ...CLICK_HEADERS } = redirectHeaders('');
const PAGE_HEADERS = {
  ...CLICK_HEADERS,
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'content-type': 'text/html; charset=utf-8',
};

/** One answer to a visitor: what both paths send. */
export interface ClickAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

function pageAnswer(status: number, html: string, extra?: Record<string, string>): ClickAnswer {
  return { status, headers: extra ? { ...PAGE_HEADERS, ...extra } : PAGE_HEADERS, body: html };
}

const NOT_FOUND: ClickAnswer = pageAnswer(404, NOT_FOUND_PAGE);
const EXPIRED: ClickAnswer = pageAnswer(410, EXPIRED_PAGE);
const UNAVAILABLE: ClickAnswer = pageAnswer(503, UNAVAILABLE_PAGE, { 'retry-after': '1' });

function redirect(location: string): ClickAnswer {
  return { status: 302, headers: redirectHeaders(location), body: '' };
}

/** HEAD answers carry the status and headers of the GET, without a body. */
function withoutBody(answer: ClickAnswer): ClickAnswer {
  return { ...answer, body: '' };
}

export interface ClickVisit {
  code: string;
  ip: string | undefined;
  userAgent: string | undefined;
  referrer: string | undefined;
}

export function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** `/c/<code>` or `/c/<code>?…` with a code that needs no decoding; undefined for anything else. */
function plainCodeOf(url: string): string | undefined {
  if (url.charCodeAt(0) !== 47 /* / */ || url.charCodeAt(1) !== 99 /* c */ || url.charCodeAt(2) !== 47) return undefined;
  const query = url.indexOf('?', 3);
  const code = query === -1 ? url.slice(3) : url.slice(3, query);
  return isWellFormedLinkCode(code) ? code : undefined;
}

export class ClickPath {
  constructor(
    readonly tracker: ClickTracker,
    private readonly log: () => FastifyBaseLogger,
    /** The app's trusted proxies: the fast path reads a client's address as Fastify's request.ip does. */
    private readonly trustProxy: TrustFunction | undefined,
  ) {}

  /** Records the visit (when it is one) and says what to answer. Never throws. */
  async click(visit: ClickVisit): Promise<ClickAnswer> {
    let outcome: ClickOutcome;
    try {
      outcome = await this.tracker.trackClick(visit);
    } catch (error) {
      // Never a redirect for a click that was not stored, and never a bare 500 for a visitor.
      answeredUnavailable.inc();
      this.log().error({ err: error }, 'click not recorded');
      return UNAVAILABLE;
    }
    if (outcome.kind === 'redirect') {
      answeredRedirect.inc();
      return redirect(outcome.location);
    }
    if (outcome.kind === 'expired') {
      answeredExpired.inc();
      return EXPIRED;
    }
    answeredNotFound.inc();
    return NOT_FOUND;
  }

  /** HEAD: answers like a click would, records nothing. Never throws. */
  async preview(code: string): Promise<ClickAnswer> {
    let outcome: ClickPreview;
    try {
      outcome = await this.tracker.previewClick(code);
    } catch (error) {
      this.log().error({ err: error }, 'link lookup failed');
      return withoutBody(UNAVAILABLE);
    }
    if (outcome.kind === 'redirect') return redirect(outcome.location);
    return withoutBody(outcome.kind === 'expired' ? EXPIRED : NOT_FOUND);
  }

  /** Anything else under /c/ (empty, several segments, ".."): a malformed link, not an API 404. */
  malformed(): ClickAnswer {
    answeredNotFound.inc();
    return NOT_FOUND;
  }

  /**
   * The fast path, called by the HTTP server before Fastify sees the request: a GET for
   * `/c/<code>` whose code needs no decoding is answered here, without Fastify's routing,
   * hooks and per-request objects, which cost more than the rest of the click. Returns
   * false for everything else (other methods, encoded or malformed paths), which Fastify
   * then serves, through the same ClickPath for its /c routes.
   */
  tryHandle(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method !== 'GET') return false;
    const code = plainCodeOf(req.url ?? '');
    if (code === undefined) return false;
    const startedAt = performance.now();
    const visit: ClickVisit = {
      code,
      ip: clientAddressOf(req, this.trustProxy),
      userAgent: firstHeader(req.headers['user-agent']),
      referrer: firstHeader(req.headers.referer),
    };
    this.click(visit).then(
      (answer) => {
        send(res, answer);
        clickDuration.observe((performance.now() - startedAt) / 1_000);
      },
      // click() never throws; this is for a response that can no longer be written.
      (error: unknown) => this.log().error({ err: error }, 'click answer failed'),
    );
    return true;
  }
}

function send(res: ServerResponse, answer: ClickAnswer): void {
  if (res.destroyed) return; // the visitor went away; the click (if any) is stored
  res.writeHead(answer.status, { ...answer.headers, 'content-length': String(Buffer.byteLength(answer.body)) });
  res.end(answer.body);
}
