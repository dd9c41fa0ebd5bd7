// Instants shown twice: in UTC and in Beijing time (Asia/Shanghai), always with seconds.
const formatter = (timeZone: string) =>
  new Intl.DateTimeFormat('sv-SE', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  });
const UTC = formatter('UTC');
const BEIJING = formatter('Asia/Shanghai');

/** `2026-12-02 09:42:49` in UTC and in Asia/Shanghai; undefined for an invalid date. */
export function utcAndBeijing(iso: string | number | Date): { utc: string; beijing: string } | undefined {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return undefined;
  return { utc: UTC.format(d), beijing: BEIJING.format(d) };
}
