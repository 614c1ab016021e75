# Sourced by the .ci scripts. `need_tools TOOL:PACKAGE...` installs with apt the packages
# whose TOOL is not on PATH (all in one apt-get call; nothing when all are there).
need_tools() {
    local missing=() tool_package
    for tool_package in "$@"; do
        command -v "${tool_package%%:*}" >/dev/null || missing+=("${tool_package##*:}")
    done
    if ((${#missing[@]})); then
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
}
