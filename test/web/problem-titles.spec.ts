// The console words every problem type the ledger answers in each of its languages, and only those.
import { PROBLEM_STATUS } from '../../src/common/api-docs.js';
import { CODES, problemType } from '../../src/common/problem.js';
import { GENERIC_TITLES, PROBLEM_TITLES, problemTitle } from '../../web/src/i18n/problems.js';

const names = Object.keys(PROBLEM_STATUS).sort();

it.each(Object.keys(PROBLEM_TITLES) as Array<keyof typeof PROBLEM_TITLES>)('%s has a title for each problem type, and no other', (lang) => {
  expect(Object.keys(PROBLEM_TITLES[lang]).sort()).toEqual(names);
  for (const title of Object.values(PROBLEM_TITLES[lang])) expect(title.trim()).not.toBe('');
});

it('reads the title off the problem type as the server writes it; an unknown type or no type gives none', () => {
  expect(problemTitle('zh-CN', problemType('duplicate-content'))).toBe('此内容已被存证过');
  expect(problemTitle('en', problemType('appeal-window-closed'))).toBe('the time to appeal has passed');
  expect(problemTitle('en', problemType('no-such-problem'))).toBeUndefined();
  expect(problemTitle('en', problemType('toString'))).toBeUndefined();
  expect(problemTitle('en', 'about:blank')).toBeUndefined();
  expect(problemTitle('en', undefined)).toBeUndefined();
});

it('a refusal that names no problem of its own (the code of its HTTP status) has a title too, in each language', () => {
  const generic = Object.values(CODES)
    .filter((code) => !Object.hasOwn(PROBLEM_STATUS, code))
    .sort();
  for (const lang of Object.keys(GENERIC_TITLES) as Array<keyof typeof GENERIC_TITLES>)
    expect(Object.keys(GENERIC_TITLES[lang]).sort()).toEqual(generic);
  expect(problemTitle('zh-CN', problemType('not-found'))).toBe('此处没有该内容');
});
