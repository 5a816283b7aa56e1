import { StorageError } from '@bioimageit/core';

const DAY = /^(\d{4})-(\d{2})-(\d{2})/;

function localDay(date: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** Today as v1 stores dates (`YYYY-MM-DD`, local time). */
export function todayV1(): string {
  return localDay(new Date());
}

/**
 * A date in v1's day precision: `YYYY-MM-DD...` keeps its day, any other date string that
 * `Date` understands becomes its local day; anything else rejects with INVALID naming `what`.
 */
export function toV1Date(value: string | undefined, what: string): string {
  if (value === undefined || value === '') return todayV1();
  const day = DAY.exec(value);
  if (day !== null) return `${day[1]}-${day[2]}-${day[3]}`;
  const parsed = new Date(value);
  if (Number.isNaN(parsed.getTime())) throw new StorageError('INVALID', `invalid date ${JSON.stringify(value)} for ${what}`, { details: { date: value } });
  return localDay(parsed);
}
