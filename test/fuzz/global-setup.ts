/** One seed for the whole fuzz run, chosen before the workers start, so that FUZZ_SEED replays all of it. */
export default function setup(): void {
  if (!process.env.FUZZ_SEED) process.env.FUZZ_SEED = String((Date.now() ^ Math.floor(Math.random() * 2 ** 31)) | 0)
  console.log(`[fuzz] seed ${process.env.FUZZ_SEED}; replay with FUZZ_SEED=${process.env.FUZZ_SEED} npm run fuzz`)
}
