import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    // The second one lists the tests skipped because ../shared (or what stands for it) is absent.
    reporters: ['default', './test/helpers/external-material-reporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // End-to-end tests spawn servers, pseudo-terminals and the CLI; two cores do not like more.
    maxWorkers: 2,
    minWorkers: 1,
  },
})
