#!/usr/bin/env bash
# Regenerates the documentation derived from the input formats' declarations:
#   docs/scenario.schema.json, docs/schemas/<format>.schema.json for every other
#   input format, and the key reference section of docs/SCENARIOS.md.
# Tests fail until these are current (ScenarioTests, EndToEndTests/InputFormatTests).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --product platformsim >/dev/null
tool=.build/debug/platformsim
"$tool" schema > docs/scenario.schema.json
mkdir -p docs/schemas
for name in $("$tool" schema --list-inputs); do
  [ "$name" = scenario ] && continue
  "$tool" schema --input "$name" > "docs/schemas/$name.schema.json"
done
python3 - "$tool" <<'PY'
import subprocess, sys
tool = sys.argv[1]
begin = "<!-- BEGIN GENERATED KEY REFERENCE (platformsim schema --format markdown) -->"
end = "<!-- END GENERATED KEY REFERENCE -->"
reference = subprocess.run([tool, "schema", "--format", "markdown"], check=True, capture_output=True, text=True).stdout
text = open("docs/SCENARIOS.md").read()
head, rest = text.split(begin, 1)
_, tail = rest.split(end, 1)
open("docs/SCENARIOS.md", "w").write(head + begin + "\n" + reference + end + tail)
PY
echo "updated docs/scenario.schema.json, docs/schemas/ and docs/SCENARIOS.md"
