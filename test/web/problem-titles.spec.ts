// The console words every problem type the ledger answers in each of its languages, and only those.
import { PROBLEM_STATUS } from '../../src/common/api-docs.js';
import { CODES, problemType, toProblem, ValidationProblem } from '../../src/common/problem.js';
import { GENERIC_TITLES, PROBLEM_DETAILS, PROBLEM_TITLES, problemDetail, problemTitle } from '../../web/src/i18n/problems.js';

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

it('words a refusal’s detail from the members the ledger names, and only where every one it needs is there', () => {
  const instant = (iso: string) => `<${iso}>`;
  for (const lang of Object.keys(PROBLEM_DETAILS) as Array<keyof typeof PROBLEM_DETAILS>)
    for (const name of Object.keys(PROBLEM_DETAILS[lang])) expect(names).toContain(name);
  expect(Object.keys(PROBLEM_DETAILS['zh-CN']).sort()).toEqual(Object.keys(PROBLEM_DETAILS.en).sort());
  const answered = {
    type: problemType('already-responded'),
    detail: 'the respondent answered at …',
    respondedAt: '2026-12-05T16:19:11.000Z',
  };
  expect(problemDetail('zh-CN', answered, instant)).toBe('被投诉人已于<2026-12-05T16:19:11.000Z>答复。');
  expect(problemDetail('en', answered, instant)).toBe('The respondent answered at <2026-12-05T16:19:11.000Z>.');
  const duplicate = { type: problemType('duplicate-content'), priorFilingId: 'f-1', priorFiledAt: '2026-12-01T00:00:00.000Z' };
  expect(problemDetail('zh-CN', duplicate, instant)).toBe('此内容已于<2026-12-01T00:00:00.000Z>首次存证，存证编号 f-1。');
  // A member missing or of another kind, an instant that does not read, a type without wording: the ledger's detail.
  expect(problemDetail('zh-CN', { type: problemType('already-responded') }, instant)).toBeUndefined();
  expect(problemDetail('zh-CN', { ...answered, respondedAt: 7 }, instant)).toBeUndefined();
  expect(problemDetail('zh-CN', answered, () => undefined)).toBeUndefined();
  expect(problemDetail('zh-CN', { type: problemType('statement-required') }, instant)).toBeUndefined();
  expect(problemDetail('zh-CN', { type: problemType('toString') }, instant)).toBeUndefined();
  expect(problemDetail('zh-CN', undefined, instant)).toBeUndefined();
  // A number is shown as such; a copy's malformed label keeps the ledger's English, which says where and why.
  const far = { type: problemType('copy-not-the-same-work'), distance: 23, threshold: 8 };
  expect(problemDetail('zh-CN', far, instant)).toBe('副本与存证作品的感知哈希相差 23 位（至多 8 位）：不是同一作品。');
  expect(problemDetail('zh-CN', { ...far, distance: '23' }, instant)).toBe(
    '副本与存证作品的感知哈希相差 23 位（至多 8 位）：不是同一作品。',
  );
  expect(problemDetail('zh-CN', { ...far, distance: null }, instant)).toBeUndefined();
  const malformed = { type: problemType('copy-label-malformed'), detail: 'no well-formed AIGC label … iTXt AIGC (not JSON)' };
  expect(problemDetail('zh-CN', malformed, instant)).toMatch(
    /^文件中没有指向本存证.*账本的英文说明：no well-formed AIGC label … iTXt AIGC \(not JSON\)$/,
  );
  expect(problemDetail('zh-CN', { type: problemType('copy-not-an-image') }, instant)).toBe(
    '副本不是账本能读取的图片，无法与存证作品比对。',
  );
});

it('names the fields a request did not validate for, in Chinese, before the ledger’s English detail', () => {
  const instant = (iso: string) => `<${iso}>`;
  // The ledger's own validation problem: each field refused with a message in English, and no code for the rule it broke.
  const { problem } = toProblem(
    new ValidationProblem([
      { field: 'title', message: 'title must be a string' },
      { field: 'generation.tool', message: 'generation.tool is required' },
      { field: 'title', message: 'title must be shorter than or equal to 200 characters' },
    ]),
  );
  expect(problem).toMatchObject({ type: problemType('validation-failed'), errors: [{ field: 'title' }, { field: 'generation.tool' }, {}] });
  expect(problemDetail('zh-CN', problem, instant)).toBe(`未通过校验的字段：title、generation.tool。账本的英文说明：${problem.detail}`);
  expect(problemDetail('en', problem, instant)).toBe(problem.detail);
  // No list of fields, or one that names none: the ledger's detail alone.
  expect(problemDetail('zh-CN', { ...problem, errors: [] }, instant)).toBeUndefined();
  expect(problemDetail('zh-CN', { ...problem, errors: [{ message: 'title must be a string' }] }, instant)).toBeUndefined();
  expect(problemDetail('zh-CN', { type: problemType('validation-failed'), detail: 'x' }, instant)).toBeUndefined();
});
