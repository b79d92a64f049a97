// A question before a step that cannot be undone (withdraw a case, delete a draft, hand a card over),
// in Vant's dialog. Vant puts the title's text into aria-labelledby, which wants an element id, so a
// screen reader would announce a nameless dialog: the dialog is named by its title with aria-label.
import { showConfirmDialog, type DialogOptions } from 'vant'

export interface Question {
  title: string
  message: string
  confirmButtonText: string
  cancelButtonText?: string
  messageAlign?: DialogOptions['messageAlign']
}

/** Whether the person confirmed (pressed the confirm button or Enter); false when cancelled (or Escape). */
export async function confirmed(question: Question): Promise<boolean> {
  const named = { cancelButtonText: '取消', ...question, 'aria-label': question.title, 'aria-labelledby': undefined }
  try {
    await showConfirmDialog(named as DialogOptions)
    return true
  } catch {
    return false
  }
}
