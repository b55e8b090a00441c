#!/usr/bin/env bash
# Prints shell exports for the cluster a running `dev-cluster` command describes, e.g.
#   eval "$(scripts/dev-cluster-env.sh)"    # then: kcat -b "$KAFKA_BOOTSTRAP_SERVERS" -L
# Argument: the connection file (default .dev-cluster.json in the current directory).
set -euo pipefail
file="${1:-.dev-cluster.json}"
if [[ ! -f "$file" ]]; then
  echo "no $file: start one with 'dotnet run --project host/PrimeBroker.Streams.App -- dev-cluster'" >&2
  exit 1
fi
# The file is written by DevClusterInfo: one "key": value pair per line.
# Prints a string value, or nothing for null.
value() { sed -n "s/^ *\"$1\": *\"\([^\"]*\)\",\{0,1\}$/\1/p" "$file"; }
bootstrap="$(value bootstrapServers)"
registry="$(value schemaRegistryUrl)"
echo "export KAFKA_BOOTSTRAP_SERVERS='$bootstrap'"
if [[ -n "$registry" ]]; then
  echo "export SCHEMA_REGISTRY_URL='$registry'"
else
  echo "unset SCHEMA_REGISTRY_URL"
fi
