// The web tests' one assertion: prints ok or FAIL with what was checked and
// counts the failures, so a run reports every check, not just the first.
let failures = 0;

export function check(condition, what) {
  if (condition) {
    console.log(`ok   ${what}`);
  } else {
    failures += 1;
    console.log(`FAIL ${what}`);
  }
}

// A failure that is not a check (a script error, a browser that would not start).
export function fail(what) {
  failures += 1;
  console.log(`FAIL ${what}`);
}

export function failureCount() {
  return failures;
}
