#!/usr/bin/env bash
# Builds streamgrad's Flink image: stages the build context deploy/docker/target/VARIANT/ (the job jar,
# ND4J's jars for lib/, the CLI wrapper) and runs docker build on it.
#   deploy/docker/build.sh [cpu|cuda] [--stage-only]
#     cpu  (default): streamgrad-flink:0.1.0       from Dockerfile
#     cuda (untested): streamgrad-flink:0.1.0-cuda from Dockerfile.cuda (downloads ~2.4 GB of jars)
# Needs the job jar: ./mvnw -pl flink-job -am package -DskipTests. Environment: STREAMGRAD_IMAGE
# (the image name, default streamgrad-flink), FLINK_IMAGE (the base, default flink:2.2.1-scala_2.12-java17).
set -euo pipefail
DOCKER_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$DOCKER_DIR/../.." && pwd)"
VARIANT=cpu
STAGE_ONLY=0
for a in "$@"; do
  case "$a" in
    cpu | cuda) VARIANT="$a" ;;
    --stage-only) STAGE_ONLY=1 ;;
    *) echo "build.sh: unknown argument '$a': use cpu, cuda and/or --stage-only" >&2; exit 2 ;;
  esac
done
die() { echo "build.sh: $*" >&2; exit 1; }

jar="$(ls "$ROOT"/flink-job/target/streamgrad-flink-job-*-job.jar 2>/dev/null | head -n 1 || true)"
[ -n "$jar" ] || die "no job jar in $ROOT/flink-job/target; build it: ./mvnw -pl flink-job -am package -DskipTests"
version="$(basename "$jar" | sed 's/^streamgrad-flink-job-\(.*\)-job\.jar$/\1/')"

ctx="$DOCKER_DIR/target/$VARIANT"
rm -rf "$ctx"
mkdir -p "$ctx/lib" "$ctx/bin"
cp "$jar" "$ctx/streamgrad-flink-job.jar"
cp "$DOCKER_DIR/bin/streamgrad" "$ctx/bin/streamgrad"
log="$DOCKER_DIR/target/maven-$VARIANT.log"
# Offline first (the jars are usually in ~/.m2 already), online if something is missing.
if ! "$ROOT/mvnw" -o -q -B -f "$DOCKER_DIR/pom.xml" -P"$VARIANT" validate -Dlib.dir="$ctx/lib" >"$log" 2>&1 &&
  ! "$ROOT/mvnw" -q -B -f "$DOCKER_DIR/pom.xml" -P"$VARIANT" validate -Dlib.dir="$ctx/lib" >"$log" 2>&1; then
  die "could not resolve ND4J's $VARIANT jars (see $log)"
fi
echo "build.sh: staged $ctx ($(ls "$ctx/lib" | wc -l) jars in lib/, $(du -sh "$ctx" | cut -f1))" >&2
[ "$STAGE_ONLY" = 1 ] && exit 0

command -v docker >/dev/null || die "no docker command here; the context is staged in $ctx (build it where Docker runs: docker build -f $DOCKER_DIR/Dockerfile $ctx)"
dockerfile="$DOCKER_DIR/Dockerfile"
tag="${STREAMGRAD_IMAGE:-streamgrad-flink}:$version"
if [ "$VARIANT" = cuda ]; then
  dockerfile="$DOCKER_DIR/Dockerfile.cuda"
  tag="$tag-cuda"
fi
docker build ${FLINK_IMAGE:+--build-arg FLINK_IMAGE="$FLINK_IMAGE"} -f "$dockerfile" -t "$tag" "$ctx"
echo "build.sh: built $tag" >&2
