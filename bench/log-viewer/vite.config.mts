// The harness's build (log-viewer-scroll.bench.ts runs it): the console's JSX transform, not minified so that the
// CPU profile names functions. Output: the directory the bench passes with --outDir.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  build: {
    emptyOutDir: true, sourcemap: false, reportCompressedSize: false, minify: false,
    rolldownOptions: {
      onwarn(warning, warn) {
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
});
