// Who works in which console, in the words the staff use.
import type { Claims, Role } from '../auth/session'

export const ROLE_NAMES: Record<Role, string> = {
  citizen: '居民',
  clerk: '窗口工作人员',
  reviewer: '人社审核员',
  pension_system: '养老保险业务系统',
  bank: '合作银行',
  operator: '运维人员',
  auditor: '审计人员',
}

const DISTRICTS: Record<string, string> = {
  '341000': '黄山市（市级）',
  '341002': '屯溪区',
  '341003': '黄山区',
  '341004': '徽州区',
  '341021': '歙县',
  '341022': '休宁县',
  '341023': '黟县',
  '341024': '祁门县',
}

/** Where a signed-in member of staff works: the district, service point or bank their token names. */
export function scopeOf(claims: Claims | null): string {
  if (!claims) return ''
  const parts: string[] = []
  if (claims.district) parts.push(`${DISTRICTS[claims.district] ?? '区县'}（${claims.district}）`)
  if (claims.service_point) parts.push(`服务网点 ${claims.service_point}`)
  if (claims.bank) parts.push(`银行代码 ${claims.bank}`)
  return parts.join(' · ')
}

/** The message on the sign-in page when a screen needs another role than the visitor's. */
export function deniedMessage(role: string): string {
  const name = ROLE_NAMES[role as Role]
  return name ? `该页面仅限${name}使用，请以${name}身份登录。` : '该页面需要其他身份，请重新登录。'
}
