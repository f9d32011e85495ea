/** Reading the API's answers in tests: the body of a success, and the detail of a problem. */
import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';

// biome-ignore lint/suspicious/noExplicitAny: a test reads the fields it checks without declaring the answer's whole type
export type Body = Record<string, any>;

/** The answer's JSON body, after checking its status (the body's start in the message when it differs). */
export function ok<T = Body>(response: LightMyRequestResponse, status = 200): T {
  expect(response.statusCode, response.body.slice(0, 400)).toBe(status);
  return response.json() as T;
}

/** A problem answer (RFC 9457) of `status`, its detail matching `detail` when given; returns the detail. */
export function problem(response: LightMyRequestResponse, status: number, detail?: RegExp): string {
  expect(response.statusCode, response.body.slice(0, 400)).toBe(status);
  expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
  const body = response.json() as { detail: string };
  if (detail) expect(body.detail).toMatch(detail);
  return body.detail;
}
