// Reads the JSON reports of one conformance run and prints its counts and every failure.
//
//   node summarize.mjs bruno  EXPECTED_REQUESTS report.json...
//   node summarize.mjs newman EXPECTED_REQUESTS report.json
//
// Prints one "key=value" line on stdout for run.sh (requests_passed, requests_failed,
// assertions_passed, assertions_failed) and the failures on stderr. Exits 1 when anything failed,
// including a report that is missing or that ran fewer requests than the collection holds.
import { readFileSync } from "node:fs";

const [mode, expectedArg, ...files] = process.argv.slice(2);
const expected = Number(expectedArg);
const failures = [];
let requests = 0;
let requestsFailed = 0;
let assertions = 0;
let assertionsFailed = 0;

function load(file) {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    failures.push(`${file}: no readable report (${err.message})`);
    return null;
  }
}

function bruno(file) {
  const report = load(file);
  if (!report) return;
  for (const iteration of report) {
    const s = iteration.summary ?? {};
    for (const key of ["errorRequests", "skippedRequests", "skippedByBail"]) {
      if (s[key]) failures.push(`${file}: summary.${key} = ${s[key]}`);
    }
    for (const r of iteration.results ?? []) {
      requests += 1;
      const where = `${r.test?.filename ?? r.path} (${r.request?.method} ${r.request?.url} -> ${r.response?.status})`;
      let failed = false;
      if (r.error) {
        failed = true;
        failures.push(`${where}: ${r.error}`);
      }
      for (const a of r.assertionResults ?? []) {
        assertions += 1;
        if (a.status !== "pass") {
          assertionsFailed += 1;
          failed = true;
          failures.push(`${where}: assert ${a.lhsExpr} ${a.rhsExpr}: ${a.error ?? a.status}`);
        }
      }
      // tests {} blocks count as assertions; a failed expect() in a script shows up here as an entry.
      for (const key of ["testResults", "preRequestTestResults", "postResponseTestResults"]) {
        for (const t of r[key] ?? []) {
          assertions += 1;
          if (t.status !== "pass") {
            assertionsFailed += 1;
            failed = true;
            failures.push(`${where}: ${t.description}: ${t.error ?? t.status}`);
          }
        }
      }
      if (r.status !== "pass") failed = true;
      if (failed) requestsFailed += 1;
    }
  }
}

function newman(file) {
  const report = load(file);
  if (!report) return;
  const { stats, failures: runFailures, executions } = report.run;
  requests += stats.requests.total;
  assertions += stats.assertions.total;
  assertionsFailed += stats.assertions.failed;
  const failedItems = new Set();
  for (const f of runFailures ?? []) {
    failedItems.add(f.source?.id ?? f.source?.name);
    failures.push(`${f.source?.name}: ${f.error?.test ? `${f.error.test}: ` : ""}${f.error?.message ?? f.error?.name}`);
  }
  for (const e of executions ?? []) {
    if (e.requestError) {
      failedItems.add(e.item?.id);
      failures.push(`${e.item?.name}: request error ${e.requestError.message ?? e.requestError}`);
    }
  }
  requestsFailed += Math.max(failedItems.size, stats.requests.failed);
  for (const key of ["testScripts", "prerequestScripts", "iterations"]) {
    if (stats[key]?.failed) failures.push(`${file}: ${stats[key].failed} failed ${key}`);
  }
}

if (mode === "bruno") files.forEach(bruno);
else if (mode === "newman") files.forEach(newman);
else {
  console.error(`unknown mode ${mode}`);
  process.exit(2);
}

if (requests !== expected) {
  failures.push(`${mode}: ran ${requests} requests, the collection has ${expected}`);
  requestsFailed += Math.max(0, expected - requests);
}
for (const f of failures) console.error(`  FAIL ${f}`);
const ok = failures.length === 0 && requestsFailed === 0 && assertionsFailed === 0;
console.log(
  `requests_passed=${Math.max(0, requests - requestsFailed)} requests_failed=${requestsFailed}` +
    ` assertions_passed=${assertions - assertionsFailed} assertions_failed=${assertionsFailed}` +
    ` requests_total=${Math.max(requests, expected)} ok=${ok ? 1 : 0}`,
);
process.exit(ok ? 0 : 1);
