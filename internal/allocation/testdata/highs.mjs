// Solves one CPLEX LP file with HiGHS (the npm package "highs", HiGHS
// compiled to WebAssembly) for the allocation benchmarks:
//   FACHTAG_HIGHS=/path/to/node_modules/highs node highs.mjs FILE.lp
// prints {"status": "...", "objective": n}.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const highs = await require(process.env.FACHTAG_HIGHS)();
const sol = highs.solve(readFileSync(process.argv[2], "utf8"), { output_flag: false });
console.log(JSON.stringify({ status: sol.Status, objective: sol.ObjectiveValue }));
