/**
 * The error every money function throws for bad input. It lives in its own file so
 * that currencies.ts and money.ts can both throw it without importing each other.
 * Callers (HTTP, CLI, file channels) can show the message as is: each one says what
 * is wrong and what to do about it.
 */
export class MoneyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MoneyError';
  }
}
