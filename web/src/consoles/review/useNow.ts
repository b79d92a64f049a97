// A clock for countdowns: the current time, ticking every 30 s while a screen shows it.
import { onBeforeUnmount, onMounted, ref, type Ref } from 'vue'

export function useNow(everyMs = 30_000): Ref<number> {
  const now = ref(Date.now())
  let timer: ReturnType<typeof setInterval> | undefined
  onMounted(() => (timer = setInterval(() => (now.value = Date.now()), everyMs)))
  onBeforeUnmount(() => clearInterval(timer))
  return now
}
