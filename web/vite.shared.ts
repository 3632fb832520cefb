// Build settings both apps share. Everything here serves one goal besides a small bundle:
// the same source gives byte-identical output (hashed names from content, no source maps
// with absolute paths, no timestamps), so web/dist can be committed and checked.
import type { UserConfig } from 'vite';

export function sharedBuild(outDir: string): UserConfig['build'] {
  return {
    outDir,
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    target: 'es2022',
    reportCompressedSize: false,
    // GraphiQL's editor (Monaco) is large by nature; it is served from the binary anyway.
    chunkSizeWarningLimit: 6000,
    modulePreload: { polyfill: false },
  };
}
