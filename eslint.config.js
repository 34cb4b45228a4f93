// Lint config. Layer boundaries (ARCHITECTURE.md §1) are enforced here with
// no-restricted-imports: arrows point one way only.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const NODE_BUILTINS = ['node:*', 'fs', 'path', 'os', 'child_process', 'crypto', 'net', 'http', 'worker_threads'];
const restrict = (patterns, message) => ({
  'no-restricted-imports': ['error', { patterns: patterns.map((group) => ({ group: [group], message })) }],
});

export default tseslint.config(
  { ignores: ['node_modules/**', '.tools/**', 'dist/**', 'app/dist/**', 'native-chunker/build/**', 'test-results/**', 'src-renderer/dist/**', 'bench/.data/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src-shared/**/*.ts'],
    rules: restrict(['**/src-server/**', '**/src-main/**', '**/src-renderer/**', 'native-chunker', 'electron'], 'src-shared imports nothing of ours'),
  },
  {
    files: ['native-chunker/**/*.ts'],
    rules: restrict(['**/src-shared/**', '**/src-server/**', '**/src-main/**', '**/src-renderer/**', 'electron'], 'native-chunker imports nothing of ours'),
  },
  {
    files: ['src-main/shell/**/*.ts'],
    ignores: ['src-main/shell/wiring.ts', 'src-main/shell/**/*.test.ts', 'src-main/shell/bundle.ts'],
    rules: restrict(['**/engine/**', '**/cli/**', '**/src-server/**', '**/src-renderer/**'], 'the shell talks to the control layer only (wiring.ts joins the engine)'),
  },
  {
    files: ['src-server/**/*.ts'],
    rules: restrict(['**/src-main/**', '**/src-renderer/**', 'electron'], 'the server may import src-shared only'),
  },
  {
    files: ['src-main/engine/**/*.ts'],
    rules: restrict(['electron', '**/src-server/**', '**/src-renderer/**', '**/control/**', '**/shell/**', '**/cli/**'], 'the engine never imports electron or higher layers'),
  },
  {
    files: ['src-main/control/**/*.ts'],
    rules: restrict(['electron', '**/src-server/**', '**/src-renderer/**', '**/shell/**', '**/cli/**'], 'control may import the engine only'),
  },
  {
    files: ['src-main/cli/**/*.ts'],
    rules: restrict(['electron', '**/src-server/**', '**/src-renderer/**', '**/shell/**'], 'the CLI may import control and engine only'),
  },
  {
    files: ['src-renderer/**/*.ts', 'src-renderer/**/*.tsx'],
    languageOptions: { globals: { ...globals.browser } },
    rules: restrict([...NODE_BUILTINS, 'electron', '**/src-main/**', '**/src-server/**', 'native-chunker'], 'the renderer never imports node or main-process code'),
  },
);
