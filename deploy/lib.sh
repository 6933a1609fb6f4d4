# shellcheck shell=bash
# Shared by the deploy scripts: strict mode, the dry-run switch, loud failures and the names of things in the cluster.
# The scripts run from the repository root, so the commands they print are the same from any clone.
# shellcheck disable=SC2034 # the settings below are read by the scripts that source this file
set -euo pipefail

DRY_RUN=false
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# Where the scripts write what they render (a wrapper kustomization and the built manifests), one folder per environment.
WORK_ROOT="${AZORA_DEPLOY_WORKDIR:-/tmp/azora-deploy}"
IMAGE_REGISTRY="${AZORA_IMAGE_REGISTRY:-ghcr.io/azora-world}"
ROLLOUT_TIMEOUT="${AZORA_ROLLOUT_TIMEOUT:-10m}"
# On each production API colour's Deployment: the payments image released together with that colour.
PAYMENTS_IMAGE_ANNOTATION=azora.world/payments-image

fail() {
  echo "error: $*" >&2
  exit 1
}

# Reads the options in "$@": --dry-run, and each option named before the "--" as NAME=VARIABLE, whose value goes into
# VARIABLE. Stops on an unknown argument or on an option given without its value.
#   parse_options tag=tag base-url=base_url -- "$@"
parse_options() {
  local -A variables=()
  while [[ $1 != -- ]]; do
    variables[--${1%%=*}]=${1#*=}
    shift
  done
  shift
  while [[ $# -gt 0 ]]; do
    if [[ $1 == --dry-run ]]; then
      DRY_RUN=true
      shift
    elif [[ -n $1 && -n ${variables[$1]:-} ]]; then
      [[ $# -ge 2 ]] || fail "$1 needs a value"
      printf -v "${variables[$1]}" '%s' "$2"
      shift 2
    else
      fail "unknown argument '$1'"
    fi
  done
}

# Prints a command the way a shell would read it back, then runs it unless this is a dry run.
show() {
  local out="+" arg
  for arg in "$@"; do
    if [[ $arg =~ ^[A-Za-z0-9_./:=@,+%-]+$ ]]; then
      out+=" $arg"
    else
      out+=" '${arg//\'/\'\\\'\'}'"
    fi
  done
  echo "$out"
}

run() {
  show "$@"
  if [[ $DRY_RUN == false ]]; then
    "$@"
  fi
}

# Reads a value from the cluster into the variable named $1 with the kubectl command after $2. Only an object that is
# not there (kubectl's --ignore-not-found: no output) or an empty value means the default $2; any other failure to read
# (no connection, no rights, a timeout) stops the script, because guessing would act on the wrong colour. A dry run
# shows the command and uses the default.
read_cluster() {
  local -n target=$1
  local default=$2
  shift 2
  show "$@" --ignore-not-found
  if [[ $DRY_RUN == true ]]; then
    target=$default
    echo "# dry run: assuming '$default'"
    return
  fi
  target=$("$@" --ignore-not-found) ||
    fail "could not read the cluster ($*); stopping before anything changes (only an object that is not there means '$default')"
  if [[ -z $target ]]; then
    target=$default
    echo "# not in the cluster: assuming '$default'"
  fi
}

namespace_of() {
  case $1 in
    staging | production) echo "azora-$1" ;;
    *) fail "unknown environment '$1' (staging or production)" ;;
  esac
}

other_colour() {
  case $1 in
    blue) echo green ;;
    green) echo blue ;;
    *) fail "unknown colour '$1' (blue or green)" ;;
  esac
}

# Stops unless $1 can be deployed as an image tag: a valid tag, and not `latest`, which moves under a running release.
require_tag() {
  [[ $1 =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]] || fail "--tag must be an image tag (the commit SHA), got '$1'"
  [[ $1 != latest ]] || fail "--tag latest is refused: deploy an immutable tag"
}

# The image digests deploy/build-images.sh records for a tag, one image reference a line:
#   ghcr.io/azora-world/azora-api:TAG@sha256:<64 hex digits>
# deploy/apply.sh deploys by these digests, so what runs is exactly what was built and tested, whatever the tag does.
digests_file_of() {
  echo "$WORK_ROOT/images-$1.digests"
}

# Reads the digests of the release's images built for tag $2 from the file $1 into IMAGE_DIGESTS. Stops when one is
# missing; a dry run without the file assumes a digest of zeros.
# The images of a release: the services, the migration Job, the portal, and the Stripe emulator that only staging runs.
RELEASE_IMAGES=(api payments migrations web stripe-emulator)
declare -A IMAGE_DIGESTS=()
read_digests() {
  local file=$1 tag=$2 name line digest
  if [[ ! -e $file && $DRY_RUN == true ]]; then
    for name in "${RELEASE_IMAGES[@]}"; do
      IMAGE_DIGESTS[$name]=sha256:0000000000000000000000000000000000000000000000000000000000000000
    done
    echo "# dry run: no $file, assuming digests of zeros"
    return
  fi
  [[ -r $file ]] ||
    fail "no image digests for $tag in '$file': images are deployed by digest (deploy/build-images.sh --tag $tag writes them; or pass --digests FILE)"
  for name in "${RELEASE_IMAGES[@]}"; do
    digest=""
    while IFS= read -r line || [[ -n $line ]]; do
      [[ $line == "$IMAGE_REGISTRY/azora-$name:$tag@"* ]] && digest=${line##*@}
    done <"$file"
    [[ $digest =~ ^sha256:[0-9a-f]{64}$ ]] || fail "$file has no digest of $IMAGE_REGISTRY/azora-$name:$tag"
    IMAGE_DIGESTS[$name]=$digest
  done
}

# The reference by digest of an image read by read_digests: image_of api → ghcr.io/azora-world/azora-api@sha256:…
image_of() {
  echo "$IMAGE_REGISTRY/azora-$1@${IMAGE_DIGESTS[$1]}"
}
