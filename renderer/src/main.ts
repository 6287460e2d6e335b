import { mount } from 'svelte'
import './app.css'
import App from './App.svelte'
import { AppState } from './app-state.svelte.ts'
import { connectHost } from './host/pick.ts'

const target = document.getElementById('app')
if (target === null) throw new Error('index.html has no #app element')
const app = new AppState(connectHost())
mount(App, { target, props: { app } })
