// Builds the page side of the widget: one UMD file Dashboard 2.0 loads, with Vue left to the dashboard.
import { resolve } from 'node:path';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [vue()],
  build: {
    outDir: resolve(import.meta.dirname, 'resources'),
    emptyOutDir: true,
    sourcemap: false,
    cssCodeSplit: false,
    lib: {
      entry: resolve(import.meta.dirname, 'ui/index.ts'),
      name: 'ui-prm3-loads',
      formats: ['umd'],
      fileName: () => 'ui-prm3-loads.umd.js',
    },
    rollupOptions: {
      external: ['vue'],
      output: { globals: { vue: 'Vue' } },
    },
  },
});
