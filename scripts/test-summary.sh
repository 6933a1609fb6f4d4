#!/usr/bin/env bash
# Sums the TRX reports under a folder into one line of its own, "N passed, N failed" (always the last line: CI reads
# it), with "N skipped" on the line above it and each failed test named with the start of its message above those,
# where the tail of a CI log still shows them. Exits 1 when a test failed or when no test ran at all.
#   scripts/test-summary.sh RESULTS_DIR
set -uo pipefail

results=${1:?usage: scripts/test-summary.sh RESULTS_DIR}
mapfile -t reports < <(find "$results" -name '*.trx' 2>/dev/null | sort)

# count NAME: the sum of one counter (total, passed, failed, ...) over every report.
count() {
  local report sum=0 value
  for report in "${reports[@]}"; do
    value=$(grep -o '<Counters [^>]*>' "$report" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*' || echo 0)
    sum=$((sum + value))
  done
  echo "$sum"
}
total=$(count total)
passed=$(count passed)
failed=$(($(count failed) + $(count error) + $(count timeout) + $(count aborted)))
# A skipped test (xunit's Skip, Skip.If) is a result with the outcome NotExecuted; the Counters leave it out.
skipped=0
if [[ ${#reports[@]} -gt 0 ]]; then
  skipped=$(cat "${reports[@]}" | grep -o '<UnitTestResult [^>]*outcome="NotExecuted"' | wc -l)
fi

if [[ ${#reports[@]} -gt 0 ]]; then
  perl -0777 -ne '
    while (/<UnitTestResult [^>]*?testName="([^"]*)"[^>]*?outcome="(?:Failed|Error|Timeout|Aborted)"(.*?)<\/UnitTestResult>/sg) {
      my ($name, $body) = ($1, $2);
      my ($message) = $body =~ /<Message>(.*?)<\/Message>/s;
      $message = substr(join(" ", split(/\s*\n\s*/, $message // "")), 0, 400);
      s/&quot;/"/g, s/&apos;/\x27/g, s/&lt;/</g, s/&gt;/>/g, s/&amp;/&/g for $name, $message;
      print "failed: $name\n    $message\n";
    }' "${reports[@]}"
fi
echo "${skipped} skipped"
echo "${passed} passed, ${failed} failed"
if [[ $total -eq 0 ]]; then
  echo "no test ran" >&2
  exit 1
fi
[[ $failed -eq 0 ]]
