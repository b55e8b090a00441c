#!/usr/bin/env bash
# Regenerates avro/PrimeBroker.Streams.Contracts/Generated/*.cs from avro/schemas/*.avsc (historical *.vN.avsc skipped).
# The .avsc files are the source of truth; the serdes tests fail if the checked-in code differs from this output.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dotnet run --project "$root/avro/PrimeBroker.Streams.Contracts.Generator" -- \
  "$root/avro/schemas" "$root/avro/PrimeBroker.Streams.Contracts/Generated"
