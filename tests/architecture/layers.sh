#!/usr/bin/env bash
# Checks the include rules of the layers drawn in docs/ARCHITECTURE.md, file by file:
#   models/    includes no other layer of the project
#   wire/      includes models/ only (a pure contract: no sockets, no Beast, no flags)
#   engine     (simulator/, except the load files below) no mockapi/, app/, Asio/Beast, CLI11, MPI
#   load       (simulator/ http_exchange, load_targets, server_process, socket_driver) no mockapi/,
#              app/, CLI11, MPI: it starts the mock server as a child process, never in process
#   mockapi/   no simulator/, app/, CLI11, MPI
#   app/       anything (the `llmsim` program)
#   models/provider_model.hpp and models/scenario_config.hpp: not the scenario loader
#              (models/scenario.hpp); the provider model reads configuration structs only
# Prints every broken rule as FILE:LINE: rule, include, and exits 1 when there is one.
#
#   bash tests/architecture/layers.sh /path/to/repo
set -euo pipefail
root=${1:?usage: layers.sh REPO_ROOT}
cd "$root"
status=0

# forbid DESCRIPTION REGEX FILES...: reports each #include line of FILES matching REGEX.
forbid() {
  local rule=$1 pattern=$2
  shift 2
  local file
  for file in "$@"; do
    [[ -f $file ]] || continue
    while IFS= read -r hit; do
      echo "$file:${hit%%:*}: $rule: ${hit#*:}"
      status=1
    done < <(grep -nE "^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"]($pattern)" "$file" || true)
  done
}

sources_of() { find "$@" -type f \( -name '*.cpp' -o -name '*.hpp' \) 2>/dev/null | sort; }

load_names='http_exchange|load_targets|server_process|socket_driver'
mapfile -t models_files < <(sources_of models)
mapfile -t wire_files < <(sources_of wire)
mapfile -t mockapi_files < <(sources_of mockapi)
mapfile -t simulator_files < <(sources_of simulator)
engine_files=() load_files=()
for file in "${simulator_files[@]}"; do
  if [[ $(basename "$file") =~ ^($load_names)\.(c|h)pp$ ]]; then load_files+=("$file"); else engine_files+=("$file"); fi
done

flags='CLI/|mpi\.h'
forbid "models/ includes no other layer" "wire/|simulator/|mockapi/|app/|boost/asio|boost/beast|$flags" "${models_files[@]}"
forbid "wire/ includes models/ only" "simulator/|mockapi/|app/|boost/asio|boost/beast|$flags" "${wire_files[@]}"
forbid "the engine has no sockets, no mock server, no flags" \
  "mockapi/|app/|boost/asio|boost/beast|$flags|simulator/($load_names)\.hpp|($load_names)\.hpp" "${engine_files[@]}"
forbid "the load driver starts the mock as a child process, takes no flags" "mockapi/|app/|$flags" "${load_files[@]}"
forbid "mockapi/ includes neither the simulator nor the program" "simulator/|app/|$flags" "${mockapi_files[@]}"
forbid "the provider model and the configuration structs do not include the scenario loader" \
  "models/scenario\.hpp" models/include/models/provider_model.hpp models/include/models/scenario_config.hpp

if ((status == 0)); then
  echo "layers: ${#models_files[@]} models, ${#wire_files[@]} wire, ${#engine_files[@]} engine, ${#load_files[@]} load, ${#mockapi_files[@]} mockapi files follow their include rules"
fi
exit $status
