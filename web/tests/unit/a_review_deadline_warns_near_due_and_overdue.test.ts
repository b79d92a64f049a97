import { describe, expect, it } from 'vitest'
import { deadlineOf, shanghaiTime, spell } from '../../src/consoles/deadline'
import { deniedMessage, scopeOf } from '../../src/consoles/roles'

const due = '2026-12-02T23:59:59+08:00'
const at = (iso: string) => Date.parse(iso)

describe('a review deadline', () => {
  it('is normal more than 4 hours before the due time, with the time left in days and hours', () => {
    const d = deadlineOf(due, at('2026-12-01T10:00:00+08:00'))
    expect(d.level).toBe('normal')
    expect(d.text).toBe('剩余 1天13小时')
  })

  it('warns from 4 hours before the due time, as the deadline job does', () => {
    expect(deadlineOf(due, at('2026-12-02T19:59:58+08:00')).level).toBe('normal')
    const near = deadlineOf(due, at('2026-12-02T19:59:59+08:00'))
    expect(near).toEqual({ level: 'near', text: '剩余 4小时', label: '即将到期' })
    expect(deadlineOf(due, at('2026-12-02T23:30:00+08:00')).text).toBe('剩余 29分')
  })

  it('is overdue at the due time and says how late it is', () => {
    expect(deadlineOf(due, at('2026-12-02T23:59:59+08:00')).level).toBe('overdue')
    const late = deadlineOf(due, at('2026-12-04T02:30:00+08:00'))
    expect(late).toEqual({ level: 'overdue', text: '已超时 1天2小时', label: '已超时' })
  })

  it('takes a warning period other than the default', () => {
    expect(deadlineOf(due, at('2026-12-02T15:00:00+08:00'), 12).level).toBe('near')
    expect(deadlineOf(due, at('2026-12-02T15:00:00+08:00')).level).toBe('normal')
  })

  it('has no level without a due time or with a malformed one', () => {
    expect(deadlineOf(null, Date.now()).level).toBe('none')
    expect(deadlineOf('tomorrow', Date.now())).toEqual({ level: 'none', text: '无时限', label: '无时限' })
  })

  it('spells durations as people read them, never below one minute', () => {
    expect(spell(0)).toBe('1分')
    expect(spell(59 * 60_000)).toBe('59分')
    expect(spell(2 * 3_600_000)).toBe('2小时')
    expect(spell(3 * 86_400_000)).toBe('3天')
  })

  it('shows times in Asia/Shanghai whatever the offset they come with', () => {
    expect(shanghaiTime('2026-12-02T15:59:59Z')).toBe('12月2日 周三 23:59')
    expect(shanghaiTime('2027-01-01T00:05:00+08:00')).toBe('1月1日 周五 00:05')
    expect(shanghaiTime(null)).toBe('—')
  })
})

describe('the consoles’ words for who is signed in', () => {
  it('names the district, service point or bank of a token', () => {
    expect(scopeOf({ sub: 'hr', roles: ['reviewer'], district: '341003' })).toBe('黄山区（341003）')
    expect(scopeOf({ sub: 'hr', roles: ['reviewer'], district: '341000' })).toBe('黄山市（市级）（341000）')
    expect(scopeOf({ sub: 'c', roles: ['clerk'], service_point: 'HS-TX-01' })).toBe('服务网点 HS-TX-01')
    expect(scopeOf(null)).toBe('')
  })

  it('tells a visitor whose screen a console is', () => {
    expect(deniedMessage('reviewer')).toBe('该页面仅限人社审核员使用，请以人社审核员身份登录。')
    expect(deniedMessage('nobody')).toBe('该页面需要其他身份，请重新登录。')
  })
})
