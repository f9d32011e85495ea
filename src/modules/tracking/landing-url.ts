import { invalid } from '../../core/errors.js';

export const MAX_LANDING_URL_LENGTH = 2_000;
/** The query parameter that carries the click id to the brand's landing page. */
export const CLICK_ID_PARAM = 'lsclickid';

/**
 * Checks a landing URL and returns it in its normalized form (WHATWG URL serialization),
 * which is what is stored and what the redirect builds on. Only absolute http(s) URLs
 * are accepted: anything else (javascript:, data:, relative paths) could turn a tracking
 * link into an attack on the people who click it.
 */
export function normalizeLandingUrlOrThrow(raw: string): string {
  if (raw.length > MAX_LANDING_URL_LENGTH) {
    throw invalid(`The landing URL is ${raw.length} characters long; at most ${MAX_LANDING_URL_LENGTH} are allowed.`);
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid(`The landing URL "${preview(raw)}" is not an absolute URL; write it in full, like https://shop.example/page.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalid(`The landing URL must start with http:// or https://, not "${preview(url.protocol)}".`);
  }
  if (!url.hostname) throw invalid('The landing URL has no host name.');
  if (url.username || url.password) {
    throw invalid('The landing URL must not contain a user name or password.');
  }
  if (url.searchParams.has(CLICK_ID_PARAM)) {
    throw invalid(`The landing URL must not contain the "${CLICK_ID_PARAM}" parameter; Lockstep appends it to every click.`);
  }
  const normalized = url.href;
  if (normalized.length > MAX_LANDING_URL_LENGTH) {
    throw invalid(`The landing URL is ${normalized.length} characters long once encoded; at most ${MAX_LANDING_URL_LENGTH} are allowed.`);
  }
  return normalized;
}

function preview(value: string): string {
  return value.length > 60 ? `${value.slice(0, 60)}…` : value;
}

/**
 * Splits a normalized landing URL around the place where the click id goes, so that
 * each click only concatenates strings. The query string is kept byte for byte (a
 * re-serialization through URLSearchParams would re-encode it) and the fragment stays last.
 */
export interface RedirectTemplate {
  /** Everything before the click id, ending in "?lsclickid=" or "&lsclickid=". */
  head: string;
  /** The fragment with its "#", or "". */
  tail: string;
}

export function redirectTemplate(normalizedUrl: string): RedirectTemplate {
  // In a serialized URL the first "#" always starts the fragment and the first "?"
  // before it always starts the query: neither can appear unencoded earlier.
  const hash = normalizedUrl.indexOf('#');
  const beforeFragment = hash === -1 ? normalizedUrl : normalizedUrl.slice(0, hash);
  const tail = hash === -1 ? '' : normalizedUrl.slice(hash);
  let separator: string;
  if (!beforeFragment.includes('?')) separator = '?';
  else if (beforeFragment.endsWith('?') || beforeFragment.endsWith('&')) separator = '';
  else separator = '&';
  return { head: `${beforeFragment}${separator}${CLICK_ID_PARAM}=`, tail };
}

export function redirectLocation(template: RedirectTemplate, clickId: string): string {
  return template.head + clickId + template.tail;
}
