import { afterEach, describe, expect, it, vi } from 'vitest'
import { application, createKey, editDraft, mattersForApi, startOver, toggleMatter } from '../../src/citizen/application'
import { matterErrors, matterReasons } from '../../src/citizen/fieldErrors'
import { pollWhileOpen } from '../../src/citizen/polling'
import { acceptedType } from '../../src/citizen/upload'
import { formatDue, formatTime, resultLines, statusTone } from '../../src/citizen/words'

describe('times as people read them, in Asia/Shanghai whatever the device says', () => {
  it('writes the end of a working day as 24时前 with the weekday', () => {
    expect(formatDue('2026-12-02T23:59:59+08:00')).toBe('12月2日（星期三）24时前')
    expect(formatDue('2026-12-02T15:59:59Z')).toBe('12月2日（星期三）24时前') // the same instant in UTC
  })
  it('writes other due times and plain times with hours and minutes', () => {
    expect(formatDue('2027-01-04T09:30:00+08:00')).toBe('1月4日（星期一）09:30前')
    expect(formatTime('2026-12-01T02:04:07.446Z')).toBe('12月1日 10:04')
    expect(formatTime(null)).toBe('')
  })
})

describe('statuses and results in words', () => {
  it('colours a finished, a failed and a running status apart', () => {
    expect(statusTone('completed')).toBe('success')
    expect(statusTone('rejected')).toBe('danger')
    expect(statusTone('awaiting_review')).toBe('primary')
    expect(statusTone('draft')).toBe('default')
  })
  it('labels the result fields it knows and leaves the rest to the timeline', () => {
    expect(resultLines({ card_status_text: '正常使用', card_id: 'HS0002', bank: '中国建设银行黄山分行' })).toEqual([
      { label: '社保卡状态', value: '正常使用' },
      { label: '合作银行', value: '中国建设银行黄山分行' },
    ])
    expect(resultLines(null)).toEqual([])
  })
})

describe('the application being put together', () => {
  afterEach(startOver)

  it('sends the chosen matters without the empty answers', () => {
    toggleMatter('info_change')
    application.matters[0]!.form = { phone: '13905598877', address: '' }
    toggleMatter('status_query')
    expect(mattersForApi()).toEqual([
      { code: 'info_change', form: { phone: '13905598877' } },
      { code: 'status_query', form: {} },
    ])
    toggleMatter('info_change')
    expect(mattersForApi().map((m) => m.code)).toEqual(['status_query'])
  })

  it('keeps one Idempotency-Key for a create attempt until it is answered', () => {
    const first = createKey()
    expect(createKey()).toBe(first)
    application.createKey = null
    expect(createKey()).not.toBe(first)
  })

  it('loads a draft to change it rather than create another', () => {
    editDraft({
      case_id: 'c-1',
      consent: { notice_version: '2023.1' },
      matters: [{ code: 'loss', name: '挂失', status: 'pending', time_limit_text: '即时办结', form: { action: 'report' } }],
      contact: { phone: '13905590001', address: '屯溪区' },
    } as never)
    expect(application.caseId).toBe('c-1')
    expect(mattersForApi()).toEqual([{ code: 'loss', form: { action: 'report' } }])
  })
})

describe("the API's errors next to their fields", () => {
  const problem = {
    errors: [
      { field: 'matters[1].form.bank', code: 'UNKNOWN_BANK', message: '没有该合作银行' },
      { field: 'matters[0].form.action', code: 'missing', message: '缺少必填字段' },
      { matter: 'apply' as const, code: 'CARD_EXISTS', message: '您已持有有效社会保障卡，无需重复申领' },
    ],
  }
  it('finds the messages of one matter by its place in the request', () => {
    expect(matterErrors(problem, 1)).toEqual({ bank: '没有该合作银行' })
    expect(matterErrors(problem, 0)).toEqual({ action: '缺少必填字段' })
    expect(matterReasons(problem, 'apply')).toEqual(['您已持有有效社会保障卡，无需重复申领'])
  })
})

describe('uploads', () => {
  it('declares only the types the service accepts', () => {
    expect(acceptedType(new File(['x'], 'a.jpg', { type: 'image/jpeg' }))).toBe('image/jpeg')
    expect(acceptedType(new File(['x'], 'a.pdf', { type: 'application/pdf' }))).toBe('application/pdf')
    expect(acceptedType(new File(['x'], 'a.heic', { type: 'image/heic' }))).toBeNull()
  })
})

describe('polling a case while its screen is open', () => {
  function fakeDocument() {
    const listeners: (() => void)[] = []
    return {
      hidden: false,
      addEventListener: (_: string, f: () => void) => listeners.push(f),
      removeEventListener: () => undefined,
      show(hidden: boolean) {
        this.hidden = hidden
        listeners.forEach((f) => f())
      },
    }
  }

  it('asks again while the case moves and stops once it has finished', async () => {
    vi.useFakeTimers()
    const answers = [true, true, false]
    const refresh = vi.fn(async () => answers.shift() ?? false)
    pollWhileOpen(refresh, () => 1000, fakeDocument() as never)
    await vi.advanceTimersByTimeAsync(10_000)
    expect(refresh).toHaveBeenCalledTimes(3)
    vi.useRealTimers()
  })

  it('does not ask while the page is hidden, and asks at once when it is shown again', async () => {
    vi.useFakeTimers()
    const doc = fakeDocument()
    const refresh = vi.fn(async () => true)
    const poller = pollWhileOpen(refresh, () => 1000, doc as never)
    await vi.advanceTimersByTimeAsync(1000)
    expect(refresh).toHaveBeenCalledTimes(1)
    doc.show(true)
    await vi.advanceTimersByTimeAsync(60_000)
    expect(refresh).toHaveBeenCalledTimes(1)
    doc.show(false)
    await vi.advanceTimersByTimeAsync(0)
    expect(refresh).toHaveBeenCalledTimes(2)
    poller.stop()
    await vi.advanceTimersByTimeAsync(60_000)
    expect(refresh).toHaveBeenCalledTimes(2)
    vi.useRealTimers()
  })
})
