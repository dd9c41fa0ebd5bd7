// What a field of the AIGC implicit label may hold (GB 45438-2025): pure and framework-free, so that the labelling rules
// (src/labeling) and the creator page's labels form (web/) check one rule.

/** Printable ASCII without space, `"` and `\` (GB18030 0x21, 0x23–0x5B, 0x5D–0x7E). */
export const AIGC_VALUE = /^[\x21\x23-\x5b\x5d-\x7e]*$/;
/** The most characters of an AIGC field. */
export const AIGC_MAX_LENGTH = 256;
