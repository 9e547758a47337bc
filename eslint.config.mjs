// Lint guards the mistakes the compiler lets through: promises nobody awaits (a failed move or write that
// vanishes without a line), async functions handed to callers that ignore their result (VS Code event
// handlers), and code nobody uses. Type-aware, over everything tsconfig.json covers plus the .mjs scripts.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', '.cache/**', '.harness/**', 'node_modules/**', 'test-results/**'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        // The .mjs build scripts sit outside tsconfig.json (it covers scripts/**/*.ts); they get a default project.
        projectService: { allowDefaultProject: ['scripts/*.mjs', 'eslint.config.mjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // The point of this config: a dropped promise is a lost error. `void` marks fire-and-forget on purpose.
      // node:test's test()/describe()/it() return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        { ignoreVoid: true, allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] }] },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { args: 'after-used', argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      // Untrusted JSON/YAML (front matter, Agent Mail replies, the CLI's --json read back by tests) arrives as
      // `any` and is checked field by field where it enters (core/format/frontmatter.ts, core/agentmail/); the untyped
      // .mjs scripts are all `any`. These five rules flag every such read (83 hits, none a bug): the checks at the
      // boundary keep it safe, and the tests cover them.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      // Template literals with numbers and unions of strings are the house style for messages; `${undefined}`
      // would be a bug, so keep the rule but allow numbers and booleans.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      // The only hits (9) are untrusted values typed `unknown` (narrowed to `{}`) that String() renders on purpose, in
      // one line of a refusal; objects in templates are still caught by restrict-template-expressions.
      '@typescript-eslint/no-base-to-string': 'off',
      // Methods are passed with an explicit receiver (`show.call(this.prompts, …)`) and e2e steps destructure
      // their context object ({ page, screenshot }); the rule cannot see either and flags every one (18 hits).
      '@typescript-eslint/unbound-method': 'off',
      // A `let` declared before the closures that read it (a timer cleared by a settle() that may run first)
      // must stay a `let` above them: moving it would put those reads in the temporal dead zone.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // Only flags casts that change nothing (28 hits): cosmetic, never a bug, and `(await executeCommand(…)) as T` is the
      // exthost suites' idiom (the rule wants executeCommand<T>(…) instead).
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      // `const self = this` is how an object literal's getters reach the instance that builds it.
      '@typescript-eslint/no-this-alias': ['error', { allowedNames: ['self'] }],
      // `async` callbacks that satisfy a promise-returning signature (test steps, doubles, fakes of slow I/O) need
      // not await anything (19 hits: 18 in tests, one in provision.mjs).
      '@typescript-eslint/require-await': 'off',
    },
  },
);
