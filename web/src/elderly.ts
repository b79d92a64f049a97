// 适老化 (elderly mode): larger type, higher contrast, one step per screen. A preference, not a
// secret, so it persists in localStorage across visits; it is toggled from every screen.
import { ref, watch } from 'vue'

const KEY = 'sscard.elderly'

function stored(): boolean {
  try {
    return localStorage.getItem(KEY) === '1'
  } catch {
    return false // storage disabled: the mode still works for this visit
  }
}

export const elderly = ref(stored())

export function applyElderly(on: boolean): void {
  document.documentElement.classList.toggle('elderly', on)
  try {
    localStorage.setItem(KEY, on ? '1' : '0')
  } catch {
    /* storage disabled: nothing to persist into */
  }
}

watch(elderly, applyElderly, { immediate: true })
