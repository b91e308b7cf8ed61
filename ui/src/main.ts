import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';

async function start(): Promise<void> {
  // `vite --mode mock` runs the UI in a plain browser against an in-memory backend.
  // In a production build this branch (and the mock) is removed at compile time.
  if (import.meta.env.MODE === 'mock') {
    const { installMockBackend, openScreenFromUrl } = await import('./dev/mockBackend');
    installMockBackend();
    openScreenFromUrl();
  }
  const target = document.getElementById('app');
  if (!target) throw new Error('missing #app');
  mount(App, { target });
}

void start();
