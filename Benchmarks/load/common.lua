-- Shared by the load scenarios: the bearer token on every request, a deterministic random
-- sequence per wrk thread, and a one-line JSON summary that load-test.sh turns into the table.
local M = {}

M.token = os.getenv("LOAD_TOKEN") or ""
M.seed = tonumber(os.getenv("LOAD_SEED") or "1")

local threads = {}
local next_thread_id = 0

function M.setup(thread)
    thread:set("thread_id", next_thread_id)
    next_thread_id = next_thread_id + 1
    table.insert(threads, thread)
end

function M.init()
    math.randomseed(M.seed * 1000 + (thread_id or 0))
end

function M.headers(extra)
    local h = { ["Authorization"] = "Bearer " .. M.token }
    for k, v in pairs(extra or {}) do h[k] = v end
    return h
end

function M.done(summary, latency, requests)
    local e = summary.errors
    io.write(string.format(
        'LOAD_RESULT {"requests":%d,"seconds":%.3f,"rps":%.1f,"p50_ms":%.3f,"p99_ms":%.3f,' ..
        '"connect_errors":%d,"read_errors":%d,"write_errors":%d,"timeouts":%d,"bad_status":%d}\n',
        summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
        latency:percentile(50) / 1000, latency:percentile(99) / 1000,
        e.connect, e.read, e.write, e.timeout, e.status))
end

return M
