// Text the ledger takes on one line (a work's title, a principal's name): the console turns a run of white space, tabs,
// line breaks and Unicode's line and paragraph separators among them, into one space rather than send what is refused.

/** The text with each run of white space made one space, and none at either end. */
export const oneLine = (text: string): string => text.replace(/\s+/g, ' ').trim();
