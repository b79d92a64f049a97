// How the app says things: statuses and times in the words people use (rules: times as people read
// them, 12月2日（星期三）24时前, never ISO strings).
export const CASE_STATUS: Record<string, string> = {
  draft: '草稿（未提交）',
  submitted: '已提交',
  processing: '办理中',
  completed: '已办结',
  partially_completed: '部分办结',
  rejected: '未通过',
  failed: '办理失败',
  withdrawn: '已撤回',
}

export const MATTER_STATUS: Record<string, string> = {
  pending: '待办理',
  in_progress: '办理中',
  awaiting_review: '等待人社部门审核',
  succeeded: '已办结',
  rejected: '未通过',
  failed: '办理失败',
}

export const FINISHED_CASE = new Set(['completed', 'partially_completed', 'rejected', 'failed', 'withdrawn'])

/** The tag colour of a status: finished well, finished badly, or still going. */
export function statusTone(status: string): 'success' | 'danger' | 'primary' | 'default' {
  if (status === 'completed' || status === 'succeeded') return 'success'
  if (['rejected', 'failed', 'partially_completed'].includes(status)) return 'danger'
  if (status === 'draft' || status === 'withdrawn') return 'default'
  return 'primary'
}

const WEEKDAYS = ['日', '一', '二', '三', '四', '五', '六']

/** The parts of an instant in Asia/Shanghai (the service's time zone), whatever the device's zone. */
function shanghai(iso: string): { month: number; day: number; weekday: number; hour: number; minute: number; second: number } {
  const shifted = new Date(new Date(iso).getTime() + 8 * 3600_000)
  return {
    month: shifted.getUTCMonth() + 1,
    day: shifted.getUTCDate(),
    weekday: shifted.getUTCDay(),
    hour: shifted.getUTCHours(),
    minute: shifted.getUTCMinutes(),
    second: shifted.getUTCSeconds(),
  }
}

/** 12月1日 10:04 */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return ''
  const t = shanghai(iso)
  return `${t.month}月${t.day}日 ${String(t.hour).padStart(2, '0')}:${String(t.minute).padStart(2, '0')}`
}

/** A due time: 12月2日（星期三）24时前 for the end of a day, else 12月2日（星期三）17:30前. */
export function formatDue(iso: string | null | undefined): string {
  if (!iso) return ''
  const t = shanghai(iso)
  const endOfDay = t.hour === 23 && t.minute === 59
  const time = endOfDay ? '24时' : `${String(t.hour).padStart(2, '0')}:${String(t.minute).padStart(2, '0')}`
  return `${t.month}月${t.day}日（星期${WEEKDAYS[t.weekday]}）${time}前`
}

// What a matter's result holds, in words; keys the app does not know are left to the timeline's text.
const RESULT_LABELS: [string, string][] = [
  ['card_status_text', '社保卡状态'],
  ['bank', '合作银行'],
  ['branch', '办卡网点'],
  ['account_number', '金融账号'],
  ['effective_month', '新账号生效月份'],
  ['effective_month_text', '新账号生效'],
  ['phone', '联系电话'],
  ['address', '联系地址'],
]

export function resultLines(result: Record<string, unknown> | null | undefined): { label: string; value: string }[] {
  if (!result) return []
  return RESULT_LABELS.filter(([key]) => typeof result[key] === 'string' && result[key]).map(([key, label]) => ({ label, value: String(result[key]) }))
}
