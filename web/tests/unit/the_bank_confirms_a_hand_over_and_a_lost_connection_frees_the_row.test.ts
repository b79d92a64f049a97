// The bank's console: 已制卡发放 cannot be undone (the applicant is told to activate the card), so it is
// confirmed first; and when the connection drops on the way, the row is free again with 网络不可用.
import { flushPromises, mount } from '@vue/test-utils'
import type { Component } from 'vue'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { cardList } from './bank_card'

let sent: string[] = []

// the list answers; the hand-over's connection drops
async function network(request: Request): Promise<Response> {
  sent.push(`${request.method} ${new URL(request.url).pathname}`)
  if (request.method === 'GET') return cardList()
  throw new TypeError('Failed to fetch')
}

let BankCardsView: Component

async function mountBankView() {
  const view = mount(BankCardsView, { attachTo: document.body })
  await flushPromises()
  return view
}

async function dialogButton(name: 'confirm' | 'cancel'): Promise<HTMLButtonElement> {
  await vi.waitFor(() => expect(document.querySelector('.van-dialog')).not.toBeNull())
  return document.querySelector<HTMLButtonElement>(`.van-dialog__${name}`)!
}

describe('handing a card over at the bank', () => {
  beforeAll(async () => {
    vi.stubGlobal('fetch', network) // the client takes the global fetch when it is made, at import
    BankCardsView = (await import('../../src/consoles/bank/BankCardsView.vue')).default
  })
  beforeEach(() => (sent = []))
  afterAll(() => vi.unstubAllGlobals())

  it('asks first, naming the applicant as the row shows them and the ID card to check; cancelled, nothing is sent', async () => {
    const view = await mountBankView()
    await view.get('[data-testid="issue-K-1"]').trigger('click')
    const dialog = (await dialogButton('cancel')).closest('.van-dialog')!
    expect(dialog.getAttribute('role')).toBe('dialog')
    expect(dialog.getAttribute('aria-label')).toBe('确认已制卡发放') // named for a screen reader (Vant's aria-labelledby names no element)
    expect(dialog.hasAttribute('aria-labelledby')).toBe(false)
    expect(dialog.textContent).toContain('杨*')
    expect(dialog.textContent).toContain('342701********0069')
    expect(dialog.textContent).toContain('核对申请人本人的身份证件')
    ;(await dialogButton('cancel')).click()
    await flushPromises()
    expect(sent).toEqual(['GET /bank/cards'])
    expect(view.find('[data-testid="card-outcome"]').exists()).toBe(false)
    view.unmount()
  })

  it('once confirmed, sends it; a dropped connection ends the busy state and says 网络不可用', async () => {
    const view = await mountBankView()
    await view.get('[data-testid="issue-K-1"]').trigger('click')
    ;(await dialogButton('confirm')).click()
    await vi.waitFor(() => expect(view.text()).toContain('网络不可用'))
    expect(sent).toEqual(['GET /bank/cards', 'POST /bank/cards/K-1/issued'])
    expect(view.get('[data-testid="issue-K-1"]').classes()).not.toContain('van-button--loading')
    expect(view.find('[data-testid="card-outcome"]').exists()).toBe(false)
    view.unmount()
  })
})
