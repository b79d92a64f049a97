// A question before a step that cannot be undone (withdraw a case, delete a draft, hand a card over),
// in Vant's dialog. Vant puts the title's text into aria-labelledby, which wants an element id, so a
// screen reader would announce a nameless dialog: the dialog is named by its title with aria-label,
// and described by its message (an element with an id, so aria-describedby can point at it).
//
// Vant focuses the dialog itself and takes Enter there as "confirm": a second Enter on the button that
// opened it (a double press) would hand a card over. So the dialog is not focused by Vant
// (tabindex -1), Enter is not Vant's (keyboardEnabled: false), and the safe choice — the cancel
// button — has the focus: Enter on it cancels. Escape cancels, as in any dialog.
import { h, nextTick } from 'vue'
import { showConfirmDialog, type DialogOptions } from 'vant'

export interface Question {
  title: string
  message: string
  /** the verb of the step (撤回申请, 删除草稿, 确认已发放), not 确定 */
  confirmButtonText: string
  /** the verb of not doing it (暂不撤回, 保留草稿, 暂不发放), not 取消 */
  cancelButtonText: string
  messageAlign?: DialogOptions['messageAlign']
}

// Vant shows one dialog at a time (one instance, reused), so fixed names find it
const DIALOG_CLASS = 'sscard-confirm'
const MESSAGE_ID = 'sscard-confirm-message'

/** Whether the person confirmed (pressed the confirm button); false when cancelled (the cancel button, Enter on it, or Escape). */
export async function confirmed(question: Question): Promise<boolean> {
  const before = document.activeElement instanceof HTMLElement ? document.activeElement : null
  const options = {
    ...question,
    message: () => h('span', { id: MESSAGE_ID }, question.message),
    className: DIALOG_CLASS,
    keyboardEnabled: false,
    tabindex: -1,
    'aria-label': question.title,
    'aria-labelledby': undefined,
    'aria-modal': 'true',
    'aria-describedby': MESSAGE_ID,
  }
  const cancelButton = () => document.querySelector<HTMLElement>(`.${DIALOG_CLASS} .van-dialog__cancel`)
  const onKeydown = (event: KeyboardEvent) => {
    if (event.key === 'Escape') cancelButton()?.click()
  }
  document.addEventListener('keydown', onKeydown)
  try {
    const answer = showConfirmDialog(options as DialogOptions)
    await nextTick() // the dialog is rendered
    cancelButton()?.focus()
    await answer
    return true
  } catch {
    return false
  } finally {
    document.removeEventListener('keydown', onKeydown)
    // back where the person was (the button that asked), unless that is gone (a deleted draft's page)
    if (before?.isConnected) before.focus()
  }
}
