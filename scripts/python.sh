# Sourced by the other scripts: PY is the project's Python, its virtualenv (.venv, which
# scripts/setup.sh makes where python3 is externally managed, as Debian's own is) when
# there is one, else python3.
_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ -z "${VIRTUAL_ENV:-}" && -x "$_root/.venv/bin/python" ]]; then
  PY="$_root/.venv/bin/python"
else
  PY=python3 # an active virtualenv's, or the machine's
fi
unset _root
