export const EVENT_STORE = Symbol('EVENT_STORE');
export const MERKLE_LOG = Symbol('MERKLE_LOG');
export const SIGNING_KEY = Symbol('SIGNING_KEY');
