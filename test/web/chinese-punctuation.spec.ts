// Chinese text takes full-width punctuation: an ASCII comma, colon or bracket beside a Chinese character (`已声明, 第 2
// 级`) reads as a slip. Checked in every Chinese message and problem text of the console, as they are written.
import { PROBLEM_DETAILS, PROBLEM_TITLES } from '../../web/src/i18n/problems.js';
import { zhCN } from '../../web/src/i18n/zh-CN.js';

const HALF_WIDTH_BESIDE_HAN = /\p{Script=Han}\s*[,:;()]|[,:;()]\s*\p{Script=Han}/u;

const texts: Array<[string, string]> = [
  ...Object.entries(zhCN).map(([key, text]): [string, string] => [key, text]),
  ...Object.entries(PROBLEM_TITLES['zh-CN']).map(([code, text]): [string, string] => [`title ${code}`, text]),
  ...Object.entries(PROBLEM_DETAILS['zh-CN']).map(([code, text]): [string, string] => [`detail ${code}`, text]),
];

it('no Chinese text has an ASCII comma, colon, semicolon or bracket beside a Chinese character', () => {
  expect(texts.length).toBeGreaterThan(300);
  expect(texts.filter(([, text]) => HALF_WIDTH_BESIDE_HAN.test(text))).toEqual([]);
});

it('the lists and remarks the pages build are joined and bracketed the Chinese way', () => {
  expect(zhCN['list.separator']).toBe('、');
  expect(zhCN['list.aside']).toBe('（{text}）');
  expect(zhCN['public.labelTier']).toBe('，第 {tier} 级：{meaning}');
  expect(zhCN['creator.list.tier']).toBe('（第 {tier} 级：{meaning}）');
  expect(zhCN['list.comma']).toBe('，');
  expect(zhCN['list.sentenceGap']).toBe('');
});
