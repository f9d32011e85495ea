import { invalid } from '../../core/errors.js';

export const MIN_PASSWORD_LENGTH = 10;

export function normalizeEmailOrThrow(email: string): string {
  const trimmed = email.trim();
  if (trimmed.length > 254 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(trimmed)) {
    throw invalid(`"${email}" is not a valid e-mail address.`);
  }
  return trimmed.toLowerCase();
}

export function checkPasswordOrThrow(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw invalid(`The password must have at least ${MIN_PASSWORD_LENGTH} characters.`);
  }
  if (password.length > 256) throw invalid('The password must have at most 256 characters.');
}
