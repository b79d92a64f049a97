// A shared phone or a counter tablet: after a sign-out, or another person's sign-in, the application
// being put together (consent, matters, contact, the draft being changed) is gone.
import { nextTick } from 'vue'
import { describe, expect, it } from 'vitest'
import { signIn, signOut } from '../../src/auth/session'
import { application } from '../../src/citizen/application'

function jwt(claims: object): string {
  const encode = (o: object) => btoa(String.fromCharCode(...new TextEncoder().encode(JSON.stringify(o)))).replace(/=+$/, '')
  return `${encode({ alg: 'EdDSA' })}.${encode(claims)}.signature`
}

function halfway(): void {
  application.agreed = true
  application.noticeVersion = '2023-1'
  application.matters = [{ code: 'activate', form: {} }]
  application.contact = { phone: '13905590002', address: '黄山区甘棠镇' }
  application.caseId = 'c-1'
}

describe('the application in memory', () => {
  it('is forgotten when the person signs out', async () => {
    signIn(jwt({ sub: 'a', roles: ['citizen'] }))
    await nextTick()
    halfway()
    signOut()
    await nextTick()
    expect([application.agreed, application.noticeVersion, application.matters, application.caseId]).toEqual([false, null, [], null])
    expect(application.contact).toEqual({ phone: '', address: '' })
  })

  it('is forgotten when another person signs in', async () => {
    signIn(jwt({ sub: 'a', roles: ['citizen'] }))
    await nextTick()
    halfway()
    signIn(jwt({ sub: 'b', roles: ['citizen'] }))
    await nextTick()
    expect(application.agreed).toBe(false)
    expect(application.matters).toEqual([])
  })

  it('stays while the same person goes on', async () => {
    signIn(jwt({ sub: 'a', roles: ['citizen'] }))
    await nextTick()
    halfway()
    signIn(jwt({ sub: 'a', roles: ['citizen'] })) // a refreshed token of the same person
    await nextTick()
    expect(application.caseId).toBe('c-1')
  })
})
