// The application being put together, across the steps (notice → choice → pre-judgment → forms →
// materials → review): kept in memory for this visit, like the session.
import { reactive, watch } from 'vue'
import { session } from '../auth/session'
import { newIdempotencyKey, type Schemas } from '../api/client'
import type { MatterCode } from './catalog'

export type Form = Record<string, string>
export interface Chosen {
  code: MatterCode
  form: Form
}

export const application = reactive({
  noticeVersion: null as string | null,
  agreed: false,
  scenario: null as string | null,
  matters: [] as Chosen[],
  contact: { phone: '', address: '' },
  prejudgment: null as Schemas['PrejudgeResult'] | null,
  /** the draft being changed (PATCH), or none: a new case (POST) */
  caseId: null as string | null,
  /** the Idempotency-Key of the create attempt under way: kept when it is retried, dropped once answered */
  createKey: null as string | null,
  /** the body sent with createKey: a retry resends it as it was (the same key with another body is refused) */
  createBody: null as Schemas['CreateCaseRequest'] | null,
})

/** Everything of the application forgotten: consent too (a new application is agreed to anew). */
export function resetApplication(): void {
  startOver()
  application.noticeVersion = null
  application.agreed = false
  application.contact = { phone: '', address: '' }
}

// A shared phone: when the person signs out or another signs in, nothing of the last one's
// application (consent, matters, contact, draft) is shown to the next.
watch(
  () => session.claims?.sub,
  (now, before) => {
    if (now !== before) resetApplication()
  },
)

export function startOver(): void {
  application.scenario = null
  application.matters = []
  application.prejudgment = null
  application.caseId = null
  endCreateAttempt()
}

/** The create attempt answered (or given up): the next create is a new attempt, with a new key. */
export function endCreateAttempt(): void {
  application.createKey = null
  application.createBody = null
}

export function isChosen(code: MatterCode): boolean {
  return application.matters.some((m) => m.code === code)
}

export function toggleMatter(code: MatterCode): void {
  application.scenario = null
  application.prejudgment = null
  if (isChosen(code)) application.matters = application.matters.filter((m) => m.code !== code)
  else application.matters.push({ code, form: {} })
}

/** The matters as the API takes them: empty fields left out (an empty string is not an answer).
 *
 * The form's fields are drawn from the matter catalogue at run time, so their shape is known to the
 * service, not to the compiler: the one cast to the typed union is here, and a field the service
 * refuses comes back as a problem naming it, shown beside that field. */
export function mattersForApi(): Schemas['MatterChoice'][] {
  return application.matters.map(({ code, form }) => ({
    code,
    form: Object.fromEntries(Object.entries(form).filter(([, v]) => v !== '' && v !== undefined && v !== null)),
  })) as Schemas['MatterChoice'][]
}

export function createKey(): string {
  application.createKey ??= newIdempotencyKey()
  return application.createKey
}

/** Loads a draft into the steps, to change it (PATCH) instead of creating a new case. */
export function editDraft(view: Schemas['CaseView']): void {
  application.caseId = view.case_id
  application.agreed = true
  application.noticeVersion = view.consent.notice_version as string
  application.matters = view.matters.map((m) => ({
    code: m.code,
    form: Object.fromEntries(Object.entries(m.form ?? {}).map(([k, v]) => [k, String(v)])),
  }))
  application.contact = { phone: view.contact.phone, address: view.contact.address }
  application.prejudgment = null
}
