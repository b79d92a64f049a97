import { describe, expect, it } from 'vitest'
import { describeField, holidaySpans, loadTemplate, parseDocument } from '../../src/consoles/operator/calendar'

describe('the operator calendar', () => {
  const days = [
    { date: '2027-02-06', name: '春节' },
    { date: '2027-02-05', name: '春节' },
    { date: '2027-02-07', name: '春节' },
    { date: '2027-01-01', name: '元旦' },
    { date: '2027-02-09', name: '春节' }, // not next to the 7th: a span of its own
    { date: '2027-06-09', name: null },
  ]

  it('groups consecutive days off of one festival into spans, in date order', () => {
    expect(holidaySpans(days)).toEqual([
      { name: '元旦', start: '2027-01-01', end: '2027-01-01', days: 1 },
      { name: '春节', start: '2027-02-05', end: '2027-02-07', days: 3 },
      { name: '春节', start: '2027-02-09', end: '2027-02-09', days: 1 },
      { name: '放假', start: '2027-06-09', end: '2027-06-09', days: 1 },
    ])
  })

  it('makes a loadable document of a year: single days as date, spans as start and end', () => {
    const template = loadTemplate({ year: 2027, source: 'statutory_fallback', origin: 'statutory', notice: null, holidays: days, working_days: ['2027-02-13'], loaded_at: null, version: null })
    expect(template.notice).toBe('国务院办公厅关于2027年部分节假日安排的通知')
    expect(template.holidays[1]).toEqual({ name: '春节', start: '2027-02-05', end: '2027-02-07' })
    expect(template.holidays[0]).toEqual({ name: '元旦', date: '2027-01-01' })
    expect(template.working_days).toEqual(['2027-02-13'])
  })

  it('names a faulty entry by its place and festival', () => {
    const document = { holidays: [{ name: '元旦' }, { name: '春节' }] }
    expect(describeField('holidays[1].end', document)).toBe('放假安排第2条（春节）的结束日期')
    expect(describeField('holidays[5]', document)).toBe('放假安排第6条')
    expect(describeField('working_days[0]', document)).toBe('调休上班第1天')
    expect(describeField('notice', document)).toBe('通知名称')
    expect(describeField('something.else', null)).toBe('something.else')
  })

  it('refuses text that is not JSON, saying near which line', () => {
    expect(parseDocument('  ')).toEqual({ error: '请粘贴或上传国务院节假日安排的 JSON 文件' })
    const broken = parseDocument('{\n  "notice": "x",\n  "holidays": [,]\n}')
    expect('error' in broken && broken.error).toMatch(/^不是有效的 JSON/)
    expect(parseDocument('{"notice": "x"}')).toEqual({ value: { notice: 'x' } })
  })
})
