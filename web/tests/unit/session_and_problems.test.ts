import { describe, expect, it } from 'vitest'
import { fieldMessages } from '../../src/api/client'
import { decodeClaims, homeOf, isSignedIn, session, signIn, signOut } from '../../src/auth/session'
import { parseConfig } from '../../src/config'

function jwt(claims: object): string {
  const encode = (o: object) => btoa(String.fromCharCode(...new TextEncoder().encode(JSON.stringify(o)))).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')
  return `${encode({ alg: 'EdDSA' })}.${encode(claims)}.signature`
}

describe('the session', () => {
  it('reads a token with Chinese names and base64url characters', () => {
    const claims = decodeClaims(jwt({ sub: '341003199002150037', name: '李强？？>>', roles: ['citizen'] }))
    expect(claims.name).toBe('李强？？>>')
    expect(claims.roles).toEqual(['citizen'])
  })

  it('takes roles given as one string, as some authorizers pass them', () => {
    expect(decodeClaims(jwt({ sub: 'x', roles: 'clerk reviewer' })).roles).toEqual(['clerk', 'reviewer'])
  })

  it('is signed in until the token expires, and keeps nothing after sign-out', () => {
    signIn(jwt({ sub: 'hr-1', roles: ['reviewer'], exp: 2_000_000_000 }))
    expect(isSignedIn(1_999_999_999_000)).toBe(true)
    expect(isSignedIn(2_000_000_001_000)).toBe(false)
    signOut()
    expect(session.token).toBeNull()
    expect(isSignedIn()).toBe(false)
  })

  it('sends each role to its own screen', () => {
    expect(homeOf({ sub: 'a', roles: ['citizen'] })).toBe('/')
    expect(homeOf({ sub: 'b', roles: ['bank'] })).toBe('/bank')
    expect(homeOf({ sub: 'c', roles: ['reviewer'] })).toBe('/review')
    expect(homeOf({ sub: 'd', roles: ['pension_system'] })).toBe('/pension')
    expect(homeOf({ sub: 'e', roles: ['auditor'] })).toBe('/signin')
    expect(homeOf(null)).toBe('/signin')
  })
})

describe('problems', () => {
  it('keys each message by the field or the matter it names, the first message of a field winning', () => {
    const messages = fieldMessages({
      status: 422,
      errors: [
        { field: 'contact.phone', code: 'PATTERN', message: '联系电话应为11位手机号码' },
        { field: 'contact.phone', code: 'OTHER', message: '第二条' },
        { matter: 'apply', code: 'CARD_EXISTS', message: '您已持有有效社会保障卡，无需重复申领' },
      ],
    })
    expect(messages).toEqual({ 'contact.phone': '联系电话应为11位手机号码', 'matter.apply': '您已持有有效社会保障卡，无需重复申领' })
    expect(fieldMessages(null)).toEqual({})
  })
})

describe('the runtime configuration', () => {
  it('accepts the demo and a complete OpenID Connect configuration only', () => {
    expect(parseConfig({ signin: 'demo' })).toEqual({ signin: 'demo' })
    expect(parseConfig({ signin: 'oidc', issuer: 'https://id.example', clientId: 'sscard' })).toMatchObject({ signin: 'oidc', clientId: 'sscard' })
    expect(() => parseConfig({ signin: 'oidc', issuer: 'https://id.example' })).toThrow()
    expect(() => parseConfig(null)).toThrow()
  })
})
