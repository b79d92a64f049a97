// Who is signed in. The token lives in this module's memory only — never localStorage or
// sessionStorage, where any script on the origin could read it and where it would outlive the tab.
// A reload signs out (the demo page, or the identity provider's session, signs in again quickly).
import { reactive } from 'vue'

export type Role = 'citizen' | 'clerk' | 'reviewer' | 'pension_system' | 'bank' | 'operator' | 'auditor'

export interface Claims {
  sub: string
  name?: string
  phone_number?: string
  roles: Role[]
  district?: string
  service_point?: string
  bank?: string
  exp?: number
}

export const session = reactive<{ token: string | null; claims: Claims | null }>({ token: null, claims: null })

/** The JWT's payload (not verified here: the API verifies every request; this only drives the screens). */
export function decodeClaims(token: string): Claims {
  const part = token.split('.')[1]
  if (!part) throw new Error('not a JWT')
  const base64 = part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '=')
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))
  const claims = JSON.parse(new TextDecoder().decode(bytes)) as Claims
  if (typeof claims.roles === 'string') claims.roles = (claims.roles as string).split(/[ ,]+/).filter(Boolean) as Role[]
  return claims
}

export function signIn(token: string): void {
  session.claims = decodeClaims(token)
  session.token = token
}

export function signOut(): void {
  session.token = null
  session.claims = null
}

export function isSignedIn(now: number = Date.now()): boolean {
  if (!session.token || !session.claims) return false
  return session.claims.exp === undefined || session.claims.exp * 1000 > now
}

export function hasRole(role: Role): boolean {
  return isSignedIn() && (session.claims?.roles.includes(role) ?? false)
}

// Where each role works: the citizen app at the root, each console under its own path.
const HOMES: [Role, string][] = [
  ['citizen', '/'],
  ['clerk', '/counter'],
  ['reviewer', '/review'],
  ['pension_system', '/pension'],
  ['bank', '/bank'],
  ['operator', '/operator'],
]

export function homeOf(claims: Claims | null): string {
  for (const [role, path] of HOMES) if (claims?.roles.includes(role)) return path
  return '/signin'
}
