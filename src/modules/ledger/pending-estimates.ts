// Moved to the actions module (a sum over actions); this re-export keeps the route's import
// working until src/http/routes/actions.ts imports it from there.
export { pendingEstimates } from '../actions/pending-estimates.js';
