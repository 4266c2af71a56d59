#!/usr/bin/env bash
# The optional CUDA check (issue 9: "the GPU path stays real on paper"). Not part of CI: its
# artifacts are ~2.4 GB. See README "Build and test".
#
#   scripts/check-cuda.sh [--keep-jar]
#
# Builds flink-job and the modules it needs with the cuda profile, as
#   ./mvnw -B -Pcuda -DskipTests package -pl flink-job -am
# (ND4J nd4j-cuda-11.6 1.0.0-M2.1 and JavaCPP's CUDA 11.6 / cuDNN 8.3 presets, redist included),
# then looks inside the job jar.
#
# What a pass proves: every class compiles against the CUDA backend's artifacts, the test sources
# too (compiled, not run), and the shaded job jar (what `flink run` submits) carries ND4J's CUDA
# backend (JCublasBackend, registered as the Nd4jBackend service) and no CPU backend, with its
# native libraries for linux-x86_64.
# What it does not prove: that anything runs on a GPU. This machine has none, so no test runs and
# ND4J is never loaded; run the job on a machine with an NVIDIA GPU (driver for CUDA 11.6 or newer)
# for that, and its log and --summary-json name the device (README "--summary-json").
#
# Downloads (first run only) go to a local repository of their own, $STREAMGRAD_CUDA_M2 (default
# ~/.m2/cuda-repository), which reads everything else from ~/.m2/repository without writing there
# (Maven's maven.repo.local.tail). Measured on a 2-core machine, 2026-11-30: 2.4 GB downloaded
# (cuda-11.6-8.3-1.5.7-linux-x86_64-redist.jar 1.83 GB, nd4j-cuda-11.6-1.0.0-M2.1-linux-x86_64.jar
# 0.60 GB), and the README gives the wall times.
#
# Afterwards flink-job/target holds CUDA builds: the script deletes the CUDA job jar (unless
# --keep-jar) and target/classpath.txt, so the next ./streamgrad or ./mvnw package builds for the
# CPU again.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JOB="$ROOT/flink-job"
M2="${STREAMGRAD_CUDA_M2:-$HOME/.m2/cuda-repository}"
KEEP=0

die() { echo "check-cuda: FAILED: $*" >&2; exit 1; }
say() { echo "check-cuda: $*" >&2; }

for a in "$@"; do
  case "$a" in
    --keep-jar) KEEP=1 ;;
    -h|--help) sed -n '2,28p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument $a (use --keep-jar or --help)" ;;
  esac
done

command -v unzip >/dev/null || die "unzip is needed to look inside the job jar (apt-get install unzip)"
mkdir -p "$M2"
say "building with -Pcuda (downloads ~2.4 GB into $M2 on the first run)..."
start=$(date +%s)
"$ROOT/mvnw" -B -q -Pcuda -DskipTests -Dspotless.check.skip=true package -pl flink-job -am \
  -Dmaven.repo.local="$M2" -Dmaven.repo.local.tail="$HOME/.m2/repository" \
  || die "the cuda profile does not build (output above)"
took=$(( $(date +%s) - start ))

jar=$(ls "$JOB"/target/streamgrad-flink-job-*-job.jar 2>/dev/null | head -n 1)
[ -n "$jar" ] || die "no job jar in $JOB/target"
listing=$(mktemp)
trap 'rm -f "$listing"' EXIT
unzip -Z1 "$jar" >"$listing"
has() { grep -qx "$1" "$listing"; }
has 'org/nd4j/linalg/jcublas/JCublasBackend.class' || die "$jar has no JCublasBackend"
! has 'org/nd4j/linalg/cpu/nativecpu/CpuBackend.class' || die "$jar also carries the CPU backend"
grep -q 'org/nd4j/linalg/jcublas/.*linux-x86_64/.*nd4jcuda' "$listing" \
  || die "$jar has no CUDA native library of ND4J for linux-x86_64"
grep -q '^org/bytedeco/cuda/linux-x86_64/.*cudart' "$listing" \
  || die "$jar has no CUDA runtime (JavaCPP redist)"
has 'io/streamgrad/run/ClusterJob.class' || die "$jar has no io.streamgrad.run.ClusterJob"
services=$(unzip -p "$jar" META-INF/services/org.nd4j.linalg.factory.Nd4jBackend)
[ "$(echo "$services" | grep -v '^#' | grep -c .)" = 1 ] \
  && echo "$services" | grep -qx 'org.nd4j.linalg.jcublas.JCublasBackend' \
  || die "the jar's Nd4jBackend service is not JCublasBackend alone: $services"
size=$(du -m "$jar" | cut -f1)

rm -f "$JOB/target/classpath.txt"
if [ "$KEEP" = 0 ]; then
  rm -f "$jar"
  kept="deleted (--keep-jar keeps it)"
else
  kept="kept: $jar"
fi
say "OK in ${took}s: flink-job compiles and packages against ND4J's CUDA 11.6 backend;"
say "  the job jar (${size} MB, $kept) carries JCublasBackend and its linux-x86_64 natives, no CPU backend."
say "  Nothing ran on a GPU (none here). The next ./streamgrad or ./mvnw package rebuilds for the CPU."
