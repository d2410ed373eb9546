# Sourced by the benchmark scripts. script_options "$@" reads their options: --smoke (a tiny
# run for CI) into $smoke (1 or empty), --build BUILD_DIR into $build (default: build/ of this
# checkout).
script_options() {
  smoke=""
  build="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build"
  while [ $# -gt 0 ]; do
    case "$1" in
      --smoke) smoke=1 ;;
      --build) build="$2"; shift ;;
      *) echo "unknown option $1" >&2; exit 2 ;;
    esac
    shift
  done
}
