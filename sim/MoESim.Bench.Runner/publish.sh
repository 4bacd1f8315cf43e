#!/usr/bin/env bash
# Publishes the stand-alone benchmark runner for linux-x64 (self-contained, single file,
# compressed), with the model YAMLs beside it, into .build/moesim-bench/. Carry that folder to
# a GPU machine and run: ./moesim-bench --accelerator cuda --out measured
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$root/.build/moesim-bench"
rm -rf "$out"
dotnet publish "$here/MoESim.Bench.Runner.csproj" -c Release -r linux-x64 --self-contained \
  -p:PublishSingleFile=true -p:EnableCompressionInSingleFile=true -p:IncludeNativeLibrariesForSelfExtract=true \
  -o "$out" --nologo
mkdir -p "$out/models"
cp "$root"/models/*.yaml "$out/models/"
du -sh "$out"
