// Type-checked lint for the TypeScript of the package, its tests, bench and demo.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default defineConfig(
  {
    // Build output, the dashboard workspace (its own toolchain) and the nodes' one-line CommonJS entries.
    ignores: ['dist/', 'resources/', 'node_modules/', 'dashboard/', 'nodes/'],
  },
  js.configs.recommended,
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // `import x = require('x')` is how CommonJS TypeScript imports a module that uses `export =`.
      '@typescript-eslint/no-require-imports': ['error', { allowAsImport: true }],
      // A caught value passed on as it is (`catch (e) { return Promise.reject(e) }`) keeps what was thrown.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
      // A variable a closure reads before its one assignment cannot be const.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // As tsc's noUnused*: a leading underscore marks a name kept on purpose (a rest sibling, a parameter a signature needs).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    // The editor's code runs in the browser and is checked with its own tsconfig.
    files: ['src/editor/**/*.ts', 'src/nodes/*/editor.ts'],
    rules: {
      // A dialog keeps its node as `node` for the jQuery callbacks, where `this` is the element.
      '@typescript-eslint/no-this-alias': ['error', { allowedNames: ['node'] }],
    },
    languageOptions: {
      parserOptions: { projectService: false, project: './tsconfig.editor.json', tsconfigRootDir: import.meta.dirname },
    },
  },
  prettier,
);
