// Property tests run from a fixed seed so that CI is repeatable: a counterexample found once is found on
// every run until it is fixed. `KEELSON_FUZZ_SEED=random npm run test:unit` explores new inputs; any other
// number replays that seed (fast-check prints the seed of every failure).
const fc = require('fast-check');

const requested = process.env.KEELSON_FUZZ_SEED;
if (requested !== 'random') {
  const seed = requested === undefined ? 20_261_123 : Number(requested);
  if (!Number.isInteger(seed)) throw new Error(`KEELSON_FUZZ_SEED must be an integer or "random", not ${JSON.stringify(requested)}`);
  fc.configureGlobal({ seed });
}
