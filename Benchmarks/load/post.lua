-- POST a micropost as the token's user (user0001), with a different text each time.
package.path = package.path .. ";" .. (os.getenv("LOAD_LUA_DIR") or ".") .. "/?.lua"
local common = require("common")
setup, done = common.setup, common.done
local headers
local counter = 0

function init()
    common.init()
    headers = common.headers({ ["Content-Type"] = "application/json" })
end

function request()
    counter = counter + 1
    local body = string.format('{"text":"load test post %d-%d, %08x"}', thread_id or 0, counter, math.random(0, 0x7fffffff))
    return wrk.format("POST", "/api/users/user0001/collection", headers, body)
end
