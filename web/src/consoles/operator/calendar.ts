// The operator's calendar screen, its pure parts: the days off grouped into the spans people name
// (春节 2月5日–2月12日, 8天), a loadable document made from a year as it stands, and the API's field
// paths (`holidays[2].end`) in words.
import type { Schemas } from '../../api/client'

type Year = Schemas['CalendarYearView']
/** What PUT /admin/calendar/{year} takes, as an operator writes it (absent fields rather than nulls). */
export interface CalendarLoad {
  notice: string
  holidays: ({ name: string; date: string } | { name: string; start: string; end: string })[]
  working_days: string[]
}

export interface HolidaySpan {
  name: string
  start: string
  end: string
  days: number
}

const DAY = 86_400_000
const dayNumber = (date: string) => Date.parse(`${date}T00:00:00Z`) / DAY

/** Consecutive days off with the same name form one span; the list is in date order. */
export function holidaySpans(holidays: Year['holidays']): HolidaySpan[] {
  const sorted = [...holidays].sort((a, b) => a.date.localeCompare(b.date))
  const spans: HolidaySpan[] = []
  for (const h of sorted) {
    const name = h.name ?? '放假'
    const last = spans[spans.length - 1]
    if (last && last.name === name && dayNumber(h.date) === dayNumber(last.end) + 1) {
      last.end = h.date
      last.days += 1
    } else spans.push({ name, start: h.date, end: h.date, days: 1 })
  }
  return spans
}

/** The year as a document PUT /admin/calendar/{year} takes: the template the operator edits. */
export function loadTemplate(year: Year): CalendarLoad {
  return {
    notice: year.notice ?? `国务院办公厅关于${year.year}年部分节假日安排的通知`,
    holidays: holidaySpans(year.holidays).map((s) => (s.days === 1 ? { name: s.name, date: s.start } : { name: s.name, start: s.start, end: s.end })),
    working_days: [...year.working_days],
  }
}

/** `holidays[2].end` → 放假安排第3条（春节）的结束日期; unknown paths are kept as they are. */
export function describeField(field: string, document: unknown): string {
  const parts: Record<string, string> = { name: '名称', date: '日期', start: '开始日期', end: '结束日期' }
  const holiday = /^holidays\[(\d+)\](?:\.(\w+))?$/.exec(field)
  if (holiday) {
    const index = Number(holiday[1])
    const entry = (document as { holidays?: { name?: unknown }[] } | null)?.holidays?.[index]
    const name = typeof entry?.name === 'string' ? `（${entry.name}）` : ''
    return `放假安排第${index + 1}条${name}${holiday[2] ? `的${parts[holiday[2]] ?? holiday[2]}` : ''}`
  }
  const working = /^working_days\[(\d+)\]$/.exec(field)
  if (working) return `调休上班第${Number(working[1]) + 1}天`
  const names: Record<string, string> = { notice: '通知名称', holidays: '放假安排', working_days: '调休上班日', year: '年份' }
  return names[field] ?? field
}

/** The pasted or uploaded text as JSON, or the Chinese reason it is not. */
export function parseDocument(text: string): { value: unknown } | { error: string } {
  if (!text.trim()) return { error: '请粘贴或上传国务院节假日安排的 JSON 文件' }
  try {
    return { value: JSON.parse(text) }
  } catch (e) {
    const where = /position (\d+)/.exec(String(e))
    const line = where ? text.slice(0, Number(where[1])).split('\n').length : null
    return { error: `不是有效的 JSON${line ? `（第${line}行附近）` : ''}，请检查括号、引号和逗号` }
  }
}
