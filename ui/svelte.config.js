import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/vite-plugin-svelte').SvelteConfig} */
export default {
  preprocess: vitePreprocess(),
  compilerOptions: {
    // CSS goes to an emitted .css file (CSP: style-src 'self'), never injected at runtime.
    css: 'external',
    runes: true,
  },
};
