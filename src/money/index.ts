export { CURRENCY_CODES, currencyExponent, isCurrencyCode } from './currencies.js';
export {
  MoneyError,
  formatMinor,
  formatMoney,
  parseAmountMinorOrThrow,
  parsePercentOrThrow,
  percentOfMinor,
  percentageSumMinor,
} from './money.js';
export type { Money } from './money.js';
