// The API names a wrong field by its path in the request (`matters[1].form.bank`, `contact.phone`);
// the screens show each message under the field it names.
import type { Problem } from '../api/client'

/** The messages about one chosen matter's form fields (the matter at `index` of the request), by field name. */
export function matterErrors(problem: Problem | null, index: number): Record<string, string> {
  const prefix = `matters[${index}].form.`
  const messages: Record<string, string> = {}
  for (const e of problem?.errors ?? []) {
    if (e.field?.startsWith(prefix)) messages[e.field.slice(prefix.length)] ??= e.message
  }
  return messages
}

/** The pre-judgment's reasons for one matter (errors that name the matter). */
export function matterReasons(problem: Problem | null, code: string): string[] {
  return (problem?.errors ?? []).filter((e) => e.matter === code).map((e) => e.message)
}
