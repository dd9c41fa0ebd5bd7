// Which failures in the browser the pages word as a file that could not be read, and which as anything else.
import { browserFailure } from '../../web/src/browser-failure.js';

it('a file moved, deleted or changed since it was chosen could not be read', () => {
  for (const name of ['NotReadableError', 'NotFoundError'])
    expect(browserFailure(new DOMException('The requested file could not be read.', name))).toEqual({ kind: 'unreadable-file' });
});

it('anything else is a failure in the browser, with its English message when it has one', () => {
  expect(browserFailure(new TypeError('network error'))).toEqual({ kind: 'other', message: 'network error' });
  expect(browserFailure(new DOMException('The operation is insecure.', 'SecurityError'))).toEqual({
    kind: 'other',
    message: 'The operation is insecure.',
  });
  expect(browserFailure('worker died')).toEqual({ kind: 'other', message: 'worker died' });
  expect(browserFailure(new Error(''))).toEqual({ kind: 'other', message: undefined });
  expect(browserFailure({ code: 1 })).toEqual({ kind: 'other', message: undefined });
});
