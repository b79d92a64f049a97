// A review's time limit as the reviewer's queue shows it: how long is left (or how long it is late)
// and a warning level. The API gives the due time (`due_at`, Asia/Shanghai); the levels mirror the
// deadline job's alerts (domain.md §5): a warning from 4 hours before the due time
// (`SSCARD_ALERT_WARNING_HOURS`, default 4), overdue after it. The queue list carries no alert level
// of its own, so the console computes it from the same rule rather than inventing another.

export type DeadlineLevel = 'none' | 'normal' | 'near' | 'overdue'

export const WARNING_HOURS = 4

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

export interface Deadline {
  level: DeadlineLevel
  /** e.g. 剩余 5小时12分, 已超时 1天2小时, 无时限 */
  text: string
  /** the level in words, for a tag and for screen readers */
  label: string
}

const LABELS: Record<DeadlineLevel, string> = { none: '无时限', normal: '正常', near: '即将到期', overdue: '已超时' }

/** A duration as people read it: days and hours past a day, hours and minutes below it, at least 1分. */
export function spell(ms: number): string {
  const minutes = Math.max(1, Math.floor(ms / MINUTE))
  const days = Math.floor(minutes / (24 * 60))
  const hours = Math.floor((minutes % (24 * 60)) / 60)
  const rest = minutes % 60
  if (days > 0) return hours > 0 ? `${days}天${hours}小时` : `${days}天`
  if (hours > 0) return rest > 0 ? `${hours}小时${rest}分` : `${hours}小时`
  return `${rest}分`
}

export function deadlineOf(dueAt: string | null | undefined, now: number, warningHours: number = WARNING_HOURS): Deadline {
  const due = dueAt ? Date.parse(dueAt) : NaN
  if (Number.isNaN(due)) return { level: 'none', text: LABELS.none, label: LABELS.none }
  const left = due - now
  if (left <= 0) return { level: 'overdue', text: `已超时 ${spell(-left)}`, label: LABELS.overdue }
  const level: DeadlineLevel = left <= warningHours * HOUR ? 'near' : 'normal'
  return { level, text: `剩余 ${spell(left)}`, label: LABELS[level] }
}

const SHANGHAI = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  month: 'numeric',
  day: 'numeric',
  weekday: 'short',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
})

/** An ISO time with offset as staff read it, in Asia/Shanghai whatever the browser's zone: 12月2日 周三 23:59. */
export function shanghaiTime(iso: string | null | undefined): string {
  if (!iso) return '—'
  const t = new Date(iso)
  if (Number.isNaN(t.getTime())) return iso
  const part = Object.fromEntries(SHANGHAI.formatToParts(t).map((p) => [p.type, p.value]))
  return `${part.month}月${part.day}日 ${part.weekday} ${part.hour}:${part.minute}`
}

export { DAY, HOUR, MINUTE }
