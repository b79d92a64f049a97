import { createApp } from 'vue'
import 'vant/lib/index.css'
import './styles.css'
import App from './App.vue'
import { router } from './router'
import './elderly'

createApp(App).use(router).mount('#app')
