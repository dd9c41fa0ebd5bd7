export const EVENT_STORE = Symbol('EVENT_STORE');
export const MERKLE_LOG = Symbol('MERKLE_LOG');
export const SIGNING_KEY = Symbol('SIGNING_KEY');
export const ML_DSA_KEY = Symbol('ML_DSA_KEY');
export const CHECKPOINT_ATTESTORS = Symbol('CHECKPOINT_ATTESTORS');
export const LOG_KEYS = Symbol('LOG_KEYS');
