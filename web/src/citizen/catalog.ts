// What the service offers, read once per visit: the matters with their form fields, the life
// situations, the cooperating banks and their branches.
import { api, asProblem, type Schemas } from '../api/client'

export type MatterInfo = Schemas['MatterInfo']
export type MatterCode = MatterInfo['code']
export type FormField = Schemas['FormFieldInfo']
export type Scenario = Schemas['ScenarioInfo']
export type Bank = Schemas['BankInfo']

let matters: Promise<MatterInfo[]> | null = null
let scenarios: Promise<Scenario[]> | null = null
let banks: Promise<Bank[]> | null = null

function once<T>(load: () => Promise<T>, reset: () => void): Promise<T> {
  return load().catch((error: unknown) => {
    reset() // a failed load is tried again next time
    throw asProblem(error)
  })
}

export function loadMatters(): Promise<MatterInfo[]> {
  matters ??= once(
    async () => {
      const { data, error, response } = await api.GET('/matters')
      if (!data) throw asProblem(error, response.status)
      return data.matters
    },
    () => (matters = null),
  )
  return matters
}

export function loadScenarios(): Promise<Scenario[]> {
  scenarios ??= once(
    async () => {
      const { data, error, response } = await api.GET('/scenarios')
      if (!data) throw asProblem(error, response.status)
      return data.scenarios
    },
    () => (scenarios = null),
  )
  return scenarios
}

export function loadBanks(): Promise<Bank[]> {
  banks ??= once(
    async () => {
      const { data, error, response } = await api.GET('/banks', {})
      if (!data) throw asProblem(error, response.status)
      return data.banks
    },
    () => (banks = null),
  )
  return banks
}

// The fields a pre-judgment rule reads (rules.md §3): asked when the matter is chosen, before the
// pre-judgment. The rest of a matter's form (bank and branch, new contact details) comes after it.
export function isDecidingField(field: FormField): boolean {
  return field.kind === 'choice' || field.kind === 'bank_card'
}

/** A form value in words: the Chinese name of a choice, the value itself otherwise. */
export function formValueText(field: FormField | undefined, value: unknown): string {
  if (value === undefined || value === null || value === '') return ''
  const text = String(value)
  return field?.choice_names?.[text] ?? text
}
