#!/bin/sh
# Whole-process wall time (start to exit) of a timing-only ResNet-18 run with heuristic mappings, for callers that start accelsim thousands of
# times from scripts. Each command given runs N times, the commands taking turns so that they share the machine's load;
# prints the median, min and max wall seconds of each, and the load average before and after.
#
#   bench/startup.sh N [COMMAND]...
#
# Without commands: the built executable, the same program through `dotnet accelsim.dll` and, when they exist, the
# ReadyToRun build `dotnet publish Simulator/AccelSim.Cli -c Release -r linux-x64 --self-contained false -o out/accelsim-r2r`
# and the Native AOT build `dotnet publish Simulator/AccelSim.Cli -c Release -r linux-x64 -p:PublishAot=true -o out/accelsim-aot`
# (it links with clang or gcc and needs zlib1g-dev). A command is a program path; the arguments of the run are appended.
# Before timing, each command runs once with the table, JSON and CSV out: all must be the first command's bytes, or the
# script stops.
set -eu
runs=${1:-21}
[ "$#" -gt 0 ] && shift
cd "$(dirname "$0")/.."
built=Simulator/AccelSim.Cli/bin/Release/net10.0
if [ "$#" -eq 0 ]; then
  set -- "$built/accelsim" "dotnet $built/accelsim.dll"
  [ -x out/accelsim-r2r/accelsim ] && set -- "$@" out/accelsim-r2r/accelsim
  [ -x out/accelsim-aot/accelsim ] && set -- "$@" out/accelsim-aot/accelsim
fi
# Heuristic mappings: the figure is the start-up and the simulation, comparable across versions (the mapping search
# has its own benchmark, accelsim bench --scenario resnet50-search).
run="--no-numerics --workload Workloads/resnet18.yaml --set mapper.search=heuristic"
arguments="run --no-table $run"
results=$(mktemp)
outputs=$(mktemp -d)
trap 'rm -rf "$results" "$outputs"' EXIT
n=0
for command in "$@"; do
  mkdir "$outputs/$n"
  # shellcheck disable=SC2086 # a command may be several words (dotnet accelsim.dll)
  $command run $run --json "$outputs/$n/run.json" --csv "$outputs/$n/run.csv" \
    >"$outputs/$n/table.txt" 2>/dev/null || { echo "failed: $command" >&2; exit 1; }
  diff -r "$outputs/0" "$outputs/$n" >/dev/null || { echo "different output: $command against $1" >&2; exit 1; }
  n=$((n + 1))
done
echo "same table, JSON and CSV from every command"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
i=0
while [ "$i" -lt "$runs" ]; do
  n=0
  for command in "$@"; do
    start=$(date +%s%N)
    # shellcheck disable=SC2086 # a command may be several words (dotnet accelsim.dll)
    $command $arguments >/dev/null 2>&1 || { echo "failed: $command $arguments" >&2; exit 1; }
    end=$(date +%s%N)
    echo "$n $(( end - start ))" >>"$results"
    n=$((n + 1))
  done
  i=$((i + 1))
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
n=0
for command in "$@"; do
  grep "^$n " "$results" | cut -d' ' -f2 | sort -n | awk -v name="$command" -v runs="$runs" '
    { t[NR] = $1 / 1e9 }
    END { m = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
          printf "%-60s median %.3f s  min %.3f s  max %.3f s  (%d runs)\n", name, m, t[1], t[NR], runs }'
  n=$((n + 1))
done
