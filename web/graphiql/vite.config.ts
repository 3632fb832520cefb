import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { sharedBuild } from '../vite.shared';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/graphiql/',
  plugins: [react()],
  build: sharedBuild(fileURLToPath(new URL('../dist/graphiql', import.meta.url))),
  worker: { format: 'es' },
});
