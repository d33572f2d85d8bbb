-- The 1 KiB static file, with the same bearer token the API requests carry.
package.path = package.path .. ";" .. (os.getenv("LOAD_LUA_DIR") or ".") .. "/?.lua"
local common = require("common")
setup, done = common.setup, common.done
local headers

function init()
    common.init()
    headers = common.headers()
end

function request()
    return wrk.format("GET", "/static/1k.txt", headers)
end
