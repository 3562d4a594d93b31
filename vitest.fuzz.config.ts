import { defineConfig } from 'vitest/config'

/** `npm run fuzz`: the long property runs, kept out of `npm test`. */
export default defineConfig({
  test: {
    include: ['test/fuzz/**/*.fuzz.ts'],
    globalSetup: ['test/fuzz/global-setup.ts'],
    testTimeout: 60 * 60_000,
    maxWorkers: 2,
    minWorkers: 1,
  },
})
