// The console sends a work's title on one line, as the ledger takes it: a file name with a tab, or a title pasted over
// two lines, is filed with spaces instead of being refused.
import { SINGLE_LINE_TEXT } from '../../src/common/validation.js';
import { oneLine } from '../../web/src/one-line.js';

it.each([
  ['Sunrise\tover the bay', 'Sunrise over the bay'],
  ['Sunrise\r\nover the bay\n', 'Sunrise over the bay'],
  ['  Sunrise \u2028 over\u2029the bay ', 'Sunrise over the bay'],
  ['日の出', '日の出'],
])('%j becomes %j, which the ledger takes', (typed, sent) => {
  expect(oneLine(typed)).toBe(sent);
  expect(SINGLE_LINE_TEXT.test(sent)).toBe(true);
  expect(SINGLE_LINE_TEXT.test(typed)).toBe(typed === sent);
});
