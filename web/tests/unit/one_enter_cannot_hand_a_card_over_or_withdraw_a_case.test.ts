// A step that cannot be undone is asked first; the question must not be answered "yes" by the key that
// opened it: a double Enter on 已制卡发放 would hand the card over. The safe choice has the focus.
import { flushPromises, mount } from '@vue/test-utils'
import type { Component } from 'vue'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { cardList } from './bank_card'
import { confirmed } from '../../src/components/confirmed'

let sent: string[] = []

async function network(request: Request): Promise<Response> {
  sent.push(`${request.method} ${new URL(request.url).pathname}`)
  if (request.method === 'GET') return cardList()
  return new Response(JSON.stringify({ card_id: 'K-1', status: 'issued', issued_on: '2026-12-01' }), { status: 200, headers: { 'Content-Type': 'application/json' } })
}

/** A key pressed where the browser sends it: on the focused element. */
function press(key: string): void {
  const target = document.activeElement ?? document.body
  target.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }))
}

const openDialog = () => document.querySelector<HTMLElement>('.van-dialog:not([style*="display: none"])')

let BankCardsView: Component

describe('the question before handing a card over', () => {
  beforeAll(async () => {
    vi.stubGlobal('fetch', network)
    BankCardsView = (await import('../../src/consoles/bank/BankCardsView.vue')).default
  })
  beforeEach(() => (sent = []))
  afterAll(() => vi.unstubAllGlobals())

  it('takes an Enter right after it opens as nothing: the cancel button has the focus, not the dialog', async () => {
    const view = mount(BankCardsView, { attachTo: document.body })
    await flushPromises()
    const button = view.get<HTMLElement>('[data-testid="issue-K-1"]').element
    button.focus()
    await view.get('[data-testid="issue-K-1"]').trigger('click')
    await vi.waitFor(() => expect(openDialog()).not.toBeNull())
    press('Enter')
    await flushPromises()
    expect(sent).toEqual(['GET /bank/cards'])
    expect(document.activeElement?.classList.contains('van-dialog__cancel')).toBe(true)
    expect(document.activeElement?.textContent).toBe('暂不发放')
    // Escape cancels, and the clerk is back on the button that asked
    press('Escape')
    await vi.waitFor(() => expect(document.activeElement).toBe(button))
    await flushPromises()
    expect(sent).toEqual(['GET /bank/cards'])
    expect(view.find('[data-testid="card-outcome"]').exists()).toBe(false)
    view.unmount()
  })

  it('names its buttons by what they do, and hands the card over only from 确认已发放', async () => {
    const view = mount(BankCardsView, { attachTo: document.body })
    await flushPromises()
    await view.get('[data-testid="issue-K-1"]').trigger('click')
    await vi.waitFor(() => expect(openDialog()).not.toBeNull())
    const dialog = openDialog()!
    expect(dialog.querySelector('.van-dialog__cancel')?.textContent).toBe('暂不发放')
    expect(dialog.querySelector('.van-dialog__confirm')?.textContent).toBe('确认已发放')
    dialog.querySelector<HTMLElement>('.van-dialog__confirm')!.click()
    await vi.waitFor(() => expect(view.find('[data-testid="card-outcome"]').exists()).toBe(true))
    expect(sent).toEqual(['GET /bank/cards', 'POST /bank/cards/K-1/issued'])
    view.unmount()
  })
})

describe('a confirmation dialog', () => {
  it('is modal, named by its title and described by its message', async () => {
    const asked = confirmed({ title: '删除草稿', message: '删除后草稿及已上传的材料都将清除。', confirmButtonText: '删除草稿', cancelButtonText: '保留草稿' })
    await vi.waitFor(() => expect(openDialog()).not.toBeNull())
    const dialog = openDialog()!
    expect(dialog.getAttribute('aria-modal')).toBe('true')
    expect(dialog.getAttribute('aria-label')).toBe('删除草稿')
    const described = document.getElementById(dialog.getAttribute('aria-describedby') ?? '')
    expect(described?.textContent).toBe('删除后草稿及已上传的材料都将清除。')
    press('Escape')
    expect(await asked).toBe(false)
  })

  it('leaves the focus alone when the element that had it is gone (a deleted draft’s page)', async () => {
    const asker = document.body.appendChild(document.createElement('button'))
    asker.focus()
    const asked = confirmed({ title: '删除草稿', message: '删除后草稿及已上传的材料都将清除。', confirmButtonText: '删除草稿', cancelButtonText: '保留草稿' })
    await vi.waitFor(() => expect(openDialog()).not.toBeNull())
    asker.remove()
    const focus = vi.spyOn(asker, 'focus')
    openDialog()!.querySelector<HTMLElement>('.van-dialog__confirm')!.click()
    expect(await asked).toBe(true)
    expect(focus).not.toHaveBeenCalled()
  })
})
